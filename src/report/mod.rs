//! Renderers, one file per output format: `human` (Markdown tables), `json`, `junit` (XML files) and `github`
//! (workflow annotations). Each turns report data from `core::reports` into text on a `&mut dyn Write` (stdout in
//! the CLI, a `Vec<u8>` in snapshot tests); none decides a verdict.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;

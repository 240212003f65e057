//! Report data of every command (pure): what each command found, built once from the results and never
//! recomputed by a renderer. `src/report` turns these into text; the CLI turns their verdicts into exit codes.

pub mod annotations;
pub mod comparison;
pub mod doctor;
pub mod history;
pub mod migrate;
pub mod preflight;
pub mod rollback;
pub mod validate;
pub mod verify;

/// Version of the JSON reports' shape (`--format json`); bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: &str = "1.0.0";

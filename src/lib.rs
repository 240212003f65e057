//! lookcoin-state: migrate LookCoin deployment state from LevelDB to JSON and prove nothing was lost.
//!
//! `core` is pure (no I/O, clock, environment or randomness); `io` and `cli` are the shell around it; `report`
//! renders report data to any writer.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub mod core;
pub mod error;
pub mod io;
pub mod lab;
pub mod parallel;
pub mod pipeline;
pub mod proof;
pub mod report;
pub mod schema;

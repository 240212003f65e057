//! lookcoin-state: migrate LookCoin deployment state from LevelDB to JSON and prove nothing was lost.
//!
//! The modules, from the inside out (arrows point inward only; `properties/architecture.rs` checks it):
//! - `core`: pure. The record model, migrate/unmigrate, the documents and their schema, compare, reconcile, the
//!   on-chain verdicts over a fetched snapshot, and every report's data (`core::reports`). No file system,
//!   network, clock, environment, threads or async: everything comes in as arguments.
//! - `error`: the errors a user sees, one kind per cause, each with its seed code, exit code and hint.
//! - `io`: files (JSON, atomic writes, backups, path checks), LevelDB (private copy, checksums, lock probe), and
//!   JSON-RPC with its async fan-out (`io::rpc`).
//! - `report`: one renderer per output format (human, json, junit, github) over the data in `core::reports`.
//! - `pipeline`: the steps each command is made of (load -> compute -> prove -> write); the CLI, the tests, the
//!   benches and the demo all call these.
//! - `lab`: local anvil chains with the demo contracts deployed, for the demo, the tests and the benches.
//! - `cli`: per command, clap `Args` and a `run` that calls its pipeline step, renders, and returns the exit code.
#![deny(clippy::print_stdout, clippy::print_stderr)]

/// The version of this build: the package version and the git commit it was built from, with `, dirty` when
/// the work tree had changes, or `unknown` without git (see `build.rs`). `--version` prints it and migrated
/// documents record it as `toolVersion`.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("LOOKCOIN_GIT_COMMIT"), ")");

pub mod cli;
pub mod core;
pub mod error;
pub mod io;
pub mod lab;
pub mod pipeline;
pub mod report;

//! The command line: one file per subcommand, each `load (shell) -> compute (core) -> render -> exit code`.

// The shell: commands read the clock and the environment (SOURCE_DATE_EPOCH) here (see clippy.toml).
#![allow(clippy::disallowed_methods)]

pub mod compare;
pub mod demo;
pub mod history;
pub mod inspect;
pub mod migrate;
pub mod progress;
pub mod reconcile;
pub mod restore;
pub mod rollback;
pub mod validate;
pub mod verify_chain;

use crate::error::ToolError;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;

/// Exit codes, the same for every command.
pub mod exit {
    /// Completed, nothing to report.
    pub const CLEAN: u8 = 0;
    /// Completed with findings (quarantined records, invalid documents, discrepancies).
    pub const FINDINGS: u8 = 1;
    /// Bad input or usage; nothing was written. (clap uses 2 for usage errors too.)
    pub const BAD_INPUT: u8 = 2;
    /// Could not complete (I/O while writing, a lock held by another process).
    pub const INCOMPLETE: u8 = 3;
}

#[derive(Debug, Parser)]
#[command(
    name = "lookcoin-state",
    version,
    about = "Verify the move of LookCoin deployment state from LevelDB to JSON"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every entry of a LevelDB folder or of our JSON documents, sorted by key bytes.
    Inspect(inspect::Args),
    /// Migrate a LevelDB folder to schema-validated JSON documents (one per chain id).
    Migrate(migrate::Args),
    /// Validate JSON documents against the enhanced schema v2.0.0 (and their manifest, if any).
    Validate(validate::Args),
    /// Compare two sources field by field (LevelDB, our JSON, v1, v3 unified, OpenZeppelin).
    Compare(compare::Args),
    /// Plan (and with --apply, write) the changes that make one source agree with the other.
    Reconcile(reconcile::Args),
    /// Put a backup made by `reconcile --apply` back in place.
    Restore(restore::Args),
    /// Prove the records match the live contracts (EIP-1967 slot, code hash, proxiableUUID) over JSON-RPC.
    VerifyChain(verify_chain::Args),
    /// Run the whole job on the bundled demo data.
    Demo(demo::Args),
    /// Every version of every key a LevelDB folder still holds (live, shadowed, deleted), from its files.
    History(history::Args),
    /// Write our JSON documents back to a new LevelDB folder that the deploy scripts open and read as before.
    Rollback(rollback::Args),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
}

/// Runs a parsed command line; returns the process exit code. Errors are rendered to `err`.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(&args, out),
        Command::Migrate(args) => migrate::run(&args, out, err),
        Command::Validate(args) => validate::run(&args, out),
        Command::Compare(args) => compare::run(&args, out, err),
        Command::Reconcile(args) => reconcile::run(&args, out, err),
        Command::Restore(args) => restore::run(&args, out),
        Command::VerifyChain(args) => verify_chain::run(&args, out, err),
        Command::Demo(args) => demo::run(&args, out, err),
        Command::History(args) => history::run(&args, out),
        Command::Rollback(args) => rollback::run(&args, out),
    };
    match result {
        Ok(code) => code,
        Err(e) => report_error(err, &e),
    }
}

/// Renders an error and returns its exit code. A reader that closed our stdout early (`| head`) is not an error
/// worth a message: the run stops quietly, as Unix tools do.
pub fn report_error(err: &mut dyn Write, e: &ToolError) -> u8 {
    if e.subject == STDOUT && e.causes.first().is_some_and(|c| c == CLOSED_BY_READER) {
        return exit::CLEAN;
    }
    let _ = writeln!(err, "{e}");
    e.exit_code()
}

const STDOUT: &str = "standard output";
/// The cause an error on stdout gets when the reader went away (decided from the I/O error kind, not its text).
const CLOSED_BY_READER: &str = "the reader closed standard output";

/// Wraps a failed write to stdout (a closed pipe, a full disk) as an error of the tool.
pub fn output_error(e: std::io::Error) -> ToolError {
    let what = if e.kind() == std::io::ErrorKind::BrokenPipe { CLOSED_BY_READER } else { "cannot write the report" };
    ToolError::new(crate::error::ErrorCode::Migration001, STDOUT, what).caused_by(e)
}

//! The command line: one file per subcommand, each only its clap `Args` and a `run` that parses the flags, calls
//! its `pipeline` step, renders the report and returns the exit code. Flags shared by several commands live here.
//!
//! Shell code: it reads `GITHUB_ACTIONS`.
#![expect(
    clippy::disallowed_methods,
    reason = "the shell: reads GITHUB_ACTIONS and GITHUB_STEP_SUMMARY from the environment"
)]

pub mod compare;
pub mod demo;
pub mod doctor;
pub mod history;
pub mod inspect;
pub mod migrate;
pub mod preflight;
pub mod progress;
pub mod reconcile;
pub mod restore;
pub mod rollback;
pub mod validate;
pub mod verify_chain;

use crate::core::state::SourceFormat;
use crate::error::{ErrorKind, ToolError};
use crate::io::documents::{set_max_file_mb, DEFAULT_MAX_FILE_MB};
use crate::io::networks_file::LimitFlags;
use crate::io::rpc::BlockTag;
use crate::pipeline::compare::Side;
use crate::pipeline::verify::VerifyOptions;
use clap::{Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

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
    /// The largest input file any command reads, in MiB (a named pipe or an endless device is never read).
    #[arg(long, global = true, default_value_t = DEFAULT_MAX_FILE_MB, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub max_file_mb: u64,
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
    /// Put a backup made by `migrate --force` or `reconcile --apply` back in place.
    Restore(restore::Args),
    /// Prove the records match the live contracts (EIP-1967 slot, code hash, proxiableUUID) over JSON-RPC.
    VerifyChain(verify_chain::Args),
    /// The pre-cutover gate: LevelDB, migrate proof, validate, compare and verify-chain in one report.
    Preflight(preflight::Args),
    /// Health checks of the LevelDB, the JSON, the output folder and the endpoints; --bundle for escalation.
    Doctor(doctor::Args),
    /// Run the whole job on the bundled demo data.
    Demo(demo::Args),
    /// Every version of every key a LevelDB folder still holds (live, shadowed, deleted), from its files.
    History(history::Args),
    /// Write our JSON documents back to a new LevelDB folder that the deploy scripts open and read as before.
    Rollback(rollback::Args),
}

/// `--format`: the report on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
}

/// The formats `--left-format` / `--right-format` / `--source-format` accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatFlag {
    Leveldb,
    Enhanced,
    V1,
    V3,
    Openzeppelin,
    HardhatDeploy,
    FoundryBroadcast,
}

impl FormatFlag {
    pub fn format(self) -> SourceFormat {
        match self {
            FormatFlag::Leveldb => SourceFormat::LevelDb,
            FormatFlag::Enhanced => SourceFormat::Enhanced,
            FormatFlag::V1 => SourceFormat::LegacyV1,
            FormatFlag::V3 => SourceFormat::UnifiedV3,
            FormatFlag::Openzeppelin => SourceFormat::OpenZeppelin,
            FormatFlag::HardhatDeploy => SourceFormat::HardhatDeploy,
            FormatFlag::FoundryBroadcast => SourceFormat::FoundryBroadcast,
        }
    }
}

/// The two sources, shared by `compare` and `reconcile`.
#[derive(Debug, clap::Args)]
pub struct Sources {
    /// A LevelDB folder, or a folder/file of our JSON, v1, v3 unified or OpenZeppelin manifests.
    pub left: PathBuf,
    /// Same kinds as LEFT.
    pub right: PathBuf,
    /// Read LEFT in this format instead of detecting it.
    #[arg(long, value_enum)]
    pub left_format: Option<FormatFlag>,
    /// Read RIGHT in this format instead of detecting it.
    #[arg(long, value_enum)]
    pub right_format: Option<FormatFlag>,
}

impl Sources {
    pub fn left(&self) -> Side<'_> {
        Side { path: &self.left, format: self.left_format.map(FormatFlag::format) }
    }

    pub fn right(&self) -> Side<'_> {
        Side { path: &self.right, format: self.right_format.map(FormatFlag::format) }
    }
}

/// Runs a parsed command line; returns the process exit code. Errors are rendered to `err`.
pub fn run(cli: Cli, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    set_max_file_mb(cli.max_file_mb);
    // Private copies of a LevelDB are removed on Ctrl-C / SIGTERM; without the handler they would only be
    // removed on a normal end. A failure to install it is not worth refusing to run.
    let _ = crate::io::cleanup::install();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(&args, out),
        Command::Migrate(args) => migrate::run(&args, out),
        Command::Validate(args) => validate::run(&args, out),
        Command::Compare(args) => compare::run(&args, out, err),
        Command::Reconcile(args) => reconcile::run(&args, out),
        Command::Restore(args) => restore::run(&args, out),
        Command::VerifyChain(args) => verify_chain::run(&args, out, err),
        Command::Preflight(args) => preflight::run(&args, out, err),
        Command::Doctor(args) => doctor::run(&args, out),
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
    if e.kind != ErrorKind::OutputClosed {
        let _ = writeln!(err, "{e}");
    }
    e.exit_code()
}

/// Wraps a failed write to stdout (a closed pipe, a full disk) as an error of the tool.
pub fn output_error(e: std::io::Error) -> ToolError {
    ToolError::output_io("standard output", "cannot write the report", e)
}

/// The job summary file GitHub Actions gives each step (`$GITHUB_STEP_SUMMARY`), when set and not empty.
pub fn github_step_summary() -> Option<PathBuf> {
    std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// True when running under GitHub Actions, where annotations are wanted.
pub fn in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// The endpoints and RPC options shared by `verify-chain` and `preflight`.
#[derive(Debug, clap::Args)]
pub struct ChainArgs {
    /// An RPC endpoint, CHAINID=URL; repeat for more chains or a second endpoint of one chain. `${VAR}` is expanded.
    #[arg(long = "rpc", value_name = "CHAINID=URL")]
    pub rpc: Vec<String>,
    /// A TOML file of endpoints: [chains.<chainId>] rpc = ["url", ...].
    #[arg(long)]
    pub networks: Option<PathBuf>,
    /// The block to read every value at: latest, safe, finalized or a number.
    #[arg(long, default_value = "latest", value_parser = parse_block)]
    pub block: BlockTag,
    /// Compiler artifacts (Foundry out/ or Hardhat build-info) for exact immutable ranges.
    #[arg(long)]
    pub artifacts: Option<PathBuf>,
    /// Seconds before one request is abandoned (then retried), 1 to 3600.
    #[arg(long, default_value_t = 15, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Retries of a failed request (timeouts, 429, 5xx, lost connections), with exponential backoff; 0 to 20.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=20))]
    pub retries: u32,
    /// Requests in flight at once, across all networks; 1 to 1024.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub max_concurrency: u32,
    /// With --block latest: read every network this many blocks behind its head, so that every backend of a
    /// load-balanced endpoint has the block.
    #[arg(long, default_value_t = crate::core::onchain::reads::DEFAULT_CONFIRMATIONS)]
    pub confirmations: u64,
    /// JSON-RPC calls per batch for endpoints the networks file does not set (halved on a refusal).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    pub max_batch: Option<u64>,
    /// HTTP requests per second per endpoint, for endpoints the networks file does not set (0.001 to 100000).
    #[arg(long, value_parser = parse_rps)]
    pub rps: Option<f64>,
    /// With --rps: at most this many requests in any BURST/RPS seconds (--rps 5 --burst 300: 300 a minute;
    /// default: one second's worth).
    #[arg(long)]
    pub burst: Option<u32>,
    /// Largest response body read, in bytes; a larger one fails the round trip.
    #[arg(long, default_value_t = crate::core::onchain::reads::DEFAULT_MAX_BODY)]
    pub max_body: usize,
    /// Verify only this chain (repeat for more); records on other chains are left out.
    #[arg(long = "chain", value_name = "CHAINID")]
    pub chains: Vec<u64>,
}

/// A request rate the pacing can use: finite, from one request in 1000 s to 100,000 a second.
pub fn parse_rps(text: &str) -> Result<f64, String> {
    let rps: f64 = text.parse().map_err(|_| format!("`{text}` is not a number"))?;
    if rps.is_finite() && (0.001..=100_000.0).contains(&rps) {
        Ok(rps)
    } else {
        Err(format!("`{text}` is not between 0.001 and 100000"))
    }
}

fn parse_block(text: &str) -> Result<BlockTag, String> {
    match text {
        "latest" => Ok(BlockTag::Latest),
        "safe" => Ok(BlockTag::Safe),
        "finalized" => Ok(BlockTag::Finalized),
        n => n
            .parse()
            .map(BlockTag::Number)
            .map_err(|_| format!("`{n}` is not latest, safe, finalized or a block number")),
    }
}

impl ChainArgs {
    pub fn options(&self) -> VerifyOptions {
        VerifyOptions {
            rpc: self.rpc.clone(),
            networks: self.networks.clone(),
            block: self.block,
            artifacts: self.artifacts.clone(),
            timeout: Duration::from_secs(self.timeout),
            retries: self.retries,
            max_concurrency: self.max_concurrency as usize,
            confirmations: self.confirmations,
            limits: LimitFlags { max_batch: self.max_batch.map(|n| n as usize), rps: self.rps, burst: self.burst },
            max_body: self.max_body,
            chains: self.chains.clone(),
        }
    }
}

//! The command line: one file per subcommand, each only its clap `Args` and a `run` that parses the flags, calls
//! its `pipeline` step, renders the report and returns the exit code. Flags shared by several commands live here.
//!
//! Shell code: it reads `GITHUB_ACTIONS`.
#![expect(
    clippy::disallowed_methods,
    reason = "the shell: reads GITHUB_ACTIONS and GITHUB_STEP_SUMMARY from the environment"
)]

pub mod compare;
pub mod completions;
pub mod demo;
pub mod doctor;
pub mod explain;
pub mod history;
pub mod inspect;
pub mod logs;
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
    version = crate::VERSION,
    about = "Verify the move of LookCoin deployment state from LevelDB to JSON"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// The largest input file any command reads, in MiB (a named pipe or an endless device is never read).
    #[arg(long, global = true, default_value_t = DEFAULT_MAX_FILE_MB, value_parser = clap::value_parser!(u64).range(1..=1_048_576))]
    pub max_file_mb: u64,
    /// More log lines on stderr: -v info, -vv debug (each phase's duration), -vvv trace (RPC traffic, redacted).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Log errors only. (`LOOKCOIN_LOG=rpc=trace,leveldb=debug` sets a level per component: leveldb, json, rpc,
    /// migrate, compare, verify.)
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Log lines as text or as one JSON object per line.
    #[arg(long, global = true, value_enum, default_value_t)]
    pub log_format: logs::LogFormat,
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
    /// What an error code means, its causes and how to resolve it (e.g. `explain LEVELDB-002`).
    Explain(explain::Args),
    /// Print a shell completion script (bash, zsh or fish).
    Completions(completions::Args),
    /// Print the man page (roff), e.g. `lookcoin-state man > lookcoin-state.1`.
    Man,
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
    let lookcoin_log = std::env::var("LOOKCOIN_LOG").ok();
    if let Err(e) = logs::init(cli.verbose, cli.quiet, cli.log_format, lookcoin_log.as_deref()) {
        return report_error(out, err, Format::Human, &e);
    }
    // Private copies of a LevelDB are removed on Ctrl-C / SIGTERM; without the handler they would only be
    // removed on a normal end. A failure to install it is not worth refusing to run.
    let _ = crate::io::cleanup::install();
    // At a terminal, tables wrap to its width; piped or redirected, they stay plain Markdown tables.
    crate::report::human::fit_tables_to(crate::io::terminal::stdout_columns());
    let format = cli.command.format();
    let out = &mut Counted { inner: out, written: 0 };
    let started = std::time::Instant::now();
    let component = cli.command.component();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(&args, out),
        Command::Migrate(args) => migrate::run(&args, out, err),
        Command::Validate(args) => validate::run(&args, out, err),
        Command::Compare(args) => compare::run(&args, out, err),
        Command::Reconcile(args) => reconcile::run(&args, out),
        Command::Restore(args) => restore::run(&args, out),
        Command::VerifyChain(args) => verify_chain::run(&args, out, err),
        Command::Preflight(args) => preflight::run(&args, out, err),
        Command::Doctor(args) => doctor::run(&args, out),
        Command::Demo(args) => demo::run(&args, out, err),
        Command::History(args) => history::run(&args, out),
        Command::Rollback(args) => rollback::run(&args, out),
        Command::Explain(args) => explain::run(&args, out),
        Command::Completions(args) => completions::run(&args, out),
        Command::Man => completions::man(out),
    };
    // The whole command's time, under its component (verify-chain's phases are its pipeline's own).
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    match component {
        "verify" => tracing::debug!(target: "verify", ms, "command done"),
        "compare" => tracing::debug!(target: "compare", ms, "command done"),
        "json" => tracing::debug!(target: "json", ms, "command done"),
        "leveldb" => tracing::debug!(target: "leveldb", ms, "command done"),
        _ => tracing::debug!(target: "migrate", ms, "command done"),
    }
    match result {
        Ok(code) => code,
        // A report already (partly) on stdout is not followed by a second JSON document.
        Err(e) => {
            let format = if out.written == 0 { format } else { Format::Human };
            report_error(out, err, format, &e)
        }
    }
}

/// Standard output, counting what was written to it.
struct Counted<'a> {
    inner: &'a mut dyn Write,
    written: u64,
}

impl Write for Counted<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl Command {
    /// The log component the command's own lines belong to.
    fn component(&self) -> &'static str {
        match self {
            Command::VerifyChain(_) | Command::Demo(_) => "verify",
            Command::Compare(_) | Command::Reconcile(_) => "compare",
            Command::Validate(_) => "json",
            Command::Preflight(_) | Command::Doctor(_) => "verify",
            Command::Inspect(_) | Command::History(_) | Command::Rollback(_) => "leveldb",
            _ => "migrate",
        }
    }

    /// The report format the command was asked for (`--format`); human for commands without one.
    fn format(&self) -> Format {
        match self {
            Command::Inspect(args) => args.format,
            Command::Migrate(args) => args.format,
            Command::Validate(args) => args.format,
            Command::Compare(args) => args.format,
            Command::Reconcile(args) => args.format,
            Command::VerifyChain(args) => args.format,
            Command::History(args) => args.format,
            Command::Rollback(args) => args.format,
            Command::Doctor(args) => args.format,
            Command::Preflight(args) => match args.format {
                preflight::GateFormat::Json => Format::Json,
                _ => Format::Human,
            },
            Command::Restore(_) | Command::Demo(_) | Command::Explain(_) | Command::Completions(_) | Command::Man => {
                Format::Human
            }
        }
    }
}

/// Renders an error and returns its exit code: the text on `err`, and with `--format json` also the error as one
/// JSON document on `out` (a CI parser reads stdout). A reader that closed our stdout early (`| head`) is not an
/// error worth a message: the run stops quietly, as Unix tools do.
pub fn report_error(out: &mut dyn Write, err: &mut dyn Write, format: Format, e: &ToolError) -> u8 {
    if e.kind != ErrorKind::OutputClosed {
        let _ = writeln!(err, "{e}");
        if format == Format::Json {
            let _ = crate::report::json::error(out, e);
        }
        if in_github_actions() {
            let annotation = crate::pipeline::locate::error_annotation(e);
            let _ = crate::report::github::single(err, &annotation, &github_workspace());
        }
    }
    e.exit_code()
}

/// Under GitHub Actions, writes a command's annotations to `err` (`what` names the command).
pub fn annotate(
    err: &mut dyn Write,
    what: &str,
    annotations: Vec<crate::core::reports::annotations::Annotation>,
) -> Result<(), ToolError> {
    if !in_github_actions() {
        return Ok(());
    }
    let annotations = crate::pipeline::locate::on_files(annotations);
    crate::report::github::annotations(err, what, &annotations, &github_workspace()).map_err(output_error)
}

/// Wraps a failed write to stdout (a closed pipe, a full disk) as an error of the tool.
pub fn output_error(e: std::io::Error) -> ToolError {
    ToolError::output_io("standard output", "cannot write the report", e)
}

/// The job summary file GitHub Actions gives each step (`$GITHUB_STEP_SUMMARY`), when set and not empty.
pub fn github_step_summary() -> Option<PathBuf> {
    std::env::var_os("GITHUB_STEP_SUMMARY").filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// The checkout GitHub Actions runs in (`GITHUB_WORKSPACE`) and the current folder: annotations name their files
/// relative to it.
pub fn github_workspace() -> crate::report::github::Workspace {
    let root = std::env::var_os("GITHUB_WORKSPACE").filter(|v| !v.is_empty()).map(PathBuf::from);
    let resolved = root.as_ref().and_then(|r| std::fs::canonicalize(r).ok());
    crate::report::github::Workspace::resolved(root, resolved, std::env::current_dir().unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Standard output whose first write after `fail_at` bytes fails (a disk that filled, then freed).
    struct FailsOnce {
        bytes: Vec<u8>,
        fail_at: usize,
        failed: bool,
    }

    impl Write for FailsOnce {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if !self.failed && self.bytes.len() + buf.len() > self.fail_at {
                self.failed = true;
                return Err(std::io::Error::other("device error"));
            }
            self.bytes.extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn run_json(missing_or_fixture: &str, fail_at: usize) -> (u8, String, String) {
        let path = format!("{}/{missing_or_fixture}", env!("CARGO_MANIFEST_DIR"));
        let cli = Cli::try_parse_from(["lookcoin-state", "validate", &path, "--format", "json"]).expect("parses");
        let mut out = FailsOnce { bytes: Vec::new(), fail_at, failed: false };
        let mut err = Vec::new();
        let code = run(cli, &mut out, &mut err);
        (code, String::from_utf8(out.bytes).expect("UTF-8"), String::from_utf8(err).expect("UTF-8"))
    }

    #[test]
    fn a_json_error_follows_no_report() {
        let (code, out, err) = run_json("no-such-folder", usize::MAX);
        assert_eq!(code, exit::BAD_INPUT);
        let value: serde_json::Value = serde_json::from_str(&out).expect("one JSON document");
        assert_eq!(value["error"]["code"], "JSON-001", "{out}");
        assert!(err.starts_with("error[JSON-001]"), "{err}");
    }

    #[test]
    fn a_report_cut_short_is_not_followed_by_a_json_error() {
        let (_, complete, _) = run_json("fixtures/v1", usize::MAX);
        assert!(complete.len() > 10, "the report is longer than what is let through: {complete}");
        let (code, out, err) = run_json("fixtures/v1", 10);
        assert_eq!(code, 3, "{err}");
        assert!(err.starts_with("error[MIGRATION-001]"), "{err}");
        assert!(complete.starts_with(&out), "stdout holds only the start of the report: {out}");
        assert!(!out.contains("\"error\""), "{out}");
    }
}

//! `lookcoin-state verify-chain SOURCE`: proves the records match the live contracts (EIP-1967 slot, code,
//! normalised code hash, proxiableUUID), every network at one pinned block, all networks concurrently.

use super::{exit, in_github_actions, output_error, Format, FormatFlag};
use crate::core::onchain::verify::Verdict;
use crate::error::ToolError;
use crate::io::atomic::write_report_file;
use crate::io::networks_file::LimitFlags;
use crate::io::paths::refuse_overlap;
use crate::io::rpc::BlockTag;
use crate::pipeline::verify::{verify, VerifyOptions};
use crate::report::{github, human, json, junit};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The records to verify: a LevelDB folder or our JSON (any format the tool reads).
    pub source: PathBuf,
    /// Read SOURCE in this format instead of detecting it.
    #[arg(long, value_enum)]
    pub source_format: Option<FormatFlag>,
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
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Also write a JUnit XML report (one test case per record, one failure per finding).
    #[arg(long)]
    pub junit: Option<PathBuf>,
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

impl Args {
    fn options(&self) -> VerifyOptions {
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

pub fn run(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, ToolError> {
    if let Some(path) = &args.junit {
        let inputs: Vec<&Path> = [Some(args.source.as_path()), args.networks.as_deref(), args.artifacts.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        refuse_overlap("--junit", path, &inputs)?;
    }
    let report = verify(&args.source, args.source_format.map(FormatFlag::format), &args.options())?;
    if let Some(path) = &args.junit {
        write_report_file(path, junit::verify_xml(&report).as_bytes())?;
    }
    match args.format {
        Format::Human => human::verify(out, &report),
        Format::Json => json::verify(out, &report),
    }
    .map_err(output_error)?;
    if in_github_actions() {
        github::verify_findings(err, &report).map_err(output_error)?;
    }
    Ok(match report.verdict {
        Verdict::Drift => exit::FINDINGS,
        Verdict::Unverifiable => exit::INCOMPLETE,
        Verdict::Partial | Verdict::Verified => exit::CLEAN,
    })
}

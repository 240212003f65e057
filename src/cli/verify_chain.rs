//! `lookcoin-state verify-chain SOURCE`: proves the records match the live contracts (EIP-1967 slot, code,
//! normalised code hash, proxiableUUID), every network at one pinned block, all networks concurrently.

use super::compare::{in_github_actions, write_report_file, FormatFlag};
use super::{exit, output_error, Format};
use crate::core::network::NetworkTable;
use crate::core::onchain::verify::{run_verdict, verify_network, NetworkResult, Verdict};
use crate::core::onchain::{Artifacts, ReadPlan, Target};
use crate::core::state::SourceState;
use crate::error::{ErrorCode, ToolError};
use crate::io::artifacts::read_artifacts;
use crate::io::networks_file::{parse_rpc_flag, read_networks_file, EndpointMap};
use crate::io::rpc::{fetch_network, BlockTag, RpcOptions};
use crate::io::sources::load_source;
use crate::report::verify::{self, VerifyReport};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
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
    /// Seconds before one request is abandoned (then retried).
    #[arg(long, default_value_t = 15)]
    pub timeout: u64,
    /// Retries of a failed request (timeouts, 429, 5xx, lost connections), with exponential backoff.
    #[arg(long, default_value_t = 3)]
    pub retries: u32,
    /// Requests in flight at once, across all networks.
    #[arg(long, default_value_t = 8)]
    pub max_concurrency: usize,
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

/// Targets by chain id; records without an implementation address cannot be asked about and are counted.
fn targets_of(source: &SourceState) -> (BTreeMap<u64, Vec<Target>>, usize) {
    let mut map: BTreeMap<u64, Vec<Target>> = BTreeMap::new();
    let mut skipped = 0;
    for r in &source.records {
        match Target::of(r) {
            Some(t) => map.entry(t.chain_id).or_default().push(t),
            None => skipped += 1,
        }
    }
    (map, skipped)
}

fn endpoints_of(args: &Args, chains: &BTreeMap<u64, Vec<Target>>) -> Result<EndpointMap, ToolError> {
    let mut map = match &args.networks {
        Some(path) => read_networks_file(path)?,
        None => EndpointMap::new(),
    };
    for flag in &args.rpc {
        let (chain, endpoint) = parse_rpc_flag(flag)?;
        if !chains.contains_key(&chain) {
            let held: Vec<String> = chains.keys().map(u64::to_string).collect();
            return Err(ToolError::new(
                ErrorCode::Migration004,
                format!("--rpc {chain}=…"),
                format!("the source holds no record on chain {chain}"),
            )
            .with_hint(format!("the source's chains are {}", held.join(", "))));
        }
        map.entry(chain).or_default().push(endpoint);
    }
    Ok(map)
}

/// Fetches every network concurrently and verifies each.
async fn verify_all(
    chains: BTreeMap<u64, Vec<Target>>,
    endpoints: EndpointMap,
    options: RpcOptions,
    artifacts: Artifacts,
    cap: usize,
) -> Vec<NetworkResult> {
    let limit = Arc::new(tokio::sync::Semaphore::new(cap.max(1)));
    let artifacts = Arc::new(artifacts);
    let mut tasks = tokio::task::JoinSet::new();
    for (chain, targets) in chains {
        let eps = endpoints.get(&chain).cloned().unwrap_or_default();
        let (options, limit, artifacts) = (options.clone(), limit.clone(), artifacts.clone());
        tasks.spawn(async move {
            let plan = ReadPlan::of(&targets);
            let answers = fetch_network(chain, &eps, &plan, &options, limit).await;
            verify_network(chain, &targets, answers, &artifacts)
        });
    }
    let mut results = Vec::new();
    while let Some(done) = tasks.join_next().await {
        results.push(done.expect("verification tasks do not panic"));
    }
    results.sort_by_key(|n| n.chain_id);
    results
}

/// Loads the source, asks every network and verifies: the report `run` renders (and `demo` inspects).
pub fn verify(args: &Args) -> Result<VerifyReport, ToolError> {
    let source = load_source(&args.source, args.source_format.map(FormatFlag::format))?;
    let (chains, skipped) = targets_of(&source);
    if chains.is_empty() {
        return Err(ToolError::new(
            ErrorCode::Migration004,
            args.source.display().to_string(),
            "the source holds no record with an implementation address",
        )
        .with_hint("verify-chain needs records with `address` (LevelDB, our JSON, v1 `contracts`, v3)"));
    }
    let endpoints = endpoints_of(args, &chains)?;
    let artifacts = match &args.artifacts {
        Some(dir) => read_artifacts(dir)?,
        None => Artifacts::new(),
    };
    let options = RpcOptions {
        timeout: Duration::from_secs(args.timeout.max(1)),
        retries: args.retries,
        backoff: Duration::from_millis(250),
        block: args.block,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ToolError::new(ErrorCode::Migration004, "async runtime", "cannot start").caused_by(e))?;
    let networks = runtime.block_on(verify_all(chains, endpoints, options, artifacts, args.max_concurrency));
    Ok(VerifyReport::new(source.label.clone(), networks, skipped, &NetworkTable::builtin()))
}

pub fn run(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, ToolError> {
    let report = verify(args)?;
    if let Some(path) = &args.junit {
        write_report_file(path, &verify::junit_xml(&report))?;
    }
    match args.format {
        Format::Human => verify::human(out, &report),
        Format::Json => verify::json(out, &report),
    }
    .map_err(output_error)?;
    if in_github_actions() {
        verify::annotations(err, &report).map_err(output_error)?;
    }
    Ok(match run_verdict(&report.networks) {
        Verdict::Drift => exit::FINDINGS,
        Verdict::Unverifiable => exit::INCOMPLETE,
        Verdict::Partial | Verdict::Verified => exit::CLEAN,
    })
}

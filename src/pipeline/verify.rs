//! `verify-chain`'s steps: load the records, read the endpoints (networks file, `--rpc` flags), ask every network
//! concurrently at one pinned block, and judge each record against the answers. Reads files and the environment
//! (`${VAR}` in URLs); talks JSON-RPC to the endpoints given, nothing else.

use super::load::load_source;
use crate::core::network::NetworkTable;
use crate::core::onchain::verify::{verify_network, NetworkResult};
use crate::core::onchain::{Artifacts, ReadPlan, Target};
use crate::core::reports::verify::VerifyReport;
use crate::core::state::{SourceFormat, SourceState};
use crate::error::{ErrorKind, ToolError};
use crate::io::artifacts::read_artifacts;
use crate::io::networks_file::{parse_rpc_flag, read_networks_file, EndpointMap};
use crate::io::rpc::{fetch_network, BlockTag, RpcOptions};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Everything `verify-chain` needs besides the source.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// `CHAINID=URL` flags; `${VAR}` is expanded.
    pub rpc: Vec<String>,
    /// A TOML file of endpoints.
    pub networks: Option<PathBuf>,
    /// The block every value is read at.
    pub block: BlockTag,
    /// Compiler artifacts for exact immutable ranges.
    pub artifacts: Option<PathBuf>,
    /// Before one request is abandoned (then retried).
    pub timeout: Duration,
    /// Retries of a failed request.
    pub retries: u32,
    /// Requests in flight at once, across all networks.
    pub max_concurrency: usize,
}

impl VerifyOptions {
    /// The options the CLI's defaults give, with these endpoints.
    pub fn with_rpc(rpc: Vec<String>) -> VerifyOptions {
        VerifyOptions {
            rpc,
            networks: None,
            block: BlockTag::Latest,
            artifacts: None,
            timeout: Duration::from_secs(15),
            retries: 3,
            max_concurrency: 8,
        }
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

fn endpoints_of(options: &VerifyOptions, chains: &BTreeMap<u64, Vec<Target>>) -> Result<EndpointMap, ToolError> {
    let mut map = match &options.networks {
        Some(path) => read_networks_file(path)?,
        None => EndpointMap::new(),
    };
    for flag in &options.rpc {
        let (chain, endpoint) = parse_rpc_flag(flag)?;
        if !chains.contains_key(&chain) {
            let held: Vec<String> = chains.keys().map(u64::to_string).collect();
            return Err(ToolError::new(
                ErrorKind::BadFlag,
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

/// Loads the source, asks every network and verifies every record: the report `verify-chain` renders.
pub fn verify(source: &Path, format: Option<SourceFormat>, options: &VerifyOptions) -> Result<VerifyReport, ToolError> {
    let state = load_source(source, format)?;
    let (chains, skipped) = targets_of(&state);
    if chains.is_empty() {
        return Err(ToolError::new(
            ErrorKind::BadFlag,
            source.display().to_string(),
            "the source holds no record with an implementation address",
        )
        .with_hint("verify-chain needs records with `address` (LevelDB, our JSON, v1 `contracts`, v3)"));
    }
    let endpoints = endpoints_of(options, &chains)?;
    let artifacts = match &options.artifacts {
        Some(dir) => read_artifacts(dir)?,
        None => Artifacts::new(),
    };
    let rpc = RpcOptions {
        timeout: options.timeout.max(Duration::from_secs(1)),
        retries: options.retries,
        backoff: Duration::from_millis(250),
        block: options.block,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ToolError::new(ErrorKind::Runtime, "async runtime", "cannot start").caused_by(e))?;
    let artifact_notes = artifacts.collisions();
    let networks = runtime.block_on(verify_all(chains, endpoints, rpc, artifacts, options.max_concurrency));
    let mut report = VerifyReport::new(state.label.clone(), networks, skipped, &NetworkTable::builtin());
    report.artifact_notes = artifact_notes;
    Ok(report)
}

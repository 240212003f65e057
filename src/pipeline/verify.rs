//! `verify-chain`'s steps: load the records, read the endpoints (networks file, `--rpc` flags), ask every network
//! concurrently at one pinned block, and judge each record against the answers. Reads files and the environment
//! (`${VAR}` in URLs); talks JSON-RPC to the endpoints given, nothing else.

use super::load::load_source;
use crate::core::network::NetworkTable;
use crate::core::onchain::verify::{verify_network, NetworkResult};
use crate::core::onchain::{Artifacts, DeclaredProxy, ReadPlan, Target};
use crate::core::reports::verify::VerifyReport;
use crate::core::state::{SourceFormat, SourceState};
use crate::error::{ErrorKind, ToolError};
use crate::io::artifacts::read_artifacts;
use crate::io::networks_file::{parse_rpc_flag, read_networks_file, EndpointMap, LimitFlags};
use crate::io::rpc::{fetch_network, BlockTag, RpcOptions};
use std::collections::{BTreeMap, BTreeSet};
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
    /// With `latest`: pin this many blocks behind the head.
    pub confirmations: u64,
    /// Limits of every endpoint the networks file does not set (`max_batch`, `rps`, `burst`).
    pub limits: LimitFlags,
    /// Response bodies over this many bytes are cut off (the round trip fails).
    pub max_body: usize,
    /// Verify only these chains (all when empty).
    pub chains: Vec<u64>,
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
            confirmations: crate::core::onchain::reads::DEFAULT_CONFIRMATIONS,
            limits: LimitFlags::default(),
            max_body: crate::core::onchain::reads::DEFAULT_MAX_BODY,
            chains: Vec::new(),
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
        Some(path) => read_networks_file(path, &options.limits)?,
        None => EndpointMap::new(),
    };
    for flag in &options.rpc {
        let (chain, endpoint) = parse_rpc_flag(flag, &options.limits)?;
        if !chains.contains_key(&chain) {
            return Err(not_held(format!("--rpc {chain}=…"), chain, chains));
        }
        map.entry(chain).or_default().endpoints.push(endpoint);
    }
    Ok(map)
}

/// A flag naming a chain the source holds no record on: a bad flag, with the chains it does hold.
fn not_held(flag: String, chain: u64, chains: &BTreeMap<u64, Vec<Target>>) -> ToolError {
    let held: Vec<String> = chains.keys().map(u64::to_string).collect();
    ToolError::new(ErrorKind::BadFlag, flag, format!("the source holds no record on chain {chain}"))
        .with_hint(format!("the source's chains are {}", held.join(", ")))
}

/// Keeps the chains `--chain` names (all when none); returns the records left out. A `--chain` the source does not
/// hold is a bad flag, not an empty success.
fn filter_chains(chains: &mut BTreeMap<u64, Vec<Target>>, wanted: &[u64]) -> Result<usize, ToolError> {
    if wanted.is_empty() {
        return Ok(0);
    }
    let wanted: BTreeSet<u64> = wanted.iter().copied().collect();
    if let Some(missing) = wanted.iter().find(|c| !chains.contains_key(c)) {
        return Err(not_held(format!("--chain {missing}"), *missing, chains));
    }
    let mut excluded = 0;
    chains.retain(|chain, targets| {
        let keep = wanted.contains(chain);
        if !keep {
            excluded += targets.len();
        }
        keep
    });
    Ok(excluded)
}

/// Fetches every network concurrently and verifies each.
async fn verify_all(
    chains: BTreeMap<u64, Vec<Target>>,
    endpoints: EndpointMap,
    options: RpcOptions,
    artifacts: Artifacts,
    cap: usize,
    declared: Vec<DeclaredProxy>,
) -> Vec<NetworkResult> {
    let limit = Arc::new(tokio::sync::Semaphore::new(cap.max(1)));
    let artifacts = Arc::new(artifacts);
    let mut tasks = tokio::task::JoinSet::new();
    for (chain, targets) in chains {
        let eps = endpoints.get(&chain).cloned().unwrap_or_default();
        let (options, limit, artifacts) = (options.clone(), limit.clone(), artifacts.clone());
        let declared: Vec<DeclaredProxy> = declared.iter().filter(|d| d.chain_id == chain).cloned().collect();
        tasks.spawn(async move {
            let plan = ReadPlan::of(&targets).with_declared(&declared);
            let answers = fetch_network(chain, &eps.endpoints, &plan, &options, limit).await;
            verify_network(chain, &targets, answers, &artifacts, eps.quorum, &declared)
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
    let (mut chains, skipped) = targets_of(&state);
    if chains.is_empty() {
        return Err(ToolError::new(
            ErrorKind::BadFlag,
            source.display().to_string(),
            "the source holds no record with an implementation address",
        )
        .with_hint("verify-chain needs records with `address` (LevelDB, our JSON, v1 `contracts`, v3)"));
    }
    let excluded = filter_chains(&mut chains, &options.chains)?;
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
        confirmations: options.confirmations,
        max_body: options.max_body.max(1024),
        retry_after_cap: Duration::from_secs(60),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ToolError::new(ErrorKind::Runtime, "async runtime", "cannot start").caused_by(e))?;
    let artifact_notes = artifacts.collisions();
    let declared: Vec<DeclaredProxy> = state.unattributed_proxies.iter().map(DeclaredProxy::of).collect();
    let networks = runtime.block_on(verify_all(chains, endpoints, rpc, artifacts, options.max_concurrency, declared));
    let mut networks = networks;
    let places = networks.iter_mut().flat_map(|n| n.findings.iter_mut()).filter_map(|f| f.at.as_mut());
    super::phase!("verify", "locate", super::locate::lines(places, &[&state.digests]));
    let mut report = VerifyReport::new(state.label.clone(), networks, skipped, &NetworkTable::builtin());
    report.artifact_notes = artifact_notes;
    report.excluded = excluded;
    Ok(report)
}

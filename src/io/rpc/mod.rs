//! Reads one network's values over JSON-RPC (reqwest, batches of our own), at one pinned block, within each
//! endpoint's limits. With `pipeline::verify`'s fan-out this is the tool's async code. Talks to the configured
//! endpoints; writes nothing.
//!
//! Per endpoint: `eth_chainId` and the head block (the chain is checked before anything it says is used); the
//! block `confirmations` behind the head is pinned (the first endpoint pins, the others read at its number);
//! every read of the [`ReadPlan`] at that number, in batches (`batch.rs`); beacons' `implementation()`; and the
//! pinned block's hash once more: a block that changed under the reads (a reorg) makes the endpoint fail. Every
//! string a server sent is scrubbed of the endpoint's URL secrets and escaped before it leaves this module.

mod batch;
mod http;
pub mod probe;

use crate::core::onchain::reads::{pinned_block, FailureKind, ReadKey, ReadOutcome};
use crate::core::onchain::{BlockRef, CallOutcome, ChainSnapshot, EndpointOutcome, EndpointResult, ReadPlan};
use alloy_primitives::{Bytes, B256, U256};
use batch::{Call, Conn, ConnOptions};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Which block to pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockTag {
    Latest,
    Safe,
    Finalized,
    Number(u64),
}

impl BlockTag {
    fn param(self) -> Value {
        match self {
            BlockTag::Latest => json!("latest"),
            BlockTag::Safe => json!("safe"),
            BlockTag::Finalized => json!("finalized"),
            BlockTag::Number(n) => json!(format!("{n:#x}")),
        }
    }
}

/// Timeouts, retries and the block to read at.
#[derive(Debug, Clone)]
pub struct RpcOptions {
    pub timeout: Duration,
    /// Retries of a failed read (each read on its own), with exponential backoff and jitter.
    pub retries: u32,
    pub backoff: Duration,
    pub block: BlockTag,
    /// With `latest`: pin this many blocks behind the head.
    pub confirmations: u64,
    /// Response bodies over this many bytes are cut off.
    pub max_body: usize,
    /// The longest `Retry-After` honoured.
    pub retry_after_cap: Duration,
}

impl Default for RpcOptions {
    fn default() -> Self {
        RpcOptions {
            timeout: Duration::from_secs(15),
            retries: 3,
            backoff: Duration::from_millis(250),
            block: BlockTag::Latest,
            confirmations: crate::core::onchain::reads::DEFAULT_CONFIRMATIONS,
            max_body: crate::core::onchain::reads::DEFAULT_MAX_BODY,
            retry_after_cap: Duration::from_secs(60),
        }
    }
}

/// What one endpoint allows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EndpointLimits {
    /// JSON-RPC calls per batch.
    pub max_batch: usize,
    /// HTTP requests per second on average (none: as fast as the concurrency cap allows).
    pub rps: Option<f64>,
    /// At most this many requests in any `burst / rps` seconds (default: one second's worth).
    pub burst: Option<u32>,
}

impl Default for EndpointLimits {
    fn default() -> Self {
        EndpointLimits { max_batch: crate::core::onchain::reads::DEFAULT_MAX_BATCH, rps: None, burst: None }
    }
}

/// An endpoint: the URL to call, the form of it that may be shown, and its limits.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: url::Url,
    pub shown: String,
    pub limits: EndpointLimits,
}

impl Endpoint {
    pub fn new(url: url::Url) -> Endpoint {
        Endpoint { shown: redact(&url), url, limits: EndpointLimits::default() }
    }

    /// Server text made safe to show: URL secrets removed, control characters escaped, at most 500 characters.
    pub fn clean(&self, text: &str) -> String {
        let scrubbed = self.scrub(text);
        let short: String = scrubbed.chars().take(500).collect();
        let cut = if short.len() < scrubbed.len() { "…" } else { "" };
        format!("{}{cut}", crate::error::printable(&short))
    }

    /// Removes every piece of the URL that may hold a secret from a message.
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.replace(self.url.as_str(), &self.shown);
        let pieces =
            [self.url.password().unwrap_or(""), self.url.username(), self.url.query().unwrap_or(""), self.url.path()];
        for piece in pieces.iter().filter(|p| p.len() > 1) {
            out = out.replace(piece, "…");
        }
        out
    }
}

/// `scheme://host[:port]` plus `/…` when the URL had a path, query or credentials: API keys live there.
pub fn redact(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let secret = (url.path() != "/" && !url.path().is_empty())
        || url.query().is_some()
        || !url.username().is_empty()
        || url.password().is_some();
    format!("{}://{host}{port}{}", url.scheme(), if secret { "/…" } else { "" })
}

/// Reads `plan` from every endpoint of one network: the first pins the block, the others are read at its number.
pub async fn fetch_network(
    chain_id: u64,
    endpoints: &[Endpoint],
    plan: &ReadPlan,
    options: &RpcOptions,
    limit: Arc<Semaphore>,
) -> Vec<EndpointResult> {
    let mut results = Vec::new();
    let mut pinned: Option<u64> = None;
    for endpoint in endpoints {
        let conn_options = ConnOptions {
            timeout: options.timeout,
            retries: options.retries,
            backoff: options.backoff,
            max_body: options.max_body,
            retry_after_cap: options.retry_after_cap,
        };
        let outcome = match Conn::new(endpoint.clone(), conn_options, limit.clone()) {
            Ok(conn) => {
                let conn = Arc::new(conn);
                let outcome = fetch_endpoint(chain_id, &conn, plan, options, pinned).await;
                if let EndpointOutcome::Snapshot(s) = &outcome {
                    pinned.get_or_insert(s.block.number);
                }
                results.push(EndpointResult {
                    endpoint: endpoint.shown.clone(),
                    outcome: clean_outcome(endpoint, outcome),
                    round_trips: conn.round_trips.load(Ordering::SeqCst),
                    requests: conn.requests.load(Ordering::SeqCst),
                    batch_size: conn.batch_size(),
                    retried: conn.retried.load(Ordering::SeqCst),
                });
                continue;
            }
            Err(e) => EndpointOutcome::Failed(e),
        };
        results.push(EndpointResult {
            endpoint: endpoint.shown.clone(),
            outcome: clean_outcome(endpoint, outcome),
            round_trips: 0,
            requests: 0,
            batch_size: endpoint.limits.max_batch,
            retried: 0,
        });
    }
    results
}

/// Server text in an outcome made safe to show (scrubbed, escaped).
fn clean_outcome(endpoint: &Endpoint, outcome: EndpointOutcome) -> EndpointOutcome {
    match outcome {
        EndpointOutcome::Failed(why) => EndpointOutcome::Failed(endpoint.clean(&why)),
        EndpointOutcome::Snapshot(mut s) => {
            for outcome in s.calls.values_mut() {
                if let CallOutcome::Reverted(why) = outcome {
                    *why = endpoint.clean(why);
                }
            }
            EndpointOutcome::Snapshot(s)
        }
        other => other,
    }
}

/// Makes `ring` the process's TLS crypto provider (once) before any HTTPS client is built: reqwest is built with
/// rustls but without a provider of its own, so that no C code (aws-lc) is compiled into the tool.
fn install_tls_provider() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    // An error means another provider is installed already, which serves as well.
    INSTALLED.call_once(|| drop(rustls::crypto::ring::default_provider().install_default()));
}

/// The value of an answered read, or why there is none ("failed: ...").
fn answered(outcome: ReadOutcome, what: &str) -> Result<Value, String> {
    match outcome {
        ReadOutcome::Answered(v) => Ok(v),
        ReadOutcome::Reverted(why) => Err(format!("{what} reverted: {why}")),
        ReadOutcome::Failed(kind, why) => Err(failure_reason(kind, what, &why)),
    }
}

fn failure_reason(kind: FailureKind, what: &str, why: &str) -> String {
    let hint = match kind {
        FailureKind::Pruned => {
            " (the node no longer holds that block's state: pin a more recent block with \
                                --confirmations or --block, or use an archive endpoint)"
        }
        FailureKind::UnknownBlock => " (the endpoint's backends do not have the pinned block: raise --confirmations)",
        FailureKind::BatchRefused => " (the endpoint refuses batches even of one call)",
        _ => "",
    };
    format!("{what}: {why}{hint}")
}

async fn fetch_endpoint(
    chain_id: u64,
    conn: &Arc<Conn>,
    plan: &ReadPlan,
    options: &RpcOptions,
    pinned: Option<u64>,
) -> EndpointOutcome {
    tracing::trace!(target: "rpc", endpoint = %conn.endpoint.shown, "calling");
    match read_endpoint(chain_id, conn, plan, options, pinned).await {
        Ok(outcome) => outcome,
        Err(why) => EndpointOutcome::Failed(why),
    }
}

async fn read_endpoint(
    chain_id: u64,
    conn: &Arc<Conn>,
    plan: &ReadPlan,
    options: &RpcOptions,
    pinned: Option<u64>,
) -> Result<EndpointOutcome, String> {
    let tag = pinned.map_or(options.block, BlockTag::Number);
    let head: [Call; 2] = [("eth_chainId", json!([])), ("eth_getBlockByNumber", json!([tag.param(), false]))];
    let mut answers = conn.read_all(&head).await.into_iter();
    let chain = answered(answers.next().expect("two answers"), "eth_chainId")?;
    let actual = parse_u256(&chain)
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(|| format!("eth_chainId answered {chain}"))?;
    if actual != chain_id {
        return Ok(EndpointOutcome::WrongChain { actual });
    }
    let head_block = block_ref(answered(answers.next().expect("two answers"), "eth_getBlockByNumber")?)?;
    let block = match (pinned, options.block) {
        (None, BlockTag::Latest) if options.confirmations > 0 => {
            read_block(conn, pinned_block(head_block.number, options.confirmations)).await?
        }
        _ => head_block,
    };
    let keys = plan.keys();
    let mut snapshot = ChainSnapshot {
        chain_id: actual,
        block,
        code: BTreeMap::new(),
        storage: BTreeMap::new(),
        calls: BTreeMap::new(),
    };
    read_into(conn, &keys, block.number, &mut snapshot).await?;
    let beacons = ReadPlan::beacon_reads(&snapshot.storage);
    read_into(conn, &beacons, block.number, &mut snapshot).await?;
    let again = read_block(conn, block.number).await?;
    if again.hash != block.hash {
        return Err(format!(
            "block {} changed from {:#x} to {:#x} while it was read (a reorg): run again, or pin an older block \
             with --confirmations",
            block.number, block.hash, again.hash
        ));
    }
    Ok(EndpointOutcome::Snapshot(snapshot))
}

/// The number and hash of block `number`. Header not found is retried by the batch layer; a `null` block (what
/// geth answers for a block it does not have yet, behind a load balancer) is asked for again here, with backoff.
async fn read_block(conn: &Arc<Conn>, number: u64) -> Result<BlockRef, String> {
    let call: [Call; 1] = [("eth_getBlockByNumber", json!([BlockTag::Number(number).param(), false]))];
    let what = format!("eth_getBlockByNumber {number}");
    let mut attempt = 0;
    loop {
        let block = answered(conn.read_all(&call).await.remove(0), &what)?;
        if !block.is_null() || attempt >= conn.retries() {
            return block_ref(block).map_err(|e| format!("{what}: {e} (the endpoint does not have the block)"));
        }
        conn.back_off(attempt).await;
        attempt += 1;
    }
}

fn block_ref(block: Value) -> Result<BlockRef, String> {
    let number = block.get("number").and_then(parse_u256).and_then(|v| u64::try_from(v).ok());
    let hash = block.get("hash").and_then(Value::as_str).and_then(|h| B256::from_str(h).ok());
    match (number, hash) {
        (Some(number), Some(hash)) => Ok(BlockRef { number, hash }),
        _ => Err(format!("eth_getBlockByNumber answered {block} (no block number and hash)")),
    }
}

/// Reads `keys` at `block` into the snapshot; the first read that did not succeed fails the endpoint, named, with
/// the number of other reads that failed too.
async fn read_into(conn: &Arc<Conn>, keys: &[ReadKey], block: u64, s: &mut ChainSnapshot) -> Result<(), String> {
    if keys.is_empty() {
        return Ok(());
    }
    let calls: Vec<Call> = keys.iter().map(|k| k.request(block)).collect();
    let outcomes = conn.read_all(&calls).await;
    let mut failures: Vec<String> = Vec::new();
    for (key, outcome) in keys.iter().zip(outcomes) {
        if let Err(why) = store(key, outcome, s) {
            failures.push(why);
        }
    }
    match failures.split_first() {
        None => Ok(()),
        Some((first, [])) => Err(first.clone()),
        Some((first, rest)) => Err(format!("{first} (and {} other reads failed)", rest.len())),
    }
}

fn store(key: &ReadKey, outcome: ReadOutcome, s: &mut ChainSnapshot) -> Result<(), String> {
    let what = key.describe();
    match key {
        ReadKey::Code(a) => {
            let v = answered(outcome, &what)?;
            let code =
                v.as_str().and_then(|t| Bytes::from_str(t).ok()).ok_or_else(|| format!("{what} answered {v}"))?;
            s.code.insert(*a, code);
        }
        ReadKey::Slot(a, slot) => {
            let v = answered(outcome, &what)?;
            let word = parse_u256(&v).ok_or_else(|| format!("{what} answered {v}"))?;
            s.storage.insert((*a, *slot), word);
        }
        ReadKey::Call(a, data) => {
            let call = match outcome {
                ReadOutcome::Answered(v) => CallOutcome::Returned(
                    v.as_str().and_then(|t| Bytes::from_str(t).ok()).ok_or_else(|| format!("{what} answered {v}"))?,
                ),
                ReadOutcome::Reverted(why) => CallOutcome::Reverted(why),
                ReadOutcome::Failed(kind, why) => return Err(failure_reason(kind, &what, &why)),
            };
            s.calls.insert((*a, data.clone()), call);
        }
    }
    Ok(())
}

/// A quantity or storage word as a number, whatever its textual form (`0x`, `0x0`, 64 zeros...).
pub fn parse_u256(value: &Value) -> Option<U256> {
    let text = value.as_str()?;
    let hex = text.strip_prefix("0x")?;
    if hex.is_empty() {
        return Some(U256::ZERO);
    }
    U256::from_str_radix(hex, 16).ok()
}

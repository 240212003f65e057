//! Reads one network's values over JSON-RPC (alloy), at one pinned block, in as few round trips as possible. With
//! `pipeline::verify`'s fan-out this is the tool's async code. Talks to the configured endpoints; writes nothing.
//!
//! Per endpoint: one batch `eth_chainId` + `eth_getBlockByNumber` (the chain is checked before anything it says is
//! used), then ONE batch with every read of the [`ReadPlan`] at the pinned block number. Two round trips, whatever
//! the number of contracts. Each round trip has a timeout and is retried with exponential backoff on timeouts,
//! connection failures, HTTP 429 and 5xx; a semaphore caps concurrent requests across all networks.

use crate::core::onchain::{BlockRef, CallOutcome, ChainSnapshot, EndpointOutcome, EndpointResult, ReadPlan};
use alloy::rpc::client::{ClientBuilder, RpcClient};
use alloy::transports::{TransportError, TransportErrorKind};
use alloy_primitives::{Address, Bytes, B256, U256};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::str::FromStr;
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

/// Timeouts, retries and limits.
#[derive(Debug, Clone)]
pub struct RpcOptions {
    pub timeout: Duration,
    pub retries: u32,
    pub backoff: Duration,
    pub block: BlockTag,
}

impl Default for RpcOptions {
    fn default() -> Self {
        RpcOptions {
            timeout: Duration::from_secs(15),
            retries: 3,
            backoff: Duration::from_millis(250),
            block: BlockTag::Latest,
        }
    }
}

/// An endpoint: the URL to call and the form of it that may be shown.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub url: url::Url,
    pub shown: String,
}

impl Endpoint {
    pub fn new(url: url::Url) -> Endpoint {
        Endpoint { shown: redact(&url), url }
    }

    /// Removes every piece of the URL that may hold a secret from a message.
    fn scrub(&self, text: &str) -> String {
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

/// Counts of one endpoint's traffic.
#[derive(Debug, Default, Clone, Copy)]
struct Traffic {
    round_trips: u32,
    requests: u32,
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
        let mut traffic = Traffic::default();
        let tag = pinned.map_or(options.block, BlockTag::Number);
        let outcome = fetch_endpoint(chain_id, endpoint, plan, options, tag, &limit, &mut traffic).await;
        if let EndpointOutcome::Snapshot(s) = &outcome {
            pinned.get_or_insert(s.block.number);
        }
        results.push(EndpointResult {
            endpoint: endpoint.shown.clone(),
            outcome,
            round_trips: traffic.round_trips,
            requests: traffic.requests,
        });
    }
    results
}

/// Makes `ring` the process's TLS crypto provider (once) before any HTTPS client is built: reqwest is built with
/// rustls but without a provider of its own, so that no C code (aws-lc) is compiled into the tool.
fn install_tls_provider() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    // An error means another provider is installed already, which serves as well.
    INSTALLED.call_once(|| drop(rustls::crypto::ring::default_provider().install_default()));
}

async fn fetch_endpoint(
    chain_id: u64,
    endpoint: &Endpoint,
    plan: &ReadPlan,
    options: &RpcOptions,
    tag: BlockTag,
    limit: &Semaphore,
    traffic: &mut Traffic,
) -> EndpointOutcome {
    install_tls_provider();
    let client = ClientBuilder::default().http(endpoint.url.clone());
    tracing::trace!(target: "rpc", endpoint = %endpoint.shown, "calling");
    let head = [("eth_chainId", json!([])), ("eth_getBlockByNumber", json!([tag.param(), false]))];
    let answers = match round_trip(&client, &head, options, limit, traffic).await {
        Ok(a) => a,
        Err(e) => return EndpointOutcome::Failed(endpoint.scrub(&e)),
    };
    let parsed = parse_head(&answers);
    let (actual, block) = match parsed {
        Ok(v) => v,
        Err(e) => return EndpointOutcome::Failed(endpoint.scrub(&e)),
    };
    if actual != chain_id {
        return EndpointOutcome::WrongChain { actual };
    }
    let (calls, keys) = plan_calls(plan, block.number);
    let answers = match round_trip(&client, &calls, options, limit, traffic).await {
        Ok(a) => a,
        Err(e) => return EndpointOutcome::Failed(endpoint.scrub(&e)),
    };
    match snapshot(actual, block, &keys, answers) {
        Ok(s) => EndpointOutcome::Snapshot(s),
        Err(e) => EndpointOutcome::Failed(endpoint.scrub(&e)),
    }
}

fn parse_head(answers: &[Result<Value, String>]) -> Result<(u64, BlockRef), String> {
    let chain = answers[0].as_ref().map_err(|e| format!("eth_chainId: {e}"))?;
    let chain_id =
        parse_u256(chain).and_then(|v| u64::try_from(v).ok()).ok_or_else(|| format!("eth_chainId answered {chain}"))?;
    let block = answers[1].as_ref().map_err(|e| format!("eth_getBlockByNumber: {e}"))?;
    let number = block.get("number").and_then(parse_u256).and_then(|v| u64::try_from(v).ok());
    let hash = block.get("hash").and_then(Value::as_str).and_then(|h| B256::from_str(h).ok());
    match (number, hash) {
        (Some(number), Some(hash)) => Ok((chain_id, BlockRef { number, hash })),
        _ => Err(format!("eth_getBlockByNumber answered {block} (no block number and hash)")),
    }
}

/// What each call of the read batch is for.
enum ReadKey {
    Code(Address),
    Slot(Address, B256),
    Call(Address, Bytes),
}

fn plan_calls(plan: &ReadPlan, block: u64) -> (Vec<(&'static str, Value)>, Vec<ReadKey>) {
    let at = json!(format!("{block:#x}"));
    let mut calls = Vec::new();
    let mut keys = Vec::new();
    for a in &plan.codes {
        calls.push(("eth_getCode", json!([a, at])));
        keys.push(ReadKey::Code(*a));
    }
    for (a, slot) in &plan.slots {
        calls.push(("eth_getStorageAt", json!([a, slot, at])));
        keys.push(ReadKey::Slot(*a, *slot));
    }
    for (a, data) in &plan.calls {
        calls.push(("eth_call", json!([{"to": a, "data": data}, at])));
        keys.push(ReadKey::Call(*a, data.clone()));
    }
    (calls, keys)
}

fn snapshot(
    chain_id: u64,
    block: BlockRef,
    keys: &[ReadKey],
    answers: Vec<Result<Value, String>>,
) -> Result<ChainSnapshot, String> {
    let mut s =
        ChainSnapshot { chain_id, block, code: BTreeMap::new(), storage: BTreeMap::new(), calls: BTreeMap::new() };
    for (key, answer) in keys.iter().zip(answers) {
        match key {
            ReadKey::Code(a) => {
                let v = answer.map_err(|e| format!("eth_getCode {a}: {e}"))?;
                let code = v
                    .as_str()
                    .and_then(|t| Bytes::from_str(t).ok())
                    .ok_or_else(|| format!("eth_getCode {a} answered {v}"))?;
                s.code.insert(*a, code);
            }
            ReadKey::Slot(a, slot) => {
                let v = answer.map_err(|e| format!("eth_getStorageAt {a}: {e}"))?;
                let word = parse_u256(&v).ok_or_else(|| format!("eth_getStorageAt {a} answered {v}"))?;
                s.storage.insert((*a, *slot), word);
            }
            ReadKey::Call(a, data) => {
                let outcome = match answer {
                    Ok(v) => CallOutcome::Returned(
                        v.as_str()
                            .and_then(|t| Bytes::from_str(t).ok())
                            .ok_or_else(|| format!("eth_call {a} answered {v}"))?,
                    ),
                    Err(e) => CallOutcome::Reverted(e),
                };
                s.calls.insert((*a, data.clone()), outcome);
            }
        }
    }
    Ok(s)
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

/// One JSON-RPC batch with timeout and retries; per-call JSON-RPC errors come back as `Err` items.
async fn round_trip(
    client: &RpcClient,
    calls: &[(&'static str, Value)],
    options: &RpcOptions,
    limit: &Semaphore,
    traffic: &mut Traffic,
) -> Result<Vec<Result<Value, String>>, String> {
    let mut attempt = 0;
    loop {
        let permit = limit.acquire().await.map_err(|e| e.to_string())?;
        traffic.round_trips += 1;
        traffic.requests += calls.len() as u32;
        let methods: Vec<&str> = calls.iter().map(|(method, _)| *method).collect();
        tracing::trace!(target: "rpc", attempt, calls = calls.len(), ?methods, "sending a batch");
        let outcome = tokio::time::timeout(options.timeout, send_batch(client, calls)).await;
        drop(permit);
        let (error, wait) = match outcome {
            Ok(Ok(answers)) => return Ok(answers),
            Ok(Err(e)) => {
                let retry = retryable(&e);
                if !retry.0 {
                    return Err(e.to_string());
                }
                (e.to_string(), retry.1)
            }
            Err(_) => (format!("no answer within {:?}", options.timeout), None),
        };
        if attempt >= options.retries {
            return Err(format!("{error} (after {} attempts)", attempt + 1));
        }
        let backoff = options.backoff.saturating_mul(2u32.saturating_pow(attempt));
        tokio::time::sleep(wait.unwrap_or(backoff).min(Duration::from_secs(30))).await;
        attempt += 1;
    }
}

/// Whether an error is worth another try, and the delay the server asked for.
fn retryable(e: &TransportError) -> (bool, Option<Duration>) {
    match e {
        TransportError::Transport(kind) => {
            let status = kind.as_http_error().map(|h| h.status);
            let http_retry = status.is_some_and(|s| s == 429 || (500..600).contains(&s));
            let connection = matches!(kind, TransportErrorKind::Custom(_) | TransportErrorKind::BackendGone);
            (http_retry || connection, kind.retry_after())
        }
        _ => (false, None),
    }
}

async fn send_batch(
    client: &RpcClient,
    calls: &[(&'static str, Value)],
) -> Result<Vec<Result<Value, String>>, TransportError> {
    let mut batch = client.new_batch();
    let mut waiters = Vec::with_capacity(calls.len());
    for (method, params) in calls {
        waiters.push(batch.add_call::<Value, Value>(*method, params)?);
    }
    batch.send().await?;
    let mut out = Vec::with_capacity(waiters.len());
    for w in waiters {
        out.push(match w.await {
            Ok(v) => Ok(v),
            Err(alloy::transports::RpcError::ErrorResp(payload)) => Err(payload.to_string()),
            Err(other) => return Err(other),
        });
    }
    Ok(out)
}

//! `doctor`'s look at one endpoint: a few plain JSON-RPC requests (chain id, head block, a batch, state at an
//! older block), each timed. Every failure is described with the URL's secrets scrubbed.

use super::http::{post, Exchange};
use super::Endpoint;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How far behind the head the "older block" state read goes.
pub const OLDER_BY: u64 = 1024;

/// The batch sizes tried, smallest first; the probe stops at the first one refused.
const BATCH_SIZES: [usize; 3] = [10, 100, 1000];

/// What one endpoint answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// Chain id and the round trip of `eth_chainId`, or why it failed.
    pub chain_id: Result<(u64, Duration), String>,
    /// Head block number and timestamp (seconds), or why it failed.
    pub head: Result<(u64, u64), String>,
    /// The largest batch answered in full (0: batches refused), or why the first failed.
    pub batch: Result<usize, String>,
    /// The block `OLDER_BY` behind the head (0 on a younger chain) and whether its state was served, or why the
    /// request failed.
    pub older_state: Result<(u64, bool), String>,
}

async fn call(client: &reqwest::Client, endpoint: &Endpoint, body: &Value, timeout: Duration) -> Result<Value, String> {
    let bytes = serde_json::to_vec(body).map_err(|e| e.to_string())?;
    match post(client, &endpoint.url, bytes, timeout, 1 << 22).await {
        Exchange::Answer { status: 200, body: Some(value), .. } => Ok(value),
        Exchange::Answer { status, text, .. } => Err(endpoint.clean(&format!("HTTP {status}: {text}"))),
        Exchange::Lost { reason, .. } => Err(endpoint.clean(&reason)),
    }
}

fn request(id: usize, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

fn result(endpoint: &Endpoint, answer: Value) -> Result<Value, String> {
    if let Some(error) = answer.get("error") {
        return Err(endpoint.clean(&error.to_string()));
    }
    answer.get("result").cloned().ok_or_else(|| "the answer has no result".to_string())
}

fn hex_u64(value: &Value) -> Option<u64> {
    u64::from_str_radix(value.as_str()?.strip_prefix("0x")?, 16).ok()
}

/// Probes one endpoint.
pub async fn probe(endpoint: &Endpoint, timeout: Duration) -> Probe {
    super::install_tls_provider();
    let client = match reqwest::Client::builder().timeout(timeout).build() {
        Ok(c) => c,
        Err(e) => {
            let why = format!("cannot build an HTTP client: {}", e.without_url());
            return Probe {
                chain_id: Err(why.clone()),
                head: Err(why.clone()),
                batch: Err(why.clone()),
                older_state: Err(why),
            };
        }
    };
    let started = Instant::now();
    let chain_id = call(&client, endpoint, &request(1, "eth_chainId", json!([])), timeout)
        .await
        .and_then(|a| result(endpoint, a))
        .and_then(|v| hex_u64(&v).ok_or_else(|| format!("eth_chainId answered {v}")))
        .map(|id| (id, started.elapsed()));
    let head = call(&client, endpoint, &request(2, "eth_getBlockByNumber", json!(["latest", false])), timeout)
        .await
        .and_then(|a| result(endpoint, a))
        .and_then(|block| match (hex_u64(&block["number"]), hex_u64(&block["timestamp"])) {
            (Some(n), Some(t)) => Ok((n, t)),
            _ => Err("the latest block has no number or timestamp".to_string()),
        });
    let mut batch = Ok(0);
    for size in BATCH_SIZES {
        let body = Value::Array((0..size).map(|i| request(i, "eth_chainId", json!([]))).collect());
        match call(&client, endpoint, &body, timeout).await {
            Ok(Value::Array(answers)) if answers.len() == size && answers.iter().all(|a| a.get("result").is_some()) => {
                batch = Ok(size);
            }
            Ok(_) => break,
            Err(e) => {
                if batch == Ok(0) {
                    batch = Err(e);
                }
                break;
            }
        }
    }
    let older_state = match &head {
        Ok((number, _)) => {
            let block = number.saturating_sub(OLDER_BY);
            let older = format!("{block:#x}");
            let zero = "0x0000000000000000000000000000000000000000";
            match call(&client, endpoint, &request(3, "eth_getBalance", json!([zero, older])), timeout).await {
                Ok(answer) => Ok((block, result(endpoint, answer).is_ok())),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e.clone()),
    };
    Probe { chain_id, head, batch, older_state }
}

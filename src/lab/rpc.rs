//! A blocking JSON-RPC client for the lab's own nodes: send transactions from anvil's unlocked account 0, wait for
//! receipts, and plant drift with anvil's cheat methods (`anvil_setCode`, `anvil_setStorageAt`, `anvil_mine`).
//!
//! This is deliberately not `io::rpc` (the tool's verified, batched, redacting reader): the lab writes to chains
//! the tool must only read, and its failures are failures of the test set-up, reported with method and node.

use super::http::post_json;
use crate::error::{ErrorKind, ToolError};
use alloy_primitives::{Address, B256};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// anvil's first unlocked account (from its default mnemonic): every lab transaction is sent from it.
pub const DEPLOYER: Address = alloy_primitives::address!("f39fd6e51aad88f6f4ce6ab8827279cfffb92266");

/// How long a transaction may take to get a receipt (anvil mines one block per transaction at once).
const RECEIPT_WAIT: Duration = Duration::from_secs(30);

/// A JSON-RPC endpoint of a lab node.
#[derive(Debug, Clone)]
pub struct LabRpc {
    url: url::Url,
}

/// What a mined transaction left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub transaction: B256,
    pub block: u64,
    /// The new contract of a deployment.
    pub contract: Option<Address>,
}

pub(crate) fn lab_error(subject: impl Into<String>, what: impl Into<String>) -> ToolError {
    ToolError::new(ErrorKind::LocalChain, subject, what)
        .with_hint("the local chain misbehaved; run again, and report it with this output if it persists")
}

/// One lock per node for everything that writes to it. Transactions from one account sent concurrently (tests
/// run in parallel on shared nodes) can race for a nonce and leave one stuck in the pool; sent one at a time,
/// each is mined (anvil automines) before the next is sent.
fn write_lock(url: &url::Url) -> Arc<Mutex<()>> {
    static LOCKS: Mutex<BTreeMap<String, Arc<Mutex<()>>>> = Mutex::new(BTreeMap::new());
    let mut locks = LOCKS.lock().unwrap_or_else(|p| p.into_inner());
    locks.entry(url.to_string()).or_default().clone()
}

impl LabRpc {
    pub fn new(url: url::Url) -> LabRpc {
        LabRpc { url }
    }

    /// One JSON-RPC call; a JSON-RPC error answer is an error naming the method.
    pub fn call(&self, method: &str, params: Value) -> Result<Value, ToolError> {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
        let subject = format!("local node {} ({method})", self.url);
        let response = post_json(&self.url, body.as_bytes())
            .map_err(|e| lab_error(&subject, "the node did not answer").caused_by(e))?;
        if response.status() != Some(200) {
            return Err(lab_error(&subject, format!("HTTP status line `{}`", response.start_line)));
        }
        let value: Value = serde_json::from_slice(&response.body)
            .map_err(|e| lab_error(&subject, "the answer is not JSON").caused_by(e))?;
        if let Some(error) = value.get("error") {
            return Err(lab_error(&subject, format!("JSON-RPC error {error}")));
        }
        Ok(value.get("result").cloned().unwrap_or(Value::Null))
    }

    /// The node's `eth_chainId`.
    pub fn chain_id(&self) -> Result<u64, ToolError> {
        let v = self.call("eth_chainId", json!([]))?;
        quantity(&v).ok_or_else(|| lab_error(self.url.as_str(), format!("eth_chainId answered {v}")))
    }

    /// The latest block number.
    pub fn block_number(&self) -> Result<u64, ToolError> {
        let v = self.call("eth_blockNumber", json!([]))?;
        quantity(&v).ok_or_else(|| lab_error(self.url.as_str(), format!("eth_blockNumber answered {v}")))
    }

    /// Sends a transaction from [`DEPLOYER`] (`to: None` deploys `data`) and waits for a successful receipt.
    pub fn transact(&self, to: Option<Address>, data: &[u8]) -> Result<Receipt, ToolError> {
        let lock = write_lock(&self.url);
        let _one_at_a_time = lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut tx = json!({"from": DEPLOYER, "data": format!("0x{}", alloy_primitives::hex::encode(data)),
            "gas": "0x1c9c380"});
        if let Some(to) = to {
            tx["to"] = json!(to);
        }
        let hash = self.call("eth_sendTransaction", json!([tx]))?;
        let hash = hash
            .as_str()
            .and_then(|h| B256::from_str(h).ok())
            .ok_or_else(|| lab_error(self.url.as_str(), format!("eth_sendTransaction answered {hash}")))?;
        self.receipt(hash)
    }

    /// Polls `eth_getTransactionReceipt` (bounded) until the transaction is mined; a reverted one is an error.
    pub fn receipt(&self, hash: B256) -> Result<Receipt, ToolError> {
        let started = Instant::now();
        loop {
            let r = self.call("eth_getTransactionReceipt", json!([hash]))?;
            if !r.is_null() {
                if r.get("status").and_then(quantity) != Some(1) {
                    return Err(lab_error(format!("transaction {hash:#x}"), "reverted"));
                }
                let contract = r.get("contractAddress").and_then(Value::as_str).and_then(|a| a.parse().ok());
                let block = r.get("blockNumber").and_then(quantity).unwrap_or_default();
                return Ok(Receipt { transaction: hash, block, contract });
            }
            if started.elapsed() > RECEIPT_WAIT {
                return Err(lab_error(format!("transaction {hash:#x}"), "no receipt within 30 s"));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Replaces the code at `address` (empty `code` removes the contract), then mines a block. anvil changes the
    /// latest block's state in place: a read pinned at that block sees the change too, older blocks do not.
    pub fn set_code(&self, address: Address, code: &[u8]) -> Result<(), ToolError> {
        let lock = write_lock(&self.url);
        let _one_at_a_time = lock.lock().unwrap_or_else(|p| p.into_inner());
        self.call("anvil_setCode", json!([address, format!("0x{}", alloy_primitives::hex::encode(code))]))?;
        self.mine()
    }

    /// Writes one storage word of `address`, then mines a block (same caveat as [`LabRpc::set_code`]).
    pub fn set_storage_at(&self, address: Address, slot: B256, word: B256) -> Result<(), ToolError> {
        let lock = write_lock(&self.url);
        let _one_at_a_time = lock.lock().unwrap_or_else(|p| p.into_inner());
        self.call("anvil_setStorageAt", json!([address, slot, word]))?;
        self.mine()
    }

    /// Mines one block: a planted change then lies in a block of its own, after every block before it.
    pub fn mine(&self) -> Result<(), ToolError> {
        self.call("anvil_mine", json!(["0x1"])).map(|_| ())
    }

    /// The code at `address` at the latest block.
    pub fn code(&self, address: Address) -> Result<Vec<u8>, ToolError> {
        let v = self.call("eth_getCode", json!([address, "latest"]))?;
        v.as_str()
            .and_then(|t| alloy_primitives::hex::decode(t.trim_start_matches("0x")).ok())
            .ok_or_else(|| lab_error(self.url.as_str(), format!("eth_getCode answered {v}")))
    }
}

/// A JSON-RPC quantity (`"0x1a"`) as a number.
pub fn quantity(v: &Value) -> Option<u64> {
    u64::from_str_radix(v.as_str()?.strip_prefix("0x")?, 16).ok()
}

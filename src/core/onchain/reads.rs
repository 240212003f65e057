//! What one JSON-RPC read gave and what to do about it (pure): every read of a batch is answered, reverted or
//! failed; a JSON-RPC error is a revert only when it says so. Also the pure decisions of the RPC layer: whether a
//! whole batch was refused for its size and the next size to try, the backoff before a retry, the block to pin.
//! The shell (`io::rpc`) sends, waits and counts; it asks these functions what an answer means.

use alloy_primitives::{Address, Bytes, B256};
use serde_json::Value;

/// Blocks behind the head every network is read at, by default. Load-balanced public endpoints route consecutive
/// requests to backends that lag the head by a block or two (docs/DOMAIN.md §5, REALWORLD.md §1): a block
/// learned from one backend is then unknown to the next ("header not found"). Three blocks is one more than the
/// lag seen in practice, a few seconds on every network the tool knows, and far inside the ~128 blocks a
/// non-archive node keeps the state of.
pub const DEFAULT_CONFIRMATIONS: u64 = 3;

/// JSON-RPC calls per batch when neither the networks file nor a flag says: the limit of Optimism's public
/// endpoint (10), the smallest documented limit but for a few endpoints that allow 3, which the halving on a
/// refusal finds (REALWORLD.md §1). Larger limits (Besu 50, Nethermind 100, geth and Ankr 1000) are configured per
/// endpoint.
pub const DEFAULT_MAX_BATCH: usize = 10;

/// Response bodies larger than this are cut off and the round trip fails: 32 MiB is above geth's own 25 MB batch
/// response limit, and far above what 1,000 reads need.
pub const DEFAULT_MAX_BODY: usize = 32 * 1024 * 1024;

/// `implementation()` selector (beacons).
pub const BEACON_IMPLEMENTATION: [u8; 4] = [0x5c, 0x60, 0xda, 0x1b];

/// What one read asks for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReadKey {
    Code(Address),
    Slot(Address, B256),
    Call(Address, Bytes),
}

impl ReadKey {
    /// The read in words for a reason: method, address and what is read.
    pub fn describe(&self) -> String {
        match self {
            ReadKey::Code(a) => format!("eth_getCode {}", a.to_checksum(None)),
            ReadKey::Slot(a, slot) => format!("eth_getStorageAt {} {}", a.to_checksum(None), slot_name(*slot)),
            ReadKey::Call(a, data) => format!("eth_call {} {}", a.to_checksum(None), call_name(data)),
        }
    }

    /// The JSON-RPC method and parameters of the read at `block`.
    pub fn request(&self, block: u64) -> (&'static str, Value) {
        let at = Value::String(format!("{block:#x}"));
        match self {
            ReadKey::Code(a) => ("eth_getCode", serde_json::json!([a, at])),
            ReadKey::Slot(a, slot) => ("eth_getStorageAt", serde_json::json!([a, slot, at])),
            ReadKey::Call(a, data) => ("eth_call", serde_json::json!([{"to": a, "data": data}, at])),
        }
    }
}

fn slot_name(slot: B256) -> String {
    match slot {
        s if s == super::IMPLEMENTATION_SLOT => "implementation slot".into(),
        s if s == super::ADMIN_SLOT => "admin slot".into(),
        s if s == super::BEACON_SLOT => "beacon slot".into(),
        s => format!("{s:#x}"),
    }
}

fn call_name(data: &Bytes) -> String {
    match data.as_ref() {
        d if d == super::PROXIABLE_UUID => "proxiableUUID()".into(),
        d if d == BEACON_IMPLEMENTATION => "implementation()".into(),
        d => format!("{d:?}"),
    }
}

/// Why a read failed (it may succeed when asked again, or elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FailureKind {
    /// HTTP 429, -32005, "rate limit", "too many requests".
    RateLimited,
    /// "header not found", "unknown block": a backend that has not seen the pinned block yet.
    UnknownBlock,
    /// "missing trie node", pruned state: the node no longer holds the pinned block's state.
    Pruned,
    /// The batch was refused for its size (reported per item by some servers).
    BatchRefused,
    /// The answer has no item for the read.
    Missing,
    /// The answer is not of the read's shape.
    Malformed,
    /// Any other JSON-RPC error (internal error, ...).
    Other,
}

impl FailureKind {
    /// Worth asking again, on its own, after a backoff.
    pub fn transient(self) -> bool {
        !matches!(self, FailureKind::Pruned)
    }
}

/// What one read gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadOutcome {
    Answered(Value),
    /// An EVM revert: JSON-RPC code 3, or an error whose message or data says it reverted.
    Reverted(String),
    Failed(FailureKind, String),
}

/// What a JSON-RPC error object means.
pub fn classify_error(code: i64, message: &str, data: Option<&Value>) -> ReadOutcome {
    let lower = message.to_ascii_lowercase();
    let says = |words: &[&str]| words.iter().any(|w| lower.contains(w));
    let shown = match data.and_then(Value::as_str) {
        Some(d) if !d.is_empty() && d != "0x" => format!("{message} (data {d})"),
        _ => message.to_string(),
    };
    if says(&["batch"]) && (code == -32600 || code == -32005 || says(&["too large", "exceed", "limit", "size"])) {
        return ReadOutcome::Failed(FailureKind::BatchRefused, shown);
    }
    if code == 3 || ((-32099..=-32000).contains(&code) && says(&["revert", "vm execution error"])) {
        return ReadOutcome::Reverted(shown);
    }
    let kind = if code == -32005 || code == 429 || says(&["rate limit", "too many requests", "rate exceeded"]) {
        FailureKind::RateLimited
    } else if says(&["header not found", "unknown block", "block not found", "no state available for block"]) {
        FailureKind::UnknownBlock
    } else if says(&["missing trie node", "pruned", "historical state", "state is not available"]) {
        FailureKind::Pruned
    } else if says(&["limit exceeded"]) {
        FailureKind::RateLimited
    } else {
        FailureKind::Other
    };
    ReadOutcome::Failed(kind, format!("{shown} (code {code})"))
}

/// What a batch's answer said as a whole, before its items are looked at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchVerdict {
    /// An array of items: read them one by one.
    Items,
    /// The server refused a batch of this size (halve it); the reason as given.
    Refused(String),
}

/// Whether an HTTP status and body refuse the batch for its size: HTTP 413; HTTP 400 or 500 to a batch of more
/// than one call; one error object instead of an array; every item an error that mentions the batch.
pub fn batch_verdict(status: u16, body: Option<&Value>, calls: usize) -> BatchVerdict {
    let many = calls > 1;
    if status == 413 || (many && (status == 400 || status == 500)) {
        return BatchVerdict::Refused(format!("HTTP {status} to a batch of {calls}"));
    }
    match body {
        Some(Value::Array(items)) if many && !items.is_empty() => {
            let all_batch = items.iter().all(|i| {
                let e = &i["error"];
                let message = e["message"].as_str().unwrap_or("");
                e.is_object()
                    && matches!(
                        classify_error(e["code"].as_i64().unwrap_or(0), message, None),
                        ReadOutcome::Failed(FailureKind::BatchRefused, _)
                    )
            });
            if all_batch {
                let first = items[0]["error"]["message"].as_str().unwrap_or("").to_string();
                return BatchVerdict::Refused(format!("every item refused: {first}"));
            }
            BatchVerdict::Items
        }
        Some(Value::Object(one)) if many => {
            let message = one.get("error").and_then(|e| e.get("message")).and_then(Value::as_str).unwrap_or("");
            let code = one.get("error").and_then(|e| e.get("code")).and_then(Value::as_i64).unwrap_or(0);
            BatchVerdict::Refused(format!("one error object instead of {calls} answers: {message} (code {code})"))
        }
        _ => BatchVerdict::Items,
    }
}

/// The batch size to try after a refusal at `current`: half of it, never below one. `None` when a single call
/// was refused: there is nothing smaller to try.
pub fn next_batch_size(current: usize) -> Option<usize> {
    (current > 1).then_some(current / 2)
}

/// Splits `n` reads into batches of at most `size` (at least one read each).
pub fn batch_ranges(n: usize, size: usize) -> Vec<std::ops::Range<usize>> {
    let size = size.max(1);
    (0..n).step_by(size).map(|start| start..(start + size).min(n)).collect()
}

/// The wait before retry `attempt` (0-based), in milliseconds: exponential from `base_ms`, capped at `cap_ms`,
/// spread by `jitter` in [0, 1) over the upper half so that retries of many reads do not arrive together.
pub fn backoff_ms(base_ms: u64, attempt: u32, cap_ms: u64, jitter: f64) -> u64 {
    let full = base_ms.saturating_mul(1u64 << attempt.min(20)).min(cap_ms);
    let jitter = jitter.clamp(0.0, 1.0);
    full / 2 + ((full / 2) as f64 * jitter) as u64
}

/// The block to pin: `confirmations` behind the head, never below the genesis block.
pub fn pinned_block(head: u64, confirmations: u64) -> u64 {
    head.saturating_sub(confirmations)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reverts_are_only_what_says_revert() {
        assert!(matches!(
            classify_error(3, "execution reverted", Some(&json!("0x08c379a0"))),
            ReadOutcome::Reverted(_)
        ));
        assert!(matches!(classify_error(-32000, "execution reverted: nope", None), ReadOutcome::Reverted(_)));
        assert!(matches!(classify_error(-32015, "VM execution error.", None), ReadOutcome::Reverted(_)));
        let failed = |code, m: &str| match classify_error(code, m, None) {
            ReadOutcome::Failed(kind, _) => kind,
            other => panic!("{m}: {other:?}"),
        };
        assert_eq!(failed(-32000, "header not found"), FailureKind::UnknownBlock);
        assert_eq!(failed(-32000, "missing trie node 0xab (path )"), FailureKind::Pruned);
        assert_eq!(failed(-32005, "limit exceeded"), FailureKind::RateLimited);
        assert_eq!(failed(-32016, "request rate exceeded"), FailureKind::RateLimited);
        assert_eq!(failed(-32603, "internal error"), FailureKind::Other);
        assert_eq!(failed(-32600, "batch too large"), FailureKind::BatchRefused);
        assert_eq!(
            failed(-32000, "Number of requests in batch exceeds --rpc-max-batch-size"),
            FailureKind::BatchRefused
        );
        assert!(!FailureKind::Pruned.transient() && FailureKind::UnknownBlock.transient());
    }

    #[test]
    fn batch_refusals_in_every_form() {
        assert!(matches!(batch_verdict(413, None, 1), BatchVerdict::Refused(_)));
        assert!(matches!(batch_verdict(400, None, 4), BatchVerdict::Refused(_)));
        assert!(matches!(batch_verdict(500, None, 4), BatchVerdict::Refused(_)));
        let one = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": "batch too large"}});
        assert!(matches!(batch_verdict(200, Some(&one), 4), BatchVerdict::Refused(_)));
        let every = json!([{"id": 1, "error": {"code": -32005, "message": "batch limit exceeded"}},
                           {"id": 2, "error": {"code": -32005, "message": "batch limit exceeded"}}]);
        assert!(matches!(batch_verdict(200, Some(&every), 2), BatchVerdict::Refused(_)));
        let mixed =
            json!([{"id": 1, "result": "0x"}, {"id": 2, "error": {"code": -32005, "message": "limit exceeded"}}]);
        assert_eq!(batch_verdict(200, Some(&mixed), 2), BatchVerdict::Items);
    }

    #[test]
    fn halving_reaches_one_and_stops() {
        let mut sizes = vec![10];
        while let Some(n) = next_batch_size(*sizes.last().unwrap()) {
            sizes.push(n);
        }
        assert_eq!(sizes, [10, 5, 2, 1]);
        assert_eq!(batch_ranges(7, 3), [0..3, 3..6, 6..7]);
        assert_eq!(batch_ranges(0, 3), Vec::<std::ops::Range<usize>>::new());
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        assert_eq!(backoff_ms(100, 0, 10_000, 0.0), 50);
        assert_eq!(backoff_ms(100, 0, 10_000, 0.999), 99);
        assert_eq!(backoff_ms(100, 3, 10_000, 0.0), 400);
        assert_eq!(backoff_ms(100, 30, 10_000, 0.0), 5_000);
        assert_eq!(pinned_block(2, 3), 0);
        assert_eq!(pinned_block(100, 3), 97);
    }
}

//! A fault-injecting JSON-RPC relay on 127.0.0.1: forwards every request to a real anvil node and, per relay,
//! delays answers, refuses the first requests with 429/503, resets connections, sends malformed bodies, lies about
//! the chain id or the EIP-1967 implementation slot, or answers storage the way Oasis Sapphire does. It counts
//! round trips (HTTP requests) and JSON-RPC calls, so tests can assert batching.
//!
//! Provider profiles ([`Profile`]) combine these faults into what real public endpoints do (REALWORLD.md §1):
//! batch limits refused in each of the forms seen, request body and rate limits with `Retry-After`, a load
//! balancer with a lagging backend, rate-limit errors inside a batch, a pruned node.
//!
//! Plain threads and the lab's tiny HTTP/1.1 functions: one thread per connection, `Connection: close` on every
//! answer (so each round trip is one connection, and a reset can never hit a pooled connection by accident).

use lookcoin_state::core::onchain::{ADMIN_SLOT, BEACON_SLOT, IMPLEMENTATION_SLOT};
use lookcoin_state::lab::http::{post_json, read_message, write_response};
use serde_json::{json, Value};
use std::io::BufReader;
use std::io::Write;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How Sapphire writes a zero storage word; it has used more than one form over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZeroText {
    /// `0x`
    Empty,
    /// `0x` and 64 zeros
    Full,
    /// `0x0`
    Short,
}

impl ZeroText {
    pub const ALL: [ZeroText; 3] = [ZeroText::Empty, ZeroText::Full, ZeroText::Short];

    fn text(self) -> String {
        match self {
            ZeroText::Empty => "0x".into(),
            ZeroText::Full => format!("0x{}", "0".repeat(64)),
            ZeroText::Short => "0x0".into(),
        }
    }
}

/// What a relay does wrong. The default forwards faithfully.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Wait this long before answering each of the first `delay_first` requests (all when 0).
    pub delay: Duration,
    pub delay_first: u32,
    /// Answer the first K requests with this HTTP status instead of forwarding them.
    pub status_first: Option<(u16, u32)>,
    /// Close the first K connections after reading the request, without answering.
    pub reset_first: u32,
    /// Answer every request with 200 and a body that is not JSON.
    pub malformed: bool,
    /// Say this chain id in every `eth_chainId` answer.
    pub chain_id: Option<u64>,
    /// Say this address is in every EIP-1967 implementation slot.
    pub lie_implementation: Option<alloy_primitives::Address>,
    /// Sapphire: zero for every slot except the EIP-1967 ones, zero words written this way.
    pub sapphire: Option<ZeroText>,
    /// Refuse batches of more than this many calls, in this form (0 refuses every request).
    pub max_batch: Option<(usize, Refusal)>,
    /// Answer 413 to a request body larger than this.
    pub max_request_body: Option<usize>,
    /// At most this many HTTP requests per window; over it, 429 with `Retry-After`.
    pub rate_window: Option<(u32, Duration)>,
    /// `(every, until)`: answer every `every`-th call (counted over all requests) among the first `until` with a
    /// -32005 rate-limit error while the others succeed; `(1, u32::MAX)`: all of them.
    pub item_rate_limited: Option<(u32, u32)>,
    /// A load balancer: every second request goes to a backend this many blocks behind the head.
    pub lagging_backend: Option<u64>,
    /// A pruned node: state reads at blocks more than this many behind the head fail with `missing trie node`.
    pub pruned_keep: Option<u64>,
    /// Answer every request with this status and text body.
    pub error_body: Option<(u16, String)>,
    /// Answer 200 with a body that never ends (no length, bytes until the client goes away).
    pub endless_body: bool,
    /// Answer every `eth_call` with an EVM revert (code 3) carrying this message.
    pub revert_text: Option<String>,
    /// A reorg: a block asked for by number a second time comes back with another hash.
    pub reorg: bool,
}

/// How an oversized batch is refused (REALWORLD.md §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// One JSON-RPC error object, `id: null`, -32600.
    ErrorObject,
    /// Every item an error about the batch (Besu's message).
    EveryItem,
    /// An HTTP status (413, 400, 500) with a text body.
    Http(u16),
    /// The connection is closed without an answer.
    Drop,
}

/// Providers as REALWORLD.md §1 describes them, for the tests and the bench.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Optimism's public endpoint: 10 calls per batch (error object), 5 MB request body, 300 requests a minute.
    OpPublic,
    /// Some public endpoints: 3 calls per batch, HTTP 500 over it.
    Batch3,
    /// Erigon before late 2025: the connection is dropped on a batch over the threshold (10 here).
    DropsOversized,
    /// A load balancer whose second backend lags the head by 2 blocks.
    LaggingBackend,
    /// Rate-limit errors inside batches (every third of the first 60 calls) while other items succeed; Besu-sized
    /// batches (50).
    RateLimitedItems,
    /// A non-archive node that keeps the state of the last 16 blocks.
    Pruned,
}

impl Profile {
    pub const ALL: [Profile; 6] = [
        Profile::OpPublic,
        Profile::Batch3,
        Profile::DropsOversized,
        Profile::LaggingBackend,
        Profile::RateLimitedItems,
        Profile::Pruned,
    ];

    /// The faults of the profile when it can be served.
    pub fn faults(self) -> Faults {
        let none = Faults::default();
        match self {
            Profile::OpPublic => Faults {
                max_batch: Some((10, Refusal::ErrorObject)),
                max_request_body: Some(5_000_000),
                rate_window: Some((300, Duration::from_secs(60))),
                ..none
            },
            Profile::Batch3 => Faults { max_batch: Some((3, Refusal::Http(500))), ..none },
            Profile::DropsOversized => Faults { max_batch: Some((10, Refusal::Drop)), ..none },
            Profile::LaggingBackend => Faults { lagging_backend: Some(2), ..none },
            Profile::RateLimitedItems => {
                Faults { item_rate_limited: Some((3, 60)), max_batch: Some((50, Refusal::EveryItem)), ..none }
            }
            Profile::Pruned => Faults { pruned_keep: Some(16), ..none },
        }
    }

    /// The same provider in a state that cannot serve a verification, and the flags that make it so: every
    /// batch refused, the rate budget spent, a backend without the pinned block and no retry, every item rate
    /// limited, the pinned block's state pruned.
    pub fn unservable(self) -> (Faults, &'static [&'static str]) {
        let mut f = self.faults();
        let flags: &'static [&'static str] = match self {
            Profile::OpPublic => {
                f.rate_window = Some((1, Duration::from_secs(60)));
                &["--retries", "0"]
            }
            Profile::Batch3 => {
                f.max_batch = Some((0, Refusal::Http(500)));
                &["--retries", "1"]
            }
            Profile::DropsOversized => {
                f.max_batch = Some((0, Refusal::Drop));
                &["--retries", "1"]
            }
            Profile::LaggingBackend => &["--confirmations", "0", "--retries", "0"],
            Profile::RateLimitedItems => {
                f.item_rate_limited = Some((1, u32::MAX));
                &["--retries", "1"]
            }
            Profile::Pruned => {
                f.pruned_keep = Some(2);
                &["--retries", "1"]
            }
        };
        (f, flags)
    }
}

struct Shared {
    upstream: url::Url,
    faults: Faults,
    round_trips: AtomicU32,
    requests: AtomicU32,
    items: AtomicU32,
    window: Mutex<Vec<Instant>>,
    blocks_seen: Mutex<Vec<String>>,
    stop: AtomicBool,
}

/// A running relay; dropping it stops accepting connections.
pub struct Relay {
    port: u16,
    shared: Arc<Shared>,
}

impl Relay {
    pub fn start(upstream: &url::Url, faults: Faults) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a relay port");
        let port = listener.local_addr().expect("relay address").port();
        let shared = Arc::new(Shared {
            upstream: upstream.clone(),
            faults,
            round_trips: AtomicU32::new(0),
            requests: AtomicU32::new(0),
            items: AtomicU32::new(0),
            window: Mutex::new(Vec::new()),
            blocks_seen: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
        });
        let state = shared.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                if state.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let state = state.clone();
                std::thread::spawn(move || serve(&state, stream));
            }
        });
        Relay { port, shared }
    }

    /// The relay's URL, with `path` (which it ignores: it may hold a fake API key).
    pub fn url_with(&self, userinfo: &str, path: &str) -> String {
        format!("http://{userinfo}127.0.0.1:{}{path}", self.port)
    }

    pub fn url(&self) -> String {
        self.url_with("", "/")
    }

    /// HTTP requests received (one per JSON-RPC round trip).
    pub fn round_trips(&self) -> u32 {
        self.shared.round_trips.load(Ordering::SeqCst)
    }

    /// JSON-RPC calls received (each call of a batch counts).
    pub fn requests(&self) -> u32 {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// Forgets the requests of the rate window (a new minute's budget): the bench starts each run afresh.
    #[allow(dead_code)]
    pub fn reset_window(&self) {
        self.shared.window.lock().unwrap().clear();
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port)); // wakes the accept loop so it can see `stop`
    }
}

fn serve(state: &Shared, stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(stream.try_clone().expect("clone the socket"));
    let Ok(Some(request)) = read_message(&mut reader) else { return };
    let n = state.round_trips.fetch_add(1, Ordering::SeqCst); // 0-based index of this round trip
    let calls = serde_json::from_slice::<Value>(&request.body).unwrap_or(Value::Null);
    state.requests.fetch_add(calls.as_array().map_or(1, Vec::len) as u32, Ordering::SeqCst);
    let f = &state.faults;
    if f.delay > Duration::ZERO && (f.delay_first == 0 || n < f.delay_first) {
        std::thread::sleep(f.delay);
    }
    let mut stream = stream;
    if n < f.reset_first {
        let _ = stream.shutdown(Shutdown::Both);
        return;
    }
    if let Some((status, k)) = f.status_first {
        if n < k {
            let _ = write_response(&mut stream, status, "text/plain", b"slow down");
            return;
        }
    }
    if f.malformed {
        let _ = write_response(&mut stream, 200, "application/json", b"{\"jsonrpc\":\"2.0\",\"id\":1,\"res");
        return;
    }
    if f.endless_body {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n[";
        if stream.write_all(head.as_bytes()).is_err() {
            return;
        }
        let chunk = "\"0x00000000000000000000000000000000\",".repeat(2048);
        while stream.write_all(chunk.as_bytes()).is_ok() {}
        return;
    }
    if let Some((status, text)) = &f.error_body {
        let _ = write_response(&mut stream, *status, "text/plain", text.as_bytes());
        return;
    }
    if let Some((limit, window)) = f.rate_window {
        let mut seen = state.window.lock().unwrap();
        let now = Instant::now();
        seen.retain(|t| now.duration_since(*t) < window);
        if seen.len() >= limit as usize {
            let wait = window.saturating_sub(now.duration_since(seen[0])).as_secs() + 1;
            drop(seen);
            let body =
                b"{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32005,\"message\":\"rate limit exceeded\"}}";
            let head = format!(
                "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nRetry-After: {wait}\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes()).and_then(|_| stream.write_all(body));
            return;
        }
        seen.push(now);
    }
    if f.max_request_body.is_some_and(|max| request.body.len() > max) {
        let _ = write_response(&mut stream, 413, "text/plain", b"request entity too large");
        return;
    }
    if let Some((max, refusal)) = f.max_batch {
        let n = calls.as_array().map_or(1, Vec::len);
        if n > max {
            return refuse(&mut stream, refusal, &calls, max);
        }
    }
    let head = if f.lagging_backend.is_some() || f.pruned_keep.is_some() { upstream_head(&state.upstream) } else { 0 };
    let lag = f.lagging_backend.filter(|_| n % 2 == 1).unwrap_or(0);
    let (forward, mut overridden) = per_item(state, &calls, head, lag);
    let mut answers: Vec<Value> = Vec::new();
    let mut status = 200;
    if !forward.is_empty() {
        let body = serde_json::to_vec(&Value::Array(forward.clone())).expect("JSON serializes");
        let answer = match post_json(&state.upstream, &body) {
            Ok(m) => m,
            Err(_) => return drop(write_response(&mut stream, 502, "text/plain", b"upstream failed")),
        };
        status = answer.status().unwrap_or(502);
        let rewritten = rewrite(f, &Value::Array(forward), &answer.body);
        match serde_json::from_slice::<Value>(&rewritten) {
            Ok(Value::Array(a)) => answers = a,
            _ => return drop(write_response(&mut stream, status, "application/json", &rewritten)),
        }
    }
    answers.append(&mut overridden);
    if f.reorg {
        reorg(state, &calls, &mut answers);
    }
    let body = match calls {
        Value::Array(_) => Value::Array(answers),
        _ => answers.into_iter().next().unwrap_or(Value::Null),
    };
    let _ = write_response(&mut stream, status, "application/json", &serde_json::to_vec(&body).unwrap());
}

/// Gives a block asked for by number a second time another hash.
fn reorg(state: &Shared, calls: &Value, answers: &mut [Value]) {
    let list: Vec<&Value> = match calls {
        Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    for call in list.into_iter().filter(|c| c["method"] == "eth_getBlockByNumber") {
        let Some(number) = call["params"][0].as_str().filter(|n| n.starts_with("0x")) else { continue };
        let mut seen = state.blocks_seen.lock().unwrap();
        let again = seen.iter().any(|n| n == number);
        seen.push(number.to_string());
        if let (true, Some(answer)) = (again, answers.iter_mut().find(|a| a["id"] == call["id"])) {
            answer["result"]["hash"] = json!(format!("0x{}", "ee".repeat(32)));
        }
    }
}

/// Refuses an oversized batch in one of the forms real endpoints use.
fn refuse(stream: &mut TcpStream, refusal: Refusal, calls: &Value, max: usize) {
    let message = format!("batch too large: at most {max} requests per batch");
    match refusal {
        Refusal::Drop => drop(stream.shutdown(Shutdown::Both)),
        Refusal::Http(status) => drop(write_response(stream, status, "text/plain", message.as_bytes())),
        Refusal::ErrorObject => {
            let body = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32600, "message": message}});
            drop(write_response(stream, 200, "application/json", body.to_string().as_bytes()))
        }
        Refusal::EveryItem => {
            let one = |id: &Value| {
                json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32005,
                "message": "Number of requests in batch exceeds --rpc-max-batch-size"}})
            };
            let body = match calls {
                Value::Array(a) => Value::Array(a.iter().map(|c| one(&c["id"])).collect()),
                c => one(&c["id"]),
            };
            drop(write_response(stream, 200, "application/json", body.to_string().as_bytes()))
        }
    }
}

/// The upstream's head block number.
fn upstream_head(upstream: &url::Url) -> u64 {
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#;
    let answer = post_json(upstream, body).expect("the upstream answers eth_blockNumber");
    let v: Value = serde_json::from_slice(&answer.body).expect("JSON");
    u64::from_str_radix(v["result"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap()
}

/// The block number a call reads at (`None`: latest or none), and whether it reads state.
fn block_of(call: &Value) -> (Option<&Value>, bool) {
    let params = call["params"].as_array();
    match call["method"].as_str() {
        Some("eth_getBlockByNumber") => (params.and_then(|p| p.first()), false),
        Some("eth_getCode" | "eth_getStorageAt" | "eth_call" | "eth_getBalance") => {
            (params.and_then(|p| p.last()), true)
        }
        _ => (None, false),
    }
}

/// Splits the calls into those forwarded upstream (rewritten for a lagging backend) and answers made here: rate
/// limits inside the batch, blocks a lagging backend does not have, state a pruned node no longer holds.
fn per_item(state: &Shared, calls: &Value, head: u64, lag: u64) -> (Vec<Value>, Vec<Value>) {
    let f = &state.faults;
    let list: Vec<Value> = match calls {
        Value::Array(a) => a.clone(),
        one => vec![one.clone()],
    };
    let (mut forward, mut answered) = (Vec::new(), Vec::new());
    let error = |id: &Value, code: i64, message: &str| json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
    for mut call in list {
        let k = state.items.fetch_add(1, Ordering::SeqCst);
        if let (Some(text), Some("eth_call")) = (&f.revert_text, call["method"].as_str()) {
            answered.push(json!({"jsonrpc": "2.0", "id": call["id"],
                "error": {"code": 3, "message": text, "data": "0x08c379a0"}}));
            continue;
        }
        if f.item_rate_limited.is_some_and(|(every, until)| k < until && k % every == every - 1) {
            answered.push(error(&call["id"], -32005, "limit exceeded"));
            continue;
        }
        let backend_head = head.saturating_sub(lag);
        let (block, reads_state) = block_of(&call);
        let number = block.and_then(Value::as_str).and_then(|t| u64::from_str_radix(t.strip_prefix("0x")?, 16).ok());
        if lag > 0 {
            if block.and_then(Value::as_str) == Some("latest") && !reads_state {
                call["params"][0] = json!(format!("{backend_head:#x}"));
            } else if number.is_some_and(|b| b > backend_head) {
                match reads_state {
                    true => answered.push(error(&call["id"], -32000, "header not found")),
                    false => answered.push(json!({"jsonrpc": "2.0", "id": call["id"], "result": null})),
                }
                continue;
            }
        }
        if let (Some(keep), Some(b), true) = (f.pruned_keep, number, reads_state) {
            if b + keep < head {
                answered.push(error(
                    &call["id"],
                    -32000,
                    "missing trie node 5d3f0e (path ) state 0x5d3f is not available",
                ));
                continue;
            }
        }
        forward.push(call);
    }
    (forward, answered)
}

/// Applies the lying faults to an upstream answer (single call or batch), matching answers to calls by id.
fn rewrite(f: &Faults, calls: &Value, body: &[u8]) -> Vec<u8> {
    if f.chain_id.is_none() && f.lie_implementation.is_none() && f.sapphire.is_none() {
        return body.to_vec();
    }
    let Ok(mut answer) = serde_json::from_slice::<Value>(body) else { return body.to_vec() };
    let calls: Vec<&Value> = match calls {
        Value::Array(a) => a.iter().collect(),
        one => vec![one],
    };
    let answers: Vec<&mut Value> = match &mut answer {
        Value::Array(a) => a.iter_mut().collect(),
        one => vec![one],
    };
    for a in answers {
        let Some(call) = calls.iter().find(|c| c.get("id") == a.get("id")) else { continue };
        if let Some(result) = a.get_mut("result") {
            rewrite_result(f, call, result);
        }
    }
    serde_json::to_vec(&answer).expect("JSON serializes")
}

fn rewrite_result(f: &Faults, call: &Value, result: &mut Value) {
    match call["method"].as_str() {
        Some("eth_chainId") => {
            if let Some(id) = f.chain_id {
                *result = json!(format!("{id:#x}"));
            }
        }
        Some("eth_getStorageAt") => {
            let slot: Option<alloy_primitives::B256> = call["params"][1].as_str().and_then(|s| s.parse().ok());
            let eip1967 = slot.is_some_and(|s| [IMPLEMENTATION_SLOT, ADMIN_SLOT, BEACON_SLOT].contains(&s));
            if let (Some(lie), true) = (f.lie_implementation, slot == Some(IMPLEMENTATION_SLOT)) {
                *result = json!(format!("{:#x}", alloy_primitives::B256::left_padding_from(lie.as_slice())));
            }
            if let Some(zero) = f.sapphire {
                let is_zero = result.as_str().is_some_and(|t| t.trim_start_matches("0x").bytes().all(|b| b == b'0'));
                if !eip1967 || is_zero {
                    *result = json!(zero.text());
                }
            }
        }
        _ => {}
    }
}

#[test]
fn sapphire_relay_hides_ordinary_storage_and_writes_zero_its_way() {
    let node = crate::chain_lab::node(23295);
    let d = crate::chain_lab::deploy(23295, &["RelaySapphireProbe"]).remove(0);
    let owner_slot = format!("{:#x}", alloy_primitives::B256::with_last_byte(1));
    let direct = node.rpc().call("eth_getStorageAt", json!([d.proxy, owner_slot, "latest"])).unwrap();
    assert_ne!(direct.as_str().map(|t| t.trim_start_matches("0x").trim_start_matches('0')), Some(""), "{direct}");
    for zero in ZeroText::ALL {
        let relay = Relay::start(node.url(), Faults { sapphire: Some(zero), ..Faults::default() });
        let rpc = lookcoin_state::lab::LabRpc::new(url::Url::parse(&relay.url()).unwrap());
        let hidden = rpc.call("eth_getStorageAt", json!([d.proxy, owner_slot, "latest"])).unwrap();
        assert_eq!(hidden, json!(zero.text()));
        let slot = format!("{IMPLEMENTATION_SLOT:#x}");
        let implementation = rpc.call("eth_getStorageAt", json!([d.proxy, slot, "latest"])).unwrap();
        let shown = implementation.as_str().unwrap().to_ascii_lowercase();
        assert!(shown.ends_with(&format!("{:x}", d.implementation)), "{shown}");
        assert_eq!((relay.round_trips(), relay.requests()), (2, 2));
    }
}

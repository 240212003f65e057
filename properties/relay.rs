//! A fault-injecting JSON-RPC relay on 127.0.0.1: forwards every request to a real anvil node and, per relay,
//! delays answers, refuses the first requests with 429/503, resets connections, sends malformed bodies, lies about
//! the chain id or the EIP-1967 implementation slot, or answers storage the way Oasis Sapphire does. It counts
//! round trips (HTTP requests) and JSON-RPC calls, so tests can assert batching.
//!
//! Plain threads and the lab's tiny HTTP/1.1 functions: one thread per connection, `Connection: close` on every
//! answer (so each round trip is one connection, and a reset can never hit a pooled connection by accident).

use lookcoin_state::core::onchain::{ADMIN_SLOT, BEACON_SLOT, IMPLEMENTATION_SLOT};
use lookcoin_state::lab::http::{post_json, read_message, write_response};
use serde_json::{json, Value};
use std::io::BufReader;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

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
}

struct Shared {
    upstream: url::Url,
    faults: Faults,
    round_trips: AtomicU32,
    requests: AtomicU32,
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
    let answer = match post_json(&state.upstream, &request.body) {
        Ok(m) => m,
        Err(_) => return drop(write_response(&mut stream, 502, "text/plain", b"upstream failed")),
    };
    let body = rewrite(f, &calls, &answer.body);
    let _ = write_response(&mut stream, answer.status().unwrap_or(502), "application/json", &body);
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

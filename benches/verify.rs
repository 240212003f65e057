//! Bench of `verify-chain` end to end, in-process, against 5 local anvil nodes behind relays with the strictest
//! realistic provider profile (`relay::Profile::OpPublic`: batches of at most 10 calls, 5 MB request bodies, 300
//! requests a minute per endpoint, refusals as a JSON-RPC error object) plus 50 ms on every HTTP request, at N = 26
//! and N = 1,000 contracts per network. The tool is told the endpoint's limits as a user would: `max_batch` 10
//! (the default), `rps` 5 with a `burst` of 300 (300 a minute).
//!
//! N = 26 is measured with criterion; every sample starts with a fresh rate window (as a CI run a minute after the
//! last would). N = 1,000 is rate-limited by design (about 600 batches at 300 a minute: a minute or more per run),
//! so its one checked run (below) is the measurement, not sampled.
//!
//!   cargo bench --bench verify                     both sizes (a few minutes, most of it the N = 1,000 runs)
//!   LOOKCOIN_VERIFY_SIZES=26 cargo bench --bench verify
//!   bash benches/verify-vs-cast.sh                 the same checks done with sequential `cast` calls, side by side
//!
//! Set-up, once per run: one anvil node per chain (56, 97, 84532, 11155420, 23295) started by `src/lab`; on each,
//! N distinct UUPS proxy + implementation pairs. Up to [`REAL_UP_TO`] pairs are deployed with real transactions;
//! beyond that one pair is deployed for real and the others are planted with `anvil_setCode` (the proxy's runtime
//! code, and the implementation's runtime code with its `__self` immutable filled for its new address) and
//! `anvil_setStorageAt` (the proxy's EIP-1967 implementation slot), so every record is its own verifiable pair.
//! The records are what the deploy script would have written (`lab::deploy::record_of`: implementation hash by the
//! project's rule), in one LevelDB folder per N. One relay (`properties/relay.rs`, the profile's faults plus the
//! delay) per node.
//!
//! Before measuring each N, one run is checked (exit 0, every record verified) and the relays' counters are
//! printed per network: HTTP requests (= round trips) and JSON-RPC calls. The bench asserts that round trips per
//! network stay within 1.2x of reads / max_batch (+ the 4 fixed ones: head, pinned block, the pinned block again).
//! Under `cargo test --benches` (criterion's test mode) only N = 26 is set up and the routine runs once.
//!
//! `--lab DIR [--n N] [--delay-ms MS]` (used by `verify-vs-cast.sh`): the same set-up, then writes
//! `DIR/leveldb/`, `DIR/targets.tsv` (chain, name, proxy, implementation, expected hash), `DIR/relays.tsv`
//! (chain, relay URL) and finally `DIR/ready`; then reads commands from stdin: `counts LABEL` writes the relays'
//! cumulative counters to `DIR/counts-LABEL.tsv` (chain, round trips, requests); `reset` starts every relay's rate
//! window afresh. Exits at end of input (or on SIGINT/SIGTERM), stopping its nodes and relays.

// Benches are shell: they start processes, write temporary folders and read the environment (see clippy.toml).
#![allow(clippy::disallowed_methods)]

#[allow(dead_code)] // the bench uses one profile, the delay and the counters
#[path = "../properties/relay.rs"]
mod relay;

use alloy_primitives::{keccak256, Address, B256};
use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput};
use lookcoin_state::core::onchain::verify::Verdict;
use lookcoin_state::core::onchain::IMPLEMENTATION_SLOT;
use lookcoin_state::core::record::DeploymentRecord;
use lookcoin_state::io::networks_file::LimitFlags;
use lookcoin_state::lab::contracts::Contract;
use lookcoin_state::lab::deploy::record_of;
use lookcoin_state::lab::{self, deploy_pair, AnvilNode, Lab};
use lookcoin_state::pipeline::verify::VerifyOptions;
use relay::{Faults, Profile, Relay};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;
use std::time::Duration;

/// Contracts per network.
const SIZES: [usize; 2] = [26, 1_000];
/// Sizes up to this are deployed with real transactions; above, one real pair plus planted copies.
const REAL_UP_TO: usize = 26;
/// Sizes up to this are sampled by criterion; above, the one checked run is the measurement.
const SAMPLED_UP_TO: usize = 100;
/// What every relay adds to every HTTP request.
const DELAY: Duration = Duration::from_millis(50);
/// What the tool is told of the profile's limits: 300 requests a minute (`--rps 5 --burst 300`), batches of 10.
const RPS: f64 = 5.0;
const BURST: u32 = 300;
const MAX_BATCH: usize = 10;
/// Reads per contract: proxy and implementation code, 3 EIP-1967 slots, proxiableUUID().
const READS_PER_CONTRACT: usize = 6;
/// Round trips per endpoint besides the read batches: head, pinned block, the pinned block again.
const FIXED_ROUND_TRIPS: usize = 3;

/// True under `cargo bench` (criterion is passed `--bench`); false under `cargo test --benches`.
fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn sizes() -> Vec<usize> {
    if let Ok(list) = std::env::var("LOOKCOIN_VERIFY_SIZES") {
        return list
            .split(',')
            .map(|s| s.trim().parse().expect("LOOKCOIN_VERIFY_SIZES: comma-separated counts"))
            .collect();
    }
    if bench_mode() {
        SIZES.to_vec()
    } else {
        SIZES[..1].to_vec()
    }
}

/// One deployed pair and the record describing it.
struct Pair {
    proxy: Address,
    implementation: Address,
    record: DeploymentRecord,
}

/// A fresh address, distinct for every (chain, set, index, role).
fn planted_address(chain_id: u64, n: usize, i: usize, role: &str) -> Address {
    let h = keccak256(format!("lookcoin-state/benches/verify/{chain_id}/{n}/{i}/{role}"));
    Address::from_slice(&h[12..])
}

fn name_of(i: usize) -> String {
    format!("BenchToken{i:04}")
}

/// N pairs on one node: real deployments up to [`REAL_UP_TO`], else one real pair and planted copies.
fn pairs_on(node: &AnvilNode, n: usize) -> Vec<Pair> {
    let chain_id = node.chain_id();
    let real = |i: usize| {
        let d = deploy_pair(node, &name_of(i), Contract::DemoToken).expect("deploy a DemoToken + DemoProxy pair");
        Pair { proxy: d.proxy, implementation: d.implementation, record: d.record }
    };
    if n <= REAL_UP_TO {
        let pairs = (0..n).map(real).collect();
        lab::settle(node).expect("mine the confirmations verify-chain pins behind");
        return pairs;
    }
    let template = real(0);
    let rpc = node.rpc();
    let proxy_code = format!("0x{}", alloy_primitives::hex::encode(rpc.code(template.proxy).expect("proxy code")));
    let token = Contract::DemoToken.artifact();
    let mut pairs = vec![template];
    for i in 1..n {
        let proxy = planted_address(chain_id, n, i, "proxy");
        let implementation = planted_address(chain_id, n, i, "implementation");
        let code = format!("0x{}", alloy_primitives::hex::encode(token.runtime_at(implementation)));
        let word = B256::left_padding_from(implementation.as_slice());
        rpc.call("anvil_setCode", json!([implementation, code])).expect("anvil_setCode implementation");
        rpc.call("anvil_setCode", json!([proxy, proxy_code])).expect("anvil_setCode proxy");
        rpc.call("anvil_setStorageAt", json!([proxy, IMPLEMENTATION_SLOT, word])).expect("anvil_setStorageAt");
        let record = record_of(chain_id, &name_of(i), implementation, proxy, Contract::DemoToken);
        pairs.push(Pair { proxy, implementation, record });
    }
    rpc.mine().expect("anvil_mine"); // the planted state is part of a block
    lab::settle(node).expect("mine the confirmations verify-chain pins behind");
    pairs
}

/// One record set: N pairs on every node, their records in a LevelDB folder.
struct RecordSet {
    n: usize,
    dir: tempfile::TempDir,
    /// Per chain, in chain order.
    pairs: BTreeMap<u64, Vec<Pair>>,
}

fn record_set(lab: &Lab, n: usize) -> RecordSet {
    let pairs: BTreeMap<u64, Vec<Pair>> = std::thread::scope(|s| {
        let handles: Vec<_> =
            lab.nodes.iter().map(|node| (node.chain_id(), s.spawn(move || pairs_on(node, n)))).collect();
        handles.into_iter().map(|(chain, h)| (chain, h.join().expect("set-up thread"))).collect()
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let entries = lab::entries_of(pairs.values().flatten().map(|p| &p.record));
    lookcoin_state::io::leveldb::write::write_leveldb(dir.path(), &entries).expect("write the LevelDB");
    RecordSet { n, dir, pairs }
}

/// The nodes and one delaying relay per node (dropped in this order: relays, then nodes).
struct Setup {
    relays: BTreeMap<u64, Relay>,
    lab: Lab,
}

fn setup(delay: Duration) -> Setup {
    let lab = Lab::start(&lab::DEMO_CHAINS).unwrap_or_else(|e| panic!("the local chains could not start:\n{e}"));
    let relays = lab
        .nodes
        .iter()
        .map(|node| (node.chain_id(), Relay::start(node.url(), Faults { delay, ..Profile::OpPublic.faults() })))
        .collect();
    Setup { relays, lab }
}

/// `verify-chain DIR --rpc CHAIN=RELAY... --format json` as the command runs it, in-process: the run's verdict
/// (0 verified, 1 drift, 3 unverifiable, as the exit code) and the JSON report.
fn verify(dir: &Path, relays: &BTreeMap<u64, Relay>) -> (u8, Vec<u8>) {
    let rpc = relays.iter().map(|(chain, relay)| format!("{chain}={}", relay.url())).collect();
    let mut options = VerifyOptions::with_rpc(rpc);
    options.limits = LimitFlags { max_batch: Some(MAX_BATCH), rps: Some(RPS), burst: Some(BURST) };
    let report = lookcoin_state::pipeline::verify::verify(dir, None, &options)
        .unwrap_or_else(|e| panic!("verify-chain runs:\n{e}"));
    let mut out = Vec::new();
    lookcoin_state::report::json::verify(&mut out, &report).expect("render");
    let code = match report.verdict {
        Verdict::Verified | Verdict::Partial => 0,
        Verdict::Drift => 1,
        Verdict::Unverifiable => 3,
    };
    (code, out)
}

/// Relay counters per chain: (round trips, JSON-RPC requests).
fn counters(relays: &BTreeMap<u64, Relay>) -> BTreeMap<u64, (u32, u32)> {
    relays.iter().map(|(c, r)| (*c, (r.round_trips(), r.requests()))).collect()
}

/// One checked run: every record verified; returns the relays' round trips and requests per chain for it.
fn checked_run(set: &RecordSet, relays: &BTreeMap<u64, Relay>) -> BTreeMap<u64, (u32, u32)> {
    let before = counters(relays);
    let started = std::time::Instant::now();
    let (code, out) = verify(set.dir.path(), relays);
    let took = started.elapsed();
    let after = counters(relays);
    let report: Value = serde_json::from_slice(&out).expect("verify-chain --format json prints JSON");
    let total = set.n * relays.len();
    assert_eq!(code, 0, "verify-chain exit code at N = {}: {}", set.n, report["summary"]);
    assert_eq!(report["summary"]["verdict"], "verified", "{}", report["summary"]);
    assert_eq!(report["summary"]["byVerdict"]["verified"], json!(total), "{}", report["summary"]);
    let mut per_chain = BTreeMap::new();
    eprintln!("verify-chain N = {} per network ({total} records, one checked run: {took:.2?}):", set.n);
    for (chain, (rt, rq)) in &after {
        let (rt0, rq0) = before[chain];
        let network = report["networks"].as_array().into_iter().flatten().find(|n| n["chainId"] == json!(chain));
        let tool = network.map(|n| &n["endpoints"][0]).cloned().unwrap_or(Value::Null);
        eprintln!(
            "  chain {chain:>8}: relay counted {} round trips, {} requests (tool reports {} / {})",
            rt - rt0,
            rq - rq0,
            tool["roundTrips"],
            tool["requests"]
        );
        per_chain.insert(*chain, (rt - rt0, rq - rq0));
    }
    for (chain, pairs) in &set.pairs {
        let (rt, rq) = per_chain[chain];
        let reads = READS_PER_CONTRACT * pairs.len();
        let bound = (1.2 * (reads as f64 / MAX_BATCH as f64)).ceil() as u32 + FIXED_ROUND_TRIPS as u32;
        eprintln!(
            "  chain {chain:>8}: {reads} reads, reads / max_batch = {}, round trips {rt} (bound {bound})",
            reads.div_ceil(MAX_BATCH)
        );
        assert!(rt <= bound, "chain {chain}: {rt} round trips at N = {}, over 1.2x reads / max_batch", set.n);
        // head batch (2) + pinned block + every read + the pinned block again, more only for rate-limited retries
        assert!(rq as usize >= 4 + reads, "chain {chain}: requests at N = {}", set.n);
    }
    per_chain
}

fn reset_windows(relays: &BTreeMap<u64, Relay>) {
    relays.values().for_each(Relay::reset_window);
}

fn bench(c: &mut Criterion) {
    let setup = setup(DELAY);
    let sets: Vec<RecordSet> = sizes()
        .into_iter()
        .map(|n| {
            let started = std::time::Instant::now();
            let set = record_set(&setup.lab, n);
            let nodes = setup.lab.nodes.len();
            eprintln!("set-up N = {n}: {n} pairs on each of {nodes} nodes in {:.2?}", started.elapsed());
            set
        })
        .collect();
    let mut group = c.benchmark_group("verify_chain");
    for set in &sets {
        reset_windows(&setup.relays);
        checked_run(set, &setup.relays);
        if set.n > SAMPLED_UP_TO {
            // Rate-limited by design (a minute or more per run): the checked run above is the timed run.
            continue;
        }
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(6))
            .throughput(Throughput::Elements((set.n * setup.relays.len()) as u64));
        group.bench_with_input(BenchmarkId::new("op_public_50ms", set.n), set, |b, set| {
            b.iter_batched(
                || reset_windows(&setup.relays),
                |()| {
                    let (code, _) = verify(set.dir.path(), &setup.relays);
                    assert_eq!(code, 0);
                },
                criterion::BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// `--lab DIR [--n N] [--delay-ms MS]`: the set-up for `verify-vs-cast.sh`, kept alive until stdin ends.
fn lab_mode(args: &[String]) {
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let dir = std::path::PathBuf::from(value("--lab").expect("--lab DIR"));
    let n: usize = value("--n").map_or(REAL_UP_TO, |v| v.parse().expect("--n N"));
    let delay = Duration::from_millis(value("--delay-ms").map_or(50, |v| v.parse().expect("--delay-ms MS")));
    lab::reaper::install_interrupt_cleanup().expect("install the interrupt cleanup");
    let setup = setup(delay);
    let set = record_set(&setup.lab, n);
    let db = dir.join("leveldb");
    std::fs::create_dir_all(&db).expect("create DIR/leveldb");
    let entries = lab::entries_of(set.pairs.values().flatten().map(|p| &p.record));
    lookcoin_state::io::leveldb::write::write_leveldb(&db, &entries).expect("write the LevelDB");
    let mut targets = String::new();
    for (chain, pairs) in &set.pairs {
        for p in pairs {
            let hash = p.record.implementation_hash.as_ref().expect("lab records carry an implementation hash");
            targets.push_str(&format!(
                "{chain}\t{}\t{:#x}\t{:#x}\t{}\n",
                p.record.contract_name.0,
                p.proxy,
                p.implementation,
                hash.text().to_ascii_lowercase()
            ));
        }
    }
    write_atomic(&dir.join("targets.tsv"), &targets);
    let relays: String = setup.relays.iter().map(|(c, r)| format!("{c}\t{}\n", r.url())).collect();
    write_atomic(&dir.join("relays.tsv"), &relays);
    write_atomic(&dir.join("ready"), &format!("{n}\n"));
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim() == "reset" {
            reset_windows(&setup.relays);
            write_atomic(&dir.join("reset-done"), "");
        } else if let Some(label) = line.strip_prefix("counts ") {
            let text: String =
                counters(&setup.relays).iter().map(|(c, (rt, rq))| format!("{c}\t{rt}\t{rq}\n")).collect();
            write_atomic(&dir.join(format!("counts-{}.tsv", label.trim())), &text);
        }
    }
    drop(setup); // stops the relays and the nodes
}

fn write_atomic(path: &Path, text: &str) {
    let staging = path.with_extension("partial");
    std::fs::write(&staging, text).unwrap_or_else(|e| panic!("write {}: {e}", staging.display()));
    std::fs::rename(&staging, path).unwrap_or_else(|e| panic!("rename to {}: {e}", path.display()));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--lab") {
        return lab_mode(&args);
    }
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
    c.final_summary();
}

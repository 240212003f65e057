//! Criterion benches of `compare` and `reconcile` (the pure core) at 1k, 10k and 100k records per side.
//!
//!   cargo bench --bench compare                      both groups, every size (a few minutes on 2 cores)
//!   cargo bench --bench compare -- reconcile         one group (criterion's name filter)
//!   LOOKCOIN_BENCH_SIZES=1000,10000 cargo bench --bench compare
//!
//! Groups (one `BenchmarkId` per size, `Throughput::Elements` = records per side):
//! - `compare`: `core::compare::compare(left, right)`, every field of every record, sorted result.
//! - `reconcile`: `core::reconcile::reconcile(left, right, Authority::Left, false)`, the plan and its result state.
//!
//! Both sides are built in memory once per size, outside the measurement: synthetic LevelDB entries (5 chains,
//! EIP-55 addresses, 32-byte hashes, `deploymentArgs` on 70 %, ms timestamps) parsed with `parse_entries` and
//! turned into states with `formats::entries::from_entries`. The right side differs in 1 % of the records, in
//! five ways in turn: implementation address, implementation hash, timestamp, record removed (missing in right),
//! record added (missing in left). Under `cargo test --benches` only 1k is built and each routine runs once.
//! Results and the linear-scaling check: `benches/COMPARE-RESULTS.md`.

// Benches are shell: they read LOOKCOIN_BENCH_SIZES from the environment (see clippy.toml).
#![allow(clippy::disallowed_methods)]

#[path = "common.rs"]
mod common;

use alloy_primitives::{keccak256, Address};
use common::{configure, sizes};
use criterion::{BenchmarkId, Criterion};
use lookcoin_state::core::compare::compare;
use lookcoin_state::core::formats::entries::from_entries;
use lookcoin_state::core::reconcile::{reconcile, Authority};
use lookcoin_state::core::record::{parse_entries, SourceEntries};
use lookcoin_state::core::state::SourceState;
use serde_json::{json, Value};
use std::hint::black_box;

const CHAINS: [(u64, &str); 5] =
    [(56, "bsc"), (97, "bscTestnet"), (84532, "baseSepolia"), (11155420, "opSepolia"), (23295, "sapphiretestnet")];

/// A deterministic EIP-55 address for `(salt, i)`.
fn address(salt: &str, i: usize) -> String {
    let digest = keccak256(format!("{salt}-{i}").as_bytes());
    Address::from_slice(&digest[12..]).to_checksum(None)
}

/// A deterministic 32-byte hash, lowercase `0x` hex; one of 64 per salt (code hashes repeat across records).
fn hash(salt: &str, i: usize) -> String {
    format!("{}", keccak256(format!("{salt}-{}", i % 64).as_bytes()))
}

/// The LevelDB value of record `i`, in the real field order.
fn value(i: usize, chain: u64, network: &str) -> Value {
    let code = hash("code", i);
    let mut v = serde_json::Map::new();
    v.insert("contractName".into(), json!(format!("Contract{i:06}")));
    v.insert("chainId".into(), json!(chain));
    v.insert("networkName".into(), json!(network));
    v.insert("address".into(), json!(address("impl", i)));
    v.insert("factoryByteCodeHash".into(), json!(code));
    if i % 7 != 0 {
        v.insert("implementationHash".into(), json!(code));
    }
    v.insert("proxyAddress".into(), json!(address("proxy", i)));
    if i % 10 < 7 {
        let args = json!([address("gov", i % 5), "20000000000000000000000000", [56, 8453, 10, 9070], i % 100]);
        v.insert("deploymentArgs".into(), args);
    }
    v.insert("timestamp".into(), json!(1_753_357_300_000u64 + i as u64 * 1_000));
    Value::Object(v)
}

fn put(entries: &mut SourceEntries, i: usize, v: &Value) {
    let key = format!("{}-Contract{i:06}", v["chainId"]);
    entries.insert(key.into_bytes(), serde_json::to_vec(v).expect("json"));
}

/// `n` records on the left; on the right the same records with 1 % changed (five kinds of change in turn).
fn sides(n: usize) -> (SourceState, SourceState) {
    let (mut left, mut right) = (SourceEntries::new(), SourceEntries::new());
    for i in 0..n {
        let (chain, network) = CHAINS[i % CHAINS.len()];
        let v = value(i, chain, network);
        put(&mut left, i, &v);
        let mut w = v.clone();
        match (i % 100 == 0).then_some((i / 100) % 5) {
            Some(0) => w["address"] = json!(address("other", i)),
            Some(1) => w["implementationHash"] = json!(hash("other", i)),
            Some(2) => w["timestamp"] = json!(1_760_000_000_000u64 + i as u64),
            Some(3) => continue,                                              // missing in right
            Some(4) => put(&mut right, n + i, &value(n + i, chain, network)), // missing in left
            _ => {}
        }
        put(&mut right, i, &w);
    }
    (from_entries("left", &parse_entries(&left)), from_entries("right", &parse_entries(&right)))
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let inputs: Vec<(usize, SourceState, SourceState)> = sizes()
        .into_iter()
        .map(|n| {
            let (left, right) = sides(n);
            // The planted 1 %: each of the n/100 changes is exactly one discrepancy.
            assert_eq!(compare(&left, &right).len(), n / 100, "planted differences at {n}");
            (n, left, right)
        })
        .collect();
    let mut group = c.benchmark_group("compare");
    for (n, left, right) in &inputs {
        configure(&mut group, *n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &(left, right), |b, (l, r)| {
            b.iter(|| compare(black_box(l), black_box(r)))
        });
    }
    group.finish();
    let mut group = c.benchmark_group("reconcile");
    for (n, left, right) in &inputs {
        configure(&mut group, *n);
        group.bench_with_input(BenchmarkId::from_parameter(n), &(left, right), |b, (l, r)| {
            b.iter(|| reconcile(black_box(l), black_box(r), Authority::Left, false))
        });
    }
    group.finish();
    c.final_summary();
}

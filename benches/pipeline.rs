//! Criterion benches of the migration pipeline, phase by phase, at 1k, 10k and 100k records.
//!
//!   cargo bench --bench pipeline                      every group, every size (a few minutes on 2 cores)
//!   cargo bench --bench pipeline -- migrate           one group (criterion's name filter)
//!   LOOKCOIN_BENCH_SIZES=1000,10000 cargo bench --bench pipeline
//!
//! Groups (each with one `BenchmarkId` per size and `Throughput::Elements` = records):
//! - `leveldb_scan`: `read_leveldb` (lock probe, private snapshot copy, checksum verification of every block and
//!   log record, rusty-leveldb scan: the tool's real cost), and `raw_rusty_leveldb` (open + iterate + collect with
//!   rusty-leveldb alone, the same options, no copy and no verification) as the reference for the targets.
//! - `migrate`: the pure core with its single-threaded parse (`core::migrate::migrate`, then with
//!   `render_migration`); the migration as `migrate` runs it (`parallel::parse_entries` + `migrate_parsed`); and
//!   `pipeline::migrate::migrate_to_files` (the same plus summary, rendering and the self-proof: parse, schema-validate
//!   and read back every file).
//! - `write_validate`: `io::atomic::write_output` into a fresh folder (staging, fsyncs, rename), alone and followed
//!   by the schema validation of every written file (what `validate` does per file).
//! - `read_json`: `pipeline::load::read_documents` (parse, manifest digests; no schema check for files the
//!   manifest vouches for, which is every file here) + `into_entries()`: the JSON read all the way to validated
//!   records; and `read_leveldb+parse` (`read_leveldb` + `parallel::parse_entries`),
//!   the LevelDB read all the way to validated records, its like-for-like reference.
//! - `inspect_rows`: `pipeline::inspect::load_rows` of the LevelDB and of its migrated JSON folder (what
//!   `inspect --format json` does before printing), the like-for-like "read back" comparison.
//! - `proof_phases` (only with `LOOKCOIN_BENCH_PHASES=1`): the steps of `migrate_to_files` one by one, each
//!   single-threaded (`parse_entries`, parse to `Value`, schema validation, `from_value` into the typed documents,
//!   `unmigrate_owned`), and `prove_files` whole (on every core), to see which one dominates.
//!
//! Every routine's result is freed outside the timing (`iter_with_large_drop`, `iter_batched`): the binary frees
//! its large structures on a background thread or leaves them to the exit, so the work is what is timed, alike
//! for every routine (the raw scan included). Whole-process figures (benches/baseline/compare.sh) include it all.
//!
//! The input is built once per size when a bench first needs it: deterministic synthetic records (the port of
//! `benches/baseline/synth.mjs`, same seed, same bytes as `make-db.mjs` writes: 5 chains, values of 300-550 bytes,
//! EIP-55 addresses), written with rusty-leveldb (snappy, log flushed into a table) into a temporary folder.
//! Under `cargo test --benches` (criterion's test mode) only the 1k size is built and each routine runs once.

// Benches are shell: they build LevelDB folders and write temporary output (see clippy.toml).
#![allow(clippy::disallowed_methods)]

#[path = "common.rs"]
mod common;

use common::{configure, sizes};
use criterion::{BatchSize, BenchmarkId, Criterion};
use lookcoin_state::core::digest::entries_sha256;
use lookcoin_state::core::document::{ChainDocument, QuarantineDocument, SourceInfo};
use lookcoin_state::core::migrate::{migrate, migrate_parsed, source_digest, unmigrate_owned, MigrationContext};
use lookcoin_state::core::network::NetworkTable;
use lookcoin_state::core::output::{render_migration, OutputFile};
use lookcoin_state::core::primitives::TimestampMs;
use lookcoin_state::core::record::{parse_entries, SourceEntries};
use lookcoin_state::io::atomic::write_output;
use lookcoin_state::io::documents::{check_schema, json_files, read_json};
use lookcoin_state::io::leveldb::read_leveldb;
use lookcoin_state::pipeline::inspect::load_rows;
use lookcoin_state::pipeline::load::read_documents;
use lookcoin_state::pipeline::migrate::migrate_to_files;
use lookcoin_state::pipeline::parallel;
use rusty_leveldb::compressor::SnappyCompressor;
use rusty_leveldb::{CompressorId, LdbIterator, Options, WriteBatch, DB};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A fixed migration time: the output bytes do not depend on the clock.
const MIGRATED_AT: TimestampMs = TimestampMs(1_753_000_000_000);

// ---------------------------------------------------------------------------------------------------------------
// Synthetic records: a port of benches/baseline/synth.mjs (makeRng, makeLargePools, largeRecord).

/// mulberry32, bit for bit as synth.mjs computes it.
struct Rng(u32);

impl Rng {
    fn u32(&mut self) -> u32 {
        self.0 = self.0.wrapping_add(0x6d2b_79f5);
        let mut t = self.0;
        t = (t ^ (t >> 15)).wrapping_mul(t | 1);
        t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
        t ^ (t >> 14)
    }

    /// An integer in `lo..=hi`.
    fn int(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.u32() % (hi - lo + 1)
    }

    fn chance(&mut self, p: f64) -> bool {
        f64::from(self.u32()) / 4_294_967_296.0 < p
    }

    fn hex(&mut self, n: usize) -> String {
        let mut bytes = vec![0u8; n];
        for chunk in bytes.chunks_mut(4) {
            let w = self.u32().to_le_bytes();
            chunk.copy_from_slice(&w[..chunk.len()]);
        }
        alloy_primitives::hex::encode(bytes)
    }

    /// An EIP-55 address with both upper- and lowercase letters.
    fn address(&mut self) -> String {
        loop {
            let raw: alloy_primitives::Address = format!("0x{}", self.hex(20)).parse().expect("20 bytes of hex");
            let text = raw.to_checksum(None);
            if text.bytes().any(|b| (b'A'..=b'F').contains(&b)) && text.bytes().any(|b| (b'a'..=b'f').contains(&b)) {
                return text;
            }
        }
    }

    fn hash(&mut self) -> String {
        format!("0x{}", self.hex(32))
    }
}

/// The five chains: id, deploy-helper network name, saveDeployment network name.
const CHAINS: [(u64, &str, &str); 5] = [
    (56, "bsc", "bscmainnet"),
    (97, "bscTestnet", "bsctestnet"),
    (84532, "baseSepolia", "basesepolia"),
    (11155420, "opSepolia", "optimismsepolia"),
    (23295, "sapphireTestnet", "sapphiretestnet"),
];

struct ChainPool {
    governance: String,
    lookcoin_proxy: String,
    endpoint: String,
}

struct Pools {
    code_hashes: Vec<String>,
    per_chain: Vec<ChainPool>,
}

fn make_pools(rng: &mut Rng) -> Pools {
    let code_hashes = (0..64).map(|_| rng.hash()).collect();
    let per_chain = CHAINS
        .iter()
        .map(|_| ChainPool { governance: rng.address(), lookcoin_proxy: rng.address(), endpoint: rng.address() })
        .collect();
    Pools { code_hashes, per_chain }
}

/// The i-th record as `(key, compact JSON value)`, the field order and bytes of `JSON.stringify` in synth.mjs.
fn large_record(i: usize, rng: &mut Rng, pools: &Pools) -> (String, String) {
    let (chain_id, helper_name, canonical_name) = CHAINS[i % CHAINS.len()];
    let p = &pools.per_chain[i % CHAINS.len()];
    let contract_name = format!("Contract{i:05}");
    let hash = &pools.code_hashes[i % pools.code_hashes.len()];
    let helper = rng.chance(0.7);
    let deployment_args = if helper {
        let q = |s: &str| format!("\"{s}\"");
        Some(match rng.int(0, 4) {
            0 => format!("[{}]", q(&p.governance)),
            1 => format!("[{},\"{}000000000000000000000000\"]", q(&p.governance), rng.int(1, 99)),
            2 => format!("[{},{},{}]", q(&p.lookcoin_proxy), q(&p.endpoint), q(&p.governance)),
            3 => {
                let (a, b) = (rng.address(), rng.address());
                format!("[{},{},{},{}]", q(&p.lookcoin_proxy), q(&a), q(&b), q(&p.governance))
            }
            _ => {
                let n = rng.int(0, 10000);
                format!("[{},[56,8453,10,9070],{n},{}]", q(&p.governance), rng.chance(0.5))
            }
        })
    } else {
        None
    };
    let network_name = if helper { helper_name } else { canonical_name };
    let address = rng.address();
    let mut value = format!(
        "{{\"contractName\":\"{contract_name}\",\"chainId\":{chain_id},\"networkName\":\"{network_name}\",\
         \"address\":\"{address}\",\"factoryByteCodeHash\":\"{hash}\""
    );
    if rng.chance(0.85) {
        value.push_str(&format!(",\"implementationHash\":\"{hash}\""));
    }
    if rng.chance(0.9) {
        value.push_str(&format!(",\"proxyAddress\":\"{}\"", rng.address()));
    }
    if let Some(args) = deployment_args {
        value.push_str(&format!(",\"deploymentArgs\":{args}"));
    }
    let timestamp = 1_753_000_000_000u64 + i as u64 * 150_000 + u64::from(rng.int(0, 99_999));
    value.push_str(&format!(",\"timestamp\":{timestamp}}}"));
    (format!("{chain_id}-{contract_name}"), value)
}

/// The first `n` records of make-db.mjs's database (seed 0x4004).
fn synthetic_entries(n: usize) -> SourceEntries {
    let mut rng = Rng(0x4004);
    let pools = make_pools(&mut rng);
    (0..n)
        .map(|i| {
            let (k, v) = large_record(i, &mut rng, &pools);
            (k.into_bytes(), v.into_bytes())
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------------------------
// Fixtures, built once per size on first use.

/// Writes entries as C++ LevelDB (classic-level) leaves them: snappy tables, batches of 1000, and the log flushed
/// into a table by one more open (as make-db.mjs does), so that every read sees the same steady state.
fn write_leveldb(dir: &Path, entries: &SourceEntries) {
    let options = || Options { compressor: SnappyCompressor::ID, ..Options::default() };
    let mut db = DB::open(dir, options()).expect("create the bench LevelDB");
    let items: Vec<_> = entries.iter().collect();
    for chunk in items.chunks(1000) {
        let mut batch = WriteBatch::default();
        for (k, v) in chunk {
            batch.put(k, v);
        }
        db.write(batch, false).expect("write a batch");
    }
    db.close().expect("close the bench LevelDB");
    let mut db = DB::open(dir, Options { reuse_logs: false, ..options() }).expect("reopen the bench LevelDB");
    db.close().expect("close the bench LevelDB");
}

/// Copies the regular files of a folder (a second LevelDB for the raw scan, which opens its folder in place).
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create the copy");
    for entry in std::fs::read_dir(from).expect("list the LevelDB") {
        let entry = entry.expect("list the LevelDB");
        if entry.file_type().expect("file type").is_file() {
            std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy a file");
        }
    }
}

struct Fixture {
    entries: SourceEntries,
    /// The LevelDB `read_leveldb` reads (never opened in place).
    leveldb: PathBuf,
    /// A copy of it that the raw rusty-leveldb scan opens in place.
    raw_leveldb: PathBuf,
    /// The rendered, proven output files.
    files: Vec<OutputFile>,
    /// Those files, written.
    json: PathBuf,
}

struct Fixtures {
    root: tempfile::TempDir,
    built: RefCell<BTreeMap<usize, Rc<Fixture>>>,
}

impl Fixtures {
    fn new() -> Self {
        let root = tempfile::Builder::new().prefix("lookcoin-bench-").tempdir().expect("a temporary folder");
        Fixtures { root, built: RefCell::new(BTreeMap::new()) }
    }

    fn get(&self, n: usize) -> Rc<Fixture> {
        if let Some(f) = self.built.borrow().get(&n) {
            return Rc::clone(f);
        }
        let fixture = Rc::new(self.build(n));
        self.built.borrow_mut().insert(n, Rc::clone(&fixture));
        fixture
    }

    fn build(&self, n: usize) -> Fixture {
        let base = self.root.path().join(n.to_string());
        let entries = synthetic_entries(n);
        let leveldb = base.join("leveldb");
        write_leveldb(&leveldb, &entries);
        let raw_leveldb = base.join("leveldb-raw");
        copy_folder(&leveldb, &raw_leveldb);
        let read = read_leveldb(&leveldb).expect("the bench LevelDB reads");
        assert_eq!(read.entries, entries, "the bench LevelDB reads back to what was written");
        let (_, files) = migrate_to_files(&entries, "bench", MIGRATED_AT, "bench").expect("the bench entries migrate");
        let json = base.join("json");
        write_output(&json, &files).expect("write the bench JSON");
        let value_bytes: usize = entries.values().map(Vec::len).sum();
        let json_bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
        eprintln!(
            "fixture {n}: {} records, mean value {} bytes, entries sha256 {}, {} JSON files of {json_bytes} bytes",
            entries.len(),
            value_bytes / n.max(1),
            entries_sha256(entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice()))),
            files.len(),
        );
        Fixture { entries, leveldb, raw_leveldb, files, json }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Benches.

/// The rusty-leveldb scan alone, with the options `read_leveldb` uses: open in place, iterate, collect.
fn raw_scan(dir: &Path) -> SourceEntries {
    let options = Options { create_if_missing: false, paranoid_checks: true, ..Options::default() };
    let mut db = DB::open(dir, options).expect("open the raw LevelDB");
    let mut iter = db.new_iter().expect("iterate");
    let mut entries = SourceEntries::new();
    while iter.advance() {
        if let Some((k, v)) = iter.current() {
            entries.insert(k.to_vec(), v.to_vec());
        }
    }
    drop(iter);
    db.close().expect("close the raw LevelDB");
    entries
}

fn leveldb_scan(c: &mut Criterion, fixtures: &Fixtures) {
    let mut group = c.benchmark_group("leveldb_scan");
    for n in sizes() {
        configure(&mut group, n);
        group.bench_with_input(BenchmarkId::new("read_leveldb", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| read_leveldb(black_box(&f.leveldb)).expect("read"))
        });
        group.bench_with_input(BenchmarkId::new("raw_rusty_leveldb", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| {
                let entries = raw_scan(black_box(&f.raw_leveldb));
                assert_eq!(entries.len(), n);
                entries
            })
        });
    }
    group.finish();
}

fn migrate_group(c: &mut Criterion, fixtures: &Fixtures) {
    let table = NetworkTable::builtin();
    let ctx = MigrationContext {
        networks: &table,
        source: SourceInfo { kind: "leveldb".into(), label: "bench".into() },
        tool_version: "bench".into(),
        migrated_at: MIGRATED_AT,
    };
    let mut group = c.benchmark_group("migrate");
    for n in sizes() {
        configure(&mut group, n);
        group.bench_with_input(BenchmarkId::new("core_migrate", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| migrate(black_box(&f.entries), &ctx))
        });
        group.bench_with_input(BenchmarkId::new("parallel_parse+migrate_parsed", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| {
                let entries = black_box(&f.entries);
                let parsed = parallel::parse_entries(entries);
                let (digest, migration) =
                    parallel::join(|| source_digest(entries), || migrate_parsed(entries, &parsed, &ctx));
                (parsed, migration.with_source_digest(digest))
            })
        });
        group.bench_with_input(BenchmarkId::new("parallel_parse", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| parallel::parse_entries(black_box(&f.entries)))
        });
        group.bench_with_input(BenchmarkId::new("migrate_parsed", n), &n, |b, &n| {
            let f = fixtures.get(n);
            let parsed = parallel::parse_entries(&f.entries);
            b.iter_with_large_drop(|| migrate_parsed(black_box(&f.entries), &parsed, &ctx))
        });
        group.bench_with_input(BenchmarkId::new("core_migrate+render", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| render_migration(&migrate(black_box(&f.entries), &ctx)))
        });
        group.bench_with_input(BenchmarkId::new("migrate_to_files", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| {
                migrate_to_files(black_box(&f.entries), "bench", MIGRATED_AT, "bench").expect("migrate")
            })
        });
    }
    group.finish();
}

/// Schema-validates every JSON file of a folder, as `validate` does file by file.
fn validate_files(dir: &Path) {
    for file in json_files(dir).expect("list the output") {
        let (_, value) = read_json(&file).expect("read a written file");
        check_schema(&file, &value).expect("a written file is valid");
    }
}

fn write_validate(c: &mut Criterion, fixtures: &Fixtures) {
    let mut group = c.benchmark_group("write_validate");
    let scratch = || tempfile::Builder::new().prefix("lookcoin-bench-out-").tempdir().expect("a scratch folder");
    for n in sizes() {
        configure(&mut group, n);
        group.bench_with_input(BenchmarkId::new("write_output", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_batched(
                scratch,
                |dir| {
                    write_output(&dir.path().join("out"), black_box(&f.files)).expect("write");
                    dir // removed after the timing
                },
                BatchSize::PerIteration,
            )
        });
        group.bench_with_input(BenchmarkId::new("write_output+schema", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_batched(
                scratch,
                |dir| {
                    let out = dir.path().join("out");
                    write_output(&out, black_box(&f.files)).expect("write");
                    validate_files(&out);
                    dir
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

fn read_json_group(c: &mut Criterion, fixtures: &Fixtures) {
    let mut group = c.benchmark_group("read_json");
    for n in sizes() {
        configure(&mut group, n);
        group.bench_with_input(BenchmarkId::new("read_documents+into_entries", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| {
                let docs = read_documents(black_box(&f.json)).expect("read");
                let entries = docs.into_entries(&f.json).expect("entries");
                assert_eq!(entries.len(), n);
                entries
            })
        });
        group.bench_with_input(BenchmarkId::new("read_leveldb+parse", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| {
                let read = read_leveldb(black_box(&f.leveldb)).expect("read");
                let entries = parallel::parse_entries(&read.entries);
                assert_eq!(entries.len(), n);
                entries
            })
        });
    }
    group.finish();
}

fn inspect_rows(c: &mut Criterion, fixtures: &Fixtures) {
    let mut group = c.benchmark_group("inspect_rows");
    for n in sizes() {
        configure(&mut group, n);
        group.bench_with_input(BenchmarkId::new("leveldb", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| load_rows(black_box(&f.leveldb)).expect("rows"))
        });
        group.bench_with_input(BenchmarkId::new("json", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| load_rows(black_box(&f.json)).expect("rows"))
        });
    }
    group.finish();
}

/// The typed documents of a set of files, as `prove_files` builds them.
fn typed_documents(values: Vec<Value>) -> (Vec<ChainDocument>, Option<QuarantineDocument>) {
    let mut chains = Vec::new();
    let mut quarantine = None;
    for value in values {
        match value.get("kind").and_then(Value::as_str) {
            Some("chain") => chains.push(serde_json::from_value(value).expect("a chain document")),
            Some("quarantine") => quarantine = Some(serde_json::from_value(value).expect("the quarantine")),
            _ => {}
        }
    }
    (chains, quarantine)
}

/// The self-proof of `migrate_to_files`, step by step.
fn proof_phases(c: &mut Criterion, fixtures: &Fixtures) {
    let mut group = c.benchmark_group("proof_phases");
    let parse = |files: &[OutputFile]| -> Vec<Value> {
        files.iter().map(|f| serde_json::from_slice(&f.bytes).expect("JSON")).collect()
    };
    for n in sizes() {
        configure(&mut group, n);
        group.bench_with_input(BenchmarkId::new("parse_entries", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| parse_entries(black_box(&f.entries)))
        });
        group.bench_with_input(BenchmarkId::new("files_to_value", n), &n, |b, &n| {
            let f = fixtures.get(n);
            b.iter_with_large_drop(|| parse(black_box(&f.files)))
        });
        group.bench_with_input(BenchmarkId::new("schema_validate", n), &n, |b, &n| {
            let values = parse(&fixtures.get(n).files);
            b.iter(|| values.iter().map(|v| lookcoin_state::core::schema::validate(black_box(v)).len()).sum::<usize>())
        });
        group.bench_with_input(BenchmarkId::new("value_to_typed", n), &n, |b, &n| {
            let values = parse(&fixtures.get(n).files);
            b.iter_batched(|| values.clone(), typed_documents, BatchSize::PerIteration)
        });
        group.bench_with_input(BenchmarkId::new("unmigrate_owned", n), &n, |b, &n| {
            let (chains, quarantine) = typed_documents(parse(&fixtures.get(n).files));
            b.iter_batched(
                || (chains.clone(), quarantine.clone()),
                |(chains, quarantine)| unmigrate_owned(chains, quarantine).expect("unmigrate"),
                BatchSize::PerIteration,
            )
        });
        group.bench_with_input(BenchmarkId::new("prove_files", n), &n, |b, &n| {
            let f = fixtures.get(n);
            let expected = parse_entries(&f.entries);
            b.iter(|| lookcoin_state::pipeline::proof::prove_files(black_box(&expected), &f.files).expect("proven"))
        });
    }
    group.finish();
}

fn main() {
    let fixtures = Fixtures::new();
    let mut c = Criterion::default().configure_from_args();
    leveldb_scan(&mut c, &fixtures);
    migrate_group(&mut c, &fixtures);
    write_validate(&mut c, &fixtures);
    read_json_group(&mut c, &fixtures);
    inspect_rows(&mut c, &fixtures);
    if std::env::var_os("LOOKCOIN_BENCH_PHASES").is_some_and(|v| v == "1") {
        proof_phases(&mut c, &fixtures);
    }
    c.final_summary();
    drop(fixtures); // removes the temporary folders
}

//! `rollback`: documents back to a LevelDB. The law inspect(rollback(migrate(db))) == inspect(db) on generated
//! sources; C++ LevelDB (Node `classic-level`, `fixtures/generator/read.mjs`) reads a rolled-back fixture byte for
//! byte as it read the original, and an edited folder with the edit; the safety rules of the target (never
//! inside, equal to or a parent of the documents; --force with a backup; a live writer refused). Writes
//! temporary folders only; spawns `node` (needs `cd fixtures/generator && npm ci`) and `python3`.

use crate::binary_contract::{lookcoin, migrate, Run};
use crate::strategies::{self, check, migrated_files};
use crate::support::{self, LockHolder, LockKind};
use lookcoin_state::core::inspect::{rows_of_raw, rows_to_json};
use lookcoin_state::core::primitives::TimestampMs;
use lookcoin_state::core::record::SourceEntries;
use lookcoin_state::core::reports::rollback::RollbackReport;
use lookcoin_state::io::atomic::write_output;
use lookcoin_state::io::leveldb::read_leveldb;
use lookcoin_state::pipeline::rollback::{rollback, RollbackOptions};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::Value;
use std::ffi::OsStr;
use std::path::Path;

/// Each case writes and reads a real LevelDB folder.
const CASES: u32 = 32;

const OPTIONS: RollbackOptions = RollbackOptions { dry_run: false, force: false, at: TimestampMs(1_754_400_000_000) };

/// migrate (in memory) -> files in a folder -> rollback -> the LevelDB's entries, read through the checked reader.
fn round_trip(entries: &SourceEntries) -> Result<SourceEntries, TestCaseError> {
    let work = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    let json = work.path().join("json");
    write_output(&json, &migrated_files(entries)).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let out = work.path().join("db");
    rollback(&json, &out, OPTIONS).map_err(|e| TestCaseError::fail(e.to_string()))?;
    Ok(read_leveldb(&out).map_err(|e| TestCaseError::fail(e.to_string()))?.entries)
}

/// Sources stored as the writers store them (valid records canonical, invalid entries of every kind): the rolled
/// back LevelDB holds the same keys and the same value bytes.
#[test]
fn rollback_of_a_migration_gives_back_every_key_and_value_byte() {
    check(CASES, strategies::canonical_source(), |source| {
        let back = round_trip(&source.entries)?;
        prop_assert_eq!(back, source.entries);
        Ok(())
    });
}

/// Any source (records in other field orders and spacings too): inspect(rollback(migrate(db))) == inspect(db).
#[test]
fn inspect_of_rollback_of_migration_equals_inspect_of_the_source() {
    check(CASES, strategies::source(), |source| {
        let back = round_trip(&source.entries)?;
        prop_assert_eq!(rows_to_json(&rows_of_raw(&back)), rows_to_json(&rows_of_raw(&source.entries)));
        Ok(())
    });
}

/// The records C++ LevelDB's iterator returns for a folder, as `(key, value)` bytes in key order.
fn read_with_classic_level(dir: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let generator = support::root().join("fixtures/generator");
    assert!(
        generator.join("node_modules/classic-level").is_dir(),
        "the C++ LevelDB reader is not installed: run `cd fixtures/generator && npm ci` (node >= 18)"
    );
    let output = std::process::Command::new("node")
        .arg(generator.join("read.mjs"))
        .arg(dir)
        .output()
        .expect("node is needed to read a LevelDB with C++ LevelDB (classic-level)");
    assert!(output.status.success(), "read.mjs failed: {}", String::from_utf8_lossy(&output.stderr));
    let doc: Value = serde_json::from_slice(&output.stdout).expect("read.mjs prints JSON");
    records(&doc)
}

fn records(doc: &Value) -> Vec<(Vec<u8>, Vec<u8>)> {
    let hex = |v: &Value| alloy_primitives::hex::decode(v.as_str().expect("hex")).expect("hex");
    doc["records"].as_array().expect("records").iter().map(|r| (hex(&r["keyHex"]), hex(&r["valueHex"]))).collect()
}

fn rollback_run(json: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> =
        vec!["rollback".as_ref(), "--json".as_ref(), json.as_ref(), "--out".as_ref(), out.as_ref()];
    args.extend(extra.iter().map(OsStr::new));
    lookcoin(&args)
}

/// Migrates a copy of a fixture to `<work>/json`; returns the work folder.
fn migrated_fixture(name: &str) -> tempfile::TempDir {
    let source = support::fixture_copy(name);
    let work = tempfile::tempdir().expect("temp dir");
    let run = migrate(source.path(), &work.path().join("json"), &[]);
    assert!(run.code <= 1, "{run}");
    work
}

#[test]
fn classic_level_reads_each_rolled_back_fixture_byte_for_byte_as_the_original() {
    for name in ["realistic", "log-tail", "hostile", "history"] {
        let work = migrated_fixture(name);
        let out = work.path().join("db");
        let run = rollback_run(&work.path().join("json"), &out, &["--format", "json"]);
        assert_eq!(run.code, 0, "{name}: {run}");
        let report = run.json();
        assert!(report["documents"].as_array().unwrap().iter().all(|d| d["asMigrated"] == true), "{name}");
        let original = records(&support::expected(name));
        assert_eq!(read_with_classic_level(&out), original, "{name}: C++ LevelDB reads the rollback as the original");
    }
}

#[test]
fn classic_level_reads_an_edited_folder_with_its_added_and_changed_records() {
    let work = migrated_fixture("realistic");
    let json = work.path().join("json");
    let doc_path = json.join("bsctestnet.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&doc_path).unwrap()).unwrap();
    doc["contracts"]["LookCoin"]["networkName"] = Value::String("bnbTestnet".into());
    let added = serde_json::json!({
        "category": "other",
        "networkName": "bscTestnet",
        "address": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "factoryByteCodeHash": "0x1111111111111111111111111111111111111111111111111111111111111111",
        "implementationHash": "0x1111111111111111111111111111111111111111111111111111111111111111",
        "proxyAddress": "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "deploymentArgs": ["20000000000000000000000000", [97, 84532], true],
        "timestamp": 1755000000000u64
    });
    doc["contracts"].as_object_mut().unwrap().insert("Treasury".into(), added);
    std::fs::write(&doc_path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    // An edit invalidates the manifest's digests; the folder is read as plain documents.
    std::fs::remove_file(json.join("manifest.json")).unwrap();

    let out = work.path().join("db");
    let run = rollback_run(&json, &out, &["--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let edited: Vec<String> = run.json()["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["asMigrated"] == false)
        .map(|d| d["document"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(edited, ["chain 97"]);

    let mut expected = records(&support::expected("realistic"));
    let lookcoin = expected.iter_mut().find(|(k, _)| k == b"97-LookCoin").expect("97-LookCoin");
    let old = String::from_utf8(lookcoin.1.clone()).unwrap();
    let new = old.replace(r#""networkName":"bsctestnet""#, r#""networkName":"bnbTestnet""#);
    assert_ne!(old, new, "the original value holds the old network name");
    lookcoin.1 = new.into_bytes();
    // The deploy script's shape: JSON.stringify of the record object, fields in the writer's order.
    let treasury = r#"{"contractName":"Treasury","chainId":97,"networkName":"bscTestnet","address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","factoryByteCodeHash":"0x1111111111111111111111111111111111111111111111111111111111111111","implementationHash":"0x1111111111111111111111111111111111111111111111111111111111111111","proxyAddress":"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359","deploymentArgs":["20000000000000000000000000",[97,84532],true],"timestamp":1755000000000}"#;
    expected.push((b"97-Treasury".to_vec(), treasury.as_bytes().to_vec()));
    expected.sort();
    assert_eq!(read_with_classic_level(&out), expected);
}

#[test]
fn an_out_equal_to_inside_or_above_the_documents_is_refused_before_writing() {
    let work = migrated_fixture("realistic");
    let json = work.path().join("json");
    let link = work.path().join("link");
    std::os::unix::fs::symlink(&json, &link).unwrap();
    let before = support::folder_bytes(&json);
    for out in [json.clone(), json.join("db"), work.path().to_path_buf(), link.clone(), link.join("db")] {
        let run = rollback_run(&json, &out, &[]);
        run.assert_error(2, "MIGRATION-001", &out);
        assert_eq!(support::folder_bytes(&json), before, "{}: the documents are untouched", out.display());
    }
    assert!(!json.join("db").exists());
}

#[test]
fn an_existing_out_needs_force_and_is_kept_as_a_backup() {
    let work = migrated_fixture("realistic");
    let json = work.path().join("json");
    let out = work.path().join("db");
    assert_eq!(rollback_run(&json, &out, &[]).code, 0);
    let first = support::folder_bytes(&out);
    rollback_run(&json, &out, &[]).assert_error(2, "MIGRATION-001", &out);
    assert_eq!(support::folder_bytes(&out), first, "refused: nothing changed");
    let run = rollback_run(&json, &out, &["--force", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    let backup = run.json()["backup"].as_str().expect("a backup path").to_string();
    let kept: Vec<_> = support::folder_bytes(Path::new(&backup))
        .into_iter()
        .filter(|(name, _)| name != lookcoin_state::io::backup::BACKUP_MARKER)
        .collect();
    assert_eq!(kept, first, "the backup is the previous folder");
    assert_eq!(
        read_leveldb(&out).unwrap().entries.len(),
        support::expected("realistic")["count"].as_u64().unwrap() as usize
    );
    let names = crate::binary_contract::names(work.path());
    assert!(names.iter().all(|n| !n.starts_with(".lookcoin-state-rollback-")), "no staging folder left: {names:?}");
}

#[test]
fn a_target_held_by_a_live_writer_is_refused_with_leveldb_002() {
    let work = migrated_fixture("realistic");
    let json = work.path().join("json");
    let out = work.path().join("db");
    assert_eq!(rollback_run(&json, &out, &[]).code, 0);
    let before = support::folder_bytes(&out);
    let _holder = LockHolder::spawn(&out.join("LOCK"), LockKind::Fcntl);
    rollback_run(&json, &out, &["--force"]).assert_error(3, "LEVELDB-002", &out.join("LOCK"));
    assert_eq!(support::folder_bytes(&out), before);
}

#[test]
fn a_dry_run_checks_everything_and_writes_nothing() {
    let work = migrated_fixture("hostile");
    let out = work.path().join("db");
    let run = rollback_run(&work.path().join("json"), &out, &["--dry-run", "--format", "json"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.json()["entries"].as_u64(), support::expected("hostile")["count"].as_u64());
    assert!(!out.exists());
    assert_eq!(crate::binary_contract::names(work.path()), ["json"]);
}

#[test]
fn documents_that_do_not_form_one_record_set_are_json_003_and_nothing_is_written() {
    let work = migrated_fixture("realistic");
    let json = work.path().join("json");
    std::fs::copy(json.join("bsctestnet.json"), json.join("bsctestnet-copy.json")).unwrap();
    std::fs::remove_file(json.join("manifest.json")).unwrap();
    let out = work.path().join("db");
    rollback_run(&json, &out, &[]).assert_error(2, "JSON-003", &json);
    assert!(!out.exists());
}

/// Snapshots of `rollback` of the migrated realistic fixture over an existing folder, both formats (paths fixed).
#[test]
fn rollback_renderings() {
    let work = migrated_fixture("realistic");
    let json = work.path().join("json");
    let out = work.path().join("db");
    rollback(&json, &out, OPTIONS).expect("first rollback");
    let mut report = rollback(&json, &out, RollbackOptions { force: true, ..OPTIONS }).expect("rollback --force");
    let backup = report.backup.take().expect("a backup");
    assert!(backup.ends_with("db.backup-20250805T132000000Z"), "{backup}");
    report.backup = Some("db.backup-20250805T132000000Z".into());
    report.json = "json".into();
    report.out = "db".into();
    let render = |f: fn(&mut dyn std::io::Write, &RollbackReport) -> std::io::Result<()>| {
        let mut out = Vec::new();
        f(&mut out, &report).expect("renders");
        String::from_utf8(out).expect("UTF-8")
    };
    support::assert_snapshot("rollback_human", &render(lookcoin_state::report::human::rollback));
    support::assert_snapshot("rollback_json", &render(lookcoin_state::report::json::rollback));
}

//! `history` against C++ LevelDB: every version the fixture generator wrote and that survived compaction is
//! found with its sequence number, kind, value and liveness (the generator tracked every write and which ones the
//! compaction dropped, `fixtures/leveldb/history.expected.json`); the live view equals what the reader returns on
//! every fixture; `--recover` finds the arguments a later writer dropped; `migrate --recover-fields` brings them
//! into the documents only when asked. Reads and damages private copies of the fixtures; writes temporary folders.

use crate::binary_contract::{lookcoin, migrate};
use crate::strategies::check;
use crate::support;
use lookcoin_state::core::history::{live_entries, FieldChange, Liveness};
use lookcoin_state::core::leveldb_format::VersionKind;
use lookcoin_state::core::reports::history::HistoryReport;
use lookcoin_state::error::ErrorCode;
use lookcoin_state::io::leveldb::read_leveldb;
use lookcoin_state::pipeline::history::{history, HistoryOptions};
use proptest::prelude::*;
use proptest::sample::Index;
use serde_json::Value;
use std::path::Path;

const FIXTURES: [&str; 5] = ["realistic", "log-tail", "hostile", "large-10k", "history"];

fn all_versions(dir: &Path, recover: bool) -> HistoryReport {
    history(dir, &HistoryOptions { key: None, recover })
        .unwrap_or_else(|e| panic!("history of {}:\n{e}", dir.display()))
}

fn hex(text: &Value) -> Vec<u8> {
    alloy_primitives::hex::decode(text.as_str().expect("hex string")).expect("hex")
}

fn liveness(text: &str) -> Liveness {
    match text {
        "live" => Liveness::Live,
        "shadowed" => Liveness::Shadowed,
        "deleted" => Liveness::Deleted,
        "tombstone" => Liveness::Tombstone,
        other => panic!("unknown liveness {other}"),
    }
}

#[test]
fn every_surviving_write_is_found_with_its_sequence_kind_value_and_liveness() {
    let expected = support::expected("history");
    let writes = expected["writes"].as_array().expect("writes");
    let copy = support::fixture_copy("history");
    let report = all_versions(copy.path(), false);
    let mut surviving = 0;
    for write in writes {
        let key = hex(&write["keyHex"]);
        let seq = write["seq"].as_u64().expect("seq");
        let found = report.versions.iter().find(|v| v.key == key && v.sequence == seq);
        if !write["survives"].as_bool().expect("survives") {
            assert!(found.is_none(), "seq {seq} was dropped by the compaction, yet history lists it");
            continue;
        }
        surviving += 1;
        let found = found.unwrap_or_else(|| panic!("seq {seq} of {} is missing", String::from_utf8_lossy(&key)));
        let kind = if write["kind"] == "value" { VersionKind::Value } else { VersionKind::Deletion };
        assert_eq!(found.kind, kind, "seq {seq}");
        assert_eq!(found.value, write.get("valueHex").map(hex), "seq {seq}");
        assert_eq!(found.liveness, liveness(write["liveness"].as_str().expect("liveness")), "seq {seq}");
    }
    assert_eq!(report.versions.len(), surviving, "history lists nothing the generator did not write");
    assert!(writes.len() > surviving, "the fixture has writes the compaction dropped");
    for liveness in [Liveness::Live, Liveness::Shadowed, Liveness::Deleted, Liveness::Tombstone] {
        assert!(report.count(liveness) > 0, "the fixture holds {liveness:?} versions");
    }
    let in_log = report.versions.iter().filter(|v| v.files.iter().any(|f| f.ends_with(".log"))).count();
    assert!(in_log > 0 && in_log < surviving, "versions in the log and in tables");
}

#[test]
fn the_live_view_of_history_equals_the_reader_on_every_fixture() {
    for name in FIXTURES {
        let copy = support::fixture_copy(name);
        let report = all_versions(copy.path(), false);
        let read = read_leveldb(copy.path()).expect("reads");
        assert!(live_entries(&report.versions) == read.entries, "{name}: live versions differ from the reader");
        let expected = support::expected(name);
        assert_eq!(report.count(Liveness::Live) as u64, expected["count"].as_u64().unwrap(), "{name}");
    }
}

#[test]
fn history_of_one_key_lists_only_that_key_newest_first() {
    let copy = support::fixture_copy("history");
    let options = HistoryOptions { key: Some(b"97-LookCoin".to_vec()), recover: false };
    let report = history(copy.path(), &options).expect("history");
    let seqs: Vec<u64> = report.versions.iter().map(|v| v.sequence).collect();
    let mut sorted = seqs.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert!(seqs.len() >= 3 && seqs == sorted, "{seqs:?}");
    assert!(report.versions.iter().all(|v| v.key == b"97-LookCoin"));
    assert_eq!(report.versions[0].liveness, Liveness::Live);
}

/// The newest older value of `key` (by the generator's own record of writes) that holds `field`.
fn newest_older_with(writes: &[Value], key: &[u8], field: &str) -> (u64, Value) {
    let mut values: Vec<(u64, Value)> = writes
        .iter()
        .filter(|w| hex(&w["keyHex"]) == key && w["survives"] == true && w["liveness"] != "live")
        .filter_map(|w| {
            let value: Value = serde_json::from_slice(&hex(w.get("valueHex")?)).ok()?;
            Some((w["seq"].as_u64()?, value.get(field)?.clone()))
        })
        .collect();
    values.sort_by_key(|(seq, _)| *seq);
    values.pop().expect("an older version holds the field")
}

#[test]
fn recover_finds_the_arguments_a_later_writer_dropped() {
    let expected = support::expected("history");
    let writes = expected["writes"].as_array().expect("writes");
    let copy = support::fixture_copy("history");
    let report = all_versions(copy.path(), true);
    let recovered = report.recovered.expect("--recover");
    let lookcoin = recovered.iter().find(|r| r.key == b"97-LookCoin").expect("97-LookCoin has recoverable fields");
    let args = lookcoin.fields.iter().find(|f| f.field == "deploymentArgs").expect("deploymentArgs");
    assert_eq!(args.change, FieldChange::Dropped);
    assert_eq!(args.live_value, None);
    assert_eq!((args.sequence, args.value.clone()), newest_older_with(writes, b"97-LookCoin", "deploymentArgs"));
    let name = lookcoin.fields.iter().find(|f| f.field == "networkName").expect("networkName");
    assert_eq!(name.change, FieldChange::Changed);
    assert_eq!(name.value, Value::String("bscTestnet".into()));
    assert_eq!(name.live_value, Some(Value::String("bsctestnet".into())));
    // A key whose live version is the helper's (with args) has no dropped args to recover.
    let router = recovered.iter().find(|r| r.key == b"97-CrossChainRouter");
    assert!(router.is_none(), "97-CrossChainRouter was written once");
}

#[test]
fn a_corrupt_table_is_leveldb_001_naming_the_file_and_the_source_is_unchanged() {
    let copy = support::fixture_copy("history");
    let table = support::names_with(copy.path(), ".ldb").into_iter().next().expect("a table");
    let path = copy.path().join(&table);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[20] ^= 0x40;
    std::fs::write(&path, &bytes).unwrap();
    let before = support::folder_bytes(copy.path());
    let err = history(copy.path(), &HistoryOptions::default()).expect_err("a flipped byte is caught");
    assert_eq!(err.code(), ErrorCode::LevelDb001);
    assert_eq!(err.subject, path.display().to_string());
    assert_eq!(support::folder_bytes(copy.path()), before);
}

/// One flipped byte anywhere in a table or the log: history is LEVELDB-001 naming that file, or (a byte no
/// decoded block covers, such as the filter block) exactly the versions of the intact folder. Never a panic,
/// never other versions.
#[test]
fn one_flipped_byte_is_leveldb_001_naming_the_file_or_changes_nothing() {
    let intact = support::fixture_copy("history");
    let expected = all_versions(intact.path(), false).versions;
    let files: Vec<(String, usize)> = support::folder_bytes(intact.path())
        .into_iter()
        .filter(|(name, _)| name.ends_with(".ldb") || name.ends_with(".log"))
        .map(|(name, bytes)| (name, bytes.len()))
        .collect();
    let strategy = (any::<Index>(), any::<Index>(), 1u8..=255);
    check(64, strategy, |(file, at, mask)| {
        let (name, len) = file.get(&files);
        let copy = support::fixture_copy("history");
        let path = copy.path().join(name);
        let mut bytes = std::fs::read(&path).expect("read");
        bytes[at.index(*len)] ^= mask;
        std::fs::write(&path, &bytes).expect("write");
        match history(copy.path(), &HistoryOptions::default()) {
            Ok(report) => prop_assert!(report.versions == expected, "Ok with other versions"),
            Err(e) => {
                prop_assert_eq!(e.code(), ErrorCode::LevelDb001, "{}", e);
                prop_assert_eq!(&e.subject, &path.display().to_string(), "the error names the file");
            }
        }
        Ok(())
    });
}

#[test]
fn history_binary_leaves_the_source_byte_identical_and_renders_json() {
    let copy = support::fixture_copy("history");
    let before = support::folder_bytes(copy.path());
    let run = lookcoin(&[
        "history".as_ref(),
        copy.path().as_os_str(),
        "--recover".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(run.code, 0, "{run}");
    let doc = run.json();
    assert_eq!(doc["command"], "history");
    assert_eq!(doc["summary"]["versions"].as_u64(), Some(doc["versions"].as_array().unwrap().len() as u64));
    assert!(doc["recovered"].as_array().is_some_and(|r| !r.is_empty()));
    assert_eq!(support::folder_bytes(copy.path()), before, "history never changes the folder it reads");
}

#[test]
fn migrate_recover_fields_marks_recovered_fields_and_only_with_the_flag() {
    let source = support::fixture_copy("history");
    let work = tempfile::tempdir().unwrap();
    let with = work.path().join("with");
    let without = work.path().join("without");
    let run = migrate(source.path(), &with, &["--recover-fields"]);
    assert!(run.code <= 1, "{run}");
    let run = migrate(source.path(), &without, &[]);
    assert!(run.code <= 1, "{run}");
    let doc = |dir: &Path| -> Value {
        serde_json::from_slice(&std::fs::read(dir.join("bsctestnet.json")).unwrap()).expect("chain document")
    };
    let record = &doc(&with)["contracts"]["LookCoin"];
    let expected = support::expected("history");
    let (seq, args) = newest_older_with(expected["writes"].as_array().unwrap(), b"97-LookCoin", "deploymentArgs");
    assert_eq!(record["recovered"]["deploymentArgs"]["value"], args);
    assert_eq!(record["recovered"]["deploymentArgs"]["sequence"].as_u64(), Some(seq));
    assert!(record["recovered"].get("networkName").is_none(), "a changed field is not brought in");
    assert!(record.get("deploymentArgs").is_none(), "the live record itself is unchanged");
    let plain = std::fs::read_to_string(without.join("bsctestnet.json")).unwrap();
    assert!(!plain.contains("\"recovered\""), "no recovered field without --recover-fields");
    for dir in [&with, &without] {
        let run = lookcoin(&["validate".as_ref(), dir.as_os_str()]);
        assert_eq!(run.code, 0, "{run}");
    }
    // The recovered fields are not part of the records: both folders hold the same entries.
    let inspect =
        |dir: &Path| lookcoin(&["inspect".as_ref(), dir.as_os_str(), "--format".as_ref(), "json".as_ref()]).stdout;
    assert_eq!(inspect(&with), inspect(&without));
}

/// Snapshots of `history --recover` on the history fixture, both formats (the source path is fixed: the copy's
/// temporary path would change every run).
#[test]
fn history_renderings() {
    let copy = support::fixture_copy("history");
    let mut report = all_versions(copy.path(), true);
    report.source = "fixtures/leveldb/history".to_string();
    let render = |f: fn(&mut dyn std::io::Write, &HistoryReport) -> std::io::Result<()>| {
        let mut out = Vec::new();
        f(&mut out, &report).expect("renders");
        String::from_utf8(out).expect("UTF-8")
    };
    support::assert_snapshot("history_recover_human", &render(lookcoin_state::report::human::history));
    support::assert_snapshot("history_recover_json", &render(lookcoin_state::report::json::history));
}

//! The history of a LevelDB (pure): every version of every key its files still hold, each with its liveness, and
//! the fields older versions held that the live one lacks or changed.
//!
//! Input: the versions decoded from each file (see [`super::leveldb_format`]). One version (key, sequence) may be
//! found in more than one file (a table a compaction made obsolete but did not delete yet); it is listed once,
//! with every file that holds it.

use super::document::RecoveredValue;
use super::leveldb_format::{FoundVersion, VersionKind};
use super::migrate::Migration;
use super::primitives::RecordKey;
use super::record::SourceEntries;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// Where a version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Liveness {
    /// The newest version of its key, a value: what every reader sees.
    Live,
    /// A value with a newer value of the same key.
    Shadowed,
    /// A value whose next newer version is a deletion.
    Deleted,
    /// A deletion marker.
    Tombstone,
}

impl Liveness {
    pub fn as_str(self) -> &'static str {
        match self {
            Liveness::Live => "live",
            Liveness::Shadowed => "shadowed",
            Liveness::Deleted => "deleted",
            Liveness::Tombstone => "tombstone",
        }
    }
}

/// One version of one key, with the files that hold it and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyVersion {
    pub key: Vec<u8>,
    pub sequence: u64,
    pub kind: VersionKind,
    pub value: Option<Vec<u8>>,
    /// File names, in name order.
    pub files: Vec<String>,
    pub liveness: Liveness,
}

/// A version two files disagree about: one (key, sequence) with different kinds or values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub key: Vec<u8>,
    pub sequence: u64,
    pub files: Vec<String>,
}

/// Every version, sorted by key bytes, newest first within a key; liveness decided per key.
pub fn versions(found: Vec<(String, Vec<FoundVersion>)>) -> Result<Vec<KeyVersion>, Conflict> {
    let mut by_id: BTreeMap<(Vec<u8>, std::cmp::Reverse<u64>), KeyVersion> = BTreeMap::new();
    for (file, list) in found {
        for v in list {
            let id = (v.key.clone(), std::cmp::Reverse(v.sequence));
            match by_id.get_mut(&id) {
                Some(seen) if seen.kind == v.kind && seen.value == v.value => {
                    if !seen.files.contains(&file) {
                        seen.files.push(file.clone());
                        seen.files.sort();
                    }
                }
                Some(seen) => {
                    let mut files = seen.files.clone();
                    files.push(file.clone());
                    files.sort();
                    return Err(Conflict { key: v.key, sequence: v.sequence, files });
                }
                None => {
                    let version = KeyVersion {
                        key: v.key,
                        sequence: v.sequence,
                        kind: v.kind,
                        value: v.value,
                        files: vec![file.clone()],
                        liveness: Liveness::Live,
                    };
                    by_id.insert(id, version);
                }
            }
        }
    }
    let mut out: Vec<KeyVersion> = by_id.into_values().collect();
    let mut newer: Option<(Vec<u8>, VersionKind)> = None;
    for v in &mut out {
        let next_newer = newer.as_ref().filter(|(key, _)| *key == v.key).map(|(_, kind)| *kind);
        v.liveness = match (v.kind, next_newer) {
            (VersionKind::Deletion, _) => Liveness::Tombstone,
            (VersionKind::Value, None) => Liveness::Live,
            (VersionKind::Value, Some(VersionKind::Value)) => Liveness::Shadowed,
            (VersionKind::Value, Some(VersionKind::Deletion)) => Liveness::Deleted,
        };
        newer = Some((v.key.clone(), v.kind));
    }
    Ok(out)
}

/// The live entries: what a LevelDB iterator returns.
pub fn live_entries(versions: &[KeyVersion]) -> SourceEntries {
    versions
        .iter()
        .filter(|v| v.liveness == Liveness::Live)
        .filter_map(|v| Some((v.key.clone(), v.value.clone()?)))
        .collect()
}

/// How an older version's field differs from the live value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldChange {
    /// The live value lacks the field.
    Dropped,
    /// The live value holds the field with another value.
    Changed,
}

impl FieldChange {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldChange::Dropped => "dropped",
            FieldChange::Changed => "changed",
        }
    }
}

/// A field an older version of a live record held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveredField {
    pub field: String,
    pub change: FieldChange,
    /// The older version's value of the field.
    pub value: Value,
    /// The live value of the field, when it has one.
    pub live_value: Option<Value>,
    /// The sequence number of the older version it comes from.
    pub sequence: u64,
    pub files: Vec<String>,
}

/// The recoverable fields of one live record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub key: Vec<u8>,
    pub live_sequence: u64,
    pub fields: Vec<RecoveredField>,
}

fn object(bytes: &[u8]) -> Option<Map<String, Value>> {
    match serde_json::from_slice::<Value>(bytes).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// Per live key whose value is a JSON object: the fields an older value version held that the live value lacks
/// (dropped) or holds with another value (changed). Each field is taken from the newest older version that
/// differs from the live value; versions that are not JSON objects are skipped. Keys with nothing to recover are
/// left out. `versions` is as [`versions`] returns it (key order, newest first).
pub fn recover(versions: &[KeyVersion]) -> Vec<Recovery> {
    let mut out = Vec::new();
    for group in versions.chunk_by(|a, b| a.key == b.key) {
        let Some(live) = group.first().filter(|v| v.liveness == Liveness::Live) else { continue };
        let Some(live_obj) = live.value.as_deref().and_then(object) else { continue };
        let mut fields: Vec<RecoveredField> = Vec::new();
        for older in &group[1..] {
            let Some(old_obj) = older.value.as_deref().and_then(object) else { continue };
            for (name, value) in old_obj {
                if fields.iter().any(|f| f.field == name) {
                    continue;
                }
                let change = match live_obj.get(&name) {
                    None => FieldChange::Dropped,
                    Some(now) if *now != value => FieldChange::Changed,
                    Some(_) => continue,
                };
                fields.push(RecoveredField {
                    live_value: live_obj.get(&name).cloned(),
                    field: name,
                    change,
                    value,
                    sequence: older.sequence,
                    files: older.files.clone(),
                });
            }
        }
        if !fields.is_empty() {
            out.push(Recovery { key: live.key.clone(), live_sequence: live.sequence, fields });
        }
    }
    out
}

/// Brings the dropped fields (those the live record lacks) into the migration's chain documents
/// (`ContractEntry::recovered`), each with the sequence number of the version it comes from. A changed field is
/// not brought in (the live value stands), nor a recovery of a key that is not a valid record of a chain
/// document (a quarantined entry). Returns how many fields were brought in.
pub fn bring_into(migration: &mut Migration, recoveries: &[Recovery]) -> usize {
    let mut brought = 0;
    for recovery in recoveries {
        let Ok(key) = std::str::from_utf8(&recovery.key).map(str::parse::<RecordKey>) else { continue };
        let Ok(key) = key else { continue };
        let Some(doc) = migration.chains.iter_mut().find(|d| d.chain_id == key.chain_id.0) else { continue };
        let Some(entry) = doc.contracts.get_mut(&key.contract.0) else { continue };
        for f in recovery.fields.iter().filter(|f| f.change == FieldChange::Dropped) {
            let value = RecoveredValue { value: f.value.clone(), sequence: f.sequence };
            entry.recovered.insert(f.field.clone(), value);
            brought += 1;
        }
    }
    brought
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(key: &str, sequence: u64, value: &str) -> FoundVersion {
        FoundVersion {
            key: key.as_bytes().to_vec(),
            sequence,
            kind: VersionKind::Value,
            value: Some(value.as_bytes().to_vec()),
        }
    }

    fn del(key: &str, sequence: u64) -> FoundVersion {
        FoundVersion { key: key.as_bytes().to_vec(), sequence, kind: VersionKind::Deletion, value: None }
    }

    #[test]
    fn liveness_follows_the_next_newer_version() {
        let found = vec![
            ("000005.ldb".to_string(), vec![put("a", 1, "1"), put("b", 2, "1"), put("c", 3, "1")]),
            ("000007.log".to_string(), vec![put("a", 4, "2"), del("b", 5), del("c", 6), put("c", 7, "3")]),
        ];
        let v = versions(found).unwrap();
        let got: Vec<(&[u8], u64, Liveness)> = v.iter().map(|v| (v.key.as_slice(), v.sequence, v.liveness)).collect();
        assert_eq!(
            got,
            vec![
                (&b"a"[..], 4, Liveness::Live),
                (&b"a"[..], 1, Liveness::Shadowed),
                (&b"b"[..], 5, Liveness::Tombstone),
                (&b"b"[..], 2, Liveness::Deleted),
                (&b"c"[..], 7, Liveness::Live),
                (&b"c"[..], 6, Liveness::Tombstone),
                (&b"c"[..], 3, Liveness::Deleted),
            ]
        );
        let live = live_entries(&v);
        assert_eq!(live.len(), 2);
        assert_eq!(live[&b"a"[..]], b"2");
    }

    #[test]
    fn one_version_in_two_files_is_listed_once_and_a_disagreement_is_an_error() {
        let twice = vec![("1.ldb".to_string(), vec![put("a", 1, "1")]), ("2.ldb".to_string(), vec![put("a", 1, "1")])];
        let v = versions(twice).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].files, ["1.ldb", "2.ldb"]);
        let differ = vec![("1.ldb".to_string(), vec![put("a", 1, "1")]), ("2.ldb".to_string(), vec![put("a", 1, "2")])];
        assert_eq!(versions(differ).unwrap_err().sequence, 1);
    }

    #[test]
    fn recover_lists_dropped_and_changed_fields_from_the_newest_older_version_that_differs() {
        let found = vec![(
            "x.ldb".to_string(),
            vec![
                put("56-A", 1, r#"{"networkName":"bsc","deploymentArgs":[1],"timestamp":1}"#),
                put("56-A", 2, r#"{"networkName":"bsc","deploymentArgs":[2],"timestamp":2}"#),
                put("56-A", 3, r#"{"networkName":"bscmainnet","timestamp":2}"#),
                put("56-B", 4, r#"{"timestamp":1}"#),
            ],
        )];
        let r = recover(&versions(found).unwrap());
        assert_eq!(r.len(), 1, "56-B has no older version");
        assert_eq!(r[0].live_sequence, 3);
        let fields: Vec<(&str, FieldChange, String, u64)> =
            r[0].fields.iter().map(|f| (f.field.as_str(), f.change, f.value.to_string(), f.sequence)).collect();
        assert_eq!(
            fields,
            vec![
                ("networkName", FieldChange::Changed, "\"bsc\"".to_string(), 2),
                ("deploymentArgs", FieldChange::Dropped, "[2]".to_string(), 2),
                ("timestamp", FieldChange::Changed, "1".to_string(), 1),
            ]
        );
    }
}

//! The files `migrate` writes: the enhanced deployment document (schema v2.0.0), one per chain id; the quarantine
//! document; the manifest (pure serde types).
//!
//! No `flatten`, no `untagged`: every document names its `kind` and `schemaVersion`, and readers reject unknown
//! fields, so a typo in a hand-edited file is an error rather than a silently ignored field.

use super::category::Category;
use super::network::Tier;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The version of every document this tool writes.
pub const SCHEMA_VERSION: &str = "2.0.0";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    Chain,
    Quarantine,
    Manifest,
}

/// Where the migrated records came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceInfo {
    /// `leveldb` for the LevelDB store.
    pub kind: String,
    /// The source folder's name (not its full path, which would make output depend on the machine).
    pub label: String,
}

/// Metadata of one migration, repeated in every document it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MigrationInfo {
    pub source: SourceInfo,
    pub tool_version: String,
    /// RFC 3339 UTC with milliseconds; passed in, never read from a clock inside the core.
    pub migrated_at: String,
    /// Entries this document holds.
    pub record_count: u64,
    /// The entry digest (see `digest`) of the source entries this document holds.
    pub source_records_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NetworkInfo {
    pub key: String,
    pub tier: Tier,
    pub known: bool,
}

/// One contract of a chain document: every LevelDB field but the two that form its identity
/// (chain id and contract name, which are the document's and the map's keys).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ContractEntry {
    pub category: Category,
    pub network_name: String,
    pub address: String,
    pub factory_byte_code_hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub implementation_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy_address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployment_args: Option<Vec<Value>>,
    /// Milliseconds since the epoch, exactly as stored.
    pub timestamp: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra_fields: BTreeMap<String, Value>,
    /// Fields an older version of this record (still in the LevelDB's files, shadowed by a later write) held that
    /// the live one lacks, by field name (a field the live record holds with another value is not brought in:
    /// the live value stands; `history --recover` lists those). Written only by `migrate --recover-fields`; not part of the record: the
    /// LevelDB value, `unmigrate` and `rollback` ignore it. Optional, so older documents read unchanged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub recovered: BTreeMap<String, RecoveredValue>,
}

/// A field recovered from an older version of a record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecoveredValue {
    /// The field's value in the older version, exact JSON.
    pub value: Value,
    /// The LevelDB sequence number of the older version it comes from.
    pub sequence: u64,
}

/// The enhanced deployment document of one chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChainDocument {
    pub schema_version: String,
    pub kind: DocumentKind,
    pub chain_id: u64,
    pub network: NetworkInfo,
    pub migration: MigrationInfo,
    /// Keyed by the exact contract name, in byte order.
    pub contracts: BTreeMap<String, ContractEntry>,
}

/// Bytes that may or may not be UTF-8, kept exactly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RawBytes {
    Utf8(String),
    Hex(String),
}

impl RawBytes {
    pub fn from_bytes(bytes: &[u8]) -> RawBytes {
        match std::str::from_utf8(bytes) {
            Ok(text) => RawBytes::Utf8(text.to_string()),
            Err(_) => RawBytes::Hex(alloy_primitives::hex::encode(bytes)),
        }
    }

    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        match self {
            RawBytes::Utf8(text) => Some(text.as_bytes().to_vec()),
            RawBytes::Hex(hex) => alloy_primitives::hex::decode(hex).ok(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProblemEntry {
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuarantineItem {
    pub key: RawBytes,
    pub value: RawBytes,
    pub problems: Vec<ProblemEntry>,
}

/// Entries that are not valid records, byte for byte, with every reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct QuarantineDocument {
    pub schema_version: String,
    pub kind: DocumentKind,
    pub migration: MigrationInfo,
    /// In key byte order.
    pub entries: Vec<QuarantineItem>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManifestFile {
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    pub record_count: u64,
}

/// The list of files of one migration with their digests; written last, so its presence means the set is complete.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    pub schema_version: String,
    pub kind: DocumentKind,
    pub source: SourceInfo,
    pub tool_version: String,
    pub migrated_at: String,
    /// Every source entry, valid or quarantined.
    pub record_count: u64,
    pub source_records_sha256: String,
    pub files: Vec<ManifestFile>,
}

/// The name of the manifest in an output folder.
pub const MANIFEST_FILE: &str = "manifest.json";
/// The name of the quarantine document in an output folder.
pub const QUARANTINE_FILE: &str = "quarantine.json";

/// The file name of a chain document: the network key, which is either from the table or `unknown-{chainId}`,
/// so it is always a safe file name (never derived from a contract or network name in the data).
pub fn chain_file_name(network_key: &str) -> String {
    format!("{network_key}.json")
}

/// How a file of a migrated folder differs from what its manifest recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileChangeKind {
    /// Present, with other bytes than the manifest lists.
    Changed,
    /// Present, not listed by the manifest.
    Added,
    /// Listed by the manifest, not present.
    Removed,
}

impl FileChangeKind {
    pub fn name(self) -> &'static str {
        match self {
            FileChangeKind::Changed => "changed",
            FileChangeKind::Added => "added",
            FileChangeKind::Removed => "removed",
        }
    }
}

/// A file of a migrated folder that is not as its manifest recorded it: after cutover the JSON is the live store,
/// so this is a fact to report, not a reason to refuse the folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileChange {
    /// The file's name in its folder.
    pub file: String,
    /// The chain its document holds, when it is a chain document that was read.
    pub chain_id: Option<u64>,
    pub change: FileChangeKind,
    /// The SHA-256 the manifest lists (none for an added file).
    pub manifest_sha256: Option<String>,
    /// The SHA-256 of the file as read (none for a removed file).
    pub sha256: Option<String>,
}

/// The files of a folder that differ from its manifest, in file name order. `read` is every document file read:
/// its name, SHA-256 and, for a chain document, its chain id.
pub fn manifest_changes(manifest: &Manifest, read: &[(String, String, Option<u64>)]) -> Vec<FileChange> {
    let mut changes = Vec::new();
    for listed in manifest.files.iter().filter(|f| f.name != MANIFEST_FILE) {
        let change = match read.iter().find(|(name, _, _)| *name == listed.name) {
            Some((_, sha, _)) if *sha == listed.sha256 => continue,
            Some((_, sha, chain)) => (FileChangeKind::Changed, Some(sha.clone()), *chain),
            None => (FileChangeKind::Removed, None, None),
        };
        changes.push(FileChange {
            file: listed.name.clone(),
            chain_id: change.2,
            change: change.0,
            manifest_sha256: Some(listed.sha256.clone()),
            sha256: change.1,
        });
    }
    for (name, sha, chain) in read {
        if name != MANIFEST_FILE && !manifest.files.iter().any(|f| f.name == *name) {
            changes.push(FileChange {
                file: name.clone(),
                chain_id: *chain,
                change: FileChangeKind::Added,
                manifest_sha256: None,
                sha256: Some(sha.clone()),
            });
        }
    }
    changes.sort();
    changes
}

//! Documents back to the LevelDB entries the deploy scripts read (pure): the inverse of `migrate` on the
//! entries, plus what the rollback report says about each document.
//!
//! A valid record's value is its compact JSON in the writers' field order ([`DeploymentRecord::to_value_bytes`]):
//! for a record that came from a migration of writer-shaped values these are the original bytes, and a record
//! added to the JSON after the migration gets the deploy script's shape. A quarantined entry is restored byte for
//! byte. Each document's own `sourceRecordsSha256` tells whether its entries are still the migrated bytes.

use super::digest::entries_sha256;
use super::document::{ChainDocument, QuarantineDocument};
use super::migrate::{chain_entries, merge_entries, quarantine_entries, DocumentEntries, UnmigrateError};
use super::record::{Entry, SourceEntries};

/// The raw key and value of an entry as a LevelDB holds it.
pub fn entry_bytes(entry: &Entry) -> (Vec<u8>, Vec<u8>) {
    match entry {
        Entry::Valid(record) => (record.key().to_string().into_bytes(), record.to_value_bytes()),
        Entry::Quarantined(q) => (q.key.clone(), q.value.clone()),
    }
}

/// What one document contributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentOutcome {
    /// `chain 56` or `quarantine`.
    pub document: String,
    pub entries: usize,
    /// The entries' digest equals the one the migration recorded in the document: every key and value byte is
    /// what the migrated LevelDB held. False for a document edited after the migration, or whose source values
    /// were stored in another field order or spacing than the writers' (they are written back in the writers').
    pub as_migrated: bool,
}

/// The entries to write and what each document contributed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollbackPlan {
    pub entries: SourceEntries,
    pub records: usize,
    pub quarantined: usize,
    pub documents: Vec<DocumentOutcome>,
}

fn outcome(part: &DocumentEntries, recorded_sha256: &str) -> DocumentOutcome {
    let mut raw: Vec<(Vec<u8>, Vec<u8>)> = part.entries.iter().map(entry_bytes).collect();
    raw.sort();
    let digest = entries_sha256(raw.iter().map(|(k, v)| (k.as_slice(), v.as_slice())));
    DocumentOutcome { document: part.document.clone(), entries: raw.len(), as_migrated: digest == recorded_sha256 }
}

/// The entries the documents hold, as LevelDB bytes. Fails as `unmigrate` does on documents `migrate` could not
/// have written (an invalid value, a key held twice).
pub fn plan(
    chains: Vec<ChainDocument>,
    quarantine: Option<QuarantineDocument>,
) -> Result<RollbackPlan, UnmigrateError> {
    let mut parts = Vec::with_capacity(chains.len() + 1);
    let mut documents = Vec::with_capacity(chains.len() + 1);
    for doc in chains {
        let recorded = doc.migration.source_records_sha256.clone();
        let part = chain_entries(doc)?;
        documents.push(outcome(&part, &recorded));
        parts.push(part);
    }
    if let Some(doc) = quarantine {
        let recorded = doc.migration.source_records_sha256.clone();
        let part = quarantine_entries(doc)?;
        documents.push(outcome(&part, &recorded));
        parts.push(part);
    }
    let merged = merge_entries(parts)?;
    let quarantined = merged.iter().filter(|e| matches!(e, Entry::Quarantined(_))).count();
    Ok(RollbackPlan {
        records: merged.len() - quarantined,
        quarantined,
        entries: merged.iter().map(entry_bytes).collect(),
        documents,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::document::SourceInfo;
    use crate::core::migrate::{migrate, MigrationContext};
    use crate::core::network::NetworkTable;
    use crate::core::primitives::TimestampMs;

    const A: &str = r#"{"contractName":"A","chainId":56,"networkName":"bsc","address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","factoryByteCodeHash":"","deploymentArgs":["1",[2]],"timestamp":1}"#;

    #[test]
    fn plan_gives_back_the_migrated_bytes_and_notices_an_edit() {
        let table = NetworkTable::builtin();
        let ctx = MigrationContext {
            networks: &table,
            source: SourceInfo { kind: "leveldb".into(), label: "t".into() },
            tool_version: "0".into(),
            migrated_at: TimestampMs(0),
        };
        let source: SourceEntries =
            [(b"56-A".to_vec(), A.as_bytes().to_vec()), (b"56-B".to_vec(), b"\xffnot json".to_vec())].into();
        let m = migrate(&source, &ctx);
        let p = plan(m.chains.clone(), Some(m.quarantine.clone())).unwrap();
        assert_eq!(p.entries, source);
        assert_eq!((p.records, p.quarantined), (1, 1));
        assert!(p.documents.iter().all(|d| d.as_migrated));
        let mut edited = m.chains.clone();
        edited[0].contracts.get_mut("A").unwrap().network_name = "bscmainnet".into();
        let p = plan(edited, Some(m.quarantine)).unwrap();
        assert_eq!(p.documents[0].document, "chain 56");
        assert!(!p.documents[0].as_migrated);
        assert!(p.documents[1].as_migrated);
    }
}

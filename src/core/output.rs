//! A migration rendered to the exact bytes of its files, manifest last (pure).
//!
//! Canonical form: serde's pretty printer (2-space indent), keys in the order of the document types (maps in byte
//! order), one trailing newline. Same documents, same bytes.

use super::digest::sha256_hex;
use super::document::{
    chain_file_name, DocumentKind, Manifest, ManifestFile, MANIFEST_FILE, QUARANTINE_FILE, SCHEMA_VERSION,
};
use super::migrate::Migration;
use serde::Serialize;

/// One file to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub name: String,
    pub bytes: Vec<u8>,
    pub record_count: u64,
}

/// The canonical text of a document.
pub fn canonical_json<T: Serialize>(document: &T) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(document).expect("documents always serialize");
    bytes.push(b'\n');
    bytes
}

/// Every file of a migration: chain documents in chain id order, the quarantine, then the manifest.
pub fn render_migration(migration: &Migration) -> Vec<OutputFile> {
    let mut files: Vec<OutputFile> = migration
        .chains
        .iter()
        .map(|doc| OutputFile {
            name: chain_file_name(&doc.network.key),
            bytes: canonical_json(doc),
            record_count: doc.migration.record_count,
        })
        .collect();
    files.push(OutputFile {
        name: QUARANTINE_FILE.to_string(),
        bytes: canonical_json(&migration.quarantine),
        record_count: migration.quarantine.migration.record_count,
    });
    let manifest = manifest_of(migration, &files);
    files.push(OutputFile { name: MANIFEST_FILE.to_string(), bytes: canonical_json(&manifest), record_count: 0 });
    files
}

fn manifest_of(migration: &Migration, files: &[OutputFile]) -> Manifest {
    let info = &migration.quarantine.migration;
    Manifest {
        schema_version: SCHEMA_VERSION.to_string(),
        kind: DocumentKind::Manifest,
        source: info.source.clone(),
        tool_version: info.tool_version.clone(),
        migrated_at: info.migrated_at.clone(),
        record_count: migration.record_count,
        source_records_sha256: migration.source_records_sha256.clone(),
        files: files
            .iter()
            .map(|f| ManifestFile {
                name: f.name.clone(),
                sha256: sha256_hex(&f.bytes),
                bytes: f.bytes.len() as u64,
                record_count: f.record_count,
            })
            .collect(),
    }
}

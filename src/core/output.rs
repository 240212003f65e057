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
    /// SHA-256 of `bytes`, lowercase hex (as the manifest lists it).
    pub sha256: String,
}

impl OutputFile {
    pub fn new(name: String, bytes: Vec<u8>, record_count: u64) -> OutputFile {
        OutputFile { sha256: sha256_hex(&bytes), name, bytes, record_count }
    }
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
        .map(|doc| OutputFile::new(chain_file_name(&doc.network.key), canonical_json(doc), doc.migration.record_count))
        .collect();
    files.push(OutputFile::new(
        QUARANTINE_FILE.to_string(),
        canonical_json(&migration.quarantine),
        migration.quarantine.migration.record_count,
    ));
    let manifest = manifest_of(migration, &files);
    files.push(OutputFile::new(MANIFEST_FILE.to_string(), canonical_json(&manifest), 0));
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
                sha256: f.sha256.clone(),
                bytes: f.bytes.len() as u64,
                record_count: f.record_count,
            })
            .collect(),
    }
}

//! What `migrate` did (pure data).

use crate::core::summary::MigrationSummary;

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateReport {
    pub source: String,
    pub out: String,
    pub dry_run: bool,
    pub files_verified: usize,
    pub summary: MigrationSummary,
    pub files: Vec<WrittenFile>,
}

/// One file the migration wrote (or, in a dry run, would have written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

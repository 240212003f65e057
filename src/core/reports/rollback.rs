//! What `rollback` did (pure data): the entries written back to a LevelDB and what each document contributed.

use crate::core::rollback::DocumentOutcome;

/// What `rollback` did, for the renderers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollbackReport {
    pub json: String,
    pub out: String,
    pub dry_run: bool,
    /// Entries written (or, in a dry run, that would be).
    pub entries: usize,
    pub records: usize,
    pub quarantined: usize,
    pub documents: Vec<DocumentOutcome>,
    /// The entry digest of what was written (the same digest `migrate` records).
    pub entries_sha256: String,
    /// Where the replaced `--out` went.
    pub backup: Option<String>,
}

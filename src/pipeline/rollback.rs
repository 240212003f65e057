//! `rollback`: our JSON documents back to a new LevelDB folder the deploy scripts open and read as before.
//!
//! Nothing is written before every check passed; the LevelDB is written into a staging folder beside `--out`,
//! read back and compared with what was meant to be written, and only then moved into place (an existing
//! `--out` first moved aside as a backup that `restore` can put back).

use super::load::read_documents;
use crate::core::digest::entries_sha256;
use crate::core::primitives::TimestampMs;
use crate::core::reports::rollback::RollbackReport;
use crate::core::rollback::plan;
use crate::error::{ErrorKind, ToolError};
use crate::io::backup::{clear_leftovers, lock_out, swap_with_backup};
use crate::io::leveldb::write::{check_target, move_into_place, write_staged};
use crate::io::paths::refuse_overlap;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RollbackOptions {
    /// Do every check and build every entry, but write nothing.
    pub dry_run: bool,
    /// Replace an existing `--out` (kept as a backup).
    pub force: bool,
    /// The time of the run, for the backup's name.
    pub at: TimestampMs,
}

/// Writes the entries of the documents at `json` as a new LevelDB at `out`.
pub fn rollback(json: &Path, out: &Path, options: RollbackOptions) -> Result<RollbackReport, ToolError> {
    // --out equal to, inside or above --json would mix the LevelDB with the documents or replace them (refused
    // also in a dry run: the same command without --dry-run must not be the first to find out).
    refuse_overlap("--out", out, &[json])?;
    // Edited after migration is the normal case after cutover (the JSON is the live store): read as it is;
    // the report says which documents still hold exactly what was migrated.
    let set = read_documents(json)?;
    let chains = set.chains.into_iter().map(|(_, doc)| doc).collect();
    let planned = plan(chains, set.quarantine.map(|(_, doc)| doc)).map_err(|e| {
        ToolError::new(
            ErrorKind::SchemaViolation,
            json.display().to_string(),
            "the documents do not form one record set",
        )
        .caused_by(e)
    })?;
    let existing = check_target(out, options.force)?;
    let mut backup = None;
    if !options.dry_run {
        let _lock = lock_out(out)?;
        clear_leftovers(out, options.at, &[json])?;
        let staged = write_staged(out, &planned.entries)?;
        backup = if existing {
            // Probed again right before the swap: a deploy script may have opened the target while the new
            // LevelDB was written; swapping then would strand its later writes in the backup.
            if let Err(e) = check_target(out, options.force) {
                let _ = std::fs::remove_dir_all(&staged);
                return Err(e);
            }
            Some(swap_with_backup(out, &staged, options.at)?.display().to_string())
        } else {
            move_into_place(&staged, out)?;
            None
        };
    }
    Ok(RollbackReport {
        json: json.display().to_string(),
        out: out.display().to_string(),
        dry_run: options.dry_run,
        entries: planned.entries.len(),
        records: planned.records,
        quarantined: planned.quarantined,
        entries_sha256: entries_sha256(planned.entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice()))),
        documents: planned.documents,
        backup,
    })
}

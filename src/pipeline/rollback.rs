//! `rollback`: our JSON documents back to a new LevelDB folder the deploy scripts open and read as before.
//!
//! Nothing is written before every check passed; the LevelDB is written into a staging folder beside `--out`,
//! read back and compared with what was meant to be written, and only then moved into place (an existing
//! `--out` first moved aside as a backup that `restore` can put back).

use crate::core::digest::entries_sha256;
use crate::core::primitives::TimestampMs;
use crate::core::rollback::{plan, RollbackReport};
use crate::error::{ErrorCode, ToolError};
use crate::io::backup::swap_with_backup;
use crate::io::documents::read_documents;
use crate::io::leveldb::writer::{check_target, move_into_place, resolved, write_staged};
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
    check_apart(json, out)?;
    let set = read_documents(json)?;
    let planned = plan(set.chains, set.quarantine).map_err(|e| {
        ToolError::new(ErrorCode::Json003, json.display().to_string(), "the documents do not form one record set")
            .caused_by(e)
    })?;
    let existing = check_target(out, options.force)?;
    let mut backup = None;
    if !options.dry_run {
        let staged = write_staged(out, &planned.entries)?;
        backup = if existing {
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

/// `--out` must be neither the documents' folder, nor inside it, nor one of its parents: writing there would
/// mix the LevelDB with the documents or replace them.
fn check_apart(json: &Path, out: &Path) -> Result<(), ToolError> {
    let refuse = |why: &str| {
        ToolError::new(ErrorCode::Migration001, out.display().to_string(), why.to_string())
            .with_hint("pass an --out folder outside the documents' folder (and not one of its parents)")
            .as_bad_input()
    };
    let io = |e: std::io::Error| {
        ToolError::new(ErrorCode::Migration001, out.display().to_string(), "cannot resolve the path").caused_by(e)
    };
    let json_real = resolved(json).map_err(io)?;
    let out_real = resolved(out).map_err(io)?;
    if out_real == json_real {
        return Err(refuse("--out is the --json input itself"));
    }
    if out_real.starts_with(&json_real) {
        return Err(refuse("--out is inside the --json input"));
    }
    if json_real.starts_with(&out_real) {
        return Err(refuse("--out is a parent of the --json input"));
    }
    Ok(())
}

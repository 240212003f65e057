//! Writes entries into a new LevelDB folder with rusty-leveldb, in the on-disk format Google's C++ LevelDB (Node's
//! `classic-level`, the deploy scripts) opens and reads: a property test opens `rollback`'s output with
//! `classic-level`. Writes only the folder it is given, or (for `rollback`) a staging folder beside the target
//! that the caller then moves into place.

use super::lock::{self, LockState};
use super::read_leveldb;
use crate::core::record::SourceEntries;
use crate::error::{ErrorKind, ToolError};
use rusty_leveldb::{Options, WriteBatch, DB};
use std::path::{Path, PathBuf};

/// Entries per write batch: one batch per log record, so a huge set is neither one huge record nor one record
/// per entry.
const BATCH: usize = 1000;

/// Writes `entries` into a new LevelDB at `dir` (created if missing; it must not hold a database yet), flushed
/// to a table file and closed. An error names `dir`; a partly written folder is the caller's to remove.
pub fn write_leveldb(dir: &Path, entries: &SourceEntries) -> Result<(), ToolError> {
    let fail = |e: rusty_leveldb::Status| {
        ToolError::new(ErrorKind::OutputFailed, dir.display().to_string(), "cannot write the LevelDB").caused_by(e.err)
    };
    // (rusty-leveldb's `error_if_exists` refuses an existing empty folder too, so the check is ours.)
    if dir.join("CURRENT").exists() {
        return Err(ToolError::new(
            ErrorKind::OutputRefused,
            dir.display().to_string(),
            "a LevelDB already exists here",
        )
        .with_hint("pass a new or empty folder"));
    }
    let options = Options { create_if_missing: true, ..Options::default() };
    let mut db = DB::open(dir, options).map_err(fail)?;
    let pairs: Vec<(&Vec<u8>, &Vec<u8>)> = entries.iter().collect();
    for chunk in pairs.chunks(BATCH) {
        let mut batch = WriteBatch::default();
        for (k, v) in chunk {
            batch.put(k, v);
        }
        db.write(batch, false).map_err(fail)?;
    }
    db.flush().map_err(fail)?;
    db.close().map_err(fail)
}

/// Whether `out` exists with content (then it needs `force`, and must not be held by a live LevelDB writer).
pub fn check_target(out: &Path, force: bool) -> Result<bool, ToolError> {
    let shown = out.display().to_string();
    let meta = match std::fs::symlink_metadata(out) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(ToolError::output_io(&shown, "cannot read --out", e)),
    };
    if !meta.is_dir() {
        return Err(ToolError::new(ErrorKind::OutputRefused, &shown, "--out exists and is not a folder")
            .with_hint("pass a folder path for the new LevelDB"));
    }
    let empty =
        std::fs::read_dir(out).map_err(|e| ToolError::output_io(&shown, "cannot list --out", e))?.next().is_none();
    if empty {
        return Ok(false);
    }
    if !force {
        return Err(ToolError::new(ErrorKind::OutputRefused, &shown, "--out already exists and is not empty")
            .with_hint("pass --force to replace it (the current folder is kept as `<out>.backup-<time>`)"));
    }
    let lock_path = out.join("LOCK").display().to_string();
    match lock::probe(out) {
        Ok(LockState::Free) => Ok(true),
        Ok(held) => Err(ToolError::new(ErrorKind::LevelDbLocked, lock_path, held.describe())),
        Err(e) => Err(ToolError::new(ErrorKind::LevelDbLocked, lock_path, "cannot probe the lock").caused_by(e)),
    }
}

/// Writes the LevelDB into a fresh staging folder beside `out` and proves it reads back as `entries` (through
/// the same checked reader `migrate` uses). Returns the staging folder, which the caller moves into place.
pub fn write_staged(out: &Path, entries: &SourceEntries) -> Result<PathBuf, ToolError> {
    let shown = out.display().to_string();
    let fail = |what: &str, e: std::io::Error| ToolError::output_io(&shown, what, e);
    let parent = crate::io::atomic::parent_of(out);
    std::fs::create_dir_all(&parent).map_err(|e| fail("cannot create the parent folder", e))?;
    // Named as every staging folder of `out`, so a run killed here is cleared by the next (io::backup).
    let staging = tempfile::Builder::new()
        .prefix(&crate::io::atomic::staging_prefix(out))
        .tempdir_in(&parent)
        .map_err(|e| fail("cannot create a staging folder beside --out", e))?;
    write_leveldb(staging.path(), entries)?;
    let read = read_leveldb(staging.path())?;
    if read.entries != *entries {
        return Err(ToolError::new(
            ErrorKind::ProofFailed,
            &shown,
            "the written LevelDB does not read back as written",
        )
        .with_hint("nothing was moved into place; this is a bug in lookcoin-state, please report it"));
    }
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755))
        .map_err(|e| fail("cannot set the folder's permissions", e))?;
    Ok(staging.keep())
}

/// Renames the staged folder to `out` (an empty `out` folder is replaced).
pub fn move_into_place(staged: &Path, out: &Path) -> Result<(), ToolError> {
    std::fs::rename(staged, out).map_err(|e| {
        let _ = std::fs::remove_dir_all(staged);
        ToolError::output_io(out.display().to_string(), "cannot move the new LevelDB into place", e)
    })
}

//! Replaces an output folder as a set, keeping the old one as a timestamped backup, and puts a backup back.
//! Writes the output folder and its siblings (`<name>.backup-<time>`, a hidden staging folder).
//!
//! The new set is written and fsynced in a staging folder beside `out`. The old folder first gets the marker that
//! makes it a backup `restore` accepts, then the two folders trade places in one atomic step (Linux
//! `renameat2(RENAME_EXCHANGE)`; elsewhere two renames), and the old set is renamed to its backup name. Killed at
//! any moment, `out` holds the old set or the new set, never a mix; what the kill left beside it is recognised by
//! the next run on the same `out` ([`clear_leftovers`]): a staging folder is removed, an old set that already
//! carries its marker becomes the backup it was meant to be.

use crate::core::output::OutputFile;
use crate::core::primitives::TimestampMs;
use crate::error::{ErrorKind, ToolError};
use crate::io::atomic::{parent_of, staging_prefix, sync_dir, write_file_atomic, write_output, write_staging};
use crate::io::faults::stall_at;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The file in a backup folder that says where it came from (no `.json` extension: never read as a document).
pub const BACKUP_MARKER: &str = ".lookcoin-state-backup";

fn stamp(at: TimestampMs) -> String {
    at.to_rfc3339().replace(['-', ':', '.'], "")
}

fn sibling(out: &Path, suffix: &str) -> PathBuf {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    out.with_file_name(format!("{name}.{suffix}"))
}

fn fail(path: &Path, what: &str, e: std::io::Error) -> ToolError {
    ToolError::output_io(path.display().to_string(), what, e)
}

/// Held while a run clears, stages and swaps `out`: two runs on one `--out` (a retried CI job, two terminals)
/// would otherwise delete each other's staging folder or swap under each other. An advisory `flock` on a hidden
/// `.<out>.lock` beside it, removed (while still locked) when dropped; a run killed -9 leaves the file, which
/// the next run locks and removes in turn.
pub struct OutLock {
    path: PathBuf,
    _file: std::fs::File,
}

impl Drop for OutLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Takes the lock of `out`, or refuses (exit 3) when another run holds it.
pub fn lock_out(out: &Path) -> Result<OutLock, ToolError> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let parent = parent_of(out);
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let path = parent.join(format!(".{name}.lock"));
    std::fs::create_dir_all(&parent).map_err(|e| fail(&parent, "cannot create the parent folder", e))?;
    let busy = || {
        ToolError::new(
            ErrorKind::OutputBusy,
            out.display().to_string(),
            "another lookcoin-state run is writing this folder",
        )
        .caused_by(format!("{} is locked", path.display()))
    };
    for _ in 0..3 {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| fail(&path, "cannot open the output's lock file", e))?;
        // SAFETY: flock(2) on a descriptor this function owns.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            return Err(busy());
        }
        // The holder before us removes the file as it lets go: the lock only counts on the file still named.
        let held = file.metadata().map(|m| (m.dev(), m.ino())).ok();
        let named = std::fs::metadata(&path).map(|m| (m.dev(), m.ino())).ok();
        if held.is_some() && held == named {
            return Ok(OutLock { path, _file: file });
        }
    }
    Err(busy())
}

/// Writes `files` as the new content of `out`. An existing non-empty `out` is kept as a backup, whose path is
/// returned. Leftovers of a killed run are cleared first, never touching `inputs`.
pub fn replace_with_backup(
    out: &Path,
    files: &[OutputFile],
    at: TimestampMs,
    inputs: &[&Path],
) -> Result<Option<PathBuf>, ToolError> {
    let _lock = lock_out(out)?;
    clear_leftovers(out, at, inputs)?;
    let non_empty = std::fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(false);
    if !non_empty {
        write_output(out, files)?;
        return Ok(None);
    }
    let staged = write_staging(out, files)?;
    swap_with_backup(out, &staged, at).map(Some)
}

/// Puts the fully written folder `staged` (a sibling of `out`) in the place of `out`, and keeps the old `out` as
/// `<out>.backup-<time>` with the marker `restore` reads. On failure before the swap, `staged` is removed and `out`
/// is untouched. Returns the backup's path.
pub fn swap_with_backup(out: &Path, staged: &Path, at: TimestampMs) -> Result<PathBuf, ToolError> {
    let abandon = |e: ToolError| {
        let _ = std::fs::remove_dir_all(staged);
        e
    };
    let backup = free_backup_name(out, &stamp(at)).map_err(abandon)?;
    stall_at("staged");
    let marker = json!({"originalPath": absolute(out).display().to_string(), "createdAt": at.to_rfc3339()});
    write_file_atomic(out, BACKUP_MARKER, &serde_json::to_vec_pretty(&marker).expect("a JSON value"))
        .map_err(|e| abandon(fail(out, "cannot mark the current output as a backup", e)))?;
    stall_at("marked");
    exchange(staged, out).map_err(|e| {
        let _ = std::fs::remove_file(out.join(BACKUP_MARKER));
        abandon(fail(out, "cannot swap the new output into place", e))
    })?;
    // `staged` now holds the old set, marked: from here on a kill leaves it for the next run to rename.
    stall_at("swapped");
    std::fs::rename(staged, &backup).map_err(|e| fail(staged, "cannot rename the old output to its backup name", e))?;
    sync_dir(&parent_of(out)).map_err(|e| fail(out, "cannot sync the parent folder", e))?;
    Ok(backup)
}

/// `<out>.backup-<time>`, or `-2`, `-3`... after it when taken (a fixed `SOURCE_DATE_EPOCH` gives every run the
/// same time).
fn free_backup_name(out: &Path, time: &str) -> Result<PathBuf, ToolError> {
    let first = sibling(out, &format!("backup-{time}"));
    let mut candidates =
        std::iter::once(first.clone()).chain((2..1000).map(|n| sibling(out, &format!("backup-{time}-{n}"))));
    candidates.find(|p| !p.exists()).ok_or_else(|| {
        ToolError::new(ErrorKind::OutputRefused, first.display().to_string(), "999 backups of this time already exist")
            .with_hint("remove old backups beside the output folder")
    })
}

/// `a` and `b` (two existing folders of one parent) trade names in one atomic step.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(std::io::Error::other);
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: two valid NUL-terminated paths, relative to the current directory; renameat2 only reads them.
    let done =
        unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if done == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Without an atomic exchange: the old folder goes aside, the new one takes its place (a kill between the two
/// renames leaves no `out`, the new set staged and the old set marked beside it, both recovered by the next run).
#[cfg(not(target_os = "linux"))]
fn exchange(staged: &Path, out: &Path) -> std::io::Result<()> {
    let aside = out.with_file_name(format!("{}{}", staging_prefix(out), "old"));
    std::fs::rename(out, &aside)?;
    if let Err(e) = std::fs::rename(staged, out) {
        let _ = std::fs::rename(&aside, out);
        return Err(e);
    }
    std::fs::rename(&aside, staged)
}

/// What a run killed while writing `out` left beside it: staging folders are removed; a folder that already
/// carries its backup marker (the old set, swapped out but not yet renamed) becomes `<out>.backup-<time>`.
/// Returns the backups recovered.
pub fn clear_leftovers(out: &Path, at: TimestampMs, inputs: &[&Path]) -> Result<Vec<PathBuf>, ToolError> {
    let parent = parent_of(out);
    let prefix = staging_prefix(out);
    let Ok(listing) = std::fs::read_dir(&parent) else { return Ok(Vec::new()) };
    let mut recovered = Vec::new();
    for entry in listing.flatten() {
        let path = entry.path();
        let ours = entry.file_name().to_string_lossy().starts_with(&prefix);
        let is_folder = entry.file_type().is_ok_and(|t| t.is_dir());
        if !ours || !is_folder || crate::io::paths::refuse_overlap("a leftover", &path, inputs).is_err() {
            continue;
        }
        if path.join(BACKUP_MARKER).is_file() {
            // The name the killed run meant to give it (its marker's time), else this run's.
            let meant = marker_time(&path.join(BACKUP_MARKER)).unwrap_or_else(|| stamp(at));
            let backup = free_backup_name(out, &meant)?;
            std::fs::rename(&path, &backup)
                .map_err(|e| fail(&path, "cannot recover a backup left by a killed run", e))?;
            recovered.push(backup);
        } else {
            std::fs::remove_dir_all(&path)
                .map_err(|e| fail(&path, "cannot remove a staging folder left by a killed run", e))?;
        }
    }
    Ok(recovered)
}

/// The `createdAt` of a backup marker, as a backup name's time stamp.
fn marker_time(marker: &Path) -> Option<String> {
    let value: Value = serde_json::from_slice(&crate::io::documents::read_bytes(marker).ok()?).ok()?;
    let text: String = value.get("createdAt")?.as_str()?.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    (!text.is_empty()).then_some(text)
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

/// A backup is put back only where it came from: the folder its marker names must be its own sibling `<name>` of
/// `<name>.backup-<time>` (or of `<name>.replaced-<time>`, what a restore set aside); a marker edited to name any
/// other path, or the backup itself, is refused.
fn refuse_foreign_marker(backup: &Path, original: &Path, marker_path: &Path) -> Result<(), ToolError> {
    let backup_abs = crate::io::paths::resolved(backup).unwrap_or_else(|| absolute(backup));
    let original_abs = crate::io::paths::resolved(original).unwrap_or_else(|| absolute(original));
    let own_sibling = original_abs.parent() == backup_abs.parent()
        && original_abs.file_name().is_some_and(|name| {
            let name = name.to_string_lossy();
            backup_abs.file_name().is_some_and(|b| {
                let b = b.to_string_lossy();
                ["backup", "replaced"].iter().any(|kind| b.starts_with(&format!("{name}.{kind}-")))
            })
        });
    if own_sibling {
        return Ok(());
    }
    Err(ToolError::new(
        ErrorKind::OutputRefused,
        marker_path.display().to_string(),
        format!("the marker names {}, which is not this backup's own folder", original.display()),
    )
    .with_hint("restore only puts a `<name>.backup-<time>` folder back as the `<name>` beside it"))
}

/// What `restore` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub restored_to: PathBuf,
    /// Where the folder that was there went (itself a backup that `restore` can put back).
    pub replaced_backup: Option<PathBuf>,
}

/// Puts a backup made by [`replace_with_backup`] back where it came from; whatever is there now is itself backed up.
pub fn restore(backup: &Path, at: TimestampMs) -> Result<Restored, ToolError> {
    // The folder itself, named plainly: a symlink or a path ending in `.` would be renamed as something else.
    let is_link = std::fs::symlink_metadata(backup).is_ok_and(|m| m.file_type().is_symlink());
    let plain = backup.file_name().is_some() && !is_link;
    if !plain {
        return Err(ToolError::new(
            ErrorKind::InputUnreadable,
            backup.display().to_string(),
            "not a plain folder path",
        )
        .with_hint("pass the backup folder itself, `<out>.backup-<time>`, not a link or `.`"));
    }
    let marker_path = backup.join(BACKUP_MARKER);
    let bytes = crate::io::documents::read_bytes(&marker_path).map_err(|e| {
        e.caused_by("not a lookcoin-state backup folder")
            .with_hint("pass a folder named `<out>.backup-<time>` that migrate --force or reconcile --apply made")
    })?;
    let marker: Value = crate::io::documents::parse_json(&marker_path, &bytes)?;
    let Some(original) = marker.get("originalPath").and_then(Value::as_str).map(PathBuf::from) else {
        return Err(ToolError::new(
            ErrorKind::SchemaViolation,
            marker_path.display().to_string(),
            "the marker has no originalPath",
        ));
    };
    refuse_foreign_marker(backup, &original, &marker_path)?;
    let mut replaced_backup = None;
    if original.exists() {
        // `replaced-`, not `backup-`: at the backup's own time stamp the two names would collide.
        let aside = sibling(&original, &format!("replaced-{}", stamp(at)));
        if aside.exists() {
            return Err(ToolError::new(
                ErrorKind::OutputRefused,
                aside.display().to_string(),
                "this folder already exists",
            )
            .with_hint("move it away, then run restore again"));
        }
        std::fs::rename(&original, &aside).map_err(|e| fail(&original, "cannot move the current folder aside", e))?;
        let marker = json!({"originalPath": original.display().to_string(), "createdAt": at.to_rfc3339()});
        write_file_atomic(&aside, BACKUP_MARKER, &serde_json::to_vec_pretty(&marker).expect("json"))
            .map_err(|e| fail(&aside, "cannot write the backup's marker", e))?;
        replaced_backup = Some(aside);
    }
    if let Err(e) = std::fs::rename(backup, &original) {
        // Put back what was moved aside, so the live folder is never left missing.
        if let Some(aside) = &replaced_backup {
            let _ = std::fs::remove_file(aside.join(BACKUP_MARKER));
            let _ = std::fs::rename(aside, &original);
        }
        return Err(fail(&original, "cannot move the backup into place", e));
    }
    std::fs::remove_file(original.join(BACKUP_MARKER))
        .map_err(|e| fail(&original, "cannot remove the backup marker", e))?;
    Ok(Restored { restored_to: original, replaced_backup })
}

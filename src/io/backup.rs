//! Replaces an output folder only after a timestamped backup of it, and puts a backup back. Writes the output
//! folder and its siblings (`<name>.backup-<time>`, a staging folder).
//!
//! The swap is two renames in one parent folder: the old folder becomes the backup, the fully written staging
//! folder becomes the output. No reader ever sees a half-written output folder.

use crate::core::output::OutputFile;
use crate::core::primitives::TimestampMs;
use crate::error::{ErrorKind, ToolError};
use crate::io::atomic::{write_file_atomic, write_output};
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

/// Writes `files` as the new content of `out`. An existing non-empty `out` is first moved to a backup, whose path is
/// returned.
pub fn replace_with_backup(out: &Path, files: &[OutputFile], at: TimestampMs) -> Result<Option<PathBuf>, ToolError> {
    let non_empty = std::fs::read_dir(out).map(|mut d| d.next().is_some()).unwrap_or(false);
    if !non_empty {
        write_output(out, files, false)?;
        return Ok(None);
    }
    let staging = sibling(out, &format!("staging-{}", stamp(at)));
    let backup = sibling(out, &format!("backup-{}", stamp(at)));
    if backup.exists() || staging.exists() {
        return Err(ToolError::new(
            ErrorKind::OutputRefused,
            backup.display().to_string(),
            "a backup of this time already exists",
        )
        .with_hint("run again in a moment"));
    }
    write_output(&staging, files, false)?;
    swap_with_backup(out, &staging, at).map(Some)
}

/// Moves the existing `out` aside to `<out>.backup-<time>` (with a marker, so `restore` can put it back), then
/// the fully written folder `staged` (a sibling of `out`) into its place. On failure the old `out` is put back and
/// `staged` removed. Returns the backup's path.
pub fn swap_with_backup(out: &Path, staged: &Path, at: TimestampMs) -> Result<PathBuf, ToolError> {
    let backup = sibling(out, &format!("backup-{}", stamp(at)));
    if backup.exists() {
        let _ = std::fs::remove_dir_all(staged);
        return Err(ToolError::new(
            ErrorKind::OutputRefused,
            backup.display().to_string(),
            "a backup of this time already exists",
        )
        .with_hint("run again in a moment"));
    }
    std::fs::rename(out, &backup).map_err(|e| {
        let _ = std::fs::remove_dir_all(staged);
        fail(out, "cannot move the current output aside as a backup", e)
    })?;
    if let Err(e) = std::fs::rename(staged, out) {
        let _ = std::fs::rename(&backup, out);
        let _ = std::fs::remove_dir_all(staged);
        return Err(fail(out, "cannot move the new output into place; the old one was put back", e));
    }
    let marker = json!({"originalPath": absolute(out).display().to_string(), "createdAt": at.to_rfc3339()});
    write_file_atomic(&backup, BACKUP_MARKER, &serde_json::to_vec_pretty(&marker).expect("json"))
        .map_err(|e| fail(&backup, "cannot write the backup's marker", e))?;
    Ok(backup)
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
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
    let marker_path = backup.join(BACKUP_MARKER);
    let text = std::fs::read_to_string(&marker_path).map_err(|e| {
        ToolError::input_io(marker_path.display().to_string(), "not a lookcoin-state backup folder", e)
            .with_hint("pass a folder named `<out>.backup-<time>` that reconcile --apply made")
    })?;
    let marker: Value = serde_json::from_str(&text).map_err(|e| {
        ToolError::new(ErrorKind::MalformedJson, marker_path.display().to_string(), "malformed backup marker")
            .caused_by(e)
    })?;
    let Some(original) = marker.get("originalPath").and_then(Value::as_str).map(PathBuf::from) else {
        return Err(ToolError::new(
            ErrorKind::SchemaViolation,
            marker_path.display().to_string(),
            "the marker has no originalPath",
        ));
    };
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
    std::fs::rename(backup, &original).map_err(|e| fail(&original, "cannot move the backup into place", e))?;
    std::fs::remove_file(original.join(BACKUP_MARKER))
        .map_err(|e| fail(&original, "cannot remove the backup marker", e))?;
    Ok(Restored { restored_to: original, replaced_backup })
}

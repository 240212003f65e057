//! Writes a set of output files so that no reader ever sees a partial file or a half-written folder.
//! Writes the output folder and a hidden staging folder beside it only.
//!
//! A new or empty output folder is filled all at once: the files are written and fsynced in a staging folder
//! beside it (`.<out>.staging-<random>`), which is then renamed into place. Replacing a non-empty folder is
//! `io::backup::replace_with_backup`'s job: the set is swapped as a whole and the old one kept as a backup.

use crate::core::output::OutputFile;
use crate::error::{ErrorKind, ToolError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The prefix of every staging folder of `out`, beside it: a later run on the same `out` recognises what a killed
/// run left (see `io::backup::clear_leftovers`).
pub fn staging_prefix(out: &Path) -> String {
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    format!(".{name}.staging-")
}

/// The folder that holds `out`.
pub fn parent_of(out: &Path) -> PathBuf {
    match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Refuses a non-empty `out` (exit 2) before anything is written or cleared.
pub fn refuse_non_empty(out: &Path) -> Result<(), ToolError> {
    match std::fs::read_dir(out).map(|mut listing| listing.next().is_none()) {
        Ok(false) => {
            Err(ToolError::new(ErrorKind::OutputRefused, out.display().to_string(), "the output folder is not empty")
                .with_hint("pass an empty or new folder, or --force to replace it (the old one is kept as a backup)"))
        }
        _ => Ok(()),
    }
}

/// Writes `files` into `out`, which must be new or empty (a non-empty one is refused: replacing it is
/// `replace_with_backup`'s, which keeps the old set).
pub fn write_output(out: &Path, files: &[OutputFile]) -> Result<(), ToolError> {
    let shown = out.display().to_string();
    match std::fs::read_dir(out).map(|mut listing| listing.next().is_none()) {
        Ok(true) => write_staged(out, files),
        Ok(false) => Err(ToolError::new(ErrorKind::OutputRefused, &shown, "the output folder is not empty")
            .with_hint("pass an empty or new folder, or --force to replace it (the old one is kept as a backup)")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_staged(out, files),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            Err(ToolError::new(ErrorKind::OutputRefused, &shown, "the output path is a file, not a folder")
                .caused_by(e)
                .with_hint("pass a folder path (new or empty)"))
        }
        Err(e) => Err(ToolError::output_io(&shown, "cannot open the output folder", e)),
    }
}

/// Writes every file into a fresh staging folder beside `out` and returns it (removed again on failure).
pub fn write_staging(out: &Path, files: &[OutputFile]) -> Result<PathBuf, ToolError> {
    let shown = out.display().to_string();
    let fail = |what: &str, e: std::io::Error| ToolError::output_io(&shown, what, e);
    let parent = parent_of(out);
    std::fs::create_dir_all(&parent).map_err(|e| fail("cannot create the parent folder", e))?;
    let staging = tempfile::Builder::new()
        .prefix(&staging_prefix(out))
        .tempdir_in(&parent)
        .map_err(|e| fail("cannot create a staging folder beside the output", e))?;
    for file in files {
        write_file_atomic(staging.path(), &file.name, &file.bytes).map_err(|e| fail("cannot write a file", e))?;
    }
    set_mode(staging.path(), 0o755).map_err(|e| fail("cannot set the output folder's permissions", e))?;
    Ok(staging.keep())
}

/// Writes every file into a staging folder next to `out`, then renames it to `out` (replacing it if empty).
fn write_staged(out: &Path, files: &[OutputFile]) -> Result<(), ToolError> {
    let staged = write_staging(out, files)?;
    let fail = |what: &str, e: std::io::Error| ToolError::output_io(out.display().to_string(), what, e);
    if let Err(e) = std::fs::rename(&staged, out) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(fail("cannot move the finished output into place", e));
    }
    sync_dir(&parent_of(out)).map_err(|e| fail("cannot sync the parent folder", e))
}

/// Writes a single report file (a `--junit` file, say) atomically: a reader sees the old file or the new one.
pub fn write_report_file(path: &Path, bytes: &[u8]) -> Result<(), ToolError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    write_file_atomic(&dir, &name, bytes)
        .map_err(|e| ToolError::output_io(path.display().to_string(), "cannot write the report", e))
}

/// Replaces `dir/name` atomically with `bytes`.
pub fn write_file_atomic(dir: &Path, name: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut temp = tempfile::Builder::new().prefix(".tmp-").tempfile_in(dir)?;
    temp.write_all(bytes)?;
    temp.as_file().sync_all()?;
    // Temporary files are created 0600; the output is meant to be read by CI jobs and colleagues.
    set_mode(temp.path(), 0o644)?;
    temp.persist(dir.join(name)).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// Makes a folder's entries durable (renames into it survive a crash).
pub fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// Appends `bytes` to a file other writers share (GitHub's `$GITHUB_STEP_SUMMARY`, which every step of a job
/// appends to): one `write_all` on a file opened for appending, then fsync. Not atomic by nature; the file is not
/// ours to replace.
pub fn append_report_file(path: &Path, bytes: &[u8]) -> Result<(), ToolError> {
    let fail = |e| ToolError::output_io(path.display().to_string(), "cannot append the report", e);
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(fail)?;
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)
}

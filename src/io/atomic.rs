//! Writes a set of output files so that no reader ever sees a partial file or a half-written folder.
//! Writes the output folder (and a sibling staging folder) only.
//!
//! A new or empty output folder is filled all at once: the files are written and fsynced in a staging folder
//! beside it, which is then renamed into place. An existing non-empty folder is only written with `force`, each file
//! replaced atomically (temporary file in the same folder, fsync, rename, fsync the folder), the manifest last so
//! that its presence means the set is complete.

use crate::core::output::OutputFile;
use crate::error::{ErrorKind, ToolError};
use std::io::Write;
use std::path::Path;

/// Writes `files` into `out`. Refuses a non-empty `out` unless `force`.
pub fn write_output(out: &Path, files: &[OutputFile], force: bool) -> Result<(), ToolError> {
    let shown = out.display().to_string();
    let fail = |what: &str, e: std::io::Error| ToolError::output_io(&shown, what, e);
    match std::fs::read_dir(out) {
        Ok(mut listing) => {
            if listing.next().is_none() {
                return write_staged(out, files);
            }
            if !force {
                return Err(ToolError::new(ErrorKind::OutputRefused, &shown, "the output folder is not empty")
                    .with_hint("pass an empty or new folder, or --force to replace the files it holds"));
            }
            let stale = stale_files(out, files);
            let (manifest, documents) = files.split_last().expect("a migration always has a manifest");
            for file in documents {
                write_file_atomic(out, &file.name, &file.bytes).map_err(|e| fail("cannot write a file", e))?;
            }
            for name in stale {
                std::fs::remove_file(out.join(&name))
                    .map_err(|e| fail("cannot remove a file of the previous migration", e))?;
            }
            write_file_atomic(out, &manifest.name, &manifest.bytes).map_err(|e| fail("cannot write a file", e))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => write_staged(out, files),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            Err(ToolError::new(ErrorKind::OutputRefused, &shown, "the output path is a file, not a folder")
                .caused_by(e)
                .with_hint("pass a folder path (new or empty)"))
        }
        Err(e) => Err(fail("cannot open the output folder", e)),
    }
}

/// Files the previous migration in `out` wrote (its manifest lists them) that this one does not: replacing a
/// migration must not leave an old chain document behind. Files the manifest does not list are never touched.
fn stale_files(out: &Path, files: &[OutputFile]) -> Vec<String> {
    let Ok(text) = std::fs::read(out.join(crate::core::document::MANIFEST_FILE)) else { return Vec::new() };
    let Ok(old) = serde_json::from_slice::<crate::core::document::Manifest>(&text) else { return Vec::new() };
    old.files
        .into_iter()
        .map(|f| f.name)
        .filter(|name| !files.iter().any(|f| &f.name == name) && !name.contains('/') && name.ends_with(".json"))
        .collect()
}

/// Writes every file into a staging folder next to `out`, then renames it to `out` (replacing it if empty).
fn write_staged(out: &Path, files: &[OutputFile]) -> Result<(), ToolError> {
    let shown = out.display().to_string();
    let fail = |what: &str, e: std::io::Error| ToolError::output_io(&shown, what, e);
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| fail("cannot create the parent folder", e))?;
    let staging = tempfile::Builder::new()
        .prefix(".lookcoin-state-staging-")
        .tempdir_in(&parent)
        .map_err(|e| fail("cannot create a staging folder beside the output", e))?;
    for file in files {
        write_file_atomic(staging.path(), &file.name, &file.bytes).map_err(|e| fail("cannot write a file", e))?;
    }
    let staged = staging.keep();
    set_mode(&staged, 0o755).map_err(|e| fail("cannot set the output folder's permissions", e))?;
    if let Err(e) = std::fs::rename(&staged, out) {
        let _ = std::fs::remove_dir_all(&staged);
        return Err(fail("cannot move the finished output into place", e));
    }
    sync_dir(&parent).map_err(|e| fail("cannot sync the parent folder", e))
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

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

fn set_mode(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

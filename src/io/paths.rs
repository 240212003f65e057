//! Where paths lead, with symlinks resolved: used to refuse any output path that would land on, in or over an
//! input. Reads the file system (canonicalisation) only.

use crate::error::{ErrorKind, ToolError};
use std::path::{Path, PathBuf};

/// The absolute form of a path that may not exist yet: its nearest existing ancestor, canonicalised (symlinks
/// resolved), plus the rest, with a trailing `..` taken as the resolved parent's parent (`SRC/nope/../out` is
/// `SRC/out` even while `SRC/nope` does not exist).
pub fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let absolute = std::path::absolute(path).ok()?;
    let parent = resolved(absolute.parent()?)?;
    match absolute.components().next_back()? {
        std::path::Component::Normal(name) => Some(parent.join(name)),
        std::path::Component::ParentDir => Some(parent.parent().map_or(parent.clone(), Path::to_path_buf)),
        _ => Some(parent),
    }
}

/// Refuses, before anything is written, a path the run would write (`flag` names it: `--out`, `--junit`, a
/// backup) when it is an input, lies inside one, or holds one (symlinks resolved).
pub fn refuse_overlap(flag: &str, written: &Path, inputs: &[&Path]) -> Result<(), ToolError> {
    let Some(target) = resolved(written) else {
        return Err(ToolError::new(
            ErrorKind::OutputRefused,
            written.display().to_string(),
            format!("{flag}: cannot tell where this path leads"),
        )
        .with_hint("pass a plain path to a folder (or file) outside the inputs"));
    };
    for input in inputs {
        let Some(source) = resolved(input) else { continue };
        let relation = if target == source {
            "onto"
        } else if target.starts_with(&source) {
            "into"
        } else if source.starts_with(&target) {
            "over the folder that holds"
        } else {
            continue;
        };
        return Err(ToolError::new(
            ErrorKind::OutputRefused,
            written.display().to_string(),
            format!("{flag} would write {relation} the input {}", input.display()),
        )
        .with_hint("write somewhere outside the inputs: lookcoin-state never changes what it reads"));
    }
    Ok(())
}

/// Bytes free to an unprivileged user on the file system holding `dir` (`statvfs`).
#[allow(clippy::useless_conversion, reason = "the statvfs fields are u64 on 64-bit Linux only")]
pub fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(dir.as_os_str().as_bytes())
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::InvalidInput, "the path holds a NUL byte"))?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c_path` is a NUL-terminated string that outlives the call; `stat` is written by statvfs on success
    // and read only then.
    let rc = unsafe { libc::statvfs(c_path.as_ptr(), stat.as_mut_ptr()) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: statvfs returned 0, so it filled `stat`.
    let stat = unsafe { stat.assume_init() };
    Ok(u64::from(stat.f_bavail).saturating_mul(u64::from(stat.f_frsize)))
}

/// Proves `dir` takes a new file: creates one and removes it.
pub fn probe_writable(dir: &Path) -> std::io::Result<()> {
    tempfile::Builder::new().prefix(".lookcoin-doctor-").tempfile_in(dir).map(drop)
}

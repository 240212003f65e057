//! Where paths lead, with symlinks resolved: used to refuse any output path that would land on, in or over an
//! input. Reads the file system (canonicalisation) only.

use crate::error::{ErrorKind, ToolError};
use std::path::{Path, PathBuf};

/// The absolute form of a path that may not exist yet: its nearest existing ancestor, canonicalised (symlinks
/// resolved), plus the rest.
pub fn resolved(path: &Path) -> Option<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let absolute = std::path::absolute(path).ok()?;
    let parent = absolute.parent()?;
    Some(resolved(parent)?.join(absolute.file_name()?))
}

/// Refuses, before anything is written, a path the run would write (`flag` names it: `--out`, `--junit`, a
/// backup) when it is an input, lies inside one, or holds one (symlinks resolved).
pub fn refuse_overlap(flag: &str, written: &Path, inputs: &[&Path]) -> Result<(), ToolError> {
    let Some(target) = resolved(written) else { return Ok(()) };
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

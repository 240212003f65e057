//! Where paths lead, with symlinks resolved: used to refuse any output path that would land on, in or over an
//! input. Reads the file system (canonicalisation) only.

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

/// True when one path is the other, or inside it: writing to one would write into, or over, the other.
pub fn overlap(a: &Path, b: &Path) -> bool {
    match (resolved(a), resolved(b)) {
        (Some(x), Some(y)) => x.starts_with(&y) || y.starts_with(&x),
        _ => false,
    }
}

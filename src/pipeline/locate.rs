//! The locate step: the line and column of each place a finding names, looked up in the files it names. Reads
//! files only.
//!
//! A file is read again after the comparison (the sources keep parsed values, not bytes) and scanned once for
//! every place in it; its lines are used only when its bytes still have the SHA-256 the source was read with: a
//! file changed in between gets no line, never a wrong one.

use crate::core::compare::Discrepancy;
use crate::core::digest::sha256_hex;
use crate::core::json_keys::positions_of;
use crate::core::location::{JsonPath, Location};
use crate::io::documents::read_bytes;
use std::collections::BTreeMap;
use std::path::Path;

/// Fills in the line of every location of the discrepancies. `digests` are those of the sources compared (file
/// -> SHA-256); a file they disagree on, or do not list, is not looked at.
pub fn discrepancy_lines(found: &mut [Discrepancy], digests: &[&BTreeMap<String, String>]) {
    let places = found.iter_mut().flat_map(|d| [d.left_at.as_mut(), d.right_at.as_mut()]).flatten();
    lines(places, digests);
}

/// Fills in the line of every location given, like [`discrepancy_lines`].
pub fn lines<'a>(places: impl IntoIterator<Item = &'a mut Location>, digests: &[&BTreeMap<String, String>]) {
    let mut by_file: BTreeMap<String, Vec<&mut Location>> = BTreeMap::new();
    // A whole file (a finding about the file, not a value in it) has no line to point at.
    for at in places.into_iter().filter(|at| !at.path.steps().is_empty()) {
        by_file.entry(at.file.clone()).or_default().push(at);
    }
    for (file, places) in by_file {
        let Some(expected) = one_digest(&file, digests) else { continue };
        let bytes = match read_bytes(Path::new(&file)) {
            Ok(bytes) if sha256_hex(&bytes) == expected => bytes,
            Ok(_) => {
                tracing::debug!(target: "compare", file, "changed since it was read: no lines");
                continue;
            }
            Err(e) => {
                tracing::debug!(target: "compare", file, error = %e, "cannot read again: no lines");
                continue;
            }
        };
        let paths: Vec<JsonPath> = places.iter().map(|at| at.path.clone()).collect();
        for (at, position) in places.into_iter().zip(positions_of(&bytes, &paths)) {
            at.line = position;
        }
    }
}

/// The digest every source that read `file` agrees on.
fn one_digest<'a>(file: &str, digests: &[&'a BTreeMap<String, String>]) -> Option<&'a str> {
    let mut seen = digests.iter().filter_map(|d| d.get(file));
    let first = seen.next()?;
    seen.all(|d| d == first).then_some(first.as_str())
}

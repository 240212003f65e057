//! The locate step: the line and column of each place a finding names, looked up in the files it names; and, for
//! a CI, annotations placed only on what is a file, and the place an error of the tool names. Reads files only.
//!
//! A file is read again after the comparison (the sources keep parsed values, not bytes) and scanned once for
//! every place in it; its lines are used only when its bytes still have the SHA-256 the source was read with: a
//! file changed in between gets no line, never a wrong one.

use crate::core::compare::Discrepancy;
use crate::core::digest::sha256_hex;
use crate::core::json_keys::positions_of;
use crate::core::json_keys::Position;
use crate::core::location::{JsonPath, Location};
use crate::core::reports::annotations::{Annotation, Level};
use crate::error::ToolError;
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

/// Annotations as a CI gets them: one placed on something that is not a file (a folder, for a manifest that does
/// not match it) names it in its message instead.
pub fn on_files(annotations: Vec<Annotation>) -> Vec<Annotation> {
    let on_file = |mut a: Annotation| {
        if let Some(at) = a.at.take_if(|at| !Path::new(&at.file).is_file()) {
            a.message.push_str(&format!(" (at {at})"));
        }
        a
    };
    annotations.into_iter().map(on_file).collect()
}

/// An error of the tool as an annotation: its code as kind and title, placed on the file its subject names.
pub fn error_annotation(e: &ToolError) -> Annotation {
    let code = e.code().code().to_string();
    let message = format!("{}: {}; hint: {}", e.subject, e.causes.join(": "), e.hint);
    Annotation { level: Level::Error, kind: code.clone(), title: code, message, at: subject_place(&e.subject) }
}

/// The place an error's subject names when it is a file: `path:line:column` (as malformed-JSON errors write it,
/// the column counting bytes, as serde_json does; given back in characters) or a path. `None` for a key, a flag
/// or an endpoint.
fn subject_place(subject: &str) -> Option<Location> {
    let is_file = |f: &str| Path::new(f).is_file();
    let mut parts = subject.rsplitn(3, ':');
    if let (Some(column), Some(line), Some(file)) = (parts.next(), parts.next(), parts.next()) {
        if let (Ok(line), Ok(column), true) = (line.parse(), column.parse(), is_file(file)) {
            let mut at = Location::file(file);
            at.line = in_characters(file, Position { line, column });
            return Some(at);
        }
    }
    is_file(subject).then(|| Location::file(subject))
}

/// A position whose column counts bytes with its column in characters; `None` when the file cannot be read again
/// or no longer has that line.
fn in_characters(file: &str, p: Position) -> Option<Position> {
    let bytes = read_bytes(Path::new(file)).ok()?;
    let line = bytes.split(|b| *b == b'\n').nth(p.line.checked_sub(1)?)?;
    let before = line.get(..p.column.checked_sub(1)?)?;
    let column = before.iter().filter(|b| (**b & 0xC0) != 0x80).count() + 1;
    Some(Position { line: p.line, column })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_subject_names_a_place_only_when_it_is_a_file() {
        let file = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/v1/bsctestnet.json");
        let at = subject_place(&format!("{file}:3:5")).expect("a file with a position");
        assert_eq!(at.to_string(), format!("{file}:3:5"));
        assert_eq!(subject_place(file).map(|a| a.to_string()), Some(file.to_string()));
        assert_eq!(subject_place(&format!("{file}:999:1")).and_then(|a| a.line), None, "no such line");
        assert_eq!(subject_place("56-LookCoin"), None, "a key");
        assert_eq!(subject_place("--rpc 56=…"), None, "a flag");
        assert_eq!(subject_place("no/such/file.json:1:2"), None);
        let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/v1");
        let annotation =
            |at| Annotation { level: Level::Error, kind: "k".into(), title: "t".into(), message: "m".into(), at };
        let placed = on_files(vec![annotation(Some(Location::file(folder))), annotation(Some(Location::file(file)))]);
        assert_eq!(placed[0].at, None, "a folder is no place for an annotation");
        assert_eq!(placed[0].message, format!("m (at {folder})"));
        assert_eq!(placed[1].at, Some(Location::file(file)));
    }
}

//! Where a value sits in the files a source was read from (pure): the file and the path of keys and indexes to
//! it. The readers note where each record and field came from; `compare` carries the places of both sides into
//! each finding; the pipeline looks their lines up in the files' bytes ([`super::json_keys::positions_of`]), so
//! reports can say `file:line` and CI annotations sit on the line in a pull request.

use super::json_keys::Position;
use super::state::Field;
use std::fmt;

/// One step of a path into a JSON document: an object member's key or an array index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Step {
    Key(String),
    Index(usize),
}

/// A path from a document's root, shown as a JSON Pointer (RFC 6901: `/contracts/core/LookCoin/proxy`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JsonPath(Vec<Step>);

impl JsonPath {
    pub fn new(steps: Vec<Step>) -> JsonPath {
        JsonPath(steps)
    }

    /// The path of the given keys from the root.
    pub fn keys(keys: &[&str]) -> JsonPath {
        JsonPath(keys.iter().map(|k| Step::Key(k.to_string())).collect())
    }

    /// This path and then a member `key`.
    pub fn key(&self, key: &str) -> JsonPath {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key.to_string()));
        JsonPath(steps)
    }

    /// This path and then element `index`.
    pub fn index(&self, index: usize) -> JsonPath {
        let mut steps = self.0.clone();
        steps.push(Step::Index(index));
        JsonPath(steps)
    }

    pub fn steps(&self) -> &[Step] {
        &self.0
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.0 {
            match step {
                Step::Key(k) => write!(f, "/{}", k.replace('~', "~0").replace('/', "~1"))?,
                Step::Index(i) => write!(f, "/{i}")?,
            }
        }
        Ok(())
    }
}

/// A value in a file: the file as the user named it (a path), the path to the value in it, and its line once
/// looked up in the file's bytes (`None` until then, for a whole file, and when the bytes no longer are those that
/// were read).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: String,
    pub path: JsonPath,
    pub line: Option<Position>,
}

impl Location {
    pub fn new(file: impl Into<String>, path: JsonPath) -> Location {
        Location { file: file.into(), path, line: None }
    }

    /// A whole file (a finding about the file, not a value in it).
    pub fn file(file: impl Into<String>) -> Location {
        Location::new(file, JsonPath::default())
    }
}

impl fmt::Display for Location {
    /// `file:line:column` when the line is known, else `file` (editors and terminals open both).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(p) => write!(f, "{}:{}:{}", self.file, p.line, p.column),
            None => f.write_str(&self.file),
        }
    }
}

/// Where a record of a JSON source is: the record object, and where each of its fields was read. Most fields are
/// members of the record object (`members`, a table per format); some formats keep a field elsewhere (v3's
/// hashes in `extended_<Name>` or `verification`, hardhat-deploy's in a companion file): `elsewhere`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordPlace {
    pub at: Location,
    pub members: &'static [(Field, &'static str)],
    pub elsewhere: Vec<(Field, Location)>,
}

impl RecordPlace {
    pub fn new(at: Location, members: &'static [(Field, &'static str)]) -> RecordPlace {
        RecordPlace { at, members, elsewhere: Vec::new() }
    }

    /// The place also says `field` was read at `location`.
    pub fn with(mut self, field: Field, location: Location) -> RecordPlace {
        self.elsewhere.push((field, location));
        self
    }

    /// Where `field` was read: its place in `elsewhere`, else the member the format keeps it in, else the record;
    /// the record itself for no field. (Whether the record holds the field is the record's to say:
    /// [`StateRecord::place_of`](super::state::StateRecord::place_of).)
    pub fn of(&self, field: Option<Field>) -> Location {
        let Some(field) = field else { return self.at.clone() };
        if let Some((_, location)) = self.elsewhere.iter().find(|(f, _)| *f == field) {
            return location.clone();
        }
        match self.members.iter().find(|(f, _)| *f == field) {
            Some((_, key)) => Location::new(self.at.file.clone(), self.at.path.key(key)),
            None => self.at.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_show_as_json_pointers_with_escapes() {
        let path = JsonPath::keys(&["contracts", "a/b~c"]).index(3);
        assert_eq!(path.to_string(), "/contracts/a~1b~0c/3");
        assert_eq!(JsonPath::default().to_string(), "");
    }

    #[test]
    fn a_field_is_found_elsewhere_then_as_a_member_then_at_its_record() {
        const MEMBERS: &[(Field, &str)] = &[(Field::ProxyAddress, "proxy")];
        let at = Location::new("v3.json", JsonPath::keys(&["contracts", "core", "LookCoin"]));
        let hash = Location::new("v3.json", JsonPath::keys(&["extended_LookCoin", "implementationHash"]));
        let place = RecordPlace::new(at.clone(), MEMBERS).with(Field::ImplementationHash, hash.clone());
        assert_eq!(place.of(Some(Field::ProxyAddress)).path.to_string(), "/contracts/core/LookCoin/proxy");
        assert_eq!(place.of(Some(Field::ImplementationHash)), hash);
        assert_eq!(place.of(Some(Field::Timestamp)), at, "a field it has no place for is placed at its record");
        assert_eq!(place.of(None), at);
    }

    #[test]
    fn a_location_shows_its_line_once_known() {
        let mut at = Location::new("a.json", JsonPath::keys(&["x"]));
        assert_eq!(at.to_string(), "a.json");
        at.line = Some(Position { line: 12, column: 5 });
        assert_eq!(at.to_string(), "a.json:12:5");
    }
}

//! Where things are in a JSON text (pure), from one scan of its bytes that a parser does not give:
//! - a key given twice in one object ([`first_duplicate_key`]). JSON parsers keep one of the two values in silence
//!   (serde_json the last), so a contract listed twice, or a `chainId` given twice, would lose data without a word;
//!   the readers run this over every JSON file they parse and refuse the file instead;
//! - the line and column of values named by their path ([`positions_of`]), so that a finding on a JSON source can
//!   say `file:line` and a CI annotation can sit on the line in a pull request.

use super::location::{JsonPath, Step};
use std::collections::HashMap;

/// A place in a text: 1-based line and column. Columns count bytes where serde_json's do (a duplicate key,
/// reported beside serde_json's own errors), and characters (Unicode scalar values) in [`positions_of`], for
/// annotations and editors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A key held twice by one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key, decoded (`"a"` and `"\u0061"` are the same key).
    pub key: String,
    pub first: Position,
    pub second: Position,
}

/// The structural pieces of a JSON text, each with where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    OpenObject,
    OpenArray,
    Close,
    Comma,
    /// A string: the byte range from its opening to its closing quote, both included.
    Text(usize, usize),
    /// The first byte of a number, `true`, `false` or `null`.
    Scalar,
}

/// The tokens of a well-formed JSON text with their positions. Colons, whitespace and the inner bytes of scalars
/// are skipped: the consumers only need structure, strings and where values start.
struct Tokens<'a> {
    bytes: &'a [u8],
    at: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Tokens<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Tokens { bytes, at: 0, line: 1, line_start: 0 }
    }
}

impl Iterator for Tokens<'_> {
    /// A token, where it starts, and its byte offset.
    type Item = (Token, Position, usize);

    fn next(&mut self) -> Option<(Token, Position, usize)> {
        while self.at < self.bytes.len() {
            let i = self.at;
            let at = Position { line: self.line, column: i - self.line_start + 1 };
            self.at += 1;
            let token = match self.bytes[i] {
                b'\n' => {
                    self.line += 1;
                    self.line_start = i + 1;
                    continue;
                }
                b'{' => Token::OpenObject,
                b'[' => Token::OpenArray,
                b'}' | b']' => Token::Close,
                b',' => Token::Comma,
                b'"' => {
                    let end = string_end(self.bytes, i);
                    self.at = end + 1;
                    Token::Text(i, end)
                }
                b'-' | b'0'..=b'9' | b't' | b'f' | b'n' => {
                    while self.at < self.bytes.len() && !b",]}\n\r\t ".contains(&self.bytes[self.at]) {
                        self.at += 1;
                    }
                    Token::Scalar
                }
                _ => continue,
            };
            return Some((token, at, i));
        }
        None
    }
}

/// The decoded text of the string token spanning `start..=end`; empty for a string the text never closes (the
/// duplicate-key scan runs on the bytes of files a manifest vouches for before they are parsed).
fn decoded(bytes: &[u8], start: usize, end: usize) -> String {
    if end <= start {
        return String::new();
    }
    let inner = &bytes[start + 1..end];
    match std::str::from_utf8(inner) {
        Ok(plain) if !inner.contains(&b'\\') => plain.to_string(),
        _ => serde_json::from_slice(&bytes[start..=end]).unwrap_or_default(),
    }
}

enum Frame {
    Object { keys: HashMap<String, Position>, expecting_key: bool },
    Array,
}

/// The first key found twice in one object of `bytes`, which must be well-formed JSON (parse it first).
pub fn first_duplicate_key(bytes: &[u8]) -> Option<DuplicateKey> {
    let mut stack: Vec<Frame> = Vec::new();
    for (token, at, _) in Tokens::new(bytes) {
        match token {
            Token::OpenObject => stack.push(Frame::Object { keys: HashMap::new(), expecting_key: true }),
            Token::OpenArray => stack.push(Frame::Array),
            Token::Close => {
                stack.pop();
            }
            Token::Comma => {
                if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = true;
                }
            }
            Token::Text(start, end) => {
                if let Some(Frame::Object { keys, expecting_key: expecting @ true }) = stack.last_mut() {
                    *expecting = false;
                    let key = decoded(bytes, start, end);
                    if let Some(first) = keys.get(&key) {
                        return Some(DuplicateKey { key, first: *first, second: at });
                    }
                    keys.insert(key, at);
                }
            }
            Token::Scalar => {}
        }
    }
    None
}

/// Where each of `wanted` is in `bytes` (well-formed JSON), in the order asked; `None` for a path the text does
/// not hold. A member's position is its key's (the line a reader looks at), an array element's is its value's,
/// the root's is 1:1; columns count characters. One scan, whatever the number of paths.
pub fn positions_of(bytes: &[u8], wanted: &[JsonPath]) -> Vec<Option<Position>> {
    let mut finder = Finder { asked: HashMap::new(), found: vec![None; wanted.len()] };
    for (i, path) in wanted.iter().enumerate() {
        finder.asked.entry(path.steps()).or_default().push(i);
    }
    // One step per open container: its current key or index.
    let mut path: Vec<Step> = Vec::new();
    // Per open container: whether it is an object waiting for a key.
    let mut expecting_key: Vec<bool> = Vec::new();
    for (token, at, offset) in Tokens::new(bytes) {
        let at = (at, offset);
        let in_array = matches!(path.last(), Some(Step::Index(_)));
        match token {
            Token::OpenObject | Token::OpenArray => {
                if path.is_empty() || in_array {
                    finder.note(&path, at);
                }
                let object = token == Token::OpenObject;
                path.push(if object { Step::Key(String::new()) } else { Step::Index(0) });
                expecting_key.push(object);
            }
            Token::Close => {
                path.pop();
                expecting_key.pop();
            }
            Token::Comma => match (path.last_mut(), expecting_key.last_mut()) {
                (Some(Step::Index(i)), _) => *i += 1,
                (Some(Step::Key(_)), Some(expecting)) => *expecting = true,
                _ => {}
            },
            Token::Text(start, end) if expecting_key.last() == Some(&true) => {
                if let (Some(last), Some(expecting)) = (path.last_mut(), expecting_key.last_mut()) {
                    *last = Step::Key(decoded(bytes, start, end));
                    *expecting = false;
                }
                finder.note(&path, at);
            }
            Token::Text(..) | Token::Scalar => {
                if path.is_empty() || in_array {
                    finder.note(&path, at);
                }
            }
        }
    }
    let in_characters = |(p, offset): (Position, usize)| {
        let line = &bytes[offset + 1 - p.column..offset];
        Position { line: p.line, column: line.iter().filter(|b| (**b & 0xC0) != 0x80).count() + 1 }
    };
    finder.found.into_iter().map(|found| found.map(in_characters)).collect()
}

/// The paths asked for (each with the indexes of the requests naming it) and what was found (with byte columns
/// and the byte offset, turned into character columns at the end).
struct Finder<'w> {
    asked: HashMap<&'w [Step], Vec<usize>>,
    found: Vec<Option<(Position, usize)>>,
}

impl Finder<'_> {
    fn note(&mut self, path: &[Step], at: (Position, usize)) {
        if let Some(indexes) = self.asked.get(path) {
            for i in indexes {
                self.found[*i].get_or_insert(at);
            }
        }
    }
}

/// The index of the quote closing the string that opens at `start` (strings hold no raw newline in JSON).
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    bytes.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The duplicate's key and both places as (line, column).
    type Found = (String, (usize, usize), (usize, usize));

    fn dup(text: &str) -> Option<Found> {
        first_duplicate_key(text.as_bytes())
            .map(|d| (d.key, (d.first.line, d.first.column), (d.second.line, d.second.column)))
    }

    #[test]
    fn finds_a_key_given_twice_at_any_depth_with_both_places() {
        assert_eq!(dup(r#"{"a":1,"a":2}"#), Some(("a".into(), (1, 2), (1, 8))));
        assert_eq!(dup("{\"x\": {\n  \"b\": [1, {\"c\": 1}],\n  \"b\": 2}}"), Some(("b".into(), (2, 3), (3, 3))));
        assert_eq!(dup(r#"{"a":1,"\u0061":2}"#).map(|d| d.0), Some("a".into()), "escapes are decoded");
        assert_eq!(dup(r#"[{"a":1},{"a":2}]"#), None, "two objects may share keys");
        assert_eq!(dup(r#"{"a":"a","b":"a"}"#), None, "values are not keys");
        assert_eq!(dup(r#"{"a":{"a":1}}"#), None, "nested objects have their own keys");
        assert_eq!(dup(r#"{"s":"\"a\": {","a":1,"b":{"a":2}}"#), None, "quotes inside strings are not structure");
    }

    fn at(text: &str, path: &[&str]) -> Option<(usize, usize)> {
        let steps = path.iter().map(|s| s.parse().map_or(Step::Key(s.to_string()), Step::Index)).collect();
        positions_of(text.as_bytes(), &[JsonPath::new(steps)])[0].map(|p| (p.line, p.column))
    }

    #[test]
    fn members_are_found_at_their_key_and_elements_at_their_value() {
        let text = "{\n  \"contracts\": {\n    \"LookCoin\": {\n      \"address\": \"0x1\",\n      \"args\": [1, \
                    {\"a\": 2},\n        [3]]\n    }\n  },\n  \"s\": \"}{[],\\\"\"\n}";
        assert_eq!(at(text, &[]), Some((1, 1)), "the root");
        assert_eq!(at(text, &["contracts"]), Some((2, 3)));
        assert_eq!(at(text, &["contracts", "LookCoin"]), Some((3, 5)));
        assert_eq!(at(text, &["contracts", "LookCoin", "address"]), Some((4, 7)));
        assert_eq!(at(text, &["contracts", "LookCoin", "args", "0"]), Some((5, 16)));
        assert_eq!(at(text, &["contracts", "LookCoin", "args", "1"]), Some((5, 19)));
        assert_eq!(at(text, &["contracts", "LookCoin", "args", "1", "a"]), Some((5, 20)));
        assert_eq!(at(text, &["contracts", "LookCoin", "args", "2"]), Some((6, 9)));
        assert_eq!(at(text, &["contracts", "LookCoin", "args", "2", "0"]), Some((6, 10)));
        assert_eq!(at(text, &["s"]), Some((9, 3)), "structure inside a string is text");
        assert_eq!(at(text, &["contracts", "Other"]), None);
        assert_eq!(at(text, &["contracts", "LookCoin", "args", "3"]), None);
        assert_eq!(at(text, &["contracts", "LookCoin", "address", "x"]), None, "a scalar has no members");
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "{\"ü€\": 1, \"b\": [\"😀\", 2]}";
        assert_eq!(at(text, &["b"]), Some((1, 11)));
        assert_eq!(at(text, &["b", "1"]), Some((1, 22)));
    }

    #[test]
    fn keys_are_matched_decoded_and_each_path_is_answered_in_order() {
        let text = r#"{"a\u0062": [true, null, -1.5e3], "b": {}}"#;
        assert_eq!(at(text, &["ab", "2"]), Some((1, 26)));
        assert_eq!(at(text, &["ab", "1"]), Some((1, 20)));
        let paths = vec![
            JsonPath::new(vec![Step::Key("b".into())]),
            JsonPath::new(vec![Step::Key("zz".into())]),
            JsonPath::new(vec![Step::Key("b".into())]),
        ];
        let found = positions_of(text.as_bytes(), &paths);
        assert_eq!(found, vec![Some(Position { line: 1, column: 35 }), None, Some(Position { line: 1, column: 35 })]);
    }
}

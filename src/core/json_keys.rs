//! Finds a key given twice in one JSON object (pure). JSON parsers keep one of the two values in silence (serde_json
//! the last), so a contract listed twice, or a `chainId` given twice, would lose data without a word; the readers
//! run this over every JSON file they parse and refuse the file instead.

use std::collections::HashMap;

/// A place in a text: 1-based line and column (in bytes), as serde_json reports positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

enum Frame {
    Object { keys: HashMap<String, Position>, expecting_key: bool },
    Array,
}

/// The first key found twice in one object of `bytes`, which must be well-formed JSON (parse it first).
pub fn first_duplicate_key(bytes: &[u8]) -> Option<DuplicateKey> {
    let mut stack: Vec<Frame> = Vec::new();
    let (mut line, mut line_start) = (1usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'{' => stack.push(Frame::Object { keys: HashMap::new(), expecting_key: true }),
            b'[' => stack.push(Frame::Array),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Object { expecting_key, .. }) = stack.last_mut() {
                    *expecting_key = true;
                }
            }
            b'"' => {
                let end = string_end(bytes, i);
                if let Some(Frame::Object { keys, expecting_key: expecting @ true }) = stack.last_mut() {
                    *expecting = false;
                    let at = Position { line, column: i - line_start + 1 };
                    let key: String = serde_json::from_slice(&bytes[i..=end]).unwrap_or_default();
                    if let Some(first) = keys.get(&key) {
                        return Some(DuplicateKey { key, first: *first, second: at });
                    }
                    keys.insert(key, at);
                }
                i = end;
            }
            _ => {}
        }
        i += 1;
    }
    None
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
}

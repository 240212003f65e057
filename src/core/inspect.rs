//! The `inspect` view of a source: one row per entry, sorted by key bytes, whatever the source (pure).
//!
//! A LevelDB and its migration inspect to the same rows, so two inspections can be diffed with ordinary tools.

use super::record::{json_kind, Entry, SourceEntries};
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use serde_json::{Map, Value};

/// One entry as `inspect` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectRow {
    /// The key, lossily decoded when it is not UTF-8 (then `key_hex` holds the exact bytes).
    pub key: String,
    pub key_hex: Option<String>,
    pub body: RowBody,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowBody {
    /// The value, a JSON object exactly as parsed (stored field order kept).
    Value(Map<String, Value>),
    /// A value that is not a JSON object: its text and why.
    Raw { raw: String, error: String },
}

/// Rows of raw entries (a LevelDB read), values exactly as stored.
pub fn rows_of_raw(entries: &SourceEntries) -> Vec<InspectRow> {
    entries.iter().map(|(k, v)| row_of_bytes(k, v)).collect()
}

/// Rows of parsed entries (documents read back): valid records in canonical field order, quarantined entries
/// from their kept bytes. The entries are consumed (their strings move into the rows); the rows come out in key
/// byte order whatever order the entries came in.
pub fn rows_of_entries(entries: Vec<Entry>) -> Vec<InspectRow> {
    let mut rows: Vec<(Vec<u8>, InspectRow)> = entries.into_iter().map(|e| (e.key_bytes(), row_of_entry(e))).collect();
    // `unmigrate` already gives key order: the sort is then one pass over sorted data.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

/// The row of one parsed entry (its strings move into the row).
pub fn row_of_entry(entry: Entry) -> InspectRow {
    match entry {
        Entry::Valid(record) => {
            let (key, key_hex) = key_text(record.key().to_string().as_bytes());
            InspectRow { key, key_hex, body: RowBody::Value(record.into_value()) }
        }
        Entry::Quarantined(q) => row_of_bytes(&q.key, &q.value),
    }
}

/// The row of one raw entry: its value parsed as JSON, or kept as text with why it is not an object.
pub fn row_of_bytes(key: &[u8], value: &[u8]) -> InspectRow {
    let (key, key_hex) = key_text(key);
    let body = match serde_json::from_slice::<Value>(value) {
        Ok(Value::Object(map)) => RowBody::Value(map),
        Ok(other) => RowBody::Raw {
            raw: String::from_utf8_lossy(value).into_owned(),
            error: format!("value is a JSON {}, not an object", json_kind(&other)),
        },
        Err(e) => {
            RowBody::Raw { raw: String::from_utf8_lossy(value).into_owned(), error: format!("value is not JSON: {e}") }
        }
    };
    InspectRow { key, key_hex, body }
}

fn key_text(key: &[u8]) -> (String, Option<String>) {
    match std::str::from_utf8(key) {
        Ok(text) => (text.to_string(), None),
        Err(_) => (String::from_utf8_lossy(key).into_owned(), Some(alloy_primitives::hex::encode(key))),
    }
}

/// The JSON form: `{"records":[{"key":K,"value":V} | {"key":K,"raw":S,"error":E}]}` (`keyHex` after `key` when
/// the key is not UTF-8). Serialized straight from the rows: 100,000 rows are never copied into a `Value` first.
pub struct InspectJson<'a>(pub &'a [InspectRow]);

impl Serialize for InspectJson<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut top = serializer.serialize_struct("InspectJson", 1)?;
        top.serialize_field("records", &Rows(self.0))?;
        top.end()
    }
}

struct Rows<'a>(&'a [InspectRow]);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0)
    }
}

impl Serialize for InspectRow {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut item = serializer.serialize_map(None)?;
        item.serialize_entry("key", &self.key)?;
        if let Some(hex) = &self.key_hex {
            item.serialize_entry("keyHex", hex)?;
        }
        match &self.body {
            RowBody::Value(v) => item.serialize_entry("value", v)?,
            RowBody::Raw { raw, error } => {
                item.serialize_entry("raw", raw)?;
                item.serialize_entry("error", error)?;
            }
        }
        item.end()
    }
}

/// [`InspectJson`] as a `Value`, for tests that compare two inspections.
pub fn rows_to_json(rows: &[InspectRow]) -> Value {
    serde_json::to_value(InspectJson(rows)).expect("rows always serialize")
}

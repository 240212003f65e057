//! The `inspect` view of a source: one row per entry, sorted by key bytes, whatever the source (pure).
//!
//! A LevelDB and its migration inspect to the same rows, so two inspections can be diffed with ordinary tools.

use super::record::{json_kind, Entry, SourceEntries};
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
/// from their kept bytes.
pub fn rows_of_entries(entries: &[Entry]) -> Vec<InspectRow> {
    let mut rows: Vec<(Vec<u8>, InspectRow)> = entries
        .iter()
        .map(|e| {
            let row = match e {
                Entry::Valid(r) => row_of_value(r.key().to_string().as_bytes(), r.to_value()),
                Entry::Quarantined(q) => row_of_bytes(&q.key, &q.value),
            };
            (e.key_bytes(), row)
        })
        .collect();
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    rows.into_iter().map(|(_, r)| r).collect()
}

fn row_of_value(key: &[u8], value: Map<String, Value>) -> InspectRow {
    let (key, key_hex) = key_text(key);
    InspectRow { key, key_hex, body: RowBody::Value(value) }
}

fn row_of_bytes(key: &[u8], value: &[u8]) -> InspectRow {
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

/// The JSON form: `{"records":[{"key":K,"value":V} | {"key":K,"raw":S,"error":E}]}`.
pub fn rows_to_json(rows: &[InspectRow]) -> Value {
    let records = rows
        .iter()
        .map(|row| {
            let mut item = Map::new();
            item.insert("key".into(), Value::String(row.key.clone()));
            if let Some(hex) = &row.key_hex {
                item.insert("keyHex".into(), Value::String(hex.clone()));
            }
            match &row.body {
                RowBody::Value(v) => {
                    item.insert("value".into(), Value::Object(v.clone()));
                }
                RowBody::Raw { raw, error } => {
                    item.insert("raw".into(), Value::String(raw.clone()));
                    item.insert("error".into(), Value::String(error.clone()));
                }
            }
            Value::Object(item)
        })
        .collect();
    let mut top = Map::new();
    top.insert("records".into(), Value::Array(records));
    Value::Object(top)
}

//! Inputs for the readers: byte mutations of valid values, and JSON-ish documents (arbitrary bytes, token soup,
//! JSON trees over the documents' own field names, and real migrated documents with one edit).

use super::defects::set_field;
use super::{bytes, context, json_text, migrated_files, object_text, record_spec, source, Bytes};
use lookcoin_state::core::document::{ChainDocument, ProblemEntry, QuarantineDocument, QuarantineItem, RawBytes};
use lookcoin_state::core::migrate::migrate;
use lookcoin_state::core::record::{ProblemCode, SourceEntries, FIELD_ORDER};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::Value;

/// One edit of a byte string.
#[derive(Debug, Clone)]
pub enum ByteEdit {
    Flip(Index, u8),
    Truncate(Index),
    Insert(Index, u8),
    Delete(Index),
}

impl ByteEdit {
    pub fn apply(&self, bytes: &mut Vec<u8>) {
        match self {
            ByteEdit::Flip(at, mask) if !bytes.is_empty() => {
                let i = at.index(bytes.len());
                bytes[i] ^= (*mask).max(1);
            }
            ByteEdit::Truncate(at) => bytes.truncate(at.index(bytes.len() + 1)),
            ByteEdit::Insert(at, byte) => bytes.insert(at.index(bytes.len() + 1), *byte),
            ByteEdit::Delete(at) if !bytes.is_empty() => {
                bytes.remove(at.index(bytes.len()));
            }
            _ => {}
        }
    }
}

pub fn byte_edits() -> impl Strategy<Value = Vec<ByteEdit>> {
    let edit = prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(at, mask)| ByteEdit::Flip(at, mask)),
        any::<Index>().prop_map(ByteEdit::Truncate),
        (any::<Index>(), any::<u8>()).prop_map(|(at, byte)| ByteEdit::Insert(at, byte)),
        any::<Index>().prop_map(ByteEdit::Delete),
    ];
    prop::collection::vec(edit, 1..4)
}

/// `(key, value)`: a valid record's key and its canonical value with one to three byte edits, or with fields
/// set to JSON of any type (record fields or others) or removed.
pub fn mutated_record() -> impl Strategy<Value = (Bytes, Bytes)> {
    let field = prop_oneof![3 => select(&FIELD_ORDER[..]).prop_map(str::to_string), 1 => "[a-z]{1,4}"];
    let field_edits = prop::collection::vec((field, prop::option::of(json_text())), 1..4);
    (record_spec(), prop::option::of(field_edits), byte_edits()).prop_map(|(spec, field_edits, edits)| {
        let value = match field_edits {
            Some(field_edits) => {
                let mut fields = spec.fields();
                field_edits.into_iter().for_each(|(field, text)| set_field(&mut fields, &field, text));
                object_text(&fields).into_bytes()
            }
            None => {
                let mut value = spec.compact();
                edits.iter().for_each(|e| e.apply(&mut value));
                value
            }
        };
        (Bytes(spec.key()), Bytes(value))
    })
}

/// `(key, value)` pairs of arbitrary bytes or JSON, some keys shaped like record keys.
pub fn raw_pair() -> impl Strategy<Value = (Bytes, Bytes)> {
    let key = prop_oneof![bytes(), "[0-9]{0,4}-\\PC{0,8}".prop_map(String::into_bytes)];
    (key.prop_map(Bytes), prop_oneof![bytes(), json_text().prop_map(String::into_bytes)].prop_map(Bytes))
}

/// An edit of a document's JSON tree: the value at one node replaced, the node removed, or a field added to the
/// object at or above one node.
#[derive(Debug, Clone)]
pub enum TreeEdit {
    Replace(Index, Value),
    Remove(Index),
    Insert(Index, String, Value),
}

impl TreeEdit {
    pub fn apply(&self, document: &mut Value) {
        let mut pointers = Vec::new();
        collect_pointers(document, String::new(), &mut pointers);
        match self {
            TreeEdit::Replace(at, value) => {
                if let Some(node) = document.pointer_mut(&pointers[at.index(pointers.len())]) {
                    *node = value.clone();
                }
            }
            TreeEdit::Remove(at) => remove_at(document, &pointers[at.index(pointers.len())]),
            TreeEdit::Insert(at, name, value) => {
                let mut pointer = pointers[at.index(pointers.len())].as_str();
                loop {
                    if let Some(Value::Object(map)) = document.pointer_mut(pointer) {
                        map.insert(name.clone(), value.clone());
                        return;
                    }
                    let Some((parent, _)) = pointer.rsplit_once('/') else { return };
                    pointer = parent;
                }
            }
        }
    }
}

fn collect_pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => map
            .iter()
            .for_each(|(k, v)| collect_pointers(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out)),
        Value::Array(items) => {
            items.iter().enumerate().for_each(|(i, v)| collect_pointers(v, format!("{at}/{i}"), out))
        }
        _ => {}
    }
}

fn remove_at(document: &mut Value, pointer: &str) {
    let Some((parent, last)) = pointer.rsplit_once('/') else { return };
    let last = last.replace("~1", "/").replace("~0", "~");
    match document.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.shift_remove(&last);
        }
        Some(Value::Array(items)) => {
            if let Ok(i) = last.parse::<usize>() {
                items.remove(i);
            }
        }
        _ => {}
    }
}

const DOC_KEYS: [&str; 24] = [
    "schemaVersion",
    "kind",
    "chainId",
    "network",
    "key",
    "tier",
    "known",
    "migration",
    "source",
    "label",
    "toolVersion",
    "migratedAt",
    "recordCount",
    "sourceRecordsSha256",
    "contracts",
    "address",
    "factoryByteCodeHash",
    "timestamp",
    "entries",
    "value",
    "problems",
    "code",
    "utf8",
    "hex",
];
const DOC_TEXTS: [&str; 12] = [
    "2.0.0",
    "chain",
    "quarantine",
    "manifest",
    "leveldb",
    "testnet",
    "2025-08-05T00:00:00.000Z",
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "",
    "zz",
    "key-no-separator",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
];

/// A JSON tree over the documents' own field names and typical values.
pub fn doc_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        select(&DOC_TEXTS[..]).prop_map(|t| Value::String(t.to_string())),
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        select(&["1.5", "1e400", "-0", "18446744073709551616"][..]).prop_map(super::value_of),
        any::<bool>().prop_map(Value::Bool),
        Just(Value::Null),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((select(&DOC_KEYS[..]), inner), 0..6)
                .prop_map(|fields| Value::Object(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// Bytes from JSON tokens, mostly not JSON.
pub fn token_soup() -> impl Strategy<Value = Vec<u8>> {
    const TOKENS: [&str; 14] =
        ["{", "}", "[", "]", ":", ",", "\"kind\"", "\"chain\"", "\"utf8\"", "1", "-", "\"", "\\u", "null"];
    prop::collection::vec(select(&TOKENS[..]), 0..40).prop_map(|t| t.concat().into_bytes())
}

/// A real migrated document (any file of a generated migration) with one tree edit or some byte edits.
pub fn mutated_document() -> impl Strategy<Value = Bytes> {
    let name = prop_oneof![select(&DOC_KEYS[..]), select(&FIELD_ORDER[..])].prop_map(str::to_string);
    let edit = prop_oneof![
        (any::<Index>(), doc_value()).prop_map(|(at, v)| TreeEdit::Replace(at, v)),
        any::<Index>().prop_map(TreeEdit::Remove),
        (any::<Index>(), name, doc_value()).prop_map(|(at, name, v)| TreeEdit::Insert(at, name, v)),
    ];
    (source(), any::<Index>(), prop::option::of(edit), byte_edits()).prop_map(|(source, file, edit, edits)| {
        let files = migrated_files(&source.entries);
        let mut bytes = files[file.index(files.len())].bytes.clone();
        match edit {
            Some(edit) => {
                let mut document: Value = serde_json::from_slice(&bytes).expect("rendered documents are JSON");
                edit.apply(&mut document);
                Bytes(serde_json::to_vec_pretty(&document).expect("a value serializes"))
            }
            None => {
                edits.iter().for_each(|e| e.apply(&mut bytes));
                Bytes(bytes)
            }
        }
    })
}

/// JSON-ish bytes of every kind.
pub fn json_ish_bytes() -> impl Strategy<Value = Bytes> {
    prop_oneof![
        1 => bytes().prop_map(Bytes),
        1 => token_soup().prop_map(Bytes),
        2 => doc_value().prop_map(|v| Bytes(serde_json::to_vec(&v).expect("a value serializes"))),
        6 => mutated_document(),
    ]
}

/// A chain document of one valid record whose `extraFields` holds a record field name (`address`, `timestamp`...):
/// schema-valid, but nothing `migrate` writes.
pub fn shadowing_chain_document() -> impl Strategy<Value = ChainDocument> {
    (record_spec(), select(&FIELD_ORDER[..]), json_text()).prop_map(|(spec, field, text)| {
        let entries = SourceEntries::from([(spec.key(), spec.compact())]);
        let mut chain = migrate(&entries, &context()).chains.remove(0);
        let contract = chain.contracts.values_mut().next().expect("one contract");
        contract.extra_fields.insert(field.to_string(), super::value_of(&text));
        chain
    })
}

/// A quarantine document holding one valid record's bytes, with zero or more claimed problems.
pub fn quarantine_holding_a_valid_record() -> impl Strategy<Value = QuarantineDocument> {
    let problem = select(&ProblemCode::ALL[..]).prop_map(|code| ProblemEntry {
        code: code.as_str().to_string(),
        field: None,
        detail: "claimed".to_string(),
    });
    (record_spec(), prop::collection::vec(problem, 0..3)).prop_map(|(spec, problems)| {
        let mut quarantine = migrate(&SourceEntries::new(), &context()).quarantine;
        let (key, value) = (RawBytes::from_bytes(&spec.key()), RawBytes::from_bytes(&spec.compact()));
        quarantine.entries.push(QuarantineItem { key, value, problems });
        quarantine
    })
}

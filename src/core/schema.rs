//! Validation against `schemas/enhanced-deployment-schema.json`, embedded at compile time (pure).
//!
//! The schema's top level is a `oneOf` over the three document kinds; a `oneOf` failure only says "matches none",
//! so a document that names its `kind` is validated against that kind's definition alone, and its errors point
//! at the exact field.

use serde_json::Value;
use std::sync::OnceLock;

/// The schema text, as committed.
pub const SCHEMA_TEXT: &str = include_str!("../../schemas/enhanced-deployment-schema.json");

/// One schema violation: where in the document, and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemaViolation {
    /// JSON pointer into the document (`""` is the root).
    pub pointer: String,
    pub message: String,
}

struct Validators {
    any: jsonschema::Validator,
    by_kind: Vec<(&'static str, jsonschema::Validator)>,
}

fn validators() -> &'static Validators {
    static VALIDATORS: OnceLock<Validators> = OnceLock::new();
    VALIDATORS.get_or_init(|| {
        let schema: Value = serde_json::from_str(SCHEMA_TEXT).expect("the embedded schema is JSON");
        let compile = |s: &Value| jsonschema::draft202012::new(s).expect("the embedded schema compiles");
        let for_def = |def: &str| {
            let mut s = schema.clone();
            let obj = s.as_object_mut().expect("schema is an object");
            obj.remove("oneOf");
            obj.insert("$ref".into(), Value::String(format!("#/$defs/{def}")));
            compile(&s)
        };
        Validators {
            any: compile(&schema),
            by_kind: vec![
                ("chain", for_def("chainDocument")),
                ("quarantine", for_def("quarantineDocument")),
                ("manifest", for_def("manifest")),
            ],
        }
    })
}

/// Every violation of the schema by `document`, in document order; empty when it is valid.
pub fn validate(document: &Value) -> Vec<SchemaViolation> {
    let v = validators();
    let kind = document.get("kind").and_then(Value::as_str);
    let validator = v.by_kind.iter().find(|(k, _)| Some(*k) == kind).map_or(&v.any, |(_, val)| val);
    // The yes/no check stops at nothing and builds no error values: several times faster on a valid document,
    // which is what nearly every document is. Only an invalid one is walked again for its violations.
    if validator.is_valid(document) {
        return Vec::new();
    }
    let mut out: Vec<SchemaViolation> = validator
        .iter_errors(document)
        .map(|e| {
            // jsonschema's message quotes the whole offending value (a whole document when it is the root): quote
            // an excerpt instead.
            let (message, shown) = (e.to_string(), e.instance().to_string());
            let message =
                message.replace(&shown, &crate::core::excerpt::excerpt(&shown, crate::core::excerpt::EXCERPT_CHARS));
            SchemaViolation { pointer: e.instance_path().to_string(), message }
        })
        .collect();
    out.sort_by(|a, b| a.pointer.cmp(&b.pointer).then_with(|| a.message.cmp(&b.message)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_point_at_the_field() {
        let doc = serde_json::json!({
            "schemaVersion": "2.0.0", "kind": "manifest", "source": {"kind": "leveldb", "label": "x"},
            "toolVersion": "1", "migratedAt": "2025-01-01T00:00:00.000Z", "recordCount": 0,
            "sourceRecordsSha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "files": [{"name": "../evil.json", "sha256": "00", "bytes": 1, "recordCount": 0}]
        });
        let pointers: Vec<_> = validate(&doc).into_iter().map(|v| v.pointer).collect();
        assert_eq!(pointers, ["/files/0/name", "/files/0/sha256"]);
    }

    #[test]
    fn unknown_kind_fails_at_the_root() {
        let violations = validate(&serde_json::json!({"kind": "other"}));
        assert!(!violations.is_empty());
        assert!(violations.iter().all(|v| v.pointer.is_empty()));
    }
}

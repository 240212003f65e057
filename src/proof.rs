//! The proof `migrate` runs before it writes anything (pure: bytes in memory, no file system): every rendered file
//! parses, validates against the schema, and the set reads back to exactly the source entries. A failure is a bug
//! of this tool (MIGRATION-003) and nothing is written.

use crate::core::document::{ChainDocument, QuarantineDocument};
use crate::core::migrate::unmigrate;
use crate::core::output::OutputFile;
use crate::core::record::{parse_entries, SourceEntries};
use crate::error::{ErrorCode, ToolError};
use crate::schema;
use serde_json::Value;

fn proof_bug(subject: &str, what: String) -> ToolError {
    ToolError::new(ErrorCode::Migration003, subject, what)
        .with_hint("this is a bug in lookcoin-state; nothing was written; please report it with the input")
}

/// Parses, schema-checks and types the rendered files: what a later reader of the folder will do.
fn read_back(files: &[OutputFile]) -> Result<(Vec<ChainDocument>, Option<QuarantineDocument>), ToolError> {
    let mut chains: Vec<ChainDocument> = Vec::new();
    let mut quarantine: Option<QuarantineDocument> = None;
    for file in files {
        let bug = |what: String| proof_bug(&file.name, what);
        let value: Value = serde_json::from_slice(&file.bytes).map_err(|e| bug(format!("output is not JSON: {e}")))?;
        if let Some(v) = schema::validate(&value).first() {
            return Err(bug(format!("output violates the schema at `{}`: {}", v.pointer, v.message)));
        }
        match value.get("kind").and_then(Value::as_str) {
            Some("chain") => chains.push(serde_json::from_value(value).map_err(|e| bug(e.to_string()))?),
            Some("quarantine") => quarantine = Some(serde_json::from_value(value).map_err(|e| bug(e.to_string()))?),
            _ => {}
        }
    }
    Ok((chains, quarantine))
}

/// Proves the files before anyone writes them. The expected entries are parsed on a second thread while the files
/// are read back on this one (the two halves take about as long; the machine CI runs on has two cores).
pub fn prove_files(entries: &SourceEntries, files: &[OutputFile]) -> Result<(), ToolError> {
    let (expected, back) = std::thread::scope(|scope| {
        let expected = scope.spawn(|| parse_entries(entries));
        let back = read_back(files).and_then(|(chains, quarantine)| {
            unmigrate(&chains, quarantine.as_ref()).map_err(|e| proof_bug("output", e.to_string()))
        });
        (expected.join().expect("parsing never panics"), back)
    });
    if back? != expected {
        return Err(proof_bug("output", "the documents do not read back to the source entries".to_string()));
    }
    Ok(())
}

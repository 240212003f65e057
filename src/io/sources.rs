//! Loads any source the tool reads into a [`SourceState`]: detects the format of a path (or takes it from a flag),
//! reads the files, and hands parsed JSON to the pure readers in `core::formats`. Reads files only.

use crate::core::formats::{self, entries, legacy_v1, openzeppelin, unified_v3, FormatError, InputFile};
use crate::core::network::NetworkTable;
use crate::core::state::{SourceFormat, SourceState};
use crate::error::{ErrorCode, ToolError};
use crate::io::documents::{json_files, read_documents, read_json};
use crate::io::leveldb::{looks_like_leveldb, read_leveldb};
use crate::parallel::parse_entries;
use serde_json::Value;
use std::path::Path;

/// What the format of a document is, from its content; `None` when it is none the tool knows.
pub fn detect_json(json: &Value) -> Option<SourceFormat> {
    let ours = matches!(json.get("kind").and_then(Value::as_str), Some("chain" | "quarantine" | "manifest"))
        && json.get("schemaVersion").and_then(Value::as_str) == Some(crate::core::document::SCHEMA_VERSION);
    if ours {
        Some(SourceFormat::Enhanced)
    } else if unified_v3::looks_like(json) {
        Some(SourceFormat::UnifiedV3)
    } else if openzeppelin::looks_like(json) {
        Some(SourceFormat::OpenZeppelin)
    } else if legacy_v1::looks_like(json) {
        Some(SourceFormat::LegacyV1)
    } else {
        None
    }
}

const EXPECTED: &str =
    "a LevelDB folder, our enhanced JSON (schemaVersion 2.0.0), legacy v1 deployments/<network>.json, \
v3 deployments/unified/*.unified.json, or OpenZeppelin .openzeppelin/<network>.json";

/// Reads the source at `path`, in `format` when given, else the one detected.
pub fn load_source(path: &Path, format: Option<SourceFormat>) -> Result<SourceState, ToolError> {
    let label = path.display().to_string();
    let table = NetworkTable::builtin();
    if format == Some(SourceFormat::LevelDb) || (format.is_none() && looks_like_leveldb(path)) {
        let read = read_leveldb(path)?;
        return Ok(entries::from_entries(&label, &parse_entries(&read.entries)));
    }
    let files = read_inputs(path)?;
    let format = match format {
        Some(f) => f,
        None => detect_all(path, &files)?,
    };
    let state = match format {
        SourceFormat::LevelDb => unreachable!("handled above"),
        SourceFormat::Enhanced => load_enhanced(path, &table)?,
        SourceFormat::LegacyV1 => legacy_v1::parse(&label, &files, &table).map_err(format_error)?,
        SourceFormat::UnifiedV3 => unified_v3::parse(&label, &files, &table).map_err(format_error)?,
        SourceFormat::OpenZeppelin => openzeppelin::parse(&label, &files).map_err(format_error)?,
    };
    Ok(state)
}

fn read_inputs(path: &Path) -> Result<Vec<InputFile>, ToolError> {
    let files = json_files(path)?;
    if files.is_empty() {
        return Err(ToolError::new(
            ErrorCode::Json001,
            path.display().to_string(),
            "no LevelDB and no .json file here",
        )
        .with_hint(format!("pass {EXPECTED}")));
    }
    files.iter().map(|f| read_json(f).map(|(_, json)| InputFile { origin: f.display().to_string(), json })).collect()
}

/// The one format every file of a path has.
fn detect_all(path: &Path, files: &[InputFile]) -> Result<SourceFormat, ToolError> {
    let mut found: Option<SourceFormat> = None;
    for file in files {
        let Some(format) = detect_json(&file.json) else {
            return Err(ToolError::new(
                ErrorCode::Json003,
                &file.origin,
                "not a deployment-state format this tool knows",
            )
            .with_hint(format!("expected {EXPECTED}; or name the format with --left-format/--right-format")));
        };
        match found {
            Some(f) if f != format => {
                return Err(ToolError::new(
                    ErrorCode::Json003,
                    path.display().to_string(),
                    format!("files of two formats in one source: {f} and {format} ({})", file.origin),
                )
                .with_hint("point at a folder holding one format"))
            }
            _ => found = Some(format),
        }
    }
    Ok(found.expect("at least one file"))
}

fn load_enhanced(path: &Path, table: &NetworkTable) -> Result<SourceState, ToolError> {
    let docs = read_documents(path)?;
    let name_of = |i: usize| docs.files.get(i).map(|p| p.display().to_string()).unwrap_or_default();
    // read_documents keeps chain documents in file order; pair them with their files for origins.
    let chain_files: Vec<String> = docs
        .files
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            !p.ends_with(crate::core::document::MANIFEST_FILE) && !p.ends_with(crate::core::document::QUARANTINE_FILE)
        })
        .map(|(i, _)| name_of(i))
        .collect();
    let chains: Vec<(String, _)> = docs
        .chains
        .iter()
        .enumerate()
        .map(|(i, d)| (chain_files.get(i).cloned().unwrap_or_else(|| format!("chain {}", d.chain_id)), d.clone()))
        .collect();
    let quarantine = docs.quarantine.clone().map(|q| (format!("{}/quarantine.json", path.display()), q));
    entries::from_documents(&path.display().to_string(), &chains, quarantine.as_ref(), table).map_err(format_error)
}

fn format_error(e: FormatError) -> ToolError {
    ToolError::new(ErrorCode::Json003, e.origin, e.problem)
        .with_hint("fix the file, or name its format with --left-format/--right-format if it was detected wrongly")
}

/// Re-export for the CLI's `--*-format` flags.
pub use formats::InputFile as _InputFileForDocs;

//! `validate`'s step: every file against the schema on its own, then each folder as a set (manifest digests, one
//! record per key). Reads files only.

use super::load::read_documents;
use crate::core::reports::validate::{ValidateReport, ValidatedFile};
use crate::error::ToolError;
use crate::io::documents::{check_schema, json_files, read_json};
use std::path::{Path, PathBuf};

fn failure(e: &ToolError) -> (String, Vec<String>) {
    let mut lines = vec![format!("{}: {}", e.subject, e.causes.first().cloned().unwrap_or_default())];
    lines.extend(e.causes.iter().skip(1).cloned());
    (e.code().code().to_string(), lines)
}

/// Validates each file on its own, so one bad file does not hide the state of the others.
fn validate_file(path: &Path) -> ValidatedFile {
    let outcome = read_json(path).and_then(|(_, value)| check_schema(path, &value));
    ValidatedFile { path: path.display().to_string(), failure: outcome.err().as_ref().map(failure) }
}

/// For a folder whose files are all valid, checks the set as a whole: manifest digests, one record per key.
fn validate_set(path: &Path) -> Option<ValidatedFile> {
    let outcome = read_documents(path).and_then(|docs| docs.into_entries(path).map(|_| ()));
    outcome.err().map(|e| ValidatedFile { path: path.display().to_string(), failure: Some(failure(&e)) })
}

/// Validates every file and folder given.
pub fn validate(paths: &[PathBuf]) -> Result<ValidateReport, ToolError> {
    let mut report = ValidateReport { files: Vec::new() };
    for path in paths {
        let files = json_files(path)?;
        let before = report.invalid();
        report.files.extend(files.iter().map(|f| validate_file(f)));
        if path.is_dir() && report.invalid() == before {
            report.files.extend(validate_set(path));
        }
    }
    Ok(report)
}

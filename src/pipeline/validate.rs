//! `validate`'s step: every file against the schema on its own, then each folder as a set (manifest digests, one
//! record per key). Reads files only.

use super::load::read_documents;
use crate::core::reports::validate::{ValidateReport, ValidatedFile};
use crate::error::ToolError;
use crate::io::documents::{check_schema, json_files, parse_json, read_bytes};
use std::path::{Path, PathBuf};

fn failure(e: &ToolError) -> (String, Vec<String>) {
    let mut lines = vec![format!("{}: {}", e.subject, e.causes.first().cloned().unwrap_or_default())];
    lines.extend(e.causes.iter().skip(1).cloned());
    (e.code().code().to_string(), lines)
}

/// Validates each file on its own, so one bad file does not hide the state of the others. A file that cannot be
/// read at all (missing, not a regular file, over the size limit) stops the run: that is bad input, not a finding.
fn validate_file(path: &Path) -> Result<ValidatedFile, ToolError> {
    let bytes = read_bytes(path)?;
    let outcome = parse_json(path, &bytes).and_then(|value| check_schema(path, &value));
    Ok(ValidatedFile { path: path.display().to_string(), failure: outcome.err().as_ref().map(failure) })
}

/// For a folder whose files are all valid, checks the set as a whole: manifest digests, one record per key.
fn validate_set(path: &Path) -> Option<ValidatedFile> {
    let outcome = read_documents(path).and_then(|docs| docs.unchanged(path)?.into_entries(path).map(|_| ()));
    outcome.err().map(|e| ValidatedFile { path: path.display().to_string(), failure: Some(failure(&e)) })
}

/// Validates every file and folder given.
pub fn validate(paths: &[PathBuf]) -> Result<ValidateReport, ToolError> {
    let mut report = ValidateReport { files: Vec::new() };
    for path in paths {
        let files = json_files(path)?;
        let before = report.invalid();
        for file in &files {
            report.files.push(validate_file(file)?);
        }
        if path.is_dir() && report.invalid() == before {
            report.files.extend(validate_set(path));
        }
    }
    Ok(report)
}

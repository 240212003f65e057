//! `lookcoin-state validate PATH...`: schema validation of JSON documents, and of a folder's manifest.

use super::{exit, output_error, Format};
use crate::error::ToolError;
use crate::io::documents::{check_schema, json_files, read_documents, read_json};
use crate::report::{self, ValidateReport, ValidatedFile};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders of JSON documents.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

fn failure(e: &ToolError) -> (String, Vec<String>) {
    let mut lines = vec![format!("{}: {}", e.subject, e.causes.first().cloned().unwrap_or_default())];
    lines.extend(e.causes.iter().skip(1).cloned());
    (e.code.code().to_string(), lines)
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

pub fn run(args: &Args, out: &mut dyn Write) -> Result<u8, ToolError> {
    let mut report = ValidateReport { files: Vec::new() };
    for path in &args.paths {
        let files = json_files(path)?;
        let before = report.invalid();
        report.files.extend(files.iter().map(|f| validate_file(f)));
        if path.is_dir() && report.invalid() == before {
            report.files.extend(validate_set(path));
        }
    }
    match args.format {
        Format::Human => report::human::validate(out, &report),
        Format::Json => report::json::validate(out, &report),
    }
    .map_err(output_error)?;
    Ok(if report.invalid() > 0 { exit::FINDINGS } else { exit::CLEAN })
}

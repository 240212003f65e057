//! Renderers: reports are data built by the core or the commands; these functions only turn them into text on a
//! `&mut dyn Write` (stdout in the CLI, a `Vec<u8>` in snapshot tests).

pub mod comparison_human;
pub mod comparison_json;
pub mod github;
pub mod history;
pub mod human;
pub mod json;
pub mod junit;
pub mod rollback;
pub mod verify;

use crate::core::summary::MigrationSummary;

/// Version of the JSON reports' shape (`--format json`); bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: &str = "1.0.0";

/// What `migrate` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrateReport {
    pub source: String,
    pub out: String,
    pub dry_run: bool,
    pub files_verified: usize,
    pub summary: MigrationSummary,
    pub files: Vec<WrittenFile>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenFile {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The outcome of validating one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidatedFile {
    pub path: String,
    /// `None` when valid; else the error code and one line per problem (with JSON pointer or position).
    pub failure: Option<(String, Vec<String>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidateReport {
    pub files: Vec<ValidatedFile>,
}

impl ValidateReport {
    pub fn invalid(&self) -> usize {
        self.files.iter().filter(|f| f.failure.is_some()).count()
    }
}

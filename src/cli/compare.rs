//! `lookcoin-state compare LEFT RIGHT`: every field-level disagreement between two sources.

use super::{exit, output_error, Format};
use crate::core::compare::compare;
use crate::core::comparison::CompareReport;
use crate::core::network::NetworkTable;
use crate::core::state::SourceFormat;
use crate::error::{ErrorCode, ToolError};
use crate::io::atomic::write_file_atomic;
use crate::io::sources::load_source;
use crate::report::{comparison_human, comparison_json, github, junit};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The formats `--left-format` / `--right-format` accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatFlag {
    Leveldb,
    Enhanced,
    V1,
    V3,
    Openzeppelin,
}

impl FormatFlag {
    pub fn format(self) -> SourceFormat {
        match self {
            FormatFlag::Leveldb => SourceFormat::LevelDb,
            FormatFlag::Enhanced => SourceFormat::Enhanced,
            FormatFlag::V1 => SourceFormat::LegacyV1,
            FormatFlag::V3 => SourceFormat::UnifiedV3,
            FormatFlag::Openzeppelin => SourceFormat::OpenZeppelin,
        }
    }
}

/// The two sources, shared by `compare` and `reconcile`.
#[derive(Debug, clap::Args)]
pub struct Sources {
    /// A LevelDB folder, or a folder/file of our JSON, v1, v3 unified or OpenZeppelin manifests.
    pub left: PathBuf,
    /// Same kinds as LEFT.
    pub right: PathBuf,
    /// Read LEFT in this format instead of detecting it.
    #[arg(long, value_enum)]
    pub left_format: Option<FormatFlag>,
    /// Read RIGHT in this format instead of detecting it.
    #[arg(long, value_enum)]
    pub right_format: Option<FormatFlag>,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub sources: Sources,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Also write a JUnit XML report here (one test case per contract, one failure per discrepancy).
    #[arg(long)]
    pub junit: Option<PathBuf>,
}

/// Writes a report file atomically, next to nothing else.
pub fn write_report_file(path: &Path, text: &str) -> Result<(), ToolError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    write_file_atomic(&dir, &name, text.as_bytes()).map_err(|e| {
        ToolError::new(ErrorCode::Migration001, path.display().to_string(), "cannot write the report").caused_by(e)
    })
}

/// True when running under GitHub Actions, where annotations are wanted.
pub fn in_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

pub fn run(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, ToolError> {
    let s = &args.sources;
    let left = load_source(&s.left, s.left_format.map(FormatFlag::format))?;
    let right = load_source(&s.right, s.right_format.map(FormatFlag::format))?;
    let report = CompareReport::build(&left, &right, compare(&left, &right), &NetworkTable::builtin());
    if let Some(path) = &args.junit {
        write_report_file(path, &junit::compare_xml(&report, "lookcoin-state compare"))?;
    }
    match args.format {
        Format::Human => comparison_human::compare(out, &report),
        Format::Json => comparison_json::compare(out, &report),
    }
    .map_err(output_error)?;
    if in_github_actions() {
        github::discrepancies(err, &report.discrepancies).map_err(output_error)?;
    }
    Ok(if report.discrepancies.is_empty() { exit::CLEAN } else { exit::FINDINGS })
}

//! `lookcoin-state compare LEFT RIGHT`: every field-level disagreement between two sources.

use super::{annotate, exit, output_error, Format, Sources};
use crate::error::ToolError;
use crate::io::atomic::write_report_file;
use crate::io::paths::refuse_overlap;
use crate::pipeline::compare::compare;
use crate::report::{human, json, junit};
use std::io::Write;
use std::path::PathBuf;

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

pub fn run(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, ToolError> {
    if let Some(path) = &args.junit {
        refuse_overlap("--junit", path, &[&args.sources.left, &args.sources.right])?;
    }
    let report = compare(args.sources.left(), args.sources.right())?;
    if let Some(path) = &args.junit {
        write_report_file(path, junit::compare_xml(&report, "lookcoin-state compare").as_bytes())?;
    }
    match args.format {
        Format::Human => human::compare(out, &report),
        Format::Json => json::compare(out, &report),
    }
    .map_err(output_error)?;
    annotate(err, "compare", report.annotations())?;
    Ok(if report.discrepancies.is_empty() { exit::CLEAN } else { exit::FINDINGS })
}

//! `lookcoin-state validate PATH...`: schema validation of JSON documents, and of a folder's manifest.

use super::{annotate, exit, output_error, Format};
use crate::error::ToolError;
use crate::pipeline::validate::validate;
use crate::report;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders of JSON documents.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<u8, ToolError> {
    let report = validate(&args.paths)?;
    match args.format {
        Format::Human => report::human::validate(out, &report),
        Format::Json => report::json::validate(out, &report),
    }
    .map_err(output_error)?;
    annotate(err, "validate", report.annotations())?;
    Ok(if report.invalid() > 0 { exit::FINDINGS } else { exit::CLEAN })
}

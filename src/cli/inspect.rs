//! `lookcoin-state inspect PATH`: the entries of a LevelDB folder or of our JSON documents.

use super::{exit, output_error, Format};
use crate::error::ToolError;
use crate::pipeline::{inspect::load_rows, parallel};
use crate::report;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A LevelDB folder (holds CURRENT), a folder of our JSON documents, or one document.
    pub path: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<u8, ToolError> {
    let rows = load_rows(&args.path)?;
    match args.format {
        Format::Human => report::human::inspect(out, &args.path.display().to_string(), &rows),
        Format::Json => report::json::inspect(out, &rows),
    }
    .map_err(output_error)?;
    parallel::drop_in_background(rows);
    Ok(exit::CLEAN)
}

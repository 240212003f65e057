//! `lookcoin-state inspect PATH`: the entries of a LevelDB folder or of our JSON documents.

use super::{exit, output_error, Format};
use crate::core::inspect::InspectRow;
use crate::error::ToolError;
use crate::io::documents::read_documents;
use crate::io::leveldb::{looks_like_leveldb, read_leveldb};
use crate::{parallel, report};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A LevelDB folder (holds CURRENT), a folder of our JSON documents, or one document.
    pub path: PathBuf,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Rows of any source the tool reads, detected from the path.
pub fn load_rows(path: &Path) -> Result<Vec<InspectRow>, ToolError> {
    if looks_like_leveldb(path) {
        let entries = read_leveldb(path)?.entries;
        let rows = parallel::rows_of_raw(&entries);
        parallel::drop_in_background(entries);
        Ok(rows)
    } else {
        Ok(parallel::rows_of_sorted_entries(read_documents(path)?.into_entries(path)?))
    }
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

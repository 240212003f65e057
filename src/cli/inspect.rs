//! `lookcoin-state inspect PATH`: the entries of a LevelDB folder or of our JSON documents.

use super::{exit, output_error, Format};
use crate::core::inspect::{row_of_bytes, row_of_entry, InspectRow};
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
        let pairs: Vec<(&[u8], &[u8])> = entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice())).collect();
        let rows = parallel::map(&pairs, parallel::batch_for(pairs.len()), |(key, value)| row_of_bytes(key, value));
        drop(pairs);
        parallel::drop_in_background(entries);
        Ok(rows)
    } else {
        // `into_entries` gives key order, which `map_owned` keeps.
        let entries = read_documents(path)?.into_entries(path)?;
        let batch = parallel::batch_for(entries.len());
        Ok(parallel::map_owned(entries, batch, row_of_entry))
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

//! `inspect`'s step: the rows of any source the tool reads (a LevelDB folder, our JSON), detected from the path.
//! Reads files only.

use super::{load, parallel};
use crate::core::inspect::InspectRow;
use crate::error::ToolError;
use crate::io::leveldb::{looks_like_leveldb, read_leveldb};
use std::path::Path;

/// Rows of the source at `path`, in key byte order, built on every core.
pub fn load_rows(path: &Path) -> Result<Vec<InspectRow>, ToolError> {
    if looks_like_leveldb(path) {
        let entries = read_leveldb(path)?.entries;
        let rows = parallel::rows_of_raw(&entries);
        parallel::drop_in_background(entries);
        Ok(rows)
    } else {
        Ok(parallel::rows_of_sorted_entries(load::read_documents(path)?.into_entries(path)?))
    }
}

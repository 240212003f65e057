//! Writes entries into a new LevelDB folder with rusty-leveldb (a format Google's C++ LevelDB opens). Writes only
//! the folder it is given.

use crate::core::record::SourceEntries;
use crate::error::{ErrorKind, ToolError};
use std::path::Path;

/// Writes `entries` into a new LevelDB at `dir` (created if missing).
pub fn write_leveldb(dir: &Path, entries: &SourceEntries) -> Result<(), ToolError> {
    let fail = |e: rusty_leveldb::Status| {
        ToolError::new(ErrorKind::OutputFailed, dir.display().to_string(), "cannot write the LevelDB").caused_by(e.err)
    };
    let mut db = rusty_leveldb::DB::open(dir, rusty_leveldb::Options::default()).map_err(fail)?;
    for (k, v) in entries {
        db.put(k, v).map_err(fail)?;
    }
    db.flush().map_err(fail)?;
    db.close().map_err(fail)
}

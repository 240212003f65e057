//! Checksum verification of a LevelDB folder's log and table files, before rusty-leveldb reads it.
//!
//! Reads files of the private snapshot only. Why this exists: rusty-leveldb 4 skips a table block whose checksum
//! fails while iterating ("try next block, this might be corruption") and stops replaying a log at the first bad
//! record, both silently. A migration built on that would lose records without a word, the very defect this tool
//! exists to catch, so every block and every log record is verified here first and any failure is LEVELDB-001
//! naming the file.

use crate::core::leveldb_format::{self, FormatError};
use std::path::Path;

/// A verification failure: the file name within the folder and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrityError {
    pub file: String,
    pub detail: String,
}

fn fail(file: &str, detail: impl Into<String>) -> IntegrityError {
    IntegrityError { file: file.to_string(), detail: detail.into() }
}

fn named(file: &str) -> impl Fn(FormatError) -> IntegrityError + '_ {
    move |e| fail(file, e.0)
}

/// Verifies every record of a log-format file (`*.log`, `MANIFEST-*`). A record cut off by the end of the file is
/// a write that never completed and is ignored, as LevelDB itself does; a checksum mismatch is corruption.
pub fn verify_log(name: &str, bytes: &[u8]) -> Result<usize, IntegrityError> {
    leveldb_format::log_records(bytes).map(|records| records.len()).map_err(named(name))
}

/// Verifies a table file (`*.ldb`, `*.sst`): footer magic, then the checksum and decompression of the index
/// block, the metaindex block, every data block and every meta (filter) block. Returns the number of blocks.
pub fn verify_table(name: &str, bytes: &[u8]) -> Result<usize, IntegrityError> {
    leveldb_format::verify_table(bytes).map_err(named(name))
}

/// Verifies every log, manifest and table file of a folder. Returns how many files were checked.
pub fn verify_folder(dir: &Path) -> Result<usize, IntegrityError> {
    let mut checked = 0;
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| fail(".", format!("cannot list the folder: {e}")))?
        .filter_map(|e| e.ok().and_then(|e| e.file_name().into_string().ok()))
        .collect();
    names.sort();
    for name in names {
        let is_table = name.ends_with(".ldb") || name.ends_with(".sst");
        let is_log = name.ends_with(".log") || name.starts_with("MANIFEST-");
        if !is_table && !is_log {
            continue;
        }
        let bytes = std::fs::read(dir.join(&name)).map_err(|e| fail(&name, format!("cannot read: {e}")))?;
        if is_table {
            verify_table(&name, &bytes)?;
        } else {
            verify_log(&name, &bytes)?;
        }
        checked += 1;
    }
    Ok(checked)
}

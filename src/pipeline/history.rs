//! `history`: every version of every key a LevelDB folder still physically holds, from a private copy.

use crate::core::history;
use crate::core::leveldb_format::{log_versions, table_versions, FoundVersion};
use crate::core::reports::history::HistoryReport;
use crate::error::{ErrorKind, ToolError};
use crate::io::leveldb::read_version_files;
use std::path::Path;

/// What to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryOptions {
    /// Only this key's versions.
    pub key: Option<Vec<u8>>,
    /// Also list, per live record, the fields older versions held that the live one lacks or changed.
    pub recover: bool,
}

/// Decodes every table and log file of a copy of `dir` (checksums verified) and decides each version's liveness.
pub fn history(dir: &Path, options: &HistoryOptions) -> Result<HistoryReport, ToolError> {
    let files = read_version_files(dir)?;
    let names: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
    let found = files
        .into_iter()
        .map(|(name, bytes)| decode(dir, &name, &bytes).map(|versions| (name, versions)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut versions = history::versions(found).map_err(|c| {
        ToolError::new(
            ErrorKind::LevelDbCorrupt,
            dir.display().to_string(),
            format!(
                "key `{}` has two different versions with sequence number {} (in {})",
                String::from_utf8_lossy(&c.key),
                c.sequence,
                c.files.join(", ")
            ),
        )
    })?;
    let recovered = options.recover.then(|| history::recover(&versions));
    let recovered = match &options.key {
        Some(key) => {
            versions.retain(|v| v.key == *key);
            recovered.map(|all| all.into_iter().filter(|r| r.key == *key).collect())
        }
        None => recovered,
    };
    Ok(HistoryReport {
        source: dir.display().to_string(),
        files: names,
        key_filter: options.key.clone(),
        versions,
        recovered,
    })
}

fn decode(dir: &Path, name: &str, bytes: &[u8]) -> Result<Vec<FoundVersion>, ToolError> {
    let decoded = if name.ends_with(".log") { log_versions(bytes) } else { table_versions(bytes) };
    decoded.map_err(|e| ToolError::new(ErrorKind::LevelDbCorrupt, dir.join(name).display().to_string(), e.0))
}

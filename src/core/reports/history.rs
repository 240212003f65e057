//! What `history` found (pure data): every version of every key a LevelDB's files still hold, and with
//! `--recover` the fields older versions held that the live one lacks or changed.

use crate::core::history::{KeyVersion, Liveness, Recovery};

/// What `history` found, for the renderers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryReport {
    pub source: String,
    /// Table and log files read, in name order.
    pub files: Vec<String>,
    /// `--key`, when given.
    pub key_filter: Option<Vec<u8>>,
    pub versions: Vec<KeyVersion>,
    /// `Some` with `--recover`.
    pub recovered: Option<Vec<Recovery>>,
}

impl HistoryReport {
    pub fn count(&self, liveness: Liveness) -> usize {
        self.versions.iter().filter(|v| v.liveness == liveness).count()
    }
}

/// A key or value as text in both renderings: UTF-8 as it is, anything else as `0x` + hex.
pub fn bytes_text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => format!("0x{}", alloy_primitives::hex::encode(bytes)),
    }
}

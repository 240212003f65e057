//! The proof `migrate` runs before it writes anything (pure: bytes in memory, no file system): every rendered file
//! parses, validates against the schema, and the set reads back to exactly the source entries. A failure is a bug
//! of this tool (MIGRATION-003) and nothing is written.
//!
//! The files are proven one per core at a time, each against its own share of the source entries (a chain
//! document against that chain's valid records, the quarantine against the invalid entries), so that only the
//! files in flight are ever held parsed. Every share held by exactly one file is the same as the whole set
//! reading back to the whole source: `unmigrate(files) == parse_entries(source)`.

use crate::core::document::{ChainDocument, QuarantineDocument};
use crate::core::migrate::{chain_entries, quarantine_entries};
use crate::core::output::OutputFile;
use crate::core::record::Entry;
use crate::core::schema;
use crate::error::{ErrorKind, ToolError};
use crate::pipeline::parallel;
use serde_json::Value;
use std::collections::BTreeMap;

fn proof_bug(subject: &str, what: String) -> ToolError {
    ToolError::new(ErrorKind::ProofFailed, subject, what)
}

/// The source entries each file must hold, in key order.
struct Shares<'a> {
    chains: BTreeMap<u64, Vec<&'a Entry>>,
    quarantine: Vec<&'a Entry>,
}

impl<'a> Shares<'a> {
    fn of(expected: &'a [Entry]) -> Shares<'a> {
        let mut shares = Shares { chains: BTreeMap::new(), quarantine: Vec::new() };
        for entry in expected {
            match entry {
                Entry::Valid(record) => shares.chains.entry(record.chain_id.0).or_default().push(entry),
                Entry::Quarantined(_) => shares.quarantine.push(entry),
            }
        }
        shares
    }
}

/// Which share a file held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Held {
    Chain(u64),
    Quarantine,
    Nothing,
}

/// Parses, schema-checks and types one rendered file, and checks it holds exactly its share.
fn prove_file(file: &OutputFile, shares: &Shares<'_>) -> Result<Held, ToolError> {
    let bug = |what: String| proof_bug(&file.name, what);
    let value: Value = serde_json::from_slice(&file.bytes).map_err(|e| bug(format!("output is not JSON: {e}")))?;
    if let Some(v) = schema::validate(&value).first() {
        return Err(bug(format!("output violates the schema at `{}`: {}", v.pointer, v.message)));
    }
    let (held, back, share) = match value.get("kind").and_then(Value::as_str) {
        Some("chain") => {
            let doc: ChainDocument = serde_json::from_value(value).map_err(|e| bug(e.to_string()))?;
            let chain_id = doc.chain_id;
            let back = chain_entries(doc).map_err(|e| bug(e.to_string()))?.entries;
            (Held::Chain(chain_id), back, shares.chains.get(&chain_id).map_or(&[][..], Vec::as_slice))
        }
        Some("quarantine") => {
            let doc: QuarantineDocument = serde_json::from_value(value).map_err(|e| bug(e.to_string()))?;
            let back = quarantine_entries(doc).map_err(|e| bug(e.to_string()))?.entries;
            (Held::Quarantine, back, shares.quarantine.as_slice())
        }
        _ => return Ok(Held::Nothing),
    };
    if !back.iter().eq(share.iter().copied()) {
        return Err(bug(format!(
            "holds {} entries that are not the {} source entries it should hold",
            back.len(),
            share.len()
        )));
    }
    Ok(held)
}

/// Proves the files before anyone writes them: read back, they hold exactly `expected`, the source entries as
/// `parse_entries` gives them, each entry in exactly one file.
pub fn prove_files(expected: &[Entry], files: &[OutputFile]) -> Result<(), ToolError> {
    let shares = Shares::of(expected);
    let mut held =
        parallel::map(files, 1, |file| prove_file(file, &shares)).into_iter().collect::<Result<Vec<_>, _>>()?;
    held.retain(|h| *h != Held::Nothing);
    held.sort_unstable();
    let mut wanted: Vec<Held> = shares.chains.keys().map(|id| Held::Chain(*id)).collect();
    wanted.push(Held::Quarantine);
    if held != wanted {
        let what =
            format!("the files hold the shares {held:?}, the source has {wanted:?}: an entry is missing or held twice");
        return Err(proof_bug("output", what));
    }
    Ok(())
}

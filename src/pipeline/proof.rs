//! The proof `migrate` runs before it writes anything (pure: bytes in memory, no file system): every rendered file
//! parses, validates against the schema, and the set reads back to exactly the source entries. A failure is a bug
//! of this tool (MIGRATION-003) and nothing is written.
//!
//! The files are proven one per core at a time, each against its own share of the source entries (a chain
//! document against that chain's valid records, the quarantine against the invalid entries), so that only the
//! files in flight are ever held parsed. Every share held by exactly one file is the same as the whole set
//! reading back to the whole source: `unmigrate(files) == parse_entries(source)`.

use crate::core::document::{manifest_changes, ChainDocument, Manifest, QuarantineDocument, MANIFEST_FILE};
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

/// Parses, schema-checks and types one rendered file, and checks it holds exactly its share; returns the share
/// it held and the keys of its entries.
fn prove_file(file: &OutputFile, shares: &Shares<'_>) -> Result<(Held, Vec<Vec<u8>>), ToolError> {
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
        _ => return Ok((Held::Nothing, Vec::new())),
    };
    if !back.iter().eq(share.iter().copied()) {
        return Err(bug(format!(
            "holds {} entries that are not the {} source entries it should hold",
            back.len(),
            share.len()
        )));
    }
    Ok((held, back.iter().map(Entry::key_bytes).collect()))
}

/// The set has exactly one manifest, and it lists every other file with the digest it has: `validate` checks
/// the written folder against it, so a wrong digest would make the tool write what it then rejects.
fn prove_manifest(files: &[OutputFile]) -> Result<(), ToolError> {
    let manifests: Vec<&OutputFile> = files.iter().filter(|f| f.name == MANIFEST_FILE).collect();
    let [manifest] = manifests[..] else {
        return Err(proof_bug("output", format!("{} manifests in the set, not one", manifests.len())));
    };
    let listed: Manifest = serde_json::from_slice(&manifest.bytes)
        .map_err(|e| proof_bug(MANIFEST_FILE, format!("the manifest does not read back: {e}")))?;
    let rendered: Vec<(String, String, Option<u64>)> =
        files.iter().map(|f| (f.name.clone(), f.sha256.clone(), None)).collect();
    if let Some(change) = manifest_changes(&listed, &rendered).first() {
        let what = format!("the manifest does not list {} as written ({})", change.file, change.change.name());
        return Err(proof_bug(MANIFEST_FILE, what));
    }
    Ok(())
}

/// Proves the files before anyone writes them: read back, they hold exactly `expected`, the source entries as
/// `parse_entries` gives them, each entry in exactly one file.
pub fn prove_files(expected: &[Entry], files: &[OutputFile]) -> Result<(), ToolError> {
    let shares = Shares::of(expected);
    let proven =
        parallel::map(files, 1, |file| prove_file(file, &shares)).into_iter().collect::<Result<Vec<_>, _>>()?;
    // As `validate` reads the set: no key may be held by two files (a record and a quarantined entry, say).
    let mut keys: Vec<&Vec<u8>> = proven.iter().flat_map(|(_, keys)| keys).collect();
    keys.sort_unstable();
    if let Some(pair) = keys.windows(2).find(|pair| pair[0] == pair[1]) {
        let key = String::from_utf8_lossy(pair[0]);
        return Err(proof_bug("output", format!("the key `{key}` is held by two files")));
    }
    prove_manifest(files)?;
    let mut held: Vec<Held> = proven.into_iter().map(|(h, _)| h).filter(|h| *h != Held::Nothing).collect();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::category::categorize;
    use crate::core::document::SourceInfo;
    use crate::core::migrate::{migrate_records, MigrationContext};
    use crate::core::network::NetworkTable;
    use crate::core::output::render_migration;
    use crate::core::primitives::TimestampMs;
    use crate::core::record::parse_entry;

    /// A set whose chain document and quarantine both hold one key passes every per-file check, yet `validate`
    /// rejects it: the proof must too.
    #[test]
    fn a_key_held_by_two_files_fails_the_proof() {
        let key = b"31337-LookCoin";
        let valid = br#"{"contractName":"LookCoin","chainId":31337,"networkName":"hardhat","address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","factoryByteCodeHash":"","timestamp":1}"#;
        let Entry::Valid(record) = parse_entry(key, valid) else { panic!("a valid record") };
        let Entry::Quarantined(junk) = parse_entry(key, b"[1]") else { panic!("a quarantined entry") };
        let table = NetworkTable::builtin();
        let ctx = MigrationContext {
            networks: &table,
            source: SourceInfo { kind: "reconcile".into(), label: "test".into() },
            tool_version: "0".into(),
            migrated_at: TimestampMs(0),
        };
        let category = categorize(&record.contract_name);
        let files =
            render_migration(&migrate_records(&[(record.clone(), category)], std::slice::from_ref(&junk), &ctx));
        let expected = vec![Entry::Valid(record), Entry::Quarantined(junk)];
        let err = prove_files(&expected, &files).expect_err("the proof refuses a key held twice");
        assert!(err.causes[0].contains("`31337-LookCoin` is held by two files"), "{err}");
    }
}

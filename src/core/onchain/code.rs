//! Matching on-chain code with a recorded hash (pure): the compiler artifacts `--artifacts` gave, keyed by fully
//! qualified name and by bytecode, the candidates for a record, and the normalisation steps that were really
//! applied when a hash matched (docs/DOMAIN.md §4).

use crate::core::bytecode::{keccak_hex, self_address_ranges, strip_metadata, zero_ranges, Range};
use crate::core::primitives::ContractName;
use alloy_primitives::Address;
use std::collections::{BTreeMap, BTreeSet};

/// One compiled contract from an artifact file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactInfo {
    /// The contract's name (`DemoToken`).
    pub contract_name: String,
    /// Its source path (`contracts/DemoToken.sol`), when the artifact names it.
    pub source_name: Option<String>,
    /// The file it was read from.
    pub file: String,
    /// Whether the artifact kind carries `immutableReferences` (Foundry `out/`, Hardhat build-info); Hardhat
    /// per-contract and Truffle artifacts do not, so their runtime code cannot be compared exactly.
    pub has_immutable_refs: bool,
    pub immutable_ranges: Vec<Range>,
    /// keccak of the creation code, metadata stripped.
    pub creation_hash: String,
    /// keccak of the runtime code with immutables zeroed, metadata stripped.
    pub runtime_hash: String,
}

impl ArtifactInfo {
    /// `source:Contract`, or the short name when the source is unknown.
    pub fn fqn(&self) -> String {
        match &self.source_name {
            Some(source) => format!("{source}:{}", self.contract_name),
            None => self.contract_name.clone(),
        }
    }
}

/// Every artifact read, keyed by fully qualified name and by bytecode (creation and runtime hash).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Artifacts {
    entries: Vec<ArtifactInfo>,
    by_fqn: BTreeMap<String, Vec<usize>>,
    by_short: BTreeMap<String, Vec<usize>>,
    by_bytecode: BTreeMap<String, Vec<usize>>,
}

impl Artifacts {
    pub fn new() -> Artifacts {
        Artifacts::default()
    }

    /// Adds one artifact; the same contract read twice from one file is kept once.
    pub fn add(&mut self, info: ArtifactInfo) {
        if self.entries.contains(&info) {
            return;
        }
        let i = self.entries.len();
        self.by_fqn.entry(info.fqn()).or_default().push(i);
        self.by_short.entry(info.contract_name.clone()).or_default().push(i);
        self.by_bytecode.entry(info.creation_hash.clone()).or_default().push(i);
        self.by_bytecode.entry(info.runtime_hash.clone()).or_default().push(i);
        self.entries.push(info);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn entries(&self) -> &[ArtifactInfo] {
        &self.entries
    }

    /// The artifacts whose creation or runtime hash is `hash`.
    pub fn with_bytecode(&self, hash: &str) -> Vec<&ArtifactInfo> {
        self.by_bytecode.get(hash).map(|ix| ix.iter().map(|i| &self.entries[*i]).collect()).unwrap_or_default()
    }

    /// The candidates for a record name: by fully qualified name when the record has one (`path:Contract`),
    /// else every artifact of that short name; those carrying immutable ranges first, then by file.
    pub fn candidates(&self, record_name: &str) -> Vec<&ArtifactInfo> {
        let by_fqn = self.by_fqn.get(record_name).filter(|_| record_name.contains(':'));
        let short = ContractName(record_name.to_string()).short().to_string();
        let ix = by_fqn.or_else(|| self.by_short.get(&short));
        let mut out: Vec<&ArtifactInfo> =
            ix.map(|ix| ix.iter().map(|i| &self.entries[*i]).collect()).unwrap_or_default();
        out.sort_by_key(|a| (!a.has_immutable_refs, a.file.clone()));
        out
    }

    /// Names held by artifacts of different bytecode (two compiles, or two contracts sharing a name): a note
    /// naming the files of each, for the report.
    pub fn collisions(&self) -> Vec<String> {
        let mut notes = Vec::new();
        for (name, ix) in &self.by_short {
            let codes: BTreeSet<&str> = ix.iter().map(|i| self.entries[*i].creation_hash.as_str()).collect();
            if codes.len() > 1 {
                let files: BTreeSet<&str> = ix.iter().map(|i| self.entries[*i].file.as_str()).collect();
                let files: Vec<&str> = files.into_iter().collect();
                notes.push(format!("{} different bytecodes under the name {name}: {}", codes.len(), files.join(", ")));
            }
        }
        notes
    }
}

/// One normalisation step applied to on-chain code before hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    /// Ranges from the artifact's `immutableReferences` zeroed (how many).
    ImmutablesZeroed(usize),
    /// `PUSH32 <own address>` operands zeroed (how many).
    SelfAddressZeroed(usize),
    /// A CBOR metadata trailer was present and removed.
    MetadataStripped,
}

impl Step {
    pub fn name(self) -> String {
        match self {
            Step::ImmutablesZeroed(n) => format!("immutables-zeroed({n})"),
            Step::SelfAddressZeroed(n) => format!("self-address-zeroed({n})"),
            Step::MetadataStripped => "metadata-stripped".to_string(),
        }
    }
}

/// Which hash of an artifact the record's hash is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bytecode {
    /// The record holds the runtime-code hash; the on-chain code, normalised, hashes to it.
    Runtime,
    /// The record holds the artifact's creation-code hash, and the on-chain code, normalised, is that artifact's
    /// runtime code.
    Creation,
}

impl Bytecode {
    pub fn name(self) -> &'static str {
        match self {
            Bytecode::Runtime => "runtime",
            Bytecode::Creation => "creation",
        }
    }
}

/// How a recorded hash was matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeMatch {
    /// The artifact file that matched, when one was used.
    pub artifact: Option<String>,
    /// The steps really applied (none: the raw code matched).
    pub steps: Vec<Step>,
    pub bytecode: Bytecode,
}

impl CodeMatch {
    /// `immutables-zeroed(3)+metadata-stripped`, or `none`.
    pub fn steps_name(&self) -> String {
        if self.steps.is_empty() {
            "none".to_string()
        } else {
            self.steps.iter().map(|s| s.name()).collect::<Vec<_>>().join("+")
        }
    }
}

/// What matching on-chain code with a recorded hash gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeOutcome {
    Matched(CodeMatch),
    /// Only artifacts without immutable ranges exist for the contract and nothing matched: the code cannot be
    /// judged (its immutables cannot be located), which is not drift.
    NoImmutableRanges(String),
    /// Nothing matched: the hash the most specific normalisation gave, and what was tried.
    Mismatch {
        actual: String,
        tried: String,
    },
}

/// The code with `ranges` zeroed, then stripped, hashed, with the steps that changed something.
fn normalised(code: &[u8], ranges: &[Range], zeroed: fn(usize) -> Step) -> (String, Vec<Step>) {
    let inside = ranges.iter().filter(|r| r.start < code.len()).count();
    let zeroed_code = zero_ranges(code, ranges);
    let stripped = strip_metadata(&zeroed_code);
    let mut steps = Vec::new();
    if inside > 0 {
        steps.push(zeroed(inside));
    }
    if stripped.len() < zeroed_code.len() {
        steps.push(Step::MetadataStripped);
    }
    (keccak_hex(stripped), steps)
}

/// Matches the code at `address` with the recorded `expected` hash: through every artifact candidate of
/// `contract` (those with immutable ranges first), by their runtime and creation hashes, then without artifacts
/// (own-address immutables zeroed, metadata stripped, raw).
pub fn match_code(contract: &str, code: &[u8], address: Address, expected: &str, artifacts: &Artifacts) -> CodeOutcome {
    let candidates = artifacts.candidates(contract);
    let own = self_address_ranges(code, address);
    let (self_hash, self_steps) = normalised(code, &own, Step::SelfAddressZeroed);
    let matched = |artifact: Option<&ArtifactInfo>, steps: &[Step], bytecode| {
        CodeOutcome::Matched(CodeMatch { artifact: artifact.map(|a| a.file.clone()), steps: steps.to_vec(), bytecode })
    };
    let mut first_tried: Option<String> = None;
    let mut tried: Vec<String> = Vec::new();
    for a in &candidates {
        let (hash, steps) = if a.has_immutable_refs {
            normalised(code, &a.immutable_ranges, Step::ImmutablesZeroed)
        } else {
            (self_hash.clone(), self_steps.clone())
        };
        first_tried.get_or_insert_with(|| hash.clone());
        tried.push(format!(
            "{} ({})",
            a.file,
            if a.has_immutable_refs { "immutable ranges" } else { "no immutable ranges" }
        ));
        if hash == expected && (a.runtime_hash == expected || a.has_immutable_refs) {
            return matched(Some(a), &steps, Bytecode::Runtime);
        }
        if a.creation_hash == expected && hash == a.runtime_hash {
            return matched(Some(a), &steps, Bytecode::Creation);
        }
    }
    let stripped = strip_metadata(code);
    let plain: [(String, Vec<Step>); 3] = [
        (self_hash.clone(), self_steps),
        (keccak_hex(stripped), if stripped.len() < code.len() { vec![Step::MetadataStripped] } else { vec![] }),
        (keccak_hex(code), vec![]),
    ];
    for (hash, steps) in &plain {
        if hash == expected {
            return matched(None, steps, Bytecode::Runtime);
        }
    }
    tried.push("own-address immutables zeroed, metadata stripped, raw (no artifact)".into());
    if !candidates.is_empty() && candidates.iter().all(|a| !a.has_immutable_refs) {
        let short = ContractName(contract.to_string()).short().to_string();
        return CodeOutcome::NoImmutableRanges(format!(
            "no immutable ranges for {short}: add build-info (only {} without immutableReferences)",
            candidates.iter().map(|a| a.file.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    CodeOutcome::Mismatch { actual: first_tried.unwrap_or(self_hash), tried: format!("tried {}", tried.join("; ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(file: &str, name: &str, creation: &str, immutables: bool) -> ArtifactInfo {
        ArtifactInfo {
            contract_name: name.into(),
            source_name: Some(format!("contracts/{name}.sol")),
            file: file.into(),
            has_immutable_refs: immutables,
            immutable_ranges: vec![],
            creation_hash: creation.into(),
            runtime_hash: format!("{creation}-runtime"),
        }
    }

    #[test]
    fn candidates_prefer_immutable_ranges_and_collisions_name_both_files() {
        let mut a = Artifacts::new();
        a.add(info("artifacts/contracts/T.sol/T.json", "T", "0x01", false));
        a.add(info("build-info/x.json", "T", "0x01", true));
        a.add(info("other/out/T.sol/T.json", "T", "0x02", true));
        let files: Vec<&str> = a.candidates("T").iter().map(|c| c.file.as_str()).collect();
        assert_eq!(files, ["build-info/x.json", "other/out/T.sol/T.json", "artifacts/contracts/T.sol/T.json"]);
        assert_eq!(a.candidates("contracts/T.sol:T").len(), 3);
        let notes = a.collisions();
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("build-info/x.json") && notes[0].contains("other/out/T.sol/T.json"), "{notes:?}");
        assert_eq!(a.with_bytecode("0x02").len(), 1);
    }

    #[test]
    fn steps_name_only_what_was_applied() {
        let code = [0x60u8, 0x80, 0x60, 0x40];
        let raw = keccak_hex(&code);
        let outcome = match_code("X", &code, Address::ZERO, &raw, &Artifacts::new());
        let CodeOutcome::Matched(m) = outcome else { panic!("{outcome:?}") };
        assert_eq!((m.steps_name(), m.artifact, m.bytecode), ("none".to_string(), None, Bytecode::Runtime));
    }

    #[test]
    fn only_artifacts_without_immutables_is_unverifiable_not_a_mismatch() {
        let mut a = Artifacts::new();
        a.add(info("artifacts/contracts/X.sol/X.json", "X", "0x01", false));
        let outcome = match_code("X", &[0x60, 0x80], Address::ZERO, "0xdead", &a);
        let CodeOutcome::NoImmutableRanges(why) = outcome else { panic!("{outcome:?}") };
        assert!(why.starts_with("no immutable ranges for X: add build-info"), "{why}");
    }
}

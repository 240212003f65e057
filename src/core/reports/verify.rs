//! What `verify-chain` found (pure data): per network results, and the run's verdict computed once here.

use crate::core::network::NetworkTable;
use crate::core::onchain::verify::{run_verdict, Finding, FindingKind, NetworkResult, Verdict};

/// What `verify-chain` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub source: String,
    pub networks: Vec<NetworkResult>,
    /// Network key per network, same order.
    pub keys: Vec<String>,
    /// Records the source holds without an implementation address (nothing to ask the chain).
    pub skipped: usize,
    /// Records on chains that `--chain` left out.
    pub excluded: usize,
    /// The verdict of the whole run (`run_verdict` of the networks), stored so every renderer and the exit code
    /// agree.
    pub verdict: Verdict,
    /// Notes about the `--artifacts` read: names held by different bytecodes, with their files.
    pub artifact_notes: Vec<String>,
}

impl VerifyReport {
    pub fn new(source: String, networks: Vec<NetworkResult>, skipped: usize, table: &NetworkTable) -> Self {
        let keys = networks.iter().map(|n| table.identify(n.chain_id).key).collect();
        let verdict = run_verdict(&networks);
        VerifyReport { source, networks, keys, skipped, excluded: 0, verdict, artifact_notes: Vec::new() }
    }

    pub fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.networks.iter().flat_map(|n| n.findings.iter())
    }

    /// Record counts per verdict, worst first.
    pub fn verdict_counts(&self) -> Vec<(Verdict, usize)> {
        [Verdict::Drift, Verdict::Unverifiable, Verdict::Partial, Verdict::Verified]
            .into_iter()
            .map(|v| (v, self.networks.iter().flat_map(|n| &n.records).filter(|r| r.verdict == v).count()))
            .collect()
    }

    pub fn finding_counts(&self) -> Vec<(FindingKind, usize)> {
        FindingKind::ALL.into_iter().map(|k| (k, self.findings().filter(|f| f.kind == k).count())).collect()
    }

    /// Records checked, over every network.
    pub fn record_count(&self) -> usize {
        self.networks.iter().map(|n| n.records.len()).sum()
    }
}

//! Report data for `compare` and `reconcile`, built from the sources and the results (pure).

use crate::core::compare::{Discrepancy, Kind};
use crate::core::network::NetworkTable;
use crate::core::reconcile::Plan;
use crate::core::state::{Field, SkippedFile, SourceFormat, SourceState};
use std::collections::{BTreeMap, BTreeSet};

/// A side of a comparison, summarised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SideSummary {
    pub label: String,
    pub format: SourceFormat,
    pub records: usize,
    pub invalid: usize,
    /// Files of the source that were not read, with the reason: warnings.
    pub skipped: Vec<SkippedFile>,
}

impl SideSummary {
    pub fn of(state: &SourceState) -> SideSummary {
        SideSummary {
            label: state.label.clone(),
            format: state.format,
            records: state.records.len(),
            invalid: state.invalid.len(),
            skipped: state.skipped.clone(),
        }
    }
}

/// What `compare` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareReport {
    pub left: SideSummary,
    pub right: SideSummary,
    /// Fields both formats can hold: the only ones compared.
    pub compared: Vec<Field>,
    /// Fields one format holds and the other cannot: never reported as mismatches.
    pub not_covered: Vec<(Field, &'static str)>,
    /// Every (chain id, contract) either side holds, for per-contract test cases.
    pub contracts: Vec<(u64, String)>,
    /// Network key per chain id, for grouping.
    pub networks: BTreeMap<u64, String>,
    pub discrepancies: Vec<Discrepancy>,
}

impl CompareReport {
    pub fn build(
        left: &SourceState,
        right: &SourceState,
        discrepancies: Vec<Discrepancy>,
        table: &NetworkTable,
    ) -> Self {
        let (lc, rc) = (left.coverage(), right.coverage());
        let compared = lc.intersection(&rc).copied().collect();
        let mut not_covered: Vec<(Field, &'static str)> = lc.difference(&rc).map(|f| (*f, "right")).collect();
        not_covered.extend(rc.difference(&lc).map(|f| (*f, "left")));
        not_covered.sort();
        let mut contracts: BTreeSet<(u64, String)> = BTreeSet::new();
        for state in [left, right] {
            let groups = crate::core::compare::group(state);
            contracts.extend(groups.into_keys());
        }
        contracts.extend(discrepancies.iter().filter_map(|d| d.contract.clone().map(|c| (d.chain_id, c))));
        let networks = contracts
            .iter()
            .map(|(c, _)| *c)
            .chain(discrepancies.iter().map(|d| d.chain_id))
            .map(|c| (c, table.identify(c).key))
            .collect();
        CompareReport {
            left: SideSummary::of(left),
            right: SideSummary::of(right),
            compared,
            not_covered,
            contracts: contracts.into_iter().collect(),
            networks,
            discrepancies,
        }
    }

    /// Discrepancy counts per kind, every kind listed (zeros included) in the kinds' order.
    pub fn counts(&self) -> Vec<(Kind, usize)> {
        Kind::ALL.iter().map(|k| (*k, self.discrepancies.iter().filter(|d| d.kind == *k).count())).collect()
    }
}

/// What `reconcile` plans (and, with `--apply`, did).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileReport {
    pub left: SideSummary,
    pub right: SideSummary,
    pub authority: &'static str,
    pub plan: Plan,
    pub networks: BTreeMap<u64, String>,
    /// `Some(folder)` when the result was written; `None` for a dry run.
    pub written_to: Option<String>,
    /// The backup made of what the write replaced, if anything.
    pub backup: Option<String>,
    /// True when the plan changes the other side or holds a conflict: the sources did not already agree.
    pub changes: bool,
}

impl ReconcileReport {
    /// The report of a plan over two sources; `written_to` and `backup` are filled in by an `--apply`.
    pub fn new(
        left: &SourceState,
        right: &SourceState,
        authority: &'static str,
        plan: Plan,
        table: &NetworkTable,
    ) -> Self {
        let networks =
            left.records.iter().chain(&right.records).map(|r| (r.chain_id, table.identify(r.chain_id).key)).collect();
        let changes = plan.actions.iter().any(|a| a.changes() || a.name() == "conflict");
        ReconcileReport {
            left: SideSummary::of(left),
            right: SideSummary::of(right),
            authority,
            plan,
            networks,
            written_to: None,
            backup: None,
            changes,
        }
    }

    /// Action counts by action name, in a fixed order.
    pub fn counts(&self) -> Vec<(&'static str, usize)> {
        ["add", "update-field", "keep-extra", "prune", "add-quarantined", "conflict"]
            .into_iter()
            .map(|name| (name, self.plan.actions.iter().filter(|a| a.name() == name).count()))
            .collect()
    }
}

//! `reconcile`'s steps: load both sources, plan the changes that make the other side agree with the authority,
//! and with `apply` render the reconciled state as our documents, prove them like a migration's, and write them
//! after a backup of what was there. Reads the inputs; writes only the output folder and its siblings.

use super::compare::Side;
use super::load::load_source;
use crate::core::category::Category;
use crate::core::document::SourceInfo;
use crate::core::formats::entries::to_records;
use crate::core::migrate::{migrate_records, MigrationContext};
use crate::core::network::NetworkTable;
use crate::core::output::{render_migration, OutputFile};
use crate::core::primitives::TimestampMs;
use crate::core::reconcile::{reconcile as plan_changes, Authority, Plan};
use crate::core::record::{DeploymentRecord, Entry, QuarantinedEntry};
use crate::core::reports::comparison::ReconcileReport;
use crate::error::{ErrorKind, ToolError};
use crate::io::backup::replace_with_backup;
use crate::io::paths::refuse_overlap;
use std::path::Path;

/// How to reconcile.
#[derive(Debug, Clone, Copy)]
pub struct ReconcileOptions<'a> {
    pub authority: Authority,
    /// Remove records only the other side holds.
    pub prune: bool,
    /// Write the result here (after a backup of what is there).
    pub apply_to: Option<&'a Path>,
    pub at: TimestampMs,
}

/// Plans, and with `apply_to` writes, the reconciled state.
pub fn reconcile(left: Side<'_>, right: Side<'_>, options: ReconcileOptions<'_>) -> Result<ReconcileReport, ToolError> {
    if let Some(dir) = options.apply_to {
        refuse_overlap("--out", dir, &[left.path, right.path])?;
    }
    let left_state = load_source(left.path, left.format)?;
    let right_state = load_source(right.path, right.format)?;
    let plan = plan_changes(&left_state, &right_state, options.authority, options.prune);
    let files = match options.apply_to {
        Some(_) => Some(result_files(&plan, &format!("{} + {}", left_state.label, right_state.label), options.at)?),
        None => None,
    };
    let authority = if options.authority == Authority::Left { "left" } else { "right" };
    let mut report = ReconcileReport::new(&left_state, &right_state, authority, plan, &NetworkTable::builtin());
    if let (Some(dir), Some(files)) = (options.apply_to, files) {
        report.backup =
            replace_with_backup(dir, &files, options.at, &[left.path, right.path])?.map(|p| p.display().to_string());
        report.written_to = Some(dir.display().to_string());
    }
    Ok(report)
}

/// The reconciled state as our documents, proven like a migration's.
fn result_files(plan: &Plan, label: &str, at: TimestampMs) -> Result<Vec<OutputFile>, ToolError> {
    let (records, quarantined) = to_records(&plan.result).map_err(|missing| {
        let mut e = ToolError::new(
            ErrorKind::OutputRefused,
            label,
            "the reconciled state cannot be written as enhanced documents",
        );
        for line in missing {
            e = e.caused_by(line);
        }
        e.with_hint("take as authority a source that holds complete records (LevelDB or our JSON)")
    })?;
    refuse_keys_held_twice(&records, &quarantined, label)?;
    let table = NetworkTable::builtin();
    let ctx = MigrationContext {
        networks: &table,
        source: SourceInfo { kind: "reconcile".into(), label: label.to_string() },
        tool_version: crate::VERSION.to_string(),
        migrated_at: at,
    };
    let files = render_migration(&migrate_records(&records, &quarantined, &ctx));
    super::proof::prove_files(&expected_entries(&records, &quarantined), &files)?;
    Ok(files)
}

/// A key the reconciled state holds both as a record and as a quarantined entry (the authority's record, the
/// other side's junk under the same key) cannot be written as one set: `validate` would reject it.
fn refuse_keys_held_twice(
    records: &[(DeploymentRecord, Category)],
    quarantined: &[QuarantinedEntry],
    label: &str,
) -> Result<(), ToolError> {
    let held: std::collections::BTreeSet<Vec<u8>> =
        records.iter().map(|(r, _)| r.key().to_string().into_bytes()).collect();
    let twice: Vec<String> = quarantined
        .iter()
        .filter(|q| held.contains(&q.key))
        .map(|q| String::from_utf8_lossy(&q.key).into_owned())
        .collect();
    if twice.is_empty() {
        return Ok(());
    }
    Err(ToolError::new(
        ErrorKind::OutputRefused,
        label,
        format!("the reconciled state holds {} key(s) both as a record and as a quarantined entry", twice.len()),
    )
    .caused_by(twice.join(", "))
    .with_hint(
        "remove the quarantined entry from the other side first (or make that side the authority); nothing was written",
    ))
}

/// The entries the written files must hold, in key byte order.
fn expected_entries(records: &[(DeploymentRecord, Category)], quarantined: &[QuarantinedEntry]) -> Vec<Entry> {
    let mut expected: Vec<Entry> = records
        .iter()
        .map(|(record, _)| Entry::Valid(record.clone()))
        .chain(quarantined.iter().cloned().map(Entry::Quarantined))
        .collect();
    expected.sort_by_key(Entry::key_bytes);
    expected
}

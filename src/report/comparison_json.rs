//! JSON renderings of `compare` and `reconcile` (`--format json`); the compare report is described by
//! `schemas/compare-report.schema.json` (a test validates real output against it).

use super::REPORT_SCHEMA_VERSION;
use crate::core::compare::Discrepancy;
use crate::core::comparison::{CompareReport, ReconcileReport, SideSummary};
use crate::core::reconcile::Action;
use serde_json::{json, Map, Value};
use std::io::Write;

fn side(s: &SideSummary) -> Value {
    json!({"source": s.label, "format": s.format.name(), "records": s.records, "invalid": s.invalid})
}

pub fn discrepancy(d: &Discrepancy) -> Value {
    json!({
        "chainId": d.chain_id,
        "contract": d.contract,
        "kind": d.kind.name(),
        "field": d.field.map(|f| f.name()),
        "left": d.left,
        "right": d.right,
    })
}

pub fn compare_value(report: &CompareReport) -> Value {
    let by_kind: Map<String, Value> =
        report.counts().into_iter().map(|(k, n)| (k.name().to_string(), Value::from(n))).collect();
    json!({
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "summary": {
            "left": side(&report.left),
            "right": side(&report.right),
            "discrepancies": report.discrepancies.len(),
            "contracts": report.contracts.len(),
            "byKind": by_kind,
            "comparedFields": report.compared.iter().map(|f| f.name()).collect::<Vec<_>>(),
            "notCovered": report.not_covered.iter().map(|(f, s)| json!({"field": f.name(), "missingFrom": s})).collect::<Vec<_>>(),
        },
        "discrepancies": report.discrepancies.iter().map(discrepancy).collect::<Vec<_>>(),
    })
}

pub fn compare(out: &mut dyn Write, report: &CompareReport) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &compare_value(report))?;
    writeln!(out)
}

fn action(a: &Action) -> Value {
    match a {
        Action::Add { chain_id, contract, record } => {
            json!({"action": "add", "chainId": chain_id, "contract": contract, "record": record.to_json()})
        }
        Action::UpdateField { chain_id, contract, field, from, to } => json!({
            "action": "update-field", "chainId": chain_id, "contract": contract, "field": field.name(), "from": from, "to": to,
        }),
        Action::KeepExtra { chain_id, contract, origin } => {
            json!({"action": "keep-extra", "chainId": chain_id, "contract": contract, "origin": origin})
        }
        Action::Prune { chain_id, contract, origin } => {
            json!({"action": "prune", "chainId": chain_id, "contract": contract, "origin": origin})
        }
        Action::AddQuarantined { key } => json!({"action": "add-quarantined", "key": key}),
        Action::Conflict { chain_id, contract, kind, detail } => json!({
            "action": "conflict", "chainId": chain_id, "contract": contract, "kind": kind.name(), "detail": detail,
        }),
    }
}

pub fn reconcile(out: &mut dyn Write, report: &ReconcileReport) -> std::io::Result<()> {
    let by_action: Map<String, Value> =
        report.counts().into_iter().map(|(k, n)| (k.to_string(), Value::from(n))).collect();
    let value = json!({
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "summary": {
            "left": side(&report.left),
            "right": side(&report.right),
            "authority": report.authority,
            "actions": report.plan.actions.len(),
            "byAction": by_action,
            "writtenTo": report.written_to,
            "backup": report.backup,
        },
        "actions": report.plan.actions.iter().map(action).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

//! JSON renderings (`--format json`): one JSON value on stdout per command, with a `schemaVersion`. The compare
//! report is described by `schemas/compare-report.schema.json` (a test validates real output against it).

use crate::core::compare::Discrepancy;
use crate::core::excerpt::{excerpt, EXCERPT_CHARS};
use crate::core::history::{KeyVersion, Liveness, Recovery};
use crate::core::inspect::{InspectJson, InspectRow};
use crate::core::leveldb_format::VersionKind;
use crate::core::location::Location;
use crate::core::onchain::verify::Finding;
use crate::core::reconcile::Action;
use crate::core::reports::comparison::{CompareReport, ReconcileReport, SideSummary};
use crate::core::reports::doctor::DoctorReport;
use crate::core::reports::history::{bytes_text, HistoryReport};
use crate::core::reports::migrate::MigrateReport;
use crate::core::reports::preflight::{Outcome, PreflightReport};
use crate::core::reports::rollback::RollbackReport;
use crate::core::reports::validate::ValidateReport;
use crate::core::reports::verify::VerifyReport;
use crate::core::reports::REPORT_SCHEMA_VERSION;
use crate::error::ToolError;
use serde_json::{json, Map, Value};
use std::io::Write;

/// A failed `--format json` run: the error on stdout, so a CI parser always reads one JSON document. `subject` is
/// the file, folder, key, flag or endpoint the error concerns (`error[CODE]`'s `-->` line).
pub fn error(out: &mut dyn Write, e: &ToolError) -> std::io::Result<()> {
    emit(
        out,
        &json!({
            "schemaVersion": REPORT_SCHEMA_VERSION,
            "error": {
                "code": e.code().code(),
                "message": e.code().message(),
                "kind": format!("{:?}", e.kind),
                "exit": e.exit_code(),
                "subject": e.subject,
                "causes": e.causes.iter().map(|c| excerpt(c, 4 * EXCERPT_CHARS)).collect::<Vec<_>>(),
                "hint": e.hint,
            }
        }),
    )
}

fn emit(out: &mut dyn Write, value: &Value) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// `{"records":[...]}` exactly as the inspect contract says (no extra fields, so two inspections diff cleanly).
/// Buffered: standard output flushes at every newline, and 100,000 records are millions of lines.
pub fn inspect(out: &mut dyn Write, rows: &[InspectRow]) -> std::io::Result<()> {
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut buffered, &InspectJson(rows))?;
    writeln!(buffered)?;
    buffered.flush()
}

pub fn migrate(out: &mut dyn Write, report: &MigrateReport) -> std::io::Result<()> {
    let s = &report.summary;
    let mut value = json!({
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "command": "migrate",
        "source": report.source,
        "out": report.out,
        "dryRun": report.dry_run,
        "filesVerified": report.files_verified,
        "summary": {
            "records": s.record_count,
            "migrated": s.migrated,
            "quarantined": s.quarantined.len(),
            "checksumFindings": s.checksum_findings.len(),
            "networkNameFindings": s.network_name_findings.len(),
            "chains": s.chains.len(),
            "sourceRecordsSha256": s.source_records_sha256,
        },
        "chains": s.chains.iter().map(|c| json!({
            "chainId": c.chain_id, "network": c.network_key, "known": c.known, "records": c.records,
        })).collect::<Vec<_>>(),
        "quarantined": s.quarantined.iter().map(|q| json!({"key": q.key, "problems": q.problems})).collect::<Vec<_>>(),
        "checksumFindings": s.checksum_findings.iter().map(|c| json!({
            "key": c.key, "field": c.field, "address": c.address,
        })).collect::<Vec<_>>(),
        "networkNameFindings": s.network_name_findings.iter().map(|n| json!({
            "key": n.key, "networkName": n.network_name, "namedChains": n.named_chains,
        })).collect::<Vec<_>>(),
        "files": report.files.iter().map(|f| json!({"name": f.name, "bytes": f.bytes, "sha256": f.sha256})).collect::<Vec<_>>(),
    });
    if let Some(backup) = &report.backup {
        value["backup"] = json!(backup);
    }
    emit(out, &value)
}

pub fn validate(out: &mut dyn Write, report: &ValidateReport) -> std::io::Result<()> {
    let value = json!({
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "command": "validate",
        "summary": {"files": report.files.len(), "invalid": report.invalid()},
        "files": report.files.iter().map(|f| match &f.failure {
            None => json!({"path": f.path, "valid": true}),
            Some((code, problems)) => json!({"path": f.path, "valid": false, "code": code, "problems": problems}),
        }).collect::<Vec<_>>(),
    });
    emit(out, &value)
}

fn side(s: &SideSummary) -> Value {
    let skipped: Vec<Value> = s.skipped.iter().map(|f| json!({"origin": f.origin, "reason": f.reason})).collect();
    json!({"source": s.label, "format": s.format.name(), "records": s.records, "invalid": s.invalid, "skipped": skipped})
}

/// Where a value is: its file, its JSON Pointer, and its line and column when known (`null` otherwise).
fn location(at: Option<&Location>) -> Value {
    match at {
        None => Value::Null,
        Some(at) => json!({
            "file": at.file,
            "pointer": at.path.to_string(),
            "line": at.line.map(|p| p.line),
            "column": at.line.map(|p| p.column),
        }),
    }
}

pub fn discrepancy(d: &Discrepancy) -> Value {
    json!({
        "chainId": d.chain_id,
        "contract": d.contract,
        "kind": d.kind.name(),
        "field": d.field.map(|f| f.name()),
        "left": d.left,
        "right": d.right,
        "leftAt": location(d.left_at.as_ref()),
        "rightAt": location(d.right_at.as_ref()),
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

fn finding_json(f: &Finding) -> Value {
    json!({"chainId": f.chain_id, "contract": f.contract, "kind": f.kind.name(), "expected": f.expected, "actual": f.actual, "detail": f.detail, "at": location(f.at.as_ref())})
}

pub fn verify_value(report: &VerifyReport) -> Value {
    let networks: Vec<Value> = report
        .networks
        .iter()
        .zip(&report.keys)
        .map(|(n, key)| {
            json!({
                "chainId": n.chain_id,
                "network": key,
                "block": n.block.map(|b| json!({"number": b.number, "hash": format!("{:#x}", b.hash)})),
                "endpoints": n.endpoints.iter().map(|e| json!({
                    "url": e.endpoint, "status": e.outcome.status(), "roundTrips": e.round_trips, "requests": e.requests,
                    "batchSize": e.batch_size, "retried": e.retried,
                })).collect::<Vec<_>>(),
                "proxies": n.proxies.iter().map(|(d, info)| json!({
                    "address": d.address.to_checksum(None), "origin": d.origin,
                    "declaredKind": d.kind.map(|k| k.name()), "declaredAdmin": d.admin.map(|a| a.to_checksum(None)),
                    "kind": info.map(|p| p.kind.name()), "admin": info.and_then(|p| p.admin).map(|a| a.to_checksum(None)),
                    "beacon": info.and_then(|p| p.beacon).map(|b| b.to_checksum(None)),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let records: Vec<Value> = report
        .networks
        .iter()
        .flat_map(|n| &n.records)
        .map(|r| {
            let m = r.code_match.as_ref();
            let proxy = r.proxy.map(|p| {
                json!({"kind": p.kind.name(), "admin": p.admin.map(|a| a.to_checksum(None)),
                       "beacon": p.beacon.map(|b| b.to_checksum(None))})
            });
            json!({
                "chainId": r.chain_id, "contract": r.contract, "verdict": r.verdict.name(),
                "normalisation": m.map(|m| m.steps_name()), "artifact": m.and_then(|m| m.artifact.clone()),
                "hashMatched": m.map(|m| m.bytecode.name()), "notChecked": r.unchecked, "proxy": proxy,
            })
        })
        .collect();
    let by_verdict: serde_json::Map<String, Value> =
        report.verdict_counts().into_iter().map(|(v, c)| (v.name().to_string(), json!(c))).collect();
    let by_kind: serde_json::Map<String, Value> =
        report.finding_counts().into_iter().map(|(k, c)| (k.name().to_string(), json!(c))).collect();
    json!({
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "summary": {
            "source": report.source,
            "verdict": report.verdict.name(),
            "networks": report.networks.len(),
            "records": records.len(),
            "skippedWithoutAddress": report.skipped,
            "excludedByChainFilter": report.excluded,
            "byVerdict": by_verdict,
            "byKind": by_kind,
        },
        "networks": networks,
        "findings": report.findings().map(finding_json).collect::<Vec<_>>(),
        "records": records,
        "artifactNotes": report.artifact_notes,
    })
}

pub fn verify(out: &mut dyn Write, report: &VerifyReport) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &verify_value(report))?;
    writeln!(out)
}

fn version_json(v: &KeyVersion) -> Value {
    let mut obj = json!({
        "key": bytes_text(&v.key),
        "sequence": v.sequence,
        "kind": match v.kind { VersionKind::Value => "value", VersionKind::Deletion => "deletion" },
        "liveness": v.liveness.as_str(),
        "files": v.files,
    });
    if let Some(value) = &v.value {
        obj["value"] = Value::String(bytes_text(value));
    }
    obj
}

fn recovery_json(r: &Recovery) -> Value {
    json!({
        "key": bytes_text(&r.key),
        "liveSequence": r.live_sequence,
        "fields": r.fields.iter().map(|f| {
            let mut obj = json!({
                "field": f.field, "change": f.change.as_str(), "value": f.value,
                "sequence": f.sequence, "files": f.files,
            });
            if let Some(live) = &f.live_value {
                obj["liveValue"] = live.clone();
            }
            obj
        }).collect::<Vec<_>>(),
    })
}

pub fn history(out: &mut dyn Write, report: &HistoryReport) -> std::io::Result<()> {
    let mut value = json!({
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "command": "history",
        "source": report.source,
        "files": report.files,
        "summary": {
            "versions": report.versions.len(),
            "live": report.count(Liveness::Live),
            "shadowed": report.count(Liveness::Shadowed),
            "deleted": report.count(Liveness::Deleted),
            "tombstones": report.count(Liveness::Tombstone),
        },
        "versions": report.versions.iter().map(version_json).collect::<Vec<_>>(),
    });
    if let Some(key) = &report.key_filter {
        value["key"] = Value::String(bytes_text(key));
    }
    if let Some(recovered) = &report.recovered {
        value["recovered"] = Value::Array(recovered.iter().map(recovery_json).collect());
    }
    emit(out, &value)
}

pub fn rollback(out: &mut dyn Write, report: &RollbackReport) -> std::io::Result<()> {
    let value = json!({
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "command": "rollback",
        "json": report.json,
        "out": report.out,
        "dryRun": report.dry_run,
        "entries": report.entries,
        "records": report.records,
        "quarantined": report.quarantined,
        "entriesSha256": report.entries_sha256,
        "documents": report.documents.iter().map(|d| json!({
            "document": d.document, "entries": d.entries, "asMigrated": d.as_migrated,
        })).collect::<Vec<_>>(),
        "backup": report.backup,
    });
    emit(out, &value)
}

pub fn preflight(out: &mut dyn Write, report: &PreflightReport) -> std::io::Result<()> {
    let steps: Vec<Value> = report
        .steps
        .iter()
        .map(|s| {
            let mut step = json!({
                "name": s.name.name(),
                "checks": s.name.about(),
                "outcome": s.outcome.name(),
                "findings": s.findings,
                "durationMs": s.duration_ms,
                "details": s.details,
            });
            match &s.outcome {
                Outcome::Failed { code, message, incomplete } => {
                    step["code"] = json!(code);
                    step["message"] = json!(message);
                    step["incomplete"] = json!(incomplete);
                }
                Outcome::Skipped { reason } => step["reason"] = json!(reason),
                Outcome::Passed | Outcome::Findings => {}
            }
            step
        })
        .collect();
    emit(
        out,
        &json!({
            "schemaVersion": REPORT_SCHEMA_VERSION,
            "command": "preflight",
            "leveldb": report.leveldb,
            "json": report.json,
            "verdict": report.verdict.name(),
            "findings": report.findings(),
            "durationMs": report.duration_ms(),
            "steps": steps,
        }),
    )
}

/// The doctor report as a JSON value (also the bundle's `doctor.json`).
pub fn doctor_value(report: &DoctorReport) -> Value {
    json!({
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "command": "doctor",
        "version": report.version,
        "health": report.worst().name(),
        "checks": report.checks.iter().map(|c| json!({
            "area": c.area, "check": c.name, "health": c.health.name(), "detail": c.detail,
        })).collect::<Vec<_>>(),
        "environment": report.environment.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<Map<String, Value>>(),
    })
}

pub fn doctor(out: &mut dyn Write, report: &DoctorReport) -> std::io::Result<()> {
    emit(out, &doctor_value(report))
}

//! JSON renderings (`--format json`): one JSON value on stdout, with a `schemaVersion`.

use super::{MigrateReport, ValidateReport, REPORT_SCHEMA_VERSION};
use crate::core::inspect::{InspectJson, InspectRow};
use serde_json::{json, Value};
use std::io::Write;

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
    let value = json!({
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

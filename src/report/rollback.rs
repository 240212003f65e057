//! Renderings of `rollback`: report data in, text out.

use super::REPORT_SCHEMA_VERSION;
use crate::core::rollback::RollbackReport;
use crate::error::printable;
use serde_json::json;
use std::io::Write;

pub fn human(out: &mut dyn Write, report: &RollbackReport) -> std::io::Result<()> {
    let verb = if report.dry_run { "would write" } else { "wrote" };
    writeln!(
        out,
        "rollback {} -> {}{}",
        printable(&report.json),
        printable(&report.out),
        if report.dry_run { " (dry run: nothing written)" } else { "" }
    )?;
    for d in &report.documents {
        let state = if d.as_migrated {
            "bytes as migrated"
        } else {
            "bytes differ from the migrated source (edited since, or stored in another field order)"
        };
        writeln!(out, "  {:<16} {:>6} entries  {state}", d.document, d.entries)?;
    }
    writeln!(
        out,
        "{verb} {} entries ({} records, {} quarantined entries restored byte for byte), sha256 {}",
        report.entries, report.records, report.quarantined, report.entries_sha256
    )?;
    if let Some(backup) = &report.backup {
        writeln!(out, "the previous folder was kept as {}", printable(backup))?;
    }
    Ok(())
}

pub fn json(out: &mut dyn Write, report: &RollbackReport) -> std::io::Result<()> {
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
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

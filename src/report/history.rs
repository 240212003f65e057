//! Renderings of `history`: a table per run (human) and one JSON document (json). Report data in, text out.

use super::REPORT_SCHEMA_VERSION;
use crate::core::history::{HistoryReport, KeyVersion, Liveness, Recovery};
use crate::core::leveldb_format::VersionKind;
use crate::error::printable;
use comfy_table::{presets::ASCII_MARKDOWN, Table};
use serde_json::{json, Value};
use std::io::Write;

/// A key or value as text: UTF-8 as it is, anything else as `0x` + hex.
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => format!("0x{}", alloy_primitives::hex::encode(bytes)),
    }
}

fn summary_line(report: &HistoryReport) -> String {
    format!(
        "{} versions: {} live, {} shadowed, {} deleted, {} tombstones",
        report.versions.len(),
        report.count(Liveness::Live),
        report.count(Liveness::Shadowed),
        report.count(Liveness::Deleted),
        report.count(Liveness::Tombstone),
    )
}

/// Shortens long text for a table cell; the JSON rendering always has the whole value.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

pub fn human(out: &mut dyn Write, report: &HistoryReport) -> std::io::Result<()> {
    writeln!(out, "history of {}", printable(&report.source))?;
    writeln!(out, "files read: {}", report.files.join(", "))?;
    if let Some(key) = &report.key_filter {
        writeln!(out, "key: {}", printable(&text(key)))?;
    }
    let mut t = Table::new();
    t.load_style(ASCII_MARKDOWN).set_header(vec!["key", "seq", "liveness", "files", "value"]);
    for v in &report.versions {
        let value = match &v.value {
            Some(bytes) => format!("{} bytes", bytes.len()),
            None => "(deletion)".to_string(),
        };
        t.add_row(vec![
            printable(&text(&v.key)).into_owned(),
            v.sequence.to_string(),
            v.liveness.as_str().to_string(),
            v.files.join(", "),
            value,
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(out, "{}", summary_line(report))?;
    if let Some(recovered) = &report.recovered {
        writeln!(out)?;
        if recovered.is_empty() {
            writeln!(out, "recoverable fields: none (no older version holds a field the live one lacks or changed)")?;
        } else {
            let fields: usize = recovered.iter().map(|r| r.fields.len()).sum();
            let records = if recovered.len() == 1 { "record" } else { "records" };
            writeln!(out, "recoverable fields: {fields} in {} live {records}", recovered.len())?;
            for r in recovered {
                writeln!(out, "  {} (live seq {})", printable(&text(&r.key)), r.live_sequence)?;
                for f in &r.fields {
                    let now = match &f.live_value {
                        Some(v) => format!(" (live: {})", clip(&v.to_string(), 40)),
                        None => String::new(),
                    };
                    writeln!(
                        out,
                        "    {} {} from seq {} ({}): {}{}",
                        f.field,
                        f.change.as_str(),
                        f.sequence,
                        f.files.join(", "),
                        printable(&clip(&f.value.to_string(), 100)),
                        printable(&now)
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn version_json(v: &KeyVersion) -> Value {
    let mut obj = json!({
        "key": text(&v.key),
        "sequence": v.sequence,
        "kind": match v.kind { VersionKind::Value => "value", VersionKind::Deletion => "deletion" },
        "liveness": v.liveness.as_str(),
        "files": v.files,
    });
    if let Some(value) = &v.value {
        obj["value"] = Value::String(text(value));
    }
    obj
}

fn recovery_json(r: &Recovery) -> Value {
    json!({
        "key": text(&r.key),
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

pub fn json(out: &mut dyn Write, report: &HistoryReport) -> std::io::Result<()> {
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
        value["key"] = Value::String(text(key));
    }
    if let Some(recovered) = &report.recovered {
        value["recovered"] = Value::Array(recovered.iter().map(recovery_json).collect());
    }
    serde_json::to_writer_pretty(&mut *out, &value)?;
    writeln!(out)
}

//! Human renderings: a table plus a summary line, readable without colour.

use super::{MigrateReport, ValidateReport};
use crate::core::inspect::{InspectRow, RowBody};
use crate::error::printable;
use comfy_table::{presets::ASCII_MARKDOWN, Table};
use serde_json::Value;
use std::io::Write;

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(ASCII_MARKDOWN).set_header(header.to_vec());
    t
}

fn text_field<'a>(value: &'a serde_json::Map<String, Value>, field: &str) -> &'a str {
    value.get(field).and_then(Value::as_str).unwrap_or("-")
}

/// Shortens a 66-character hash to `0x1234…abcd` for tables; JSON output always has the full value.
fn short_hash(text: &str) -> String {
    if text.len() == 66 {
        format!("{}…{}", &text[..6], &text[62..])
    } else if text.is_empty() {
        "(empty)".to_string()
    } else {
        text.to_string()
    }
}

pub fn inspect(out: &mut dyn Write, source: &str, rows: &[InspectRow]) -> std::io::Result<()> {
    let mut t = table(&["key", "network", "address", "proxy", "hash", "args", "status"]);
    let mut invalid = 0;
    for row in rows {
        match &row.body {
            RowBody::Value(v) => {
                let args = match v.get("deploymentArgs") {
                    Some(Value::Array(a)) => a.len().to_string(),
                    Some(_) => "?".to_string(),
                    None => "-".to_string(),
                };
                t.add_row(vec![
                    printable(&row.key).into_owned(),
                    printable(text_field(v, "networkName")).into_owned(),
                    printable(text_field(v, "address")).into_owned(),
                    printable(text_field(v, "proxyAddress")).into_owned(),
                    short_hash(text_field(v, "factoryByteCodeHash")),
                    args,
                    "stored".to_string(),
                ]);
            }
            RowBody::Raw { error, .. } => {
                invalid += 1;
                t.add_row(vec![
                    row.key.clone(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    "-".into(),
                    error.clone(),
                ]);
            }
        }
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "{source}: {} entries, {} with a JSON object value, {invalid} without",
        rows.len(),
        rows.len() - invalid
    )
}

pub fn migrate(out: &mut dyn Write, report: &MigrateReport) -> std::io::Result<()> {
    let s = &report.summary;
    let mut t = table(&["chain id", "network", "records", "file"]);
    for c in &s.chains {
        let network = if c.known { c.network_key.clone() } else { format!("{} (unknown chain)", c.network_key) };
        t.add_row(vec![c.chain_id.to_string(), network, c.records.to_string(), format!("{}.json", c.network_key)]);
    }
    writeln!(out, "{t}")?;
    if !s.quarantined.is_empty() {
        writeln!(out, "\nquarantined (kept byte for byte in quarantine.json):")?;
        for q in &s.quarantined {
            let key = if q.key.is_empty() { "(empty key)".into() } else { printable(&q.key) };
            writeln!(out, "  {key}")?;
            for p in &q.problems {
                writeln!(out, "    - {}", printable(p))?;
            }
        }
    }
    for c in &s.checksum_findings {
        writeln!(
            out,
            "\nwrong EIP-55 checksum: {} `{}` = {} (migrated as written)",
            printable(&c.key),
            c.field,
            c.address
        )?;
    }
    for n in &s.network_name_findings {
        let chains: Vec<String> = n.named_chains.iter().map(u64::to_string).collect();
        writeln!(
            out,
            "\nnetwork name of another chain: {} says `{}`, which is chain {} (migrated as written)",
            n.key,
            n.network_name,
            chains.join("/")
        )?;
    }
    let action = if report.dry_run {
        format!("dry run: would write {} files to {}", report.files.len(), report.out)
    } else {
        format!("wrote {} files to {}", report.files.len(), report.out)
    };
    writeln!(
        out,
        "\n{}: {} entries read ({} files checksum-verified), {} migrated to {} chain documents, {} quarantined, {} checksum findings, {} network-name findings; all documents schema-valid and round-trip exact; {action}",
        report.source,
        s.record_count,
        report.files_verified,
        s.migrated,
        s.chains.len(),
        s.quarantined.len(),
        s.checksum_findings.len(),
        s.network_name_findings.len(),
    )
}

pub fn validate(out: &mut dyn Write, report: &ValidateReport) -> std::io::Result<()> {
    let mut t = table(&["file", "result"]);
    for f in &report.files {
        let result = match &f.failure {
            None => "valid".to_string(),
            Some((code, problems)) => format!("{code}: {}", printable(&problems.join("; "))),
        };
        t.add_row(vec![f.path.clone(), result]);
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "{} files: {} valid, {} invalid",
        report.files.len(),
        report.files.len() - report.invalid(),
        report.invalid()
    )
}

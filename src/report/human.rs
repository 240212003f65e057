//! Human renderings: Markdown tables plus a summary line per command, readable without colour. They write the
//! report data they are given and decide nothing.

use crate::core::compare::{Discrepancy, Kind};
use crate::core::history::Liveness;
use crate::core::inspect::{InspectRow, RowBody};
use crate::core::onchain::verify::Verdict;
use crate::core::reconcile::Action;
use crate::core::reports::comparison::{CompareReport, ReconcileReport, SideSummary};
use crate::core::reports::doctor::{DoctorReport, Health};
use crate::core::reports::history::{bytes_text, HistoryReport};
use crate::core::reports::migrate::MigrateReport;
use crate::core::reports::preflight::{Outcome, PreflightReport};
use crate::core::reports::rollback::RollbackReport;
use crate::core::reports::validate::ValidateReport;
use crate::core::reports::verify::VerifyReport;
use crate::error::printable;
use comfy_table::{presets::ASCII_MARKDOWN, ContentArrangement, Table};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicU16, Ordering};

/// The width tables are fitted to (0: none, plain Markdown tables). Set once per run by the command line when
/// standard output is a terminal.
static TABLE_WIDTH: AtomicU16 = AtomicU16::new(0);

/// Fits every table rendered from now on into `columns` (cells wrap), or, with `None`, lets each be as wide as
/// its content, as a Markdown table that a pipe or a file receives.
pub fn fit_tables_to(columns: Option<u16>) {
    TABLE_WIDTH.store(columns.unwrap_or(0), Ordering::Relaxed);
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(ASCII_MARKDOWN).set_header(header.to_vec());
    let width = TABLE_WIDTH.load(Ordering::Relaxed);
    if width > 0 {
        t.set_content_arrangement(ContentArrangement::Dynamic).set_width(width);
    }
    t
}

/// `n` and the noun, singular for one: `1 file`, `2 files`.
fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, one: &str, many: &str) -> String {
    let noun = if n == N::from(1) { one } else { many };
    format!("{n} {noun}")
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
        "{source}: {}, {} with a JSON object value, {invalid} without",
        count(rows.len(), "entry", "entries"),
        rows.len() - invalid
    )?;
    writeln!(out, "next: `lookcoin-state migrate --leveldb DIR --out DIR` writes a LevelDB's entries as JSON documents; `lookcoin-state validate DIR` checks documents")
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
        format!("dry run: would write {} to {}", count(report.files.len(), "file", "files"), report.out)
    } else {
        let kept = report.backup.as_ref().map_or(String::new(), |b| format!(" (what was there is kept in {b})"));
        format!("wrote {} to {}{kept}", count(report.files.len(), "file", "files"), report.out)
    };
    writeln!(
        out,
        "\n{}: {} read ({} checksum-verified), {} migrated to {}, {} quarantined, {}, {}; all documents schema-valid and round-trip exact; {action}",
        report.source,
        count(s.record_count, "entry", "entries"),
        count(report.files_verified, "file", "files"),
        s.migrated,
        count(s.chains.len(), "chain document", "chain documents"),
        s.quarantined.len(),
        count(s.checksum_findings.len(), "checksum finding", "checksum findings"),
        count(s.network_name_findings.len(), "network-name finding", "network-name findings"),
    )?;
    let next = if report.dry_run {
        "run again without --dry-run to write them".to_string()
    } else if !s.quarantined.is_empty() {
        format!(
            "review {}/quarantine.json, then `lookcoin-state compare {} {}` proves nothing else was lost",
            report.out, report.source, report.out
        )
    } else {
        format!("`lookcoin-state compare {} {}` proves nothing was lost; `lookcoin-state verify-chain {}` checks the chains", report.source, report.out, report.out)
    };
    writeln!(out, "next: {next}")
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
        "{}: {} valid, {} invalid",
        count(report.files.len(), "file", "files"),
        report.files.len() - report.invalid(),
        report.invalid()
    )?;
    let next = if report.invalid() > 0 {
        "fix or regenerate each invalid file (`lookcoin-state explain CODE` says how)"
    } else {
        "`lookcoin-state compare LEVELDB DIR` checks the documents hold what the LevelDB holds"
    };
    writeln!(out, "next: {next}")
}

/// A value in one table cell: strings bare, anything else as compact JSON, cut at 70 characters.
pub fn cell(value: &Value) -> String {
    let text = match value {
        Value::Null => "-".to_string(),
        Value::String(s) => printable(s).into_owned(),
        other => other.to_string(),
    };
    if text.chars().count() > 70 {
        format!("{}…", text.chars().take(69).collect::<String>())
    } else {
        text
    }
}

fn side(s: &SideSummary) -> String {
    format!("{} ({}, {}, {} invalid)", s.label, s.format, count(s.records, "record", "records"), s.invalid)
}

fn network_heading(networks: &BTreeMap<u64, String>, chain: u64) -> String {
    match networks.get(&chain) {
        Some(key) => format!("{chain} {key}"),
        None => chain.to_string(),
    }
}

pub fn compare(out: &mut dyn Write, report: &CompareReport) -> std::io::Result<()> {
    writeln!(out, "left:  {}", side(&report.left))?;
    writeln!(out, "right: {}", side(&report.right))?;
    for (side, skipped) in [("left", &report.left.skipped), ("right", &report.right.skipped)] {
        for file in skipped {
            writeln!(out, "warning: {side}: skipped {}: {}", printable(&file.origin), printable(&file.reason))?;
        }
    }
    let compared: Vec<&str> = report.compared.iter().map(|f| f.name()).collect();
    writeln!(out, "compared fields: {}", compared.join(", "))?;
    if !report.not_covered.is_empty() {
        let nc: Vec<String> = report.not_covered.iter().map(|(f, s)| format!("{f} (not in {s})")).collect();
        writeln!(out, "not covered (never a mismatch): {}", nc.join(", "))?;
    }
    let mut by_chain: BTreeMap<u64, Vec<&Discrepancy>> = BTreeMap::new();
    for d in &report.discrepancies {
        by_chain.entry(d.chain_id).or_default().push(d);
    }
    for (chain, items) in by_chain {
        writeln!(out, "\n## {}", network_heading(&report.networks, chain))?;
        let mut t = table(&["contract", "kind", "field", "left", "right"]);
        for d in items {
            t.add_row(vec![
                d.contract.as_deref().map_or("(chain)".into(), |c| printable(c).into_owned()),
                d.kind.name().to_string(),
                d.field.map_or("-".to_string(), |f| f.name().to_string()),
                cell(&d.left),
                cell(&d.right),
            ]);
        }
        writeln!(out, "{t}")?;
    }
    changed_files(out, report)?;
    let counts: Vec<String> =
        report.counts().into_iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{} {n}", k.name())).collect();
    let detail = if counts.is_empty() { String::new() } else { format!(" ({})", counts.join(", ")) };
    writeln!(
        out,
        "\n{}{detail} across {}",
        count(report.discrepancies.len(), "discrepancy", "discrepancies"),
        count(report.contracts.len(), "contract", "contracts")
    )?;
    let next = if report.discrepancies.is_empty() {
        format!("`lookcoin-state verify-chain {}` checks the records against the chains", report.right.label)
    } else {
        format!(
            "`lookcoin-state reconcile {} {} --authority left|right` plans the changes that make them agree",
            report.left.label, report.right.label
        )
    };
    writeln!(out, "next: {next}")
}

/// The files that differ from their manifest, each with both SHA-256s in full (a table cell would cut them).
fn changed_files(out: &mut dyn Write, report: &CompareReport) -> std::io::Result<()> {
    let changed: Vec<&Discrepancy> =
        report.discrepancies.iter().filter(|d| d.kind == Kind::ChangedSinceMigration).collect();
    if changed.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nchanged since migration (read as they are now; `validate` names them too):")?;
    for d in changed {
        let (side, shown) = if d.left.is_null() { ("right", &d.right) } else { ("left", &d.left) };
        let text = |key: &str| shown.get(key).and_then(Value::as_str).unwrap_or("-").to_string();
        writeln!(
            out,
            "  {side} {} {}: manifest sha256 {}, file sha256 {}",
            printable(&text("file")),
            text("change"),
            text("manifestSha256"),
            text("sha256")
        )?;
    }
    Ok(())
}

fn action_row(action: &Action) -> (u64, Vec<String>) {
    let na = || "-".to_string();
    match action {
        Action::Add { chain_id, contract, record } => {
            (*chain_id, vec![contract.clone(), "add".into(), na(), na(), cell(&record.to_json())])
        }
        Action::UpdateField { chain_id, contract, field, from, to } => {
            (*chain_id, vec![contract.clone(), "update-field".into(), field.name().into(), cell(from), cell(to)])
        }
        Action::KeepExtra { chain_id, contract, origin } => {
            (*chain_id, vec![contract.clone(), "keep-extra".into(), na(), origin.clone(), na()])
        }
        Action::Prune { chain_id, contract, origin } => {
            (*chain_id, vec![contract.clone(), "prune".into(), na(), origin.clone(), na()])
        }
        Action::AddQuarantined { key } => {
            let chain = key.split_once('-').and_then(|(c, _)| c.parse().ok()).unwrap_or(0);
            (chain, vec![key.clone(), "add-quarantined".into(), na(), na(), na()])
        }
        Action::Conflict { chain_id, contract, kind, detail } => (
            *chain_id,
            vec![
                contract.clone().unwrap_or_else(|| "(chain)".into()),
                format!("conflict: {}", kind.name()),
                na(),
                cell(detail),
                na(),
            ],
        ),
    }
}

pub fn reconcile(out: &mut dyn Write, report: &ReconcileReport) -> std::io::Result<()> {
    writeln!(out, "left:  {}", side(&report.left))?;
    writeln!(out, "right: {}", side(&report.right))?;
    writeln!(out, "authority: {}", report.authority)?;
    let mut by_chain: BTreeMap<u64, Vec<Vec<String>>> = BTreeMap::new();
    for action in &report.plan.actions {
        let (chain, row) = action_row(action);
        by_chain.entry(chain).or_default().push(row);
    }
    for (chain, rows) in by_chain {
        writeln!(out, "\n## {}", network_heading(&report.networks, chain))?;
        let mut t = table(&["contract", "action", "field", "from", "to"]);
        for row in rows {
            t.add_row(row);
        }
        writeln!(out, "{t}")?;
    }
    let counts: Vec<String> = report.counts().into_iter().map(|(k, n)| format!("{k} {n}")).collect();
    let outcome = match (&report.written_to, &report.backup) {
        (Some(dir), Some(backup)) => format!("written to {dir} (previous contents backed up to {backup})"),
        (Some(dir), None) => format!("written to {dir}"),
        (None, _) => "dry run: nothing written (use --apply --out DIR)".to_string(),
    };
    writeln!(out, "\n{} ({}); {outcome}", count(report.plan.actions.len(), "action", "actions"), counts.join(", "))?;
    if let Some(dir) = &report.written_to {
        writeln!(out, "next: `lookcoin-state compare` {dir} with the authority's source shows they now agree")?;
    } else if !report.plan.actions.is_empty() {
        writeln!(
            out,
            "next: review the plan, then add --apply --out DIR to write it (the old folder is kept as a backup)"
        )?;
    }
    Ok(())
}

pub fn verify(out: &mut dyn Write, report: &VerifyReport) -> std::io::Result<()> {
    for note in &report.artifact_notes {
        writeln!(out, "note: {}", printable(note))?;
    }
    for (n, key) in report.networks.iter().zip(&report.keys) {
        let block = n.block.map_or("no block".to_string(), |b| format!("block {} {:#x}", b.number, b.hash));
        writeln!(out, "## {} {key} ({block})", n.chain_id)?;
        if n.endpoints.is_empty() {
            writeln!(out, "endpoints: none given")?;
        }
        for e in &n.endpoints {
            let retried = if e.retried > 0 { format!(", {} reads retried", e.retried) } else { String::new() };
            writeln!(
                out,
                "endpoint {}: {} ({}, {}, batches of up to {}{retried})",
                printable(&e.endpoint),
                printable(&e.outcome.status()),
                count(e.round_trips, "round trip", "round trips"),
                count(e.requests, "request", "requests"),
                e.batch_size
            )?;
        }
        for (d, info) in &n.proxies {
            let shown = info.map_or("not read or no code".to_string(), |p| {
                let admin = p.admin.map_or(String::new(), |a| format!(", admin {}", a.to_checksum(None)));
                let beacon = p.beacon.map_or(String::new(), |b| format!(", beacon {}", b.to_checksum(None)));
                format!("{}{admin}{beacon}", p.kind.name())
            });
            writeln!(out, "proxy {} ({}): {shown}", d.address.to_checksum(None), printable(&d.origin))?;
        }
        let mut t = table(&["contract", "verdict", "proxy", "hash matched by", "not checked"]);
        for r in &n.records {
            let matched = r.code_match.as_ref().map_or("-".to_string(), |m| {
                let via = m.artifact.as_deref().map_or(String::new(), |f| format!(" via {}", printable(f)));
                format!("{} hash, {}{via}", m.bytecode.name(), m.steps_name())
            });
            t.add_row(vec![
                printable(&r.contract).into_owned(),
                r.verdict.name().to_string(),
                r.proxy.map_or("-".to_string(), |p| {
                    let admin = p.admin.map_or(String::new(), |a| format!(", admin {}", a.to_checksum(None)));
                    let beacon = p.beacon.map_or(String::new(), |b| format!(", beacon {}", b.to_checksum(None)));
                    format!("{}{admin}{beacon}", p.kind.name())
                }),
                matched,
                if r.unchecked.is_empty() { "-".to_string() } else { r.unchecked.join("; ") },
            ]);
        }
        writeln!(out, "{t}")?;
        if !n.findings.is_empty() {
            let mut f = table(&["contract", "finding", "expected", "actual", "detail"]);
            for x in &n.findings {
                f.add_row(vec![
                    x.contract.as_deref().map_or("(network)".into(), |c| printable(c).into_owned()),
                    x.kind.name().to_string(),
                    cell(&x.expected),
                    cell(&x.actual),
                    printable(&x.detail).into_owned(),
                ]);
            }
            writeln!(out, "{f}")?;
        }
        writeln!(out)?;
    }
    let verdicts: Vec<String> =
        report.verdict_counts().into_iter().filter(|(_, c)| *c > 0).map(|(v, c)| format!("{c} {}", v.name())).collect();
    let findings: Vec<String> =
        report.finding_counts().into_iter().filter(|(_, c)| *c > 0).map(|(k, c)| format!("{} {c}", k.name())).collect();
    let mut skipped = if report.skipped > 0 {
        format!("; {} without an implementation address not checked", count(report.skipped, "record", "records"))
    } else {
        String::new()
    };
    if report.excluded > 0 {
        skipped.push_str(&format!("; {} records on chains left out by --chain", report.excluded));
    }
    writeln!(
        out,
        "{}: {}; records: {}; findings: {}{skipped}; verdict: {}",
        report.source,
        count(report.networks.len(), "network", "networks"),
        verdicts.join(", "),
        if findings.is_empty() { "none".to_string() } else { findings.join(", ") },
        report.verdict.name()
    )?;
    let next = match report.verdict {
        Verdict::Drift => "each finding above names the contract and what the chain holds; fix the record or the deployment, then run again",
        Verdict::Unverifiable => "check each endpoint above (reachable, right chain id), or pass --rpc/--networks for the chains without one, then run again",
        Verdict::Partial => "the records listed as not checked lack a proxy or a hash; the rest matches the chains",
        Verdict::Verified => "every record matches the chains",
    };
    writeln!(out, "next: {next}")
}

/// Shortens long text for a table cell; the JSON rendering always has the whole value.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

pub fn history(out: &mut dyn Write, report: &HistoryReport) -> std::io::Result<()> {
    writeln!(out, "history of {}", printable(&report.source))?;
    writeln!(out, "files read: {}", report.files.join(", "))?;
    if let Some(key) = &report.key_filter {
        writeln!(out, "key: {}", printable(&bytes_text(key)))?;
    }
    let mut t = table(&["key", "seq", "liveness", "files", "value"]);
    for v in &report.versions {
        let value = match &v.value {
            Some(bytes) => count(bytes.len(), "byte", "bytes"),
            None => "(deletion)".to_string(),
        };
        t.add_row(vec![
            printable(&bytes_text(&v.key)).into_owned(),
            v.sequence.to_string(),
            v.liveness.as_str().to_string(),
            v.files.join(", "),
            value,
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "{}: {} live, {} shadowed, {} deleted, {}",
        count(report.versions.len(), "version", "versions"),
        report.count(Liveness::Live),
        report.count(Liveness::Shadowed),
        report.count(Liveness::Deleted),
        count(report.count(Liveness::Tombstone), "tombstone", "tombstones"),
    )?;
    if report.recovered.is_none() {
        writeln!(out, "next: `--recover` lists the fields older versions held that the live records lack")?;
    }
    if let Some(recovered) = &report.recovered {
        writeln!(out)?;
        if recovered.is_empty() {
            writeln!(out, "recoverable fields: none (no older version holds a field the live one lacks or changed)")?;
        } else {
            let fields: usize = recovered.iter().map(|r| r.fields.len()).sum();
            let records = count(recovered.len(), "live record", "live records");
            writeln!(out, "recoverable fields: {fields} in {records}")?;
            for r in recovered {
                writeln!(out, "  {} (live seq {})", printable(&bytes_text(&r.key)), r.live_sequence)?;
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

pub fn rollback(out: &mut dyn Write, report: &RollbackReport) -> std::io::Result<()> {
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
        let entries = if d.entries == 1 { "entry" } else { "entries" };
        writeln!(out, "  {:<16} {:>6} {entries:<7}  {state}", d.document, d.entries)?;
    }
    writeln!(
        out,
        "{verb} {} ({}, {} restored byte for byte), sha256 {}",
        count(report.entries, "entry", "entries"),
        count(report.records, "record", "records"),
        count(report.quarantined, "quarantined entry", "quarantined entries"),
        report.entries_sha256
    )?;
    if let Some(backup) = &report.backup {
        writeln!(out, "the previous folder was kept as {}", printable(backup))?;
    }
    if report.dry_run {
        writeln!(out, "next: run again without --dry-run to write the LevelDB")?;
    } else {
        writeln!(
            out,
            "next: `lookcoin-state compare {} {}` proves the LevelDB holds what the documents hold",
            printable(&report.out),
            printable(&report.json)
        )?;
    }
    Ok(())
}

/// The outcome of a preflight step in one cell: `passed`, `findings`, `failed CODE`, `skipped`.
pub fn outcome_cell(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Failed { code, .. } => format!("failed {code}"),
        other => other.name().to_string(),
    }
}

/// The reason under a step that failed or was skipped.
pub fn outcome_reason(outcome: &Outcome) -> Option<String> {
    match outcome {
        Outcome::Failed { message, .. } => Some(printable(message).into_owned()),
        Outcome::Skipped { reason } => Some(printable(reason).into_owned()),
        Outcome::Passed | Outcome::Findings => None,
    }
}

pub fn preflight(out: &mut dyn Write, report: &PreflightReport) -> std::io::Result<()> {
    writeln!(out, "preflight of {} (LevelDB) and {} (JSON)", printable(&report.leveldb), printable(&report.json))?;
    let mut t = table(&["step", "checks", "outcome", "findings", "time"]);
    for s in &report.steps {
        t.add_row(vec![
            s.name.name().to_string(),
            s.name.about().to_string(),
            outcome_cell(&s.outcome),
            s.findings.to_string(),
            format!("{} ms", s.duration_ms),
        ]);
    }
    writeln!(out, "{t}")?;
    for s in &report.steps {
        let reason = outcome_reason(&s.outcome);
        if reason.is_none() && s.details.is_empty() {
            continue;
        }
        writeln!(out, "{}:", s.name.name())?;
        for line in reason.iter().chain(&s.details) {
            writeln!(out, "  {}", printable(line))?;
        }
    }
    writeln!(out, "verdict: {} ({} findings, {} ms)", report.verdict.name(), report.findings(), report.duration_ms())
}

pub fn doctor(out: &mut dyn Write, report: &DoctorReport) -> std::io::Result<()> {
    let mut t = table(&["area", "check", "health", "detail"]);
    for c in &report.checks {
        t.add_row(vec![
            printable(&c.area).into_owned(),
            c.name.clone(),
            c.health.name().to_string(),
            printable(&c.detail).into_owned(),
        ]);
    }
    writeln!(out, "{t}")?;
    writeln!(
        out,
        "doctor: {} ok, {} warn, {} fail",
        report.count(Health::Ok),
        report.count(Health::Warn),
        report.count(Health::Fail)
    )
}

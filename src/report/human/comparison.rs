//! Human renderings of compare and reconcile: one table per network, then a summary.

use super::*;

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
    let label = printable(&s.label);
    format!("{label} ({}, {}, {} invalid)", s.format, count(s.records, "record", "records"), s.invalid)
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
    // A `where` column only when a side is a JSON file: LevelDB keys have no line.
    let located = report.discrepancies.iter().any(|d| d.location().is_some());
    for (chain, items) in by_chain {
        writeln!(out, "\n## {}", network_heading(&report.networks, chain))?;
        let mut header = vec!["contract", "kind", "field", "left", "right"];
        if located {
            header.push("where");
        }
        let mut t = table(&header);
        for d in items {
            let mut row = vec![
                d.contract.as_deref().map_or("(chain)".into(), |c| printable(c).into_owned()),
                d.kind.name().to_string(),
                d.field.map_or("-".to_string(), |f| f.name().to_string()),
                cell(&d.left),
                cell(&d.right),
            ];
            if located {
                row.push(where_cell(d.location()));
            }
            t.add_row(row);
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
        format!(
            "`lookcoin-state verify-chain {}` checks the records against the chains",
            printable(&report.right.label)
        )
    } else {
        format!(
            "`lookcoin-state reconcile {} {} --authority left|right` plans the changes that make them agree",
            printable(&report.left.label),
            printable(&report.right.label)
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
        (Some(dir), Some(backup)) => {
            format!("written to {} (previous contents backed up to {})", printable(dir), printable(backup))
        }
        (Some(dir), None) => format!("written to {}", printable(dir)),
        (None, _) => "dry run: nothing written (use --apply --out DIR)".to_string(),
    };
    writeln!(out, "\n{} ({}); {outcome}", count(report.plan.actions.len(), "action", "actions"), counts.join(", "))?;
    if let Some(dir) = &report.written_to {
        let dir = printable(dir);
        writeln!(out, "next: `lookcoin-state compare` {dir} with the authority's source shows they now agree")?;
    } else if !report.plan.actions.is_empty() {
        writeln!(
            out,
            "next: review the plan, then add --apply --out DIR to write it (the old folder is kept as a backup)"
        )?;
    }
    Ok(())
}

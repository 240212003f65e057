//! Human renderings of the LevelDB and document commands: inspect, migrate, validate, history, rollback.

use super::*;

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
            printable(&n.key),
            printable(&n.network_name),
            chains.join("/")
        )?;
    }
    let (source, target) = (printable(&report.source), printable(&report.out));
    let action = if report.dry_run {
        format!("dry run: would write {} to {target}", count(report.files.len(), "file", "files"))
    } else {
        let kept =
            report.backup.as_ref().map_or(String::new(), |b| format!(" (what was there is kept in {})", printable(b)));
        format!("wrote {} to {target}{kept}", count(report.files.len(), "file", "files"))
    };
    writeln!(
        out,
        "\n{}: {} read ({} checksum-verified), {} migrated to {}, {} quarantined, {}, {}; all documents schema-valid and round-trip exact; {action}",
        source,
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
            "review {target}/quarantine.json, then `lookcoin-state compare {source} {target}` proves nothing else was lost"
        )
    } else {
        format!("`lookcoin-state compare {source} {target}` proves nothing was lost; `lookcoin-state verify-chain {target}` checks the chains")
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

pub fn history(out: &mut dyn Write, report: &HistoryReport) -> std::io::Result<()> {
    writeln!(out, "history of {}", printable(&report.source))?;
    writeln!(out, "files read: {}", printable(&report.files.join(", ")))?;
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

//! Human renderings of verify-chain, preflight and doctor.

use super::*;

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
            let located = n.findings.iter().any(|x| x.at.is_some());
            let mut header = vec!["contract", "finding", "expected", "actual", "detail"];
            if located {
                header.push("where");
            }
            let mut f = table(&header);
            for x in &n.findings {
                let mut row = vec![
                    x.contract.as_deref().map_or("(network)".into(), |c| printable(c).into_owned()),
                    x.kind.name().to_string(),
                    cell(&x.expected),
                    cell(&x.actual),
                    printable(&x.detail).into_owned(),
                ];
                if located {
                    row.push(where_cell(x.at.as_ref()));
                }
                f.add_row(row);
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
        printable(&report.source),
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

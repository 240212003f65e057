//! Report data and renderings of `verify-chain`: human tables per network, JSON, JUnit, GitHub annotations.

use super::comparison_human::cell;
use super::REPORT_SCHEMA_VERSION;
use crate::core::network::NetworkTable;
use crate::core::onchain::verify::{run_verdict, Finding, FindingKind, NetworkResult, Verdict};
use crate::core::onchain::EndpointOutcome;
use comfy_table::{presets::ASCII_MARKDOWN, Table};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::{json, Value};
use std::io::Write;

/// What `verify-chain` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    pub source: String,
    pub networks: Vec<NetworkResult>,
    /// Network key per network, same order.
    pub keys: Vec<String>,
    /// Records the source holds without an implementation address (nothing to ask the chain).
    pub skipped: usize,
}

impl VerifyReport {
    pub fn new(source: String, networks: Vec<NetworkResult>, skipped: usize, table: &NetworkTable) -> Self {
        let keys = networks.iter().map(|n| table.identify(n.chain_id).key).collect();
        VerifyReport { source, networks, keys, skipped }
    }

    fn findings(&self) -> impl Iterator<Item = &Finding> {
        self.networks.iter().flat_map(|n| n.findings.iter())
    }

    /// Record counts per verdict, worst first.
    pub fn verdict_counts(&self) -> Vec<(Verdict, usize)> {
        [Verdict::Drift, Verdict::Unverifiable, Verdict::Partial, Verdict::Verified]
            .into_iter()
            .map(|v| (v, self.networks.iter().flat_map(|n| &n.records).filter(|r| r.verdict == v).count()))
            .collect()
    }

    pub fn finding_counts(&self) -> Vec<(FindingKind, usize)> {
        FindingKind::ALL.into_iter().map(|k| (k, self.findings().filter(|f| f.kind == k).count())).collect()
    }
}

fn table(header: &[&str]) -> Table {
    let mut t = Table::new();
    t.load_style(ASCII_MARKDOWN).set_header(header.to_vec());
    t
}

fn endpoint_status(outcome: &EndpointOutcome) -> String {
    match outcome {
        EndpointOutcome::Snapshot(_) => "ok".to_string(),
        EndpointOutcome::WrongChain { actual } => format!("wrong chain (serves {actual})"),
        EndpointOutcome::Failed(why) => format!("failed: {why}"),
    }
}

pub fn human(out: &mut dyn Write, report: &VerifyReport) -> std::io::Result<()> {
    for (n, key) in report.networks.iter().zip(&report.keys) {
        let block = n.block.map_or("no block".to_string(), |b| format!("block {} {:#x}", b.number, b.hash));
        writeln!(out, "## {} {key} ({block})", n.chain_id)?;
        if n.endpoints.is_empty() {
            writeln!(out, "endpoints: none given")?;
        }
        for e in &n.endpoints {
            writeln!(
                out,
                "endpoint {}: {} ({} round trips, {} requests)",
                e.endpoint,
                endpoint_status(&e.outcome),
                e.round_trips,
                e.requests
            )?;
        }
        let mut t = table(&["contract", "verdict", "hash matched by", "not checked"]);
        for r in &n.records {
            t.add_row(vec![
                crate::error::printable(&r.contract).into_owned(),
                r.verdict.name().to_string(),
                r.normalisation.map_or("-".to_string(), |m| m.name().to_string()),
                if r.unchecked.is_empty() { "-".to_string() } else { r.unchecked.join("; ") },
            ]);
        }
        writeln!(out, "{t}")?;
        if !n.findings.is_empty() {
            let mut f = table(&["contract", "finding", "expected", "actual", "detail"]);
            for x in &n.findings {
                f.add_row(vec![
                    x.contract.clone().unwrap_or_else(|| "(network)".into()),
                    x.kind.name().to_string(),
                    cell(&x.expected),
                    cell(&x.actual),
                    x.detail.clone(),
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
    let skipped = if report.skipped > 0 {
        format!("; {} records without an implementation address not checked", report.skipped)
    } else {
        String::new()
    };
    writeln!(
        out,
        "{}: {} networks; records: {}; findings: {}{skipped}; verdict: {}",
        report.source,
        report.networks.len(),
        verdicts.join(", "),
        if findings.is_empty() { "none".to_string() } else { findings.join(", ") },
        run_verdict(&report.networks).name()
    )
}

fn finding_json(f: &Finding) -> Value {
    json!({"chainId": f.chain_id, "contract": f.contract, "kind": f.kind.name(), "expected": f.expected, "actual": f.actual, "detail": f.detail})
}

pub fn json_value(report: &VerifyReport) -> Value {
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
                    "url": e.endpoint, "status": endpoint_status(&e.outcome), "roundTrips": e.round_trips, "requests": e.requests,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let records: Vec<Value> = report
        .networks
        .iter()
        .flat_map(|n| &n.records)
        .map(|r| json!({"chainId": r.chain_id, "contract": r.contract, "verdict": r.verdict.name(), "normalisation": r.normalisation.map(|m| m.name()), "notChecked": r.unchecked}))
        .collect();
    let by_verdict: serde_json::Map<String, Value> =
        report.verdict_counts().into_iter().map(|(v, c)| (v.name().to_string(), json!(c))).collect();
    let by_kind: serde_json::Map<String, Value> =
        report.finding_counts().into_iter().map(|(k, c)| (k.name().to_string(), json!(c))).collect();
    json!({
        "schemaVersion": REPORT_SCHEMA_VERSION,
        "summary": {
            "source": report.source,
            "verdict": run_verdict(&report.networks).name(),
            "networks": report.networks.len(),
            "records": records.len(),
            "skippedWithoutAddress": report.skipped,
            "byVerdict": by_verdict,
            "byKind": by_kind,
        },
        "networks": networks,
        "findings": report.findings().map(finding_json).collect::<Vec<_>>(),
        "records": records,
    })
}

pub fn json(out: &mut dyn Write, report: &VerifyReport) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &json_value(report))?;
    writeln!(out)
}

/// One suite per network, one case per record, one failure per finding about it (network findings fail every
/// record of their network).
pub fn junit_xml(report: &VerifyReport) -> String {
    let mut junit = Report::new("lookcoin-state verify-chain");
    for (n, key) in report.networks.iter().zip(&report.keys) {
        let mut suite = TestSuite::new(format!("{} {key}", n.chain_id));
        for r in &n.records {
            let about: Vec<&Finding> =
                n.findings.iter().filter(|f| f.contract.as_deref().is_none_or(|c| c == r.contract)).collect();
            let status = match r.verdict {
                Verdict::Verified | Verdict::Partial => TestCaseStatus::success(),
                Verdict::Drift | Verdict::Unverifiable => {
                    let kind =
                        if r.verdict == Verdict::Drift { NonSuccessKind::Failure } else { NonSuccessKind::Error };
                    let mut s = TestCaseStatus::non_success(kind);
                    s.set_message(r.verdict.name());
                    s.set_description(
                        about
                            .iter()
                            .map(|f| {
                                format!("{}: expected {} actual {} ({})", f.kind.name(), f.expected, f.actual, f.detail)
                            })
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                    s
                }
            };
            suite.add_test_case(TestCase::new(r.contract.clone(), status));
        }
        junit.add_test_suite(suite);
    }
    junit.to_string().unwrap_or_default()
}

pub fn annotations(out: &mut dyn Write, report: &VerifyReport) -> std::io::Result<()> {
    for f in report.findings() {
        let title =
            format!("{} {} on chain {}", f.kind.name(), f.contract.as_deref().unwrap_or("(network)"), f.chain_id);
        super::github::annotation(out, &title, &format!("expected {} actual {}: {}", f.expected, f.actual, f.detail))?;
    }
    Ok(())
}

//! JUnit XML (`--junit PATH`): one test suite per network, one test case per contract. Built with quick-junit,
//! readable by common CI viewers.

use crate::core::location::Location;
use crate::core::onchain::verify::{Finding, Verdict};
use crate::core::reports::comparison::CompareReport;
use crate::core::reports::preflight::{Outcome, PreflightReport};
use crate::core::reports::verify::VerifyReport;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use std::collections::BTreeMap;

/// The XML text of a comparison.
pub fn compare_xml(report: &CompareReport, name: &str) -> String {
    let mut suites: BTreeMap<u64, TestSuite> = BTreeMap::new();
    let suite_name = |chain: u64| match report.networks.get(&chain) {
        Some(key) => format!("{chain} {key}"),
        None => chain.to_string(),
    };
    let mut cases: BTreeMap<(u64, String), Vec<&crate::core::compare::Discrepancy>> =
        report.contracts.iter().map(|c| (c.clone(), Vec::new())).collect();
    for d in &report.discrepancies {
        let contract = d.contract.clone().unwrap_or_else(|| "(chain)".to_string());
        cases.entry((d.chain_id, contract)).or_default().push(d);
    }
    for ((chain, contract), found) in cases {
        let mut status = TestCaseStatus::success();
        if let Some((first, rest)) = found.split_first() {
            status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_type(first.kind.name());
            let lines: Vec<String> = found.iter().map(|d| describe(d)).collect();
            status.set_message(format!("{} discrepanc{}", found.len(), if rest.is_empty() { "y" } else { "ies" }));
            status.set_description(lines.join("\n"));
        }
        let mut case = TestCase::new(contract, status);
        case.set_classname(suite_name(chain));
        place(&mut case, found.iter().find_map(|d| d.location()));
        suites.entry(chain).or_insert_with(|| TestSuite::new(suite_name(chain))).add_test_case(case);
    }
    let mut junit = Report::new(name);
    junit.add_test_suites(suites.into_values());
    junit.to_string().unwrap_or_default()
}

fn describe(d: &crate::core::compare::Discrepancy) -> String {
    let field = d.field.map_or(String::new(), |f| format!(" {f}"));
    let at = d.location().map_or(String::new(), |at| format!(" at {at}"));
    format!("{}{field}: left={} right={}{at}", d.kind.name(), d.left, d.right)
}

/// The `file` and `line` attributes of a test case (read by CI reporters that annotate pull requests), from the
/// place of its first finding in a JSON file.
fn place(case: &mut TestCase, at: Option<&Location>) {
    if let Some(at) = at {
        case.extra.insert("file".into(), at.file.as_str().into());
        if let Some(p) = at.line {
            case.extra.insert("line".into(), p.line.to_string().into());
        }
    }
}

/// One suite per network, one case per record, one failure per finding about it (network findings fail every
/// record of their network).
pub fn verify_xml(report: &VerifyReport) -> String {
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
                                let at = f.at.as_ref().map_or(String::new(), |at| format!(" at {at}"));
                                let line = format!(
                                    "{}: expected {} actual {} ({}){at}",
                                    f.kind.name(),
                                    f.expected,
                                    f.actual,
                                    f.detail
                                );
                                crate::error::printable(&line).into_owned()
                            })
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                    s
                }
            };
            let mut case = TestCase::new(r.contract.clone(), status);
            case.set_classname(format!("{} {key}", n.chain_id));
            if r.verdict != Verdict::Verified {
                place(&mut case, about.iter().find_map(|f| f.at.as_ref()));
            }
            suite.add_test_case(case);
        }
        junit.add_test_suite(suite);
    }
    junit.to_string().unwrap_or_default()
}

/// One suite, one test case per step: findings and outright failures fail, an unfinished step is an error, a
/// skipped step is skipped.
pub fn preflight_xml(report: &PreflightReport) -> String {
    let mut suite = TestSuite::new("preflight");
    for s in &report.steps {
        let mut status = match &s.outcome {
            Outcome::Passed => TestCaseStatus::success(),
            Outcome::Findings => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_message(format!("{} finding(s)", s.findings));
                status
            }
            Outcome::Failed { code, message, incomplete } => {
                let kind = if *incomplete { NonSuccessKind::Error } else { NonSuccessKind::Failure };
                let mut status = TestCaseStatus::non_success(kind);
                status.set_type(code.clone());
                status.set_message(crate::error::printable(message).into_owned());
                status
            }
            Outcome::Skipped { reason } => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(crate::error::printable(reason).into_owned());
                status
            }
        };
        if !s.details.is_empty() {
            let lines: Vec<String> = s.details.iter().map(|l| crate::error::printable(l).into_owned()).collect();
            status.set_description(lines.join("\n"));
        }
        let mut case = TestCase::new(s.name.name(), status);
        case.set_classname(format!("preflight.{}", s.name.name()));
        case.set_time(std::time::Duration::from_millis(s.duration_ms));
        suite.add_test_case(case);
    }
    let mut junit = Report::new("lookcoin-state preflight");
    junit.add_test_suite(suite);
    junit.to_string().unwrap_or_default()
}

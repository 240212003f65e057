//! `preflight`'s steps, in order: read the LevelDB (integrity, lock), prove the migration without writing, validate
//! the JSON, compare LevelDB <-> JSON (the dual-write sync check), verify the JSON on chain. Every step runs, and
//! a step that cannot run is skipped with the reason; the verdict is computed by the report. Reads files and talks
//! JSON-RPC to the endpoints given; writes nothing.

use super::compare::{compare, Side};
use super::migrate::migrate_to_files;
use super::validate::validate;
use super::verify::{verify, VerifyOptions};
use crate::core::compare::Discrepancy;
use crate::core::onchain::verify::Verdict;
use crate::core::primitives::TimestampMs;
use crate::core::record::SourceEntries;
use crate::core::reports::annotations::{of_discrepancy, Annotation};
use crate::core::reports::preflight::{Outcome, PreflightReport, Step, StepName};
use crate::core::state::SourceFormat;
use crate::error::{ErrorKind, ToolError};
use crate::io::leveldb::read_leveldb;
use std::path::Path;
use std::time::Instant;

/// What to check.
#[derive(Debug, Clone)]
pub struct PreflightOptions<'a> {
    pub leveldb: &'a Path,
    pub json: &'a Path,
    pub verify: VerifyOptions,
    /// The time the migration proof stamps on its (unwritten) documents.
    pub at: TimestampMs,
}

/// The outcome of an error of the tool: its code and first line; errors that mean "could not finish" (exit 3:
/// a held lock, a disk) make the step incomplete rather than failed.
fn failed(e: &ToolError) -> (Outcome, Vec<String>) {
    let message = format!("{}: {}", e.subject, e.causes.first().cloned().unwrap_or_default());
    let details = e.causes.iter().skip(1).map(|c| format!("caused by: {c}")).collect();
    let outcome = Outcome::Failed {
        code: e.code().code().to_string(),
        message: crate::error::printable(&message).into_owned(),
        incomplete: e.exit_code() == INCOMPLETE_EXIT,
    };
    (outcome, details)
}

/// The exit code of errors that mean the run could not finish (the CLI's `exit::INCOMPLETE`).
const INCOMPLETE_EXIT: u8 = 3;

/// Times one step.
fn timed(name: StepName, run: impl FnOnce() -> (Outcome, usize, Vec<String>)) -> Step {
    let started = Instant::now();
    let (outcome, findings, details) = run();
    let duration_ms = started.elapsed().as_millis() as u64;
    Step { name, outcome, findings, details, duration_ms, annotations: Vec::new() }
}

/// The step with its findings for a CI.
fn annotated(mut step: Step, annotations: Vec<Annotation>) -> Step {
    step.annotations = annotations;
    step
}

fn skipped(name: StepName, reason: &str) -> Step {
    Step {
        name,
        outcome: Outcome::Skipped { reason: reason.to_string() },
        findings: 0,
        details: Vec::new(),
        duration_ms: 0,
        annotations: Vec::new(),
    }
}

fn discrepancy_line(d: &Discrepancy) -> String {
    let contract = d.contract.as_deref().unwrap_or("(chain)");
    let field = d.field.map_or(String::new(), |f| format!(" {f}"));
    let at = d.right_at.as_ref().map_or(String::new(), |at| format!(" at {at}"));
    let line =
        format!("chain {} {contract}: {}{field}: leveldb={} json={}{at}", d.chain_id, d.kind.name(), d.left, d.right);
    crate::error::printable(&line).into_owned()
}

/// Refuses inputs that are not there before any step runs: that is bad input (exit 2), not a finding.
fn check_inputs(options: &PreflightOptions<'_>) -> Result<(), ToolError> {
    for (flag, path) in [("--leveldb", options.leveldb), ("--json", options.json)] {
        std::fs::metadata(path)
            .map_err(|e| ToolError::input_io(path.display().to_string(), &format!("{flag} cannot be read"), e))?;
    }
    if let Some(networks) = &options.verify.networks {
        // Parsed here too (it is small), so that a file that does not parse or an unset `${VAR}` is exit 2.
        crate::io::networks_file::read_networks_file(networks, &options.verify.limits)?;
    }
    if let Some(artifacts) = &options.verify.artifacts {
        std::fs::metadata(artifacts)
            .map_err(|e| ToolError::input_io(artifacts.display().to_string(), "--artifacts cannot be read", e))?;
    }
    for flag in &options.verify.rpc {
        crate::io::networks_file::parse_rpc_flag(flag, &options.verify.limits)?;
    }
    Ok(())
}

/// The whole gate. `Err` only for bad input; every step's own failure is in the report.
pub fn preflight(options: &PreflightOptions<'_>) -> Result<PreflightReport, ToolError> {
    check_inputs(options)?;
    let mut steps = Vec::new();
    // Each step's annotations, filled by its closure and taken when the step is pushed.
    let mut notes = Vec::new();
    let mut entries: Option<(SourceEntries, String)> = None;
    steps.push(timed(StepName::LevelDb, || match read_leveldb(options.leveldb) {
        Ok(read) => {
            let facts = vec![format!("{} files verified, {} entries", read.files_verified, read.entries.len())];
            entries = Some((read.entries, read.label));
            (Outcome::Passed, 0, facts)
        }
        Err(e) => {
            let (outcome, details) = failed(&e);
            (outcome, 0, details)
        }
    }));
    let leveldb_read = entries.is_some();
    match &entries {
        Some((entries, label)) => {
            let step =
                timed(StepName::MigrateProof, || match migrate_to_files(entries, label, options.at, crate::VERSION) {
                    Ok((summary, files)) => {
                        notes = summary.annotations();
                        let findings = summary.quarantined.len()
                            + summary.checksum_findings.len()
                            + summary.network_name_findings.len();
                        let facts = vec![format!("{} documents proved (not written)", files.len())];
                        (if findings == 0 { Outcome::Passed } else { Outcome::Findings }, findings, facts)
                    }
                    Err(e) => {
                        let (outcome, details) = failed(&e);
                        (outcome, 0, details)
                    }
                });
            steps.push(annotated(step, std::mem::take(&mut notes)));
        }
        None => steps.push(skipped(StepName::MigrateProof, "the LevelDB could not be read")),
    }
    drop(entries);
    let step = timed(StepName::Validate, || match validate(&[options.json.to_path_buf()]) {
        Ok(report) => {
            notes = report.annotations();
            let invalid = report.invalid();
            let details = report
                .files
                .iter()
                .filter_map(|f| f.failure.as_ref().map(|(code, lines)| (f, code, lines)))
                .map(|(f, code, lines)| format!("{} {code}: {}", f.path, lines.first().cloned().unwrap_or_default()))
                .collect();
            (if invalid == 0 { Outcome::Passed } else { Outcome::Findings }, invalid, details)
        }
        Err(e) => {
            let (outcome, details) = failed(&e);
            (outcome, 0, details)
        }
    });
    steps.push(annotated(step, std::mem::take(&mut notes)));
    if leveldb_read {
        let step = timed(StepName::Compare, || {
            let left = Side { path: options.leveldb, format: Some(SourceFormat::LevelDb) };
            let right = Side { path: options.json, format: None };
            match compare(left, right) {
                Ok(report) if report.discrepancies.is_empty() => (Outcome::Passed, 0, Vec::new()),
                Ok(report) => {
                    notes = report.discrepancies.iter().map(of_discrepancy).collect();
                    let n = report.discrepancies.len();
                    let sync = ToolError::new(
                        ErrorKind::SyncMismatch,
                        options.json.display().to_string(),
                        format!("{n} field(s) of the JSON disagree with the LevelDB"),
                    );
                    let (outcome, _) = failed(&sync);
                    (outcome, n, report.discrepancies.iter().map(discrepancy_line).collect())
                }
                Err(e) => {
                    let (outcome, details) = failed(&e);
                    (outcome, 0, details)
                }
            }
        });
        steps.push(annotated(step, std::mem::take(&mut notes)));
    } else {
        steps.push(skipped(StepName::Compare, "the LevelDB could not be read"));
    }
    if options.verify.rpc.is_empty() && options.verify.networks.is_none() {
        steps.push(skipped(StepName::VerifyChain, "no endpoints: give --networks FILE or --rpc CHAINID=URL"));
    } else {
        let step = timed(StepName::VerifyChain, || match verify(options.json, None, &options.verify) {
            Ok(report) => {
                notes = report.annotations();
                let details: Vec<String> = report
                    .findings()
                    .map(|f| {
                        let contract = f.contract.as_deref().unwrap_or("(network)");
                        let at = f.at.as_ref().map_or(String::new(), |at| format!(" at {at}"));
                        let line = format!(
                            "chain {} {contract}: {} expected {} actual {} ({}){at}",
                            f.chain_id,
                            f.kind.name(),
                            f.expected,
                            f.actual,
                            f.detail
                        );
                        crate::error::printable(&line).into_owned()
                    })
                    .collect();
                let findings = details.len();
                let records = report.record_count();
                match report.verdict {
                    Verdict::Drift => (Outcome::Findings, findings, details),
                    Verdict::Unverifiable => {
                        let reason = format!("{records} record(s) could not all be checked on chain");
                        (Outcome::Skipped { reason }, findings, details)
                    }
                    Verdict::Partial | Verdict::Verified => {
                        let mut facts = vec![format!("{records} record(s) checked on chain")];
                        facts.extend(details);
                        (Outcome::Passed, findings, facts)
                    }
                }
            }
            Err(e) => {
                let (outcome, details) = failed(&e);
                (outcome, 0, details)
            }
        });
        steps.push(annotated(step, notes));
    }
    Ok(PreflightReport::new(options.leveldb.display().to_string(), options.json.display().to_string(), steps))
}

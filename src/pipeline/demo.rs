//! The demo's job: the whole tool, end to end, on local chains it starts itself.
//!
//! Starts one anvil per chain of the real state, deploys the demo set with real transactions, writes the LevelDB a
//! deploy script would have written, migrates it, validates and compares the result, verifies it on chain, plants
//! one drift, verifies again, and stops every node (also on failure, panic and Ctrl-C; see `lab::reaper`). Steps go
//! to `err`, the two verification reports to `out`. It succeeds only when everything behaved as expected: the
//! first verification clean, the second showing exactly the planted drift.

use super::compare::{compare, Side};
use super::verify::{verify, VerifyOptions};
use super::{migrate, migration_time, validate};
use crate::core::onchain::verify::{FindingKind, Verdict};
use crate::core::reports::verify::VerifyReport;
use crate::core::state::SourceFormat;
use crate::error::{ErrorKind, ToolError};
use crate::io::atomic::write_output;
use crate::io::leveldb::read_leveldb;
use crate::io::leveldb::write::write_leveldb;
use crate::lab::{self, Deployed, Drift, Lab};
use crate::report;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The demo set: the contracts deployed per chain (on 56 also one fully qualified name, as real data has).
pub const DEMO_SET: [(u64, &[&str]); 5] = [
    (56, &["LookCoin", "SupplyOracle", "CelerIMModule", "contracts/xchain/CrossChainRouter.sol:CrossChainRouter"]),
    (97, &["LookCoin", "SupplyOracle", "LayerZeroModule"]),
    (84532, &["LookCoin", "SupplyOracle", "HyperlaneModule"]),
    (11155420, &["LookCoin", "SupplyOracle", "FeeManager"]),
    (23295, &["LookCoin", "SupplyOracle", "ProtocolRegistry"]),
];

/// The planted drift: LookCoin's proxy on chain 97 is pointed at SupplyOracle's implementation.
const DRIFT: (u64, &str, &str) = (97, "LookCoin", "SupplyOracle");

const STEPS: usize = 10;

/// Numbered progress lines on stderr, each with the time it took.
struct Progress<'a> {
    err: &'a mut dyn Write,
    n: usize,
    since: Instant,
}

impl Progress<'_> {
    fn say(&mut self, text: &str) -> Result<(), ToolError> {
        writeln!(self.err, "demo: {text}").map_err(output_error)
    }

    fn step(&mut self, text: &str) -> Result<(), ToolError> {
        self.n += 1;
        let ms = self.since.elapsed().as_millis();
        self.since = Instant::now();
        writeln!(self.err, "demo: [{}/{STEPS}] {text} ({ms} ms)", self.n).map_err(output_error)
    }
}

fn unexpected(subject: &str, what: impl Into<String>) -> ToolError {
    ToolError::new(ErrorKind::DemoFailed, subject, what)
}

fn output_error(e: std::io::Error) -> ToolError {
    ToolError::output_io("standard output", "cannot write the report", e)
}

/// Runs the whole job, with progress lines on `err` and the two verification reports on `out`; keeps the
/// LevelDB and JSON in `keep` (a new or empty folder) when given. Every node is stopped before it returns.
pub fn run(keep: Option<&Path>, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), ToolError> {
    crate::lab::reaper::install_interrupt_cleanup()
        .map_err(|e| ToolError::new(ErrorKind::LocalChain, "demo", "cannot install the Ctrl-C handler").caused_by(e))?;
    let outcome = whole_job(keep, out, err);
    if outcome.is_err() {
        crate::lab::reaper::yield_to_interrupt();
    }
    outcome
}

fn whole_job(keep: Option<&Path>, out: &mut dyn Write, err: &mut dyn Write) -> Result<(), ToolError> {
    let temp = tempfile::tempdir()
        .map_err(|e| ToolError::output_io(std::env::temp_dir().display().to_string(), "cannot create a folder", e))?;
    let base = keep.map_or_else(|| temp.path().to_path_buf(), Path::to_path_buf);
    let (db_dir, json_dir) = prepare(&base)?; // bad input fails before any chain starts
    let started = Instant::now();
    let mut p = Progress { err, n: 0, since: started };

    let chains: Vec<u64> = DEMO_SET.iter().map(|(c, _)| *c).collect();
    let lab = Lab::start(&chains)?;
    let ports: Vec<String> = lab.nodes.iter().map(|n| format!("{} on :{}", n.chain_id(), n.port())).collect();
    p.step(&format!("started {} local chains (anvil): {}", lab.nodes.len(), ports.join(", ")))?;

    let deployed = deploy(&lab)?;
    p.step(&format!("deployed {} proxies and implementations with real transactions", deployed.len()))?;

    let entries = lab::entries_of(deployed.iter().map(|d| &d.record));
    write_leveldb(&db_dir, &entries)?;
    p.step(&format!("wrote {} records to the LevelDB {}", entries.len(), db_dir.display()))?;

    let read = read_leveldb(&db_dir)?;
    let (summary, files) = migrate::migrate_to_files(&read.entries, &read.label, migration_time()?, crate::VERSION)?;
    write_output(&json_dir, &files)?;
    if summary.has_findings() {
        return Err(unexpected(&db_dir.display().to_string(), "the migration quarantined demo records"));
    }
    p.step(&format!("migrated {} records to {} files in {}", read.entries.len(), files.len(), json_dir.display()))?;

    let validated = validate::validate(std::slice::from_ref(&json_dir))?;
    if validated.invalid() > 0 {
        let mut text = Vec::new();
        report::human::validate(&mut text, &validated).map_err(output_error)?;
        return Err(unexpected(&json_dir.display().to_string(), String::from_utf8_lossy(&text).into_owned()));
    }
    p.step("validated the documents against the schema and their manifest")?;

    compare_sources(&db_dir, &json_dir)?;
    p.step("compared the LevelDB with the migrated JSON: no discrepancy")?;

    let first = verify_on_chain(&lab, &json_dir, out, "verification 1: the migrated JSON against the chains")?;
    expect_clean(&first)?;
    p.step(&format!("verified {} records on chain: all verified", first.record_count()))?;

    let (victim, target) = plant_drift(&lab, &deployed)?;
    p.step(&format!(
        "planted drift on chain {}: {}'s proxy {} now points at {}",
        victim.chain_id, victim.name, victim.proxy, target
    ))?;

    let second = verify_on_chain(&lab, &json_dir, out, "verification 2: after the planted drift")?;
    expect_planted(&second, victim)?;
    p.step("verified again: exactly the planted implementation-mismatch, everything else verified")?;

    let stopped = lab.nodes.len();
    drop(lab);
    p.step(&format!("stopped {stopped} local chains"))?;
    p.say(&format!("ok: the whole job passed in {:.1} s", started.elapsed().as_secs_f64()))
}

/// Deploys the demo set on every chain.
fn deploy(lab: &Lab) -> Result<Vec<Deployed>, ToolError> {
    let mut all = Vec::new();
    for (chain, names) in DEMO_SET {
        all.extend(lab::deploy_demo_set(lab.node(chain), names)?);
    }
    Ok(all)
}

/// The LevelDB and JSON folders under `base`, which must be new or empty (the demo never overwrites anything).
fn prepare(base: &Path) -> Result<(PathBuf, PathBuf), ToolError> {
    let refuse = |why: &str| {
        ToolError::new(ErrorKind::OutputRefused, "--out", format!("{} {why}", base.display()))
            .with_hint("name a new or empty folder")
    };
    if base.exists() && !base.is_dir() {
        return Err(refuse("is not a folder"));
    }
    if std::fs::read_dir(base).is_ok_and(|mut d| d.next().is_some()) {
        return Err(refuse("is not empty"));
    }
    let (db, json) = (base.join("leveldb"), base.join("json"));
    std::fs::create_dir_all(&db)
        .map_err(|e| ToolError::output_io(db.display().to_string(), "cannot create the folder", e))?;
    Ok((db, json))
}

fn compare_sources(db_dir: &Path, json_dir: &Path) -> Result<(), ToolError> {
    let report = compare(Side { path: db_dir, format: None }, Side { path: json_dir, format: None })?;
    let found = &report.discrepancies;
    if let Some(first) = found.first() {
        return Err(ToolError::new(
            ErrorKind::SyncMismatch,
            json_dir.display().to_string(),
            format!("{} discrepancies between the LevelDB and its migration", found.len()),
        )
        .caused_by(format!("first: {} on chain {} {:?}", first.kind.name(), first.chain_id, first.contract)));
    }
    Ok(())
}

/// Runs the `verify-chain` code path against every node and prints its human report under a heading.
fn verify_on_chain(lab: &Lab, source: &Path, out: &mut dyn Write, title: &str) -> Result<VerifyReport, ToolError> {
    let report = verify(source, Some(SourceFormat::Enhanced), &VerifyOptions::with_rpc(lab.rpc_flags()))?;
    writeln!(out, "# {title}\n").map_err(output_error)?;
    report::human::verify(out, &report).map_err(output_error)?;
    writeln!(out).map_err(output_error)?;
    Ok(report)
}

fn expect_clean(report: &VerifyReport) -> Result<(), ToolError> {
    let findings: Vec<String> = report
        .networks
        .iter()
        .flat_map(|n| &n.findings)
        .map(|f| format!("{} {} on {}", f.kind.name(), f.contract.as_deref().unwrap_or("(network)"), f.chain_id))
        .collect();
    let all_verified = report.networks.iter().flat_map(|n| &n.records).all(|r| r.verdict == Verdict::Verified);
    if !findings.is_empty() || !all_verified || report.verdict != Verdict::Verified {
        return Err(unexpected("verification 1", format!("expected every record verified; found: {findings:?}")));
    }
    Ok(())
}

/// Points the victim's proxy at another implementation of the same chain.
fn plant_drift<'a>(
    lab: &Lab,
    deployed: &'a [Deployed],
) -> Result<(&'a Deployed, alloy_primitives::Address), ToolError> {
    let (chain, victim, other) = DRIFT;
    let find = |name: &str| deployed.iter().find(|d| d.chain_id == chain && d.name == name).expect("in DEMO_SET");
    let (victim, target) = (find(victim), find(other).implementation);
    lab::plant(&lab.node(chain).rpc(), victim, Drift::ImplementationSlot(target))?;
    Ok((victim, target))
}

fn expect_planted(report: &VerifyReport, victim: &Deployed) -> Result<(), ToolError> {
    let findings: Vec<_> = report.networks.iter().flat_map(|n| &n.findings).collect();
    let exact = findings.len() == 1
        && findings[0].kind == FindingKind::ImplementationMismatch
        && findings[0].chain_id == victim.chain_id
        && findings[0].contract.as_deref() == Some(victim.name.as_str());
    let others_verified = report
        .networks
        .iter()
        .flat_map(|n| &n.records)
        .all(|r| (r.chain_id == victim.chain_id && r.contract == victim.name) || r.verdict == Verdict::Verified);
    if !exact || !others_verified || report.verdict != Verdict::Drift {
        let seen: Vec<String> =
            findings.iter().map(|f| format!("{} {:?} on {}", f.kind.name(), f.contract, f.chain_id)).collect();
        return Err(unexpected(
            "verification 2",
            format!(
                "expected exactly implementation-mismatch of {} on {}; found: {seen:?}",
                victim.name, victim.chain_id
            ),
        ));
    }
    Ok(())
}

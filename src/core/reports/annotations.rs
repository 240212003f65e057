//! Findings as a CI shows them (pure): each with a level, a kind, a title, a message and, when it is a value in
//! a JSON file, where. Decided here once, so the GitHub annotations and any other CI rendering agree with the
//! report and its exit code:
//! - `error`: a finding that fails the command (a discrepancy, drift on chain, a step of the gate that failed);
//! - `warning`: something that could not be checked (a file not read, a record the chain could not be asked
//!   about, a step of the gate skipped): the run is incomplete (exit 3) where the answer depends on it, as in
//!   `verify-chain` and `preflight`; `compare` lists the files it skipped and compares the rest;
//! - `notice`: what was not covered, for the record (fields one format cannot hold, records verified in part).

use super::comparison::CompareReport;
use super::preflight::{Outcome, PreflightReport};
use super::validate::ValidateReport;
use super::verify::VerifyReport;
use crate::core::compare::{Discrepancy, Kind};
use crate::core::location::Location;
use crate::core::onchain::verify::{Finding, FindingKind, Verdict};
use crate::core::summary::MigrationSummary;
use serde_json::Value;

/// How serious an annotation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// One finding for a CI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub level: Level,
    /// The finding's kind (`address-mismatch`, `unverifiable`, ...): annotations are capped per kind.
    pub kind: String,
    pub title: String,
    pub message: String,
    pub at: Option<Location>,
}

impl Annotation {
    fn new(level: Level, kind: &str, title: String, message: String, at: Option<Location>) -> Annotation {
        Annotation { level, kind: kind.to_string(), title, message, at }
    }
}

/// A discrepancy: placed where the right side (the source checked) holds it, else the left; the other side's
/// place is named in the message.
pub fn of_discrepancy(d: &Discrepancy) -> Annotation {
    let contract = d.contract.as_deref().unwrap_or("(chain)");
    let title = format!("{} {contract} on chain {}", d.kind.name(), d.chain_id);
    let field = d.field.map_or(String::new(), |f| format!("{f}: "));
    let mut message = match d.kind {
        Kind::ChangedSinceMigration => changed_file(if d.left.is_null() { &d.right } else { &d.left }),
        _ => format!("{field}left={} right={}", d.left, d.right),
    };
    let at = d.location().cloned();
    if let (Some(left), Some(_)) = (&d.left_at, &d.right_at) {
        message.push_str(&format!(" (left at {left})"));
    }
    Annotation::new(Level::Error, d.kind.name(), title, message, at)
}

/// A file that differs from its manifest, in words: `bsctestnet.json changed since the migration wrote it
/// (manifest sha256 …, file sha256 …)`.
fn changed_file(shown: &Value) -> String {
    let text = |key: &str| shown.get(key).and_then(Value::as_str).unwrap_or("-").to_string();
    format!(
        "{} {} since the migration wrote it (manifest sha256 {}, file sha256 {})",
        text("file"),
        text("change"),
        text("manifestSha256"),
        text("sha256")
    )
}

impl CompareReport {
    /// Every discrepancy (errors), every file not read (warnings) and the fields not compared (one notice).
    pub fn annotations(&self) -> Vec<Annotation> {
        let mut out: Vec<Annotation> = self.discrepancies.iter().map(of_discrepancy).collect();
        for (side, summary) in [("left", &self.left), ("right", &self.right)] {
            for file in &summary.skipped {
                let title = format!("{side} file not read");
                let at = Some(Location::file(&file.origin));
                out.push(Annotation::new(Level::Warning, "skipped-file", title, file.reason.clone(), at));
            }
        }
        if !self.not_covered.is_empty() {
            let fields: Vec<String> = self.not_covered.iter().map(|(f, s)| format!("{f} (not in {s})")).collect();
            let message = format!("compared only what both formats hold; not compared: {}", fields.join(", "));
            out.push(Annotation::new(Level::Notice, "not-covered", "fields not compared".into(), message, None));
        }
        out
    }
}

/// The level of an on-chain finding, as its verdict: drift fails (exit 1); an endpoint on the wrong chain, that
/// disagrees or cannot answer leaves the records unverifiable (exit 3): a warning.
fn finding_level(kind: FindingKind) -> Level {
    if kind.is_drift() {
        Level::Error
    } else {
        Level::Warning
    }
}

pub fn of_finding(f: &Finding) -> Annotation {
    let contract = f.contract.as_deref().unwrap_or("(network)");
    let title = format!("{} {contract} on chain {}", f.kind.name(), f.chain_id);
    let message = format!("expected {} actual {}: {}", f.expected, f.actual, f.detail);
    Annotation::new(finding_level(f.kind), f.kind.name(), title, message, f.at.clone())
}

impl VerifyReport {
    /// Every finding (drift: errors; could not be asked: warnings), then notices for records verified in part
    /// and records not checked at all.
    pub fn annotations(&self) -> Vec<Annotation> {
        let mut out: Vec<Annotation> = self.findings().map(of_finding).collect();
        for n in &self.networks {
            for r in n.records.iter().filter(|r| r.verdict == Verdict::Partial) {
                let title = format!("partial {} on chain {}", r.contract, r.chain_id);
                let message = format!("verified in part; not checked: {}", r.unchecked.join("; "));
                out.push(Annotation::new(Level::Notice, "partial", title, message, None));
            }
        }
        if self.skipped > 0 {
            let message =
                format!("{} record(s) hold no implementation address: nothing to ask the chain", self.skipped);
            out.push(Annotation::new(Level::Notice, "not-checked", "records not checked".into(), message, None));
        }
        if self.excluded > 0 {
            let message = format!("{} record(s) on chains left out by --chain", self.excluded);
            out.push(Annotation::new(Level::Notice, "not-checked", "chains left out".into(), message, None));
        }
        out
    }
}

impl MigrationSummary {
    /// What makes a migration end with findings (exit 1, and a no-go of the gate): each quarantined entry, each
    /// address with a wrong EIP-55 checksum, each network name the table gives to another chain. They are
    /// LevelDB keys: no file to place them in.
    pub fn annotations(&self) -> Vec<Annotation> {
        let mut out = Vec::new();
        for q in &self.quarantined {
            let title = format!("quarantined {}", q.key);
            out.push(Annotation::new(Level::Error, "quarantined", title, q.problems.join("; "), None));
        }
        for c in &self.checksum_findings {
            let title = format!("wrong EIP-55 checksum {}", c.key);
            let message = format!("`{}` {} is not its EIP-55 spelling (migrated as written)", c.field, c.address);
            out.push(Annotation::new(Level::Error, "checksum", title, message, None));
        }
        for n in &self.network_name_findings {
            let title = format!("network name of another chain {}", n.key);
            let chains: Vec<String> = n.named_chains.iter().map(u64::to_string).collect();
            let message =
                format!("`networkName` {} names chain {} (migrated as written)", n.network_name, chains.join(", "));
            out.push(Annotation::new(Level::Error, "network-name", title, message, None));
        }
        out
    }
}

impl ValidateReport {
    /// Every file that failed validation, with its error code as the kind.
    pub fn annotations(&self) -> Vec<Annotation> {
        let failed = self.files.iter().filter_map(|f| f.failure.as_ref().map(|failure| (f, failure)));
        failed
            .map(|(f, (code, lines))| {
                let title = format!("{code} {}", f.path);
                let at = Some(Location::file(&f.path));
                Annotation::new(Level::Error, code, title, lines.join("; "), at)
            })
            .collect()
    }
}

impl PreflightReport {
    /// A step that failed (error) or could not run (warning), then the findings of each step.
    pub fn annotations(&self) -> Vec<Annotation> {
        let mut out = Vec::new();
        for s in &self.steps {
            let title = format!("preflight {}", s.name.name());
            match &s.outcome {
                Outcome::Failed { code, message, incomplete } => {
                    let level = if *incomplete { Level::Warning } else { Level::Error };
                    out.push(Annotation::new(level, code, title, message.clone(), None));
                }
                Outcome::Skipped { reason } => {
                    out.push(Annotation::new(Level::Warning, "skipped-step", title, reason.clone(), None));
                }
                // A step that found something always says so, even without annotations of its own.
                Outcome::Findings if s.annotations.is_empty() => {
                    let message = format!("{} finding(s): {}", s.findings, s.details.join("; "));
                    out.push(Annotation::new(Level::Error, "findings", title, message, None));
                }
                Outcome::Passed | Outcome::Findings => {}
            }
            out.extend(s.annotations.iter().cloned());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::json_keys::Position;
    use crate::core::location::JsonPath;
    use crate::core::reports::preflight::{Step, StepName};
    use crate::core::state::Field;
    use serde_json::json;

    fn at(file: &str, line: usize) -> Location {
        let mut at = Location::new(file, JsonPath::keys(&["contracts", "LookCoin", "address"]));
        at.line = Some(Position { line, column: 7 });
        at
    }

    fn mismatch(left_at: Option<Location>, right_at: Option<Location>) -> Discrepancy {
        Discrepancy {
            chain_id: 97,
            contract: Some("LookCoin".into()),
            kind: Kind::AddressMismatch,
            field: Some(Field::Implementation),
            left: json!("0x1"),
            right: json!("0x2"),
            left_at,
            right_at,
        }
    }

    #[test]
    fn a_discrepancy_is_an_error_on_the_right_side_naming_the_left_place() {
        let both = of_discrepancy(&mismatch(Some(at("v1/bsc.json", 3)), Some(at("json/bsc.json", 73))));
        assert_eq!((both.level, both.kind.as_str()), (Level::Error, "address-mismatch"));
        assert_eq!(both.at.map(|a| a.to_string()).as_deref(), Some("json/bsc.json:73:7"));
        assert_eq!(both.message, "address: left=\"0x1\" right=\"0x2\" (left at v1/bsc.json:3:7)");
        let left_only = of_discrepancy(&mismatch(Some(at("v1/bsc.json", 3)), None));
        assert_eq!(left_only.at.map(|a| a.to_string()).as_deref(), Some("v1/bsc.json:3:7"));
        assert!(!left_only.message.contains("left at"), "{}", left_only.message);
        assert_eq!(of_discrepancy(&mismatch(None, None)).at, None, "a LevelDB has no place");
    }

    #[test]
    fn a_changed_file_is_said_in_words() {
        let shown = json!({"file": "bsc.json", "change": "changed", "manifestSha256": "aa", "sha256": "bb"});
        let d = Discrepancy {
            kind: Kind::ChangedSinceMigration,
            contract: None,
            field: None,
            left: Value::Null,
            right: shown,
            ..mismatch(None, Some(Location::file("json/bsc.json")))
        };
        let a = of_discrepancy(&d);
        assert_eq!(a.message, "bsc.json changed since the migration wrote it (manifest sha256 aa, file sha256 bb)");
        assert_eq!(a.title, "changed-since-migration (chain) on chain 97");
    }

    #[test]
    fn drift_fails_and_what_could_not_be_asked_warns() {
        for kind in FindingKind::ALL {
            let want = match kind {
                FindingKind::ChainIdMismatch | FindingKind::RpcDisagreement | FindingKind::Unverifiable => {
                    Level::Warning
                }
                _ => Level::Error,
            };
            assert_eq!(finding_level(kind), want, "{}", kind.name());
        }
    }

    #[test]
    fn a_failed_step_is_an_error_unless_it_could_not_finish_and_a_skipped_one_warns() {
        let step = |name, outcome| Step {
            name,
            outcome,
            findings: 0,
            details: Vec::new(),
            duration_ms: 0,
            annotations: Vec::new(),
        };
        let failed = |incomplete| Outcome::Failed { code: "LEVELDB-002".into(), message: "held".into(), incomplete };
        let report = PreflightReport::new(
            "ldb".into(),
            "json".into(),
            vec![
                step(StepName::LevelDb, failed(true)),
                step(StepName::Validate, failed(false)),
                step(StepName::VerifyChain, Outcome::Skipped { reason: "no endpoints".into() }),
                step(StepName::Compare, Outcome::Passed),
                // Found something without annotations of its own: still an error, never a silent no-go.
                step(StepName::MigrateProof, Outcome::Findings),
            ],
        );
        let levels: Vec<(Level, String)> = report.annotations().into_iter().map(|a| (a.level, a.kind)).collect();
        assert_eq!(
            levels,
            [
                (Level::Warning, "LEVELDB-002".to_string()),
                (Level::Error, "LEVELDB-002".to_string()),
                (Level::Warning, "skipped-step".to_string()),
                (Level::Error, "findings".to_string())
            ]
        );
    }
}

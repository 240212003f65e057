//! Snapshots of every `compare` rendering (human, JSON, JUnit, GitHub annotations) and of `reconcile` (human,
//! JSON) of the realistic LevelDB fixture against each compare fixture (`fixtures/v1`, `fixtures/v3`,
//! `fixtures/openzeppelin`), plus the exact list of discrepancies planted in them (`fixtures/README.md`, "Compare
//! fixtures") and a real XML read of the JUnit report. Rendered in-process and checked against the binary's
//! output; reads fixture copies, writes temporary files and `snapshots/*.snap` (only with `INSTA_UPDATE=always`). Update:
//! `INSTA_UPDATE=always cargo test --test properties compare_`, then review `git diff snapshots/`.

use crate::compare_cli::{lookcoin, s};
use crate::support;
use lookcoin_state::core::compare::Kind;
use lookcoin_state::core::reconcile::{Action, Authority};
use lookcoin_state::core::reports::comparison::CompareReport;
use lookcoin_state::pipeline;
use lookcoin_state::pipeline::load::load_source;
use lookcoin_state::report::{github, human, json, junit};
use quick_junit::TestCaseStatus;
use std::collections::BTreeSet;
use std::path::PathBuf;

const FIXTURES: [&str; 3] = ["v1", "v3", "openzeppelin"];

/// `(chainId, contract, kind, field)` of every discrepancy planted in a fixture against `leveldb/realistic`.
type Planted = &'static [(u64, &'static str, &'static str, &'static str)];

const PLANTED_V1: Planted = &[
    (56, "HyperlaneModule", "missing-in-left", "-"),
    (56, "LookCoin", "address-mismatch", "address"),
    (97, "CelerIMModule", "duplicate-record", "-"),
    (97, "FeeManager", "address-mismatch", "proxyAddress"),
    (97, "HyperlaneModule", "missing-in-right", "-"),
    (97, "SupplyOracle", "hash-mismatch", "implementationHash"),
    (23295, "(chain)", "chain-conflict", "-"),
    (31337, "31337-LookCoin", "invalid-record", "-"),
    (31337, "31337-SupplyOracle", "invalid-record", "-"),
    (84532, "SupplyOracle", "invalid-record", "proxyAddress"),
    (777777, "CrossChainRouter", "missing-in-right", "-"),
];

const PLANTED_V3: Planted = &[
    (56, "CelerIMModule", "invalid-record", "proxyAddress"),
    (56, "LookCoin", "metadata-mismatch", "deploymentArgs"),
    (56, "SupplyOracle", "hash-mismatch", "implementationHash"),
    (97, "CrossChainRouter", "duplicate-record", "-"),
    (97, "FeeManager", "metadata-mismatch", "timestamp"),
    (97, "LookCoin", "address-mismatch", "address"),
    (97, "LookCoin", "metadata-mismatch", "timestamp"),
    (97, "SecurityManager", "metadata-mismatch", "deploymentArgs"),
    (23295, "(chain)", "chain-conflict", "-"),
    (31337, "31337-LookCoin", "invalid-record", "-"),
    (31337, "31337-SupplyOracle", "invalid-record", "-"),
    (84532, "CelerIMModule", "missing-in-left", "-"),
    (11155420, "LayerZeroModule", "missing-in-right", "-"),
];

const PLANTED_OZ: Planted = &[
    (56, "ProtocolRegistry", "missing-in-right", "-"),
    (97, "(chain)", "chain-conflict", "-"),
    (97, "(unnamed proxy 0x74dF4eBc8730B8886d87973678531834A1433ccB)", "missing-in-left", "proxyAddress"),
    (97, "IBCModule", "missing-in-left", "-"),
    (97, "SecurityManager", "invalid-record", "address"),
    (31337, "31337-LookCoin", "invalid-record", "-"),
    (31337, "31337-SupplyOracle", "invalid-record", "-"),
    (84532, "LayerZeroModule", "missing-in-right", "proxyAddress"),
    (777777, "CrossChainRouter", "missing-in-right", "-"),
];

fn planted(fixture: &str) -> Planted {
    match fixture {
        "v1" => PLANTED_V1,
        "v3" => PLANTED_V3,
        _ => PLANTED_OZ,
    }
}

/// The realistic LevelDB (a private copy) and a compare fixture, with what is needed to redact their paths.
struct Pair {
    copy: tempfile::TempDir,
    right: PathBuf,
}

impl Pair {
    /// The fixture by its path relative to the checkout (cargo runs tests there): table cells are cut at 70
    /// characters, so a cell holding an absolute path would depend on where the checkout is.
    fn new(fixture: &str) -> Pair {
        let right = PathBuf::from("fixtures").join(fixture);
        assert!(right.is_dir(), "tests run in the checkout: {}", right.display());
        Pair { copy: support::fixture_copy("realistic"), right }
    }

    /// The two sources as command-line arguments.
    fn args(&self) -> [&str; 2] {
        [s(self.copy.path()), s(&self.right)]
    }

    /// The report as the command computes it (the pipeline's step: loaded, compared, located).
    fn report(&self) -> CompareReport {
        let side = |path| pipeline::compare::Side { path, format: None };
        pipeline::compare::compare(side(self.copy.path()), side(&self.right)).expect("both sources load")
    }

    /// The temporary copy's path replaced by a stable name (it is never cut: it appears in the summary only).
    fn redact(&self, text: &str) -> String {
        text.replace(&self.copy.path().display().to_string(), "[TEMP]/realistic")
    }
}

fn assert_rendering(name: &str, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(support::root().join("snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

fn render(f: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    f(&mut out).expect("render into memory");
    String::from_utf8(out).expect("renderings are UTF-8")
}

fn row(d: &lookcoin_state::core::compare::Discrepancy) -> (u64, String, &'static str, &'static str) {
    let contract = d.contract.clone().unwrap_or_else(|| "(chain)".into());
    (d.chain_id, contract, d.kind.name(), d.field.map_or("-", |f| f.name()))
}

#[test]
fn compare_finds_exactly_the_planted_discrepancies_in_every_fixture() {
    for fixture in FIXTURES {
        let found: Vec<_> = Pair::new(fixture).report().discrepancies.iter().map(row).collect();
        let want: Vec<_> = planted(fixture).iter().map(|(c, n, k, f)| (*c, n.to_string(), *k, *f)).collect();
        assert_eq!(found, want, "realistic vs {fixture}");
    }
    let kinds = |p: Planted| p.iter().map(|(_, _, k, _)| *k).collect::<BTreeSet<_>>();
    // changed-since-migration concerns our own folders only (properties/integrity.rs plants it).
    let all: BTreeSet<_> = Kind::ALL.iter().filter(|k| **k != Kind::ChangedSinceMigration).map(|k| k.name()).collect();
    assert_eq!(kinds(PLANTED_V3), all, "the v3 fixture alone plants every kind a foreign format can hold");
    // An OpenZeppelin history makes no address-mismatch or duplicate here: those are planted in
    // fixtures/realworld/openzeppelin (properties/realworld.rs).
    assert!(kinds(PLANTED_V1).len() == 7 && kinds(PLANTED_OZ).len() == 4, "all a format can hold");
}

/// Renders, snapshots and returns the four compare renderings; the CLI must print exactly the same.
fn compare_snapshots(fixture: &str) -> (CompareReport, String) {
    let pair = Pair::new(fixture);
    let report = pair.report();
    let human = pair.redact(&render(|o| human::compare(o, &report)));
    let json = pair.redact(&render(|o| json::compare(o, &report)));
    let xml = pair.redact(&junit::compare_xml(&report, "lookcoin-state compare"));
    let checkout = support::root();
    let workspace = github::Workspace::new(Some(checkout.clone()), checkout);
    let annotations = pair.redact(&render(|o| github::annotations(o, "compare", &report.annotations(), &workspace)));
    for (format, text) in [("human", &human), ("json", &json), ("junit", &xml), ("github", &annotations)] {
        assert_rendering(&format!("compare__realistic_vs_{fixture}__{format}"), text);
    }
    let junit_path = tempfile::tempdir().expect("temp dir");
    let junit = junit_path.path().join("report.xml");
    for (format, want) in [("human", &human), ("json", &json)] {
        let [left, right] = pair.args();
        let run = lookcoin(&["compare", left, right, "--format", format, "--junit", s(&junit)]);
        assert_eq!(run.code, 1, "{run}");
        assert_eq!(&pair.redact(&run.stdout), want, "the CLI prints the rendering");
    }
    let written = std::fs::read_to_string(junit_path.path().join("report.xml")).expect("--junit file");
    assert_eq!(pair.redact(&written), xml, "--junit writes the rendering");
    // One error per discrepancy up to three of a kind, each on its line in the fixture (the right side, a JSON
    // file of the checkout) when it has one; the fields not compared as one notice; then one summary notice.
    let mut per_kind = std::collections::BTreeMap::new();
    report.discrepancies.iter().for_each(|d| *per_kind.entry(d.kind.name()).or_insert(0usize) += 1);
    let lines: Vec<&str> = annotations.lines().collect();
    let (summary, rest) = lines.split_last().expect("annotations");
    let errors: Vec<&&str> = rest.iter().filter(|l| l.starts_with("::error ")).collect();
    let capped = per_kind.values().map(|n| (*n).min(3)).sum::<usize>().min(10);
    assert_eq!(errors.len(), capped, "three of a kind, ten of a level at most");
    let on_lines = errors.iter().filter(|l| l.starts_with(&format!("::error file={}", pair.right.display()))).count();
    assert!(on_lines > 0 && errors.iter().all(|l| l.contains(",title=") || l.starts_with("::error title=")));
    assert!(rest.iter().all(|l| l.starts_with("::error ") || l.starts_with("::notice title=fields not compared::")));
    let total = report.annotations().len();
    assert!(summary.starts_with(&format!("::notice title=lookcoin-state compare::{total} annotations (")), "{summary}");
    (report, xml)
}

/// The JUnit text read back twice: by a minimal well-formedness scan (balanced tags, counts agree with the
/// `tests`/`failures` attributes) and by quick-junit's deserializer, which must see every contract as a test case
/// and, in the failure of its test case, one description line per discrepancy.
fn assert_junit_readable(report: &CompareReport, xml: &str) {
    let (cases, failures) = scan_xml(xml);
    let parsed = quick_junit::Report::deserialize_from_str(xml).expect("quick-junit reads the report back");
    let mut expected: BTreeSet<(u64, String)> = report.contracts.iter().cloned().collect();
    expected.extend(report.discrepancies.iter().map(|d| (d.chain_id, row(d).1)));
    let failing: BTreeSet<(u64, String)> = report.discrepancies.iter().map(|d| (d.chain_id, row(d).1)).collect();
    assert_eq!((parsed.tests, cases), (expected.len(), expected.len()), "one test case per (chainId, contract)");
    assert_eq!((parsed.failures, failures), (failing.len(), failing.len()), "one failing case per contract");
    let mut seen = 0;
    for suite in &parsed.test_suites {
        let chain: u64 = suite.name.as_str().split(' ').next().and_then(|c| c.parse().ok()).expect("chain id");
        for case in &suite.test_cases {
            let here: Vec<_> =
                report.discrepancies.iter().filter(|d| d.chain_id == chain && row(d).1 == case.name.as_str()).collect();
            match &case.status {
                TestCaseStatus::Success { .. } => {
                    assert!(here.is_empty(), "{} passes with discrepancies", case.name.as_str())
                }
                TestCaseStatus::NonSuccess { description, ty, .. } => {
                    let lines: Vec<&str> = description.as_ref().expect("description").as_str().lines().collect();
                    assert_eq!(lines.len(), here.len(), "{}: one line per discrepancy", case.name.as_str());
                    for (line, d) in lines.iter().zip(&here) {
                        assert!(line.starts_with(d.kind.name()), "{line}");
                    }
                    assert_eq!(ty.as_ref().map(|t| t.as_str()), Some(here[0].kind.name()));
                    seen += here.len();
                }
                TestCaseStatus::Skipped { .. } => panic!("no case is skipped"),
            }
        }
    }
    assert_eq!(seen, report.discrepancies.len(), "every discrepancy is in the XML");
}

/// Counts `<testcase` and `<failure` elements and checks that every tag is closed in order; compares the counts
/// with the root's `tests` and `failures` attributes.
fn scan_xml(xml: &str) -> (usize, usize) {
    let (mut stack, mut cases, mut failures) = (Vec::new(), 0, 0);
    let mut rest = xml.strip_prefix(r#"<?xml version="1.0" encoding="UTF-8"?>"#).expect("XML declaration");
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("tag closed") + start;
        let tag = &rest[start + 1..end];
        let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_alphanumeric()).collect();
        if let Some(closing) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(closing.trim()), "balanced tags");
        } else if !tag.ends_with('/') {
            stack.push(name.clone());
        }
        cases += usize::from(name == "testcase" && !tag.starts_with('/'));
        failures += usize::from(name == "failure" && !tag.starts_with('/'));
        rest = &rest[end + 1..];
    }
    assert!(stack.is_empty(), "every element closed");
    let attribute = |name: &str| -> usize {
        let at = xml.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
        xml[at..].split('"').next().and_then(|n| n.parse().ok()).expect("a count")
    };
    assert_eq!((attribute("tests"), attribute("failures")), (cases, failures), "root counts agree with the body");
    (cases, failures)
}

fn reconcile_snapshots(fixture: &str) {
    let pair = Pair::new(fixture);
    for format in ["human", "json"] {
        let [left, right] = pair.args();
        let run = lookcoin(&["reconcile", left, right, "--authority", "left", "--format", format]);
        assert_eq!(run.code, 1, "changes planned: {run}");
        assert_rendering(&format!("reconcile__realistic_vs_{fixture}__{format}"), &pair.redact(&run.stdout));
    }
}

#[test]
fn compare_renderings_of_realistic_vs_v1() {
    let (report, xml) = compare_snapshots("v1");
    assert_junit_readable(&report, &xml);
}

#[test]
fn compare_renderings_of_realistic_vs_v3() {
    let (report, xml) = compare_snapshots("v3");
    assert_junit_readable(&report, &xml);
}

#[test]
fn compare_renderings_of_realistic_vs_openzeppelin() {
    let (report, xml) = compare_snapshots("openzeppelin");
    assert_junit_readable(&report, &xml);
}

#[test]
fn compare_reconcile_renderings_of_realistic_vs_every_fixture() {
    for fixture in FIXTURES {
        reconcile_snapshots(fixture);
    }
}

/// JUnit allows one failure element per test case: each contract with discrepancies is one failing case whose text
/// has one line per discrepancy (README). v3's 97-LookCoin has two discrepancies (address and timestamp).
#[test]
fn compare_junit_fails_each_contract_once_with_a_line_per_discrepancy() {
    let pair = Pair::new("v3");
    let report = pair.report();
    let xml = junit::compare_xml(&report, "x");
    let parsed = quick_junit::Report::deserialize_from_str(&xml).expect("reads");
    let failing: std::collections::BTreeSet<(u64, String)> = report
        .discrepancies
        .iter()
        .map(|d| (d.chain_id, d.contract.clone().unwrap_or_else(|| "(chain)".to_string())))
        .collect();
    assert_eq!(parsed.failures, failing.len());
    // Each failing case's text has exactly one line per discrepancy of that contract.
    for suite in &parsed.test_suites {
        let chain: u64 = suite.name.split(' ').next().and_then(|c| c.parse().ok()).expect("suite named by chain id");
        for case in &suite.test_cases {
            let expected = report
                .discrepancies
                .iter()
                .filter(|d| d.chain_id == chain && d.contract.as_deref().unwrap_or("(chain)") == case.name.as_str())
                .count();
            let lines = match &case.status {
                quick_junit::TestCaseStatus::NonSuccess { description, .. } => {
                    description.as_ref().map_or(0, |d| d.as_str().lines().count())
                }
                _ => 0,
            };
            assert_eq!(lines, expected, "{} on chain {chain}", case.name.as_str());
        }
    }
}

/// An authority field that is absent, on a record whose place in the other format does not hold that field (a v1
/// `infrastructureContracts` proxy; LevelDB 97-FeeManager has no implementationHash), changes nothing.
#[test]
fn compare_reconcile_plans_no_update_that_changes_nothing() {
    let pair = Pair::new("v1");
    let left = load_source(pair.copy.path(), None).expect("loads");
    let right = load_source(&pair.right, None).expect("loads");
    let plan = lookcoin_state::core::reconcile::reconcile(&left, &right, Authority::Left, false);
    let no_ops: Vec<_> = plan
        .actions
        .iter()
        .filter(|a| matches!(a, Action::UpdateField { from, to, .. } if from.is_null() && to.is_null()))
        .collect();
    assert!(no_ops.is_empty(), "{no_ops:#?}");
}

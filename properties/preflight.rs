//! `preflight` with the built binary: go on a LevelDB and its migrated JSON whose contracts are live on the shared
//! chains; no-go with MIGRATION-002 when the JSON was edited (the dual-write sync check); incomplete when no
//! endpoint is given (verify-chain skipped, never a go); exit 2 on bad input; the JUnit file (one case per step);
//! the Markdown report appended to `$GITHUB_STEP_SUMMARY` under GitHub Actions only, never over an input.

use crate::chain_lab::{deploy, leveldb_of, rpc_flag};
use crate::compare_cli::{s, Work};
use crate::support;
use std::path::{Path, PathBuf};

/// What one run of the binary gave (exit code as `i32`: a signal would show as a panic, not a code).
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Runs the built binary with `env` set and GitHub's variables removed unless given.
pub fn run(env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = std::process::Command::new(support::binary());
    command.args(args).env_remove("GITHUB_ACTIONS").env_remove("GITHUB_STEP_SUMMARY");
    command.envs(env.iter().copied()).stdin(std::process::Stdio::null());
    let output = command.output().expect("run lookcoin-state");
    Output {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `preflight --leveldb L --json J --format json --timeout 5 ARGS...`, its exit code and parsed report.
fn gate(leveldb: &Path, json: &Path, args: &[&str]) -> (Output, serde_json::Value) {
    let mut all = vec!["preflight", "--leveldb", s(leveldb), "--json", s(json), "--format", "json", "--timeout", "5"];
    all.extend_from_slice(args);
    let out = run(&[], &all);
    let report = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {out}"));
    (out, report)
}

fn step<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    let steps = report["steps"].as_array().expect("steps");
    steps.iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("no step {name} in {report:#}"))
}

fn outcomes(report: &serde_json::Value) -> Vec<(String, String)> {
    let steps = report["steps"].as_array().expect("steps");
    steps
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s["outcome"].as_str().unwrap().to_string()))
        .collect()
}

/// A LevelDB of contracts freshly deployed on `chain`, and our JSON migrated from it.
struct Pair {
    _leveldb: tempfile::TempDir,
    leveldb: PathBuf,
    dir: tempfile::TempDir,
    json: PathBuf,
}

fn pair(chain: u64, names: &[&str]) -> Pair {
    let deployed = deploy(chain, names);
    let leveldb = leveldb_of(&deployed.iter().collect::<Vec<_>>());
    let dir = tempfile::tempdir().expect("temp dir");
    let json = dir.path().join("json");
    let migrated = run(&[], &["migrate", "--leveldb", s(leveldb.path()), "--out", s(&json)]);
    assert_eq!(migrated.code, 0, "{migrated}");
    Pair { leveldb: leveldb.path().to_path_buf(), _leveldb: leveldb, dir, json }
}

#[test]
fn a_clean_pair_whose_contracts_are_live_is_a_go_with_one_junit_case_per_step() {
    let p = pair(97, &["PreflightGoA", "PreflightGoB"]);
    let junit = p.dir.path().join("preflight.xml");
    let (out, report) = gate(&p.leveldb, &p.json, &["--rpc", &rpc_flag(97), "--junit", s(&junit)]);
    assert_eq!(out.code, 0, "{out}");
    assert_eq!(report["verdict"], "go", "{out}");
    let names = ["leveldb", "migrate-proof", "validate", "compare", "verify-chain"];
    let expected: Vec<(String, String)> = names.iter().map(|n| (n.to_string(), "passed".to_string())).collect();
    assert_eq!(outcomes(&report), expected);
    assert_eq!(report["findings"], 0);
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file");
    assert_eq!(xml.matches("<testcase ").count(), 5, "{xml}");
    assert!(!xml.contains("<failure") && !xml.contains("<skipped"), "{xml}");
}

#[test]
fn json_that_disagrees_with_the_leveldb_is_a_no_go_with_migration_002_listing_the_discrepancies() {
    let work = Work::new();
    let edited = work.edited();
    let (_, same) = gate(&work.ldb, &work.path("docs"), &[]);
    assert_eq!(step(&same, "compare")["outcome"], "passed", "{same:#}");
    let (out, report) = gate(&work.ldb, &edited, &[]);
    assert_eq!(out.code, 1, "{out}");
    assert_eq!(report["verdict"], "no-go");
    let compare = step(&report, "compare");
    assert_eq!(compare["outcome"], "failed", "{compare:#}");
    assert_eq!(compare["code"], "MIGRATION-002");
    assert_eq!(compare["findings"], 3, "address, missing FeeManager, timestamp: {compare:#}");
    let details: Vec<&str> = compare["details"].as_array().unwrap().iter().map(|d| d.as_str().unwrap()).collect();
    assert!(details.iter().any(|d| d.contains("FeeManager")), "{details:?}");
    assert!(details.iter().any(|d| d.contains("SecurityManager") && d.contains("timestamp")), "{details:?}");
    let human = run(&[], &["preflight", "--leveldb", s(&work.ldb), "--json", s(&edited)]);
    assert_eq!(human.code, 1, "{human}");
    assert!(human.stdout.contains("failed MIGRATION-002") && human.stdout.contains("verdict: no-go"), "{human}");
}

#[test]
fn without_endpoints_verify_chain_is_skipped_and_the_verdict_is_incomplete_never_go() {
    let p = pair(23295, &["PreflightNoEndpoint"]);
    let (out, report) = gate(&p.leveldb, &p.json, &[]);
    assert_eq!(out.code, 3, "{out}");
    assert_eq!(report["verdict"], "incomplete");
    let verify = step(&report, "verify-chain");
    assert_eq!(verify["outcome"], "skipped");
    assert!(verify["reason"].as_str().unwrap().contains("--networks"), "{verify:#}");
    for name in ["leveldb", "migrate-proof", "validate", "compare"] {
        assert_eq!(step(&report, name)["outcome"], "passed", "{report:#}");
    }
}

#[test]
fn bad_input_is_exit_2_and_writes_nothing() {
    let p = pair(84532, &["PreflightBadInput"]);
    let missing = p.dir.path().join("missing");
    let junit = p.dir.path().join("never.xml");
    let unparsable = p.dir.path().join("networks.toml");
    std::fs::write(&unparsable, "[chains.84532]\nrpc = [\"${PREFLIGHT_UNSET_VARIABLE}\"]\n").unwrap();
    let cases: Vec<Vec<&str>> = vec![
        vec!["--leveldb", s(&missing), "--json", s(&p.json)],
        vec!["--leveldb", s(&p.leveldb), "--json", s(&missing)],
        vec!["--leveldb", s(&p.leveldb), "--json", s(&p.json), "--rpc", "84532=not a url"],
        vec!["--leveldb", s(&p.leveldb), "--json", s(&p.json), "--networks", s(&missing)],
        vec!["--leveldb", s(&p.leveldb), "--json", s(&p.json), "--format", "yaml"],
        vec!["--leveldb", s(&p.leveldb), "--json", s(&p.json), "--networks", s(&unparsable)],
        vec!["--leveldb", s(&p.leveldb), "--json", s(&p.json), "--artifacts", s(&missing)],
    ];
    for args in cases {
        let mut all = vec!["preflight", "--junit", s(&junit)];
        all.extend(args);
        let out = run(&[], &all);
        assert_eq!(out.code, 2, "{all:?}: {out}");
        assert!(out.stdout.is_empty(), "{out}");
        assert!(!junit.exists());
    }
    let over = p.json.join("report.xml");
    let out = run(&[], &["preflight", "--leveldb", s(&p.leveldb), "--json", s(&p.json), "--junit", s(&over)]);
    assert_eq!(out.code, 2, "--junit inside an input: {out}");
    assert!(!over.exists());
}

#[test]
fn under_github_actions_the_markdown_report_is_appended_to_the_step_summary() {
    let p = pair(11155420, &["PreflightSummary"]);
    let summary = p.dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let args = ["preflight", "--leveldb", s(&p.leveldb), "--json", s(&p.json)];
    let env = [("GITHUB_ACTIONS", "true"), ("GITHUB_STEP_SUMMARY", s(&summary))];
    let out = run(&env, &args);
    assert_eq!(out.code, 3, "{out}");
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n## "), "appended, not replaced: {text}");
    assert!(text.contains("lookcoin-state preflight: incomplete"), "{text}");
    assert!(text.contains("| verify-chain | JSON against the live contracts | skipped |"), "{text}");

    let outside = p.dir.path().join("outside.md");
    let out = run(&[("GITHUB_STEP_SUMMARY", s(&outside))], &args);
    assert_eq!(out.code, 3, "{out}");
    assert!(!outside.exists(), "no summary outside GitHub Actions");

    let inside = p.json.join("summary.md");
    let out = run(&[("GITHUB_ACTIONS", "true"), ("GITHUB_STEP_SUMMARY", s(&inside))], &args);
    assert_eq!(out.code, 2, "a summary file inside an input is refused: {out}");
    assert!(!inside.exists());
}

/// Under GitHub Actions every reason for a no-go is an `::error`: quarantined entries of the migration proof (no
/// file holds them), a JSON field that disagrees with the LevelDB (on its line), and the skipped step a warning.
#[test]
fn under_github_actions_every_reason_for_a_no_go_is_annotated() {
    let leveldb = support::fixture_copy("realistic");
    let work = tempfile::tempdir().expect("temp dir");
    let json = work.path().join("json");
    let migrated = run(&[], &["migrate", "--leveldb", s(leveldb.path()), "--out", s(&json)]);
    assert_eq!(migrated.code, 1, "the fixture quarantines two entries: {migrated}");
    let doc = json.join("bsctestnet.json");
    let text = std::fs::read_to_string(&doc).unwrap();
    let edited =
        text.replacen("0xFc74DA2197EebdF8f9F515bC6268514BE13BFc71", "0x757f105f919872B0cFC98C4789ae87051D02C1c7", 1);
    assert_ne!(text, edited, "the fixture holds LookCoin's address");
    std::fs::write(&doc, edited).unwrap();
    let env = [("GITHUB_ACTIONS", "true"), ("GITHUB_WORKSPACE", s(work.path()))];
    let out = run(&env, &["preflight", "--leveldb", s(leveldb.path()), "--json", s(&json)]);
    assert_eq!(out.code, 1, "{out}");
    let lines: Vec<&str> = out.stderr.lines().filter(|l| l.starts_with("::")).collect();
    assert_eq!(lines.iter().filter(|l| l.starts_with("::error title=quarantined ")).count(), 2, "{out}");
    let line = text.lines().position(|l| l.contains("0xFc74DA2197EebdF8f9F515bC6268514BE13BFc71")).unwrap() + 1;
    let on_line = format!("::error file=json/bsctestnet.json,line={line},col=");
    assert!(lines.iter().any(|l| l.starts_with(&on_line) && l.contains("title=address-mismatch LookCoin")), "{out}");
    assert!(lines.iter().any(|l| l.starts_with("::warning title=preflight verify-chain::")), "{out}");
    assert!(lines.last().is_some_and(|l| l.starts_with("::notice title=lookcoin-state preflight::")), "{out}");
}

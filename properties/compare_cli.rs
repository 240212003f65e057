//! The built binary on `compare`, `reconcile` and `restore`: exit codes 0/1/2/3, data on stdout and errors on
//! stderr, GitHub annotations only under `GITHUB_ACTIONS=true`, the `--junit` file, every bad input with its code,
//! reconcile's dry run and `--apply` (the authority's values written, a backup of what was there, `restore` byte
//! for byte, `--out` never an input), and every input byte-identical after every command. Runs `lookcoin-state`
//! on private copies of the fixtures; writes only temporary folders.

use crate::binary_contract::{names, Run};
use crate::support;
use std::path::{Path, PathBuf};

/// SOURCE_DATE_EPOCH of the runs (2025-08-05T13:20:00Z), and of later runs a minute apart.
pub const T0: u64 = 1_754_400_000;

/// Runs the binary at `epoch`, without colour, with `GITHUB_ACTIONS` set only when given.
pub fn run(epoch: u64, github: Option<&str>, args: &[&str]) -> Run {
    run_in(epoch, github, None, args)
}

/// [`run`], with `GITHUB_WORKSPACE` set only when given (the tests may themselves run under GitHub Actions).
pub fn run_in(epoch: u64, github: Option<&str>, workspace: Option<&Path>, args: &[&str]) -> Run {
    let mut command = std::process::Command::new(support::binary());
    command.args(args).env("SOURCE_DATE_EPOCH", epoch.to_string()).env("NO_COLOR", "1");
    command.env_remove("GITHUB_ACTIONS").env_remove("GITHUB_WORKSPACE").stdin(std::process::Stdio::null());
    if let Some(value) = github {
        command.env("GITHUB_ACTIONS", value);
    }
    if let Some(root) = workspace {
        command.env("GITHUB_WORKSPACE", root);
    }
    let output = command.output().expect("run lookcoin-state");
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

pub fn lookcoin(args: &[&str]) -> Run {
    run(T0, None, args)
}

pub fn s(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

pub fn fixture(name: &str) -> PathBuf {
    support::root().join("fixtures").join(name)
}

/// Every file of a folder with its bytes (`support::folder_bytes`).
type FolderBytes = Vec<(String, Vec<u8>)>;

/// The bytes of input folders when a test starts, to prove them unchanged at its end.
pub struct Inputs(Vec<(PathBuf, FolderBytes)>);

impl Inputs {
    pub fn of(dirs: &[&Path]) -> Inputs {
        Inputs(dirs.iter().map(|d| (d.to_path_buf(), support::folder_bytes(d))).collect())
    }

    pub fn assert_unchanged(&self) {
        for (dir, bytes) in &self.0 {
            assert!(support::folder_bytes(dir) == *bytes, "{} changed", dir.display());
        }
    }
}

/// A work folder with a private copy of the realistic LevelDB (`ldb`) and, on demand, JSON made from it.
pub struct Work {
    pub dir: tempfile::TempDir,
    pub ldb: PathBuf,
}

impl Work {
    pub fn new() -> Work {
        let dir = tempfile::tempdir().expect("temp dir");
        let ldb = dir.path().join("ldb");
        support::copy_dir(&support::fixture("realistic"), &ldb);
        Work { dir, ldb }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Our documents of the realistic LevelDB (with their manifest).
    pub fn migrated(&self) -> PathBuf {
        let docs = self.path("docs");
        let run = lookcoin(&["migrate", "--leveldb", s(&self.ldb), "--out", s(&docs)]);
        assert_eq!(run.code, 1, "the junk is quarantined: {run}");
        docs
    }

    /// The migration edited as by hand (no manifest): 97-LookCoin's address changed, 97-FeeManager removed,
    /// 97-SecurityManager's timestamp one millisecond later.
    pub fn edited(&self) -> PathBuf {
        let edited = self.path("edited");
        support::copy_dir(&self.migrated(), &edited);
        std::fs::remove_file(edited.join("manifest.json")).expect("remove manifest");
        let file = edited.join("bsctestnet.json");
        let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
        let contracts = doc["contracts"].as_object_mut().expect("contracts");
        contracts["LookCoin"]["address"] = contracts["SupplyOracle"]["address"].clone();
        contracts.remove("FeeManager");
        let ts = contracts["SecurityManager"]["timestamp"].as_u64().expect("ms");
        contracts["SecurityManager"]["timestamp"] = (ts + 1).into();
        doc["migration"]["recordCount"] = 8.into();
        std::fs::write(&file, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
        edited
    }
}

/// An error run: its exit code and error code, nothing on stdout, and a hint.
pub fn assert_failed(run: &Run, exit: i32, code: &str) {
    assert_eq!(run.code, exit, "{run}");
    assert_eq!(run.stdout, "", "stdout carries data only: {run}");
    assert!(run.stderr.starts_with(&format!("error[{code}]: ")), "{run}");
    assert!(run.stderr.lines().last().is_some_and(|l| l.starts_with("  hint: ")), "{run}");
}

#[test]
fn compare_exits_0_when_clean_and_1_with_discrepancies_with_data_on_stdout_only() {
    let work = Work::new();
    let docs = work.migrated();
    let inputs = Inputs::of(&[&work.ldb, &docs, &fixture("v3")]);
    let clean = lookcoin(&["compare", s(&work.ldb), s(&docs)]);
    assert_eq!((clean.code, clean.stderr.as_str()), (0, ""), "{clean}");
    assert!(clean.stdout.contains("\n0 discrepancies across 27 contracts\nnext: "), "{clean}");
    let found = lookcoin(&["compare", s(&work.ldb), s(&fixture("v3"))]);
    assert_eq!((found.code, found.stderr.as_str()), (1, ""), "{found}");
    assert!(found.stdout.contains("\n13 discrepancies (missing-in-left 1, missing-in-right 1, address-mismatch 1,"));
    let json = lookcoin(&["compare", s(&work.ldb), s(&fixture("v3")), "--format", "json"]);
    assert_eq!((json.code, json.stderr.as_str()), (1, ""), "{json}");
    let value = json.json();
    let items = value["discrepancies"].as_array().expect("discrepancies");
    assert_eq!(value["summary"]["discrepancies"], items.len());
    assert_eq!(items.len(), 13);
    for item in items {
        let keys: Vec<&String> = item.as_object().expect("object").keys().collect();
        assert_eq!(keys, ["chainId", "contract", "kind", "field", "left", "right", "leftAt", "rightAt"]);
    }
    inputs.assert_unchanged();
}

#[test]
fn compare_writes_github_annotations_to_stderr_only_under_github_actions() {
    let work = Work::new();
    let v1 = fixture("v1");
    let inputs = Inputs::of(&[&work.ldb, &v1]);
    let args = ["compare", s(&work.ldb), s(&v1)];
    let plain = run(T0, None, &args);
    assert_eq!((plain.code, plain.stderr.as_str()), (1, ""), "{plain}");
    let annotated = run(T0, Some("true"), &args);
    assert_eq!((annotated.code, &annotated.stdout), (1, &plain.stdout), "stdout does not change");
    let lines: Vec<&str> = annotated.stderr.lines().collect();
    let (summary, rest) = lines.split_last().expect("annotations");
    // At most three of a kind (properties/runbook.rs checks the cap), the fields v1 cannot hold as one notice,
    // then one notice counting every kind.
    let errors: Vec<&&str> = rest.iter().filter(|l| l.starts_with("::error ")).collect();
    assert!(errors.len() <= 11 && rest.len() == errors.len() + 1, "{annotated}");
    assert!(rest.last().is_some_and(|l| l.starts_with("::notice title=fields not compared::")), "{annotated}");
    assert!(summary.starts_with("::notice title=lookcoin-state compare::12 annotations (11 errors, 1 notice): "));
    // The v1 file is outside the workspace here (no GITHUB_WORKSPACE; an absolute path): no `file=`, the place
    // is in the message.
    let hash = lines.iter().find(|l| l.starts_with("::error title=hash-mismatch SupplyOracle on chain 97::"));
    let v1_file = v1.join("bsctestnet.json");
    assert!(hash.is_some_and(|l| l.ends_with(&format!(" (at {}:31:5)", v1_file.display()))), "{annotated}");
    // In the checkout GitHub Actions gives, it sits on its line: `file` relative to the workspace.
    let in_workspace = run_in(T0, Some("true"), Some(&support::root()), &args);
    let want = "::error file=fixtures/v1/bsctestnet.json,line=31,col=5,title=hash-mismatch SupplyOracle on chain 97::";
    assert!(in_workspace.stderr.lines().any(|l| l.starts_with(want)), "{in_workspace}");
    for other in ["false", "1", ""] {
        let quiet = run(T0, Some(other), &args);
        assert_eq!((quiet.code, quiet.stderr.as_str()), (1, ""), "GITHUB_ACTIONS={other}: {quiet}");
    }
    let docs = work.migrated();
    let clean = run(T0, Some("true"), &["compare", s(&work.ldb), s(&docs)]);
    // Nothing to annotate but what was not compared (a notice: our documents add `category`).
    let notices: Vec<&str> = clean.stderr.lines().collect();
    assert_eq!(clean.code, 0, "{clean}");
    assert!(notices.len() == 2 && notices.iter().all(|l| l.starts_with("::notice title=")), "{clean}");
    assert!(notices[0].ends_with("not compared: category (not in left)"), "{clean}");
    inputs.assert_unchanged();
}

#[test]
fn compare_writes_the_junit_file_and_exits_3_when_it_cannot() {
    let work = Work::new();
    let inputs = Inputs::of(&[&work.ldb, &fixture("openzeppelin")]);
    let xml = work.path("report.xml");
    let found = lookcoin(&["compare", s(&work.ldb), s(&fixture("openzeppelin")), "--junit", s(&xml)]);
    assert_eq!(found.code, 1, "{found}");
    let report = quick_junit::Report::deserialize_from_str(&std::fs::read_to_string(&xml).expect("written"))
        .expect("the JUnit file reads back");
    assert_eq!((report.tests, report.failures), (32, 9), "31 contracts + the chain case; 9 failing");
    let blocked = work.path("not-a-folder");
    std::fs::write(&blocked, "a file").expect("write");
    let failed =
        lookcoin(&["compare", s(&work.ldb), s(&fixture("openzeppelin")), "--junit", s(&blocked.join("r.xml"))]);
    assert_failed(&failed, 3, "MIGRATION-001");
    assert!(failed.stderr.contains("cannot write the report"), "{failed}");
    inputs.assert_unchanged();
}

#[test]
fn malformed_json_is_json_002_with_file_line_and_column_and_exit_2() {
    let work = Work::new();
    let v1 = work.path("v1");
    support::copy_dir(&fixture("v1"), &v1);
    let broken = v1.join("bsctestnet.json");
    std::fs::write(&broken, "{\n  \"network\": \"bsctestnet\",\n  \"chainId\": 97,\n  oops\n}\n").expect("write");
    let inputs = Inputs::of(&[&work.ldb, &v1]);
    let at = format!("  --> {}:4:3", broken.display());
    for args in [
        vec!["compare", s(&work.ldb), s(&v1)],
        vec!["compare", s(&broken), s(&work.ldb), "--format", "json"],
        vec!["reconcile", s(&v1), s(&work.ldb), "--authority", "right"],
    ] {
        let mut run = lookcoin(&args);
        if args.contains(&"json") {
            // `--format json`: the error is also one JSON document on stdout (properties/runbook.rs).
            assert_eq!(run.json()["error"]["code"], "JSON-002", "{run}");
            run.stdout.clear();
        }
        assert_failed(&run, 2, "JSON-002");
        assert_eq!(run.stderr.lines().nth(1), Some(at.as_str()), "{run}");
    }
    inputs.assert_unchanged();
}

#[test]
fn unreadable_input_is_json_001_and_exit_2() {
    let work = Work::new();
    let inputs = Inputs::of(&[&work.ldb]);
    let missing = work.path("no-such-folder");
    let dangling = work.path("dangling.json");
    std::os::unix::fs::symlink(work.path("nowhere.json"), &dangling).expect("symlink");
    for path in [&missing, &dangling] {
        let run = lookcoin(&["compare", s(&work.ldb), s(path)]);
        assert_failed(&run, 2, "JSON-001");
        assert_eq!(run.stderr.lines().nth(1), Some(format!("  --> {}", path.display()).as_str()), "{run}");
    }
    let locked = work.path("locked.json");
    std::fs::copy(fixture("v1").join("bsctestnet.json"), &locked).expect("copy");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&locked).is_err() {
        assert_failed(&lookcoin(&["compare", s(&work.ldb), s(&locked)]), 2, "JSON-001");
    } else {
        eprintln!("running as root: a file without read permission is still readable; permission case skipped");
    }
    inputs.assert_unchanged();
}

#[test]
fn a_document_of_unknown_format_is_an_error_naming_the_formats_expected() {
    let work = Work::new();
    let unknown = work.path("unknown");
    std::fs::create_dir(&unknown).expect("mkdir");
    std::fs::write(unknown.join("x.json"), r#"{"hello": "world"}"#).expect("write");
    let mixed = work.path("mixed");
    support::copy_dir(&fixture("v1"), &mixed);
    std::fs::copy(fixture("v3").join("mystery.unified.json"), mixed.join("mystery.unified.json")).expect("copy");
    let inputs = Inputs::of(&[&work.ldb, &unknown, &mixed]);
    let run = lookcoin(&["compare", s(&work.ldb), s(&unknown)]);
    assert_failed(&run, 2, "JSON-003");
    assert!(run.stderr.contains("not a deployment-state format this tool knows"), "{run}");
    for format in ["LevelDB", "enhanced JSON", "legacy v1", "v3", "OpenZeppelin", "--left-format/--right-format"] {
        assert!(run.stderr.lines().last().expect("hint").contains(format), "the hint names {format}: {run}");
    }
    let run = lookcoin(&["compare", s(&mixed), s(&work.ldb)]);
    assert_failed(&run, 2, "JSON-003");
    assert!(run.stderr.contains("files of two formats in one source: v1 and v3"), "{run}");
    inputs.assert_unchanged();
}

#[test]
fn a_corrupt_leveldb_is_leveldb_001_and_exit_2_for_compare_and_reconcile() {
    let work = Work::new();
    let table = work.ldb.join("000008.ldb");
    let mut bytes = std::fs::read(&table).expect("read");
    bytes[100] ^= 0x01;
    std::fs::write(&table, bytes).expect("write");
    let inputs = Inputs::of(&[&work.ldb]);
    for args in [
        vec!["compare", s(&work.ldb), s(&fixture("v3"))],
        vec!["reconcile", s(&fixture("v1")), s(&work.ldb), "--authority", "left", "--format", "json"],
    ] {
        let mut run = lookcoin(&args);
        if args.contains(&"json") {
            assert_eq!(run.json()["error"]["code"], "LEVELDB-001", "{run}");
            run.stdout.clear();
        }
        assert_failed(&run, 2, "LEVELDB-001");
        assert_eq!(run.stderr.lines().nth(1), Some(format!("  --> {}", table.display()).as_str()), "{run}");
    }
    inputs.assert_unchanged();
}

#[test]
fn reconcile_dry_run_writes_nothing() {
    let work = Work::new();
    let inputs = Inputs::of(&[&work.ldb, &fixture("v3")]);
    let out = work.path("new");
    let run = lookcoin(&["reconcile", s(&work.ldb), s(&fixture("v3")), "--authority", "left", "--out", s(&out)]);
    assert_eq!((run.code, run.stderr.as_str()), (1, ""), "{run}");
    assert!(run.stdout.contains("; dry run: nothing written (use --apply --out DIR)\nnext: review the plan"), "{run}");
    assert_eq!(names(work.dir.path()), ["ldb"], "no out folder, no staging folder");
    let usage = lookcoin(&["reconcile", s(&work.ldb), s(&fixture("v3")), "--authority", "left", "--apply"]);
    assert_eq!((usage.code, usage.stdout.as_str()), (2, ""), "--apply needs --out: {usage}");
    inputs.assert_unchanged();
}

//! The built binary's contract: exit codes, data on stdout and errors on stderr, no partial output, the source
//! untouched, and `inspect` agreeing on a LevelDB and its migration. Runs `lookcoin-state` on private copies of
//! the fixtures and writes only temporary folders.

use crate::support;
use serde_json::Value;
use std::ffi::OsStr;
use std::path::Path;

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// stdout parsed as the one JSON document `--format json` promises.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{self}"))
    }

    /// A failed run: nothing on stdout, and on stderr the error's code, subject and a hint.
    pub fn assert_error(&self, exit: i32, code: &str, subject: &Path) {
        assert_eq!(self.code, exit, "{self}");
        assert_eq!(self.stdout, "", "stdout carries data only, and there is none on error");
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert!(lines[0].starts_with(&format!("error[{code}]: ")), "{self}");
        assert_eq!(lines.get(1).copied(), Some(format!("  --> {}", subject.display()).as_str()), "{self}");
        assert!(lines.last().is_some_and(|l| l.starts_with("  hint: ")), "{self}");
    }

    /// A failed `--format json` run: the error's text on stderr as [`Run::assert_error`], and the same error as
    /// one JSON document on stdout.
    pub fn assert_json_error(&self, exit: i32, code: &str, subject: &Path) {
        let error = self.json()["error"].clone();
        assert_eq!(error["code"], code, "{self}");
        assert_eq!(error["subject"], subject.display().to_string(), "{self}");
        Run { code: self.code, stdout: String::new(), stderr: self.stderr.clone() }.assert_error(exit, code, subject);
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Runs the binary with a fixed `SOURCE_DATE_EPOCH` (reproducible output) and no colour.
pub fn lookcoin<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let output = std::process::Command::new(support::binary())
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1754400000")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run lookcoin-state");
    Run {
        code: output.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    }
}

/// `migrate --leveldb <source> --out <out>` plus `extra`.
pub fn migrate(source: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = vec!["migrate".as_ref(), "--leveldb".as_ref(), source.as_ref()];
    args.extend(["--out".as_ref(), out.as_os_str()]);
    args.extend(extra.iter().map(OsStr::new));
    lookcoin(&args)
}

/// `migrate` of a fixture copy to `<temp>/out`; returns the temp folder, the copy and the run.
pub fn migrate_fixture(fixture: &str, extra: &[&str]) -> (tempfile::TempDir, tempfile::TempDir, Run) {
    let source = support::fixture_copy(fixture);
    let work = tempfile::tempdir().expect("temp dir");
    let run = migrate(source.path(), &work.path().join("out"), extra);
    (work, source, run)
}

/// Names in a folder (a missing folder lists as empty).
pub fn names(dir: &Path) -> Vec<String> {
    let Ok(listing) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> =
        listing.map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

pub const REALISTIC_FILES: [&str; 8] = [
    "basesepolia.json",
    "bscmainnet.json",
    "bsctestnet.json",
    "manifest.json",
    "optimismsepolia.json",
    "quarantine.json",
    "sapphiretestnet.json",
    "unknown-777777.json",
];

#[test]
fn migrate_exits_1_when_junk_is_quarantined_and_writes_every_document() {
    let (work, _source, run) = migrate_fixture("realistic", &[]);
    assert_eq!(run.code, 1, "quarantined junk is a finding: {run}");
    assert_eq!(run.stderr, "", "nothing to say on stderr when the run completed");
    assert!(
        run.stdout
            .contains("29 entries read (5 files checksum-verified), 27 migrated to 6 chain documents, 2 quarantined"),
        "{run}"
    );
    assert_eq!(names(&work.path().join("out")), REALISTIC_FILES);
    assert_eq!(names(work.path()), ["out"], "no staging folder left beside the output");
}

#[test]
fn migrate_exits_0_on_a_source_without_findings() {
    let (work, _source, run) = migrate_fixture("large-10k", &["--format", "json"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run}");
    let report = run.json();
    assert_eq!(report["summary"]["records"], 10_000);
    assert_eq!(report["summary"]["migrated"], 10_000);
    assert_eq!(report["summary"]["quarantined"], 0);
    assert_eq!(names(&work.path().join("out")).len(), 7, "5 chain documents, quarantine and manifest");
}

#[test]
fn migrate_of_a_missing_leveldb_exits_2_and_writes_nothing() {
    let work = tempfile::tempdir().expect("temp dir");
    let missing = work.path().join("no-such-leveldb");
    let out = work.path().join("out");
    let run = migrate(&missing, &out, &[]);
    run.assert_error(2, "MIGRATION-004", &missing);
    assert_eq!(names(work.path()), Vec::<String>::new(), "no output, no staging folder, no empty database");
}

#[test]
fn usage_errors_exit_2_with_clap_text_on_stderr() {
    for args in [&["migrate", "--leveldb", "x"][..], &["frobnicate"], &["inspect", "x", "--format", "yaml"]] {
        let run = lookcoin(args);
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{args:?}: {run}");
        assert!(run.stderr.starts_with("error: "), "{args:?}: {run}");
        assert!(run.stderr.ends_with("For more information, try '--help'.\n"), "{args:?}: {run}");
    }
    let bare = lookcoin::<&str>(&[]);
    assert_eq!((bare.code, bare.stdout.as_str()), (2, ""), "{bare}");
    assert!(bare.stderr.contains("Usage: lookcoin-state [OPTIONS] <COMMAND>"), "{bare}");
}

#[test]
fn migrate_refuses_a_non_empty_out_folder_without_force_and_changes_nothing() {
    let source = support::fixture_copy("realistic");
    let out = tempfile::tempdir().expect("temp dir");
    std::fs::write(out.path().join("bscmainnet.json"), "{\"mine\": true}\n").expect("write");
    let before = support::folder_bytes(out.path());
    let run = migrate(source.path(), out.path(), &[]);
    run.assert_error(2, "MIGRATION-001", out.path());
    assert!(run.stderr.contains("the output folder is not empty") && run.stderr.contains("--force"), "{run}");
    assert_eq!(support::folder_bytes(out.path()), before);
}

#[test]
fn migrate_refuses_an_out_path_that_is_a_regular_file() {
    let source = support::fixture_copy("realistic");
    let work = tempfile::tempdir().expect("temp dir");
    let file = work.path().join("out.json");
    std::fs::write(&file, "keep me\n").expect("write");
    let run = migrate(source.path(), &file, &[]);
    run.assert_error(2, "MIGRATION-001", &file);
    assert!(run.stderr.contains("the output path is a file, not a folder"), "{run}");
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "keep me\n");
    assert_eq!(names(work.path()), ["out.json"], "no staging folder");
}

#[test]
fn migrate_of_a_corrupt_leveldb_exits_2_with_leveldb_001_and_writes_nothing() {
    let source = support::fixture_copy("realistic");
    let table = source.path().join("000008.ldb");
    let mut bytes = std::fs::read(&table).expect("read");
    bytes[100] ^= 0x01;
    std::fs::write(&table, bytes).expect("write");
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    for format in ["human", "json"] {
        let run = migrate(source.path(), &out, &["--format", format]);
        if format == "json" {
            run.assert_json_error(2, "LEVELDB-001", &table);
        } else {
            run.assert_error(2, "LEVELDB-001", &table);
        }
        assert_eq!(names(work.path()), Vec::<String>::new(), "no out folder, no staging folder");
    }
}

#[test]
fn dry_run_reports_what_it_would_write_and_writes_nothing() {
    let (work, _source, run) = migrate_fixture("realistic", &["--dry-run"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("dry run: would write 8 files to"), "{run}");
    assert_eq!(names(work.path()), Vec::<String>::new(), "no out folder, no staging folder");
}

/// The one write failure we can cause without privileges: `--out` is a symlink to an empty folder, so everything
/// is written to a staging folder and the final rename fails (ENOTDIR). The staging folder must be gone.
#[test]
fn a_failed_final_rename_leaves_no_partial_output_and_no_staging_folder() {
    let work = tempfile::tempdir().expect("temp dir");
    let source = support::fixture_copy("realistic");
    std::fs::create_dir(work.path().join("target")).expect("mkdir");
    std::os::unix::fs::symlink("target", work.path().join("link")).expect("symlink");
    let out = work.path().join("link");
    let run = migrate(source.path(), &out, &[]);
    run.assert_error(3, "MIGRATION-001", &out);
    assert!(run.stderr.contains("cannot move the finished output into place"), "{run}");
    assert_eq!(names(work.path()), ["link", "target"], "no `.lookcoin-state-staging-*` left");
    assert_eq!(names(&work.path().join("target")), Vec::<String>::new());
}

#[test]
fn migrate_leaves_the_source_folder_byte_identical() {
    let (_work, source, run) = migrate_fixture("log-tail", &[]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(support::folder_bytes(source.path()), support::folder_bytes(&support::fixture("log-tail")));
}

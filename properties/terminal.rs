//! Every command run the way a person runs it: at a terminal (a pseudo-terminal from `script`, so progress
//! spinners are drawn), with a time limit, so a deadlock between the output and a progress thread fails here
//! instead of hanging a user. Runs the built binary on private copies of the fixtures; writes temporary folders.

use crate::support;
use std::path::Path;
use std::process::Command;

/// Seconds a command may take at the terminal before it counts as hung (each finishes in well under one).
const LIMIT_SECONDS: &str = "60";

/// A path as one shell word.
fn quoted(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// Runs `lookcoin-state ARGS` under a pseudo-terminal (stdin, stdout and stderr all a terminal); returns the exit
/// code (124: killed at the time limit) and everything the terminal showed.
fn at_terminal(args: &[String]) -> (i32, String) {
    let command = std::iter::once(quoted(&support::binary())).chain(args.iter().cloned()).collect::<Vec<_>>().join(" ");
    let output = Command::new("timeout")
        .args([LIMIT_SECONDS, "script", "--quiet", "--return", "--command", &command, "/dev/null"])
        .env("SOURCE_DATE_EPOCH", "1754400000")
        .env_remove("GITHUB_ACTIONS")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run script(1) from util-linux");
    let shown = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code().unwrap_or(-1), shown)
}

fn assert_finishes(args: &[String], expected: i32) {
    let (code, shown) = at_terminal(args);
    assert_ne!(code, 124, "`{}` hung at a terminal:\n{shown}", args.join(" "));
    assert_eq!(code, expected, "`{}` at a terminal:\n{shown}", args.join(" "));
}

#[test]
fn every_command_finishes_at_a_terminal() {
    let db = support::fixture_copy("realistic");
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    let s = |x: &str| x.to_string();
    // findings: the realistic fixture holds two junk records, quarantined (exit 1)
    assert_finishes(&[s("migrate"), s("--leveldb"), quoted(db.path()), s("--out"), quoted(&out)], 1);
    assert_finishes(&[s("migrate"), s("--leveldb"), quoted(db.path()), s("--out"), quoted(&out), s("--dry-run")], 1);
    assert_finishes(&[s("inspect"), quoted(db.path())], 0);
    assert_finishes(&[s("inspect"), quoted(&out)], 0);
    assert_finishes(&[s("validate"), quoted(&out)], 0);
    assert_finishes(&[s("compare"), quoted(db.path()), quoted(&out)], 0);
    let applied = work.path().join("applied");
    let reconcile = [s("reconcile"), quoted(db.path()), quoted(&out), s("--authority"), s("left")];
    assert_finishes(&reconcile, 0);
    let apply = [&reconcile[..], &[s("--apply"), s("--out"), quoted(&applied)]].concat();
    assert_finishes(&apply, 0);
    let unreachable = [s("--rpc"), s("56=http://127.0.0.1:9/"), s("--retries"), s("0"), s("--timeout"), s("1")];
    assert_finishes(&[&[s("verify-chain"), quoted(&out)][..], &unreachable].concat(), 3);
    assert_finishes(&[s("restore"), quoted(&work.path().join("no-such-backup"))], 2);
    assert_finishes(&[s("history"), quoted(db.path()), s("--recover")], 0);
    let recovered = work.path().join("recovered");
    let migrate_recovering = [s("migrate"), s("--leveldb"), quoted(db.path()), s("--out"), quoted(&recovered)];
    assert_finishes(&[&migrate_recovering[..], &[s("--recover-fields")]].concat(), 1);
    assert_finishes(&[s("rollback"), s("--json"), quoted(&out), s("--out"), quoted(&work.path().join("rolled"))], 0);
    assert_finishes(&[s("--help")], 0);
}

#[test]
fn the_demo_finishes_at_a_terminal() {
    assert_finishes(&["demo".to_string()], 0);
}

//! Inputs are sacred, and nothing we write is something we would reject: every written path is refused when it
//! lands on, in or over an input; replacing an output is all or nothing; JSON edited after migration is read, not
//! refused; ambiguous or hostile files are refused with their cause. Runs the built binary on private copies of
//! the fixtures; writes temporary folders only.

use crate::compare_cli::{assert_failed, lookcoin, s, Work};
use std::path::{Path, PathBuf};

/// Every file under a folder (recursively) with its bytes, to prove a tree unchanged.
pub fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read");
                files.push((path.strip_prefix(dir).expect("under").to_path_buf(), bytes));
            }
        }
    }
    files.sort();
    files
}

/// A refusal of a written path: exit 2, MIGRATION-001, and the input tree byte for byte as before.
fn assert_refused(args: &[&str], input: &Path) {
    let before = tree(input);
    let run = lookcoin(args);
    assert_failed(&run, 2, "MIGRATION-001");
    assert!(run.stderr.contains("input"), "the error says which input it would touch: {run}");
    assert!(tree(input) == before, "{} changed: {run}", input.display());
}

#[test]
fn a_written_path_on_in_or_over_an_input_is_refused_before_anything_is_written() {
    let work = Work::new();
    let ldb = &work.ldb;
    let docs = work.migrated();
    let file = docs.join("bscmainnet.json");
    let current = ldb.join("CURRENT");
    assert_refused(&["compare", s(ldb), s(&docs), "--junit", s(&current)], ldb);
    assert_refused(&["compare", s(ldb), s(&docs), "--junit", s(&docs.join("report.xml"))], &docs);
    assert_refused(&["verify-chain", s(&file), "--rpc", "56=http://127.0.0.1:9/", "--junit", s(&file)], &docs);
    assert_refused(&["migrate", "--leveldb", s(ldb), "--out", s(&ldb.join("out"))], ldb);
    assert_refused(&["migrate", "--leveldb", s(ldb), "--out", s(ldb), "--force"], ldb);
    assert_refused(&["migrate", "--leveldb", s(ldb), "--out", s(work.dir.path()), "--force"], ldb);
    let apply_into = docs.join("applied");
    assert_refused(&["reconcile", s(ldb), s(&docs), "--authority", "left", "--apply", "--out", s(&apply_into)], &docs);
    // Through a symlink: the link's target is what would be written.
    let link = work.path("link-to-ldb");
    std::os::unix::fs::symlink(ldb, &link).expect("symlink");
    assert_refused(&["migrate", "--leveldb", s(ldb), "--out", s(&link), "--force"], ldb);
    assert_refused(&["compare", s(ldb), s(&docs), "--junit", s(&link.join("CURRENT"))], ldb);
}

#[test]
fn a_written_path_beside_the_inputs_is_accepted() {
    let work = Work::new();
    let docs = work.migrated();
    let junit = work.path("report.xml");
    let run = lookcoin(&["compare", s(&work.ldb), s(&docs), "--junit", s(&junit)]);
    assert_eq!(run.code, 0, "{run}");
    assert!(junit.is_file());
}

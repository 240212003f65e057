//! The built binary on `reconcile --apply` and `restore`: the authority's values written as our documents, no
//! half-written output folder, a timestamped backup of what `--out` held and `restore` putting it back byte for
//! byte, `--out` never one of the inputs, and the inputs byte-identical after every command. Runs
//! `lookcoin-state` on private copies of the fixtures; writes only temporary folders.

use crate::binary_contract::{names, REALISTIC_FILES};
use crate::compare_cli::{assert_failed, fixture, lookcoin, run, s, Inputs, Work, T0};
use crate::support;
use std::path::Path;

/// `reconcile LEFT RIGHT --authority left --apply --out OUT` at `epoch`.
fn apply(epoch: u64, left: &Path, right: &Path, out: &Path) -> crate::binary_contract::Run {
    run(epoch, None, &["reconcile", s(left), s(right), "--authority", "left", "--apply", "--out", s(out)])
}

/// A copy of written documents as `migrate` would have written them: `migration.source.kind` "leveldb" (the
/// schema's only value; reconcile writes "reconcile") and no manifest (its digests cover the original bytes).
fn as_migrated(dir: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for (name, bytes) in support::folder_bytes(dir) {
        if name == "manifest.json" {
            continue;
        }
        let text = String::from_utf8(bytes).expect("documents are UTF-8");
        assert_eq!(text.matches(r#""kind": "reconcile""#).count(), 1, "{name} names its source once");
        std::fs::write(to.join(&name), text.replace(r#""kind": "reconcile""#, r#""kind": "leveldb""#)).expect("write");
    }
}

/// `folder_bytes` without the backup marker.
fn without_marker(dir: &Path) -> Vec<(String, Vec<u8>)> {
    support::folder_bytes(dir).into_iter().filter(|(n, _)| n != ".lookcoin-state-backup").collect()
}

#[test]
fn reconcile_apply_writes_the_authoritys_values_and_compare_then_finds_nothing() {
    let work = Work::new();
    let edited = work.edited();
    let inputs = Inputs::of(&[&work.ldb, &edited]);
    let before = lookcoin(&["compare", s(&work.ldb), s(&edited)]);
    assert!(
        before.stdout.contains(
            "\n3 discrepancies (missing-in-right 1, address-mismatch 1, metadata-mismatch 1) across 27 contracts\nnext: "
        ),
        "{before}"
    );
    let out = work.path("new");
    let applied = apply(T0, &work.ldb, &edited, &out);
    assert_eq!((applied.code, applied.stderr.as_str()), (1, ""), "{applied}");
    assert!(
        applied.stdout.contains(
            "3 actions (add 1, update-field 2, keep-extra 0, prune 0, add-quarantined 0, conflict 0); written to "
        ),
        "{applied}"
    );
    assert_eq!(names(&out), REALISTIC_FILES, "every document and the manifest");
    let readable = work.path("readable");
    as_migrated(&out, &readable);
    let after = lookcoin(&["compare", s(&work.ldb), s(&readable), "--format", "json"]);
    assert_eq!(after.code, 0, "the result agrees with the authority on every covered field: {after}");
    assert_eq!(after.json()["summary"]["right"]["records"], 27);
    assert_eq!(names(work.dir.path()), ["docs", "edited", "ldb", "new", "readable"], "no staging or backup left");
    inputs.assert_unchanged();
}

#[test]
fn reconcile_apply_output_passes_validate_and_compares_empty_against_the_authority() {
    let work = Work::new();
    let edited = work.edited();
    let out = work.path("new");
    assert_eq!(apply(T0, &work.ldb, &edited, &out).code, 1);
    let validated = lookcoin(&["validate", s(&out)]);
    assert_eq!(validated.code, 0, "{validated}");
    let compared = lookcoin(&["compare", s(&work.ldb), s(&out)]);
    assert_eq!(compared.code, 0, "{compared}");
}

#[test]
fn reconcile_apply_that_cannot_be_written_leaves_no_output_folder() {
    let work = Work::new();
    let inputs = Inputs::of(&[&work.ldb, &fixture("v3")]);
    let out = work.path("new");
    // The v3 side cannot hold networkName, so its reconciled records are not complete enhanced records.
    let run = apply(T0, &work.ldb, &fixture("v3"), &out);
    assert!(matches!(run.code, 2 | 3), "{run}");
    assert_failed(&run, run.code, "MIGRATION-001");
    assert!(run.stderr.contains("lacks networkName"), "{run}");
    assert_eq!(names(work.dir.path()), ["ldb"], "no out folder, no staging folder");
    inputs.assert_unchanged();
}

#[test]
fn reconcile_apply_over_a_folder_backs_it_up_and_restore_puts_it_back_byte_for_byte() {
    let work = Work::new();
    let edited = work.edited();
    let docs = work.path("docs");
    let inputs = Inputs::of(&[&work.ldb, &edited, &docs]);
    let out = work.path("new");
    assert_eq!(apply(T0, &work.ldb, &edited, &out).code, 1);
    let first = support::folder_bytes(&out);
    let second_run = apply(T0 + 60, &work.ldb, &docs, &out);
    assert_eq!(second_run.code, 0, "nothing to change against the plain migration: {second_run}");
    let backup = work.path("new.backup-20250805T132100000Z");
    assert!(second_run.stdout.contains(&format!("(previous contents backed up to {})", backup.display())));
    assert_eq!(names(work.dir.path()), ["docs", "edited", "ldb", "new", "new.backup-20250805T132100000Z"]);
    assert_eq!(without_marker(&backup), first, "the backup holds what --out held");
    let second = support::folder_bytes(&out);
    assert_ne!(second, first, "the second apply wrote other documents (source label, time)");
    let restored = run(T0 + 120, None, &["restore", s(&backup)]);
    assert_eq!((restored.code, restored.stderr.as_str()), (0, ""), "{restored}");
    assert_eq!(support::folder_bytes(&out), first, "restore puts the backup back byte for byte");
    let aside = work.path("new.replaced-20250805T132200000Z");
    assert_eq!(without_marker(&aside), second, "what restore replaced is itself a backup");
    assert_eq!(names(work.dir.path()), ["docs", "edited", "ldb", "new", "new.replaced-20250805T132200000Z"]);
    let undone = run(T0 + 180, None, &["restore", s(&aside)]);
    assert_eq!(undone.code, 0, "{undone}");
    assert_eq!(support::folder_bytes(&out), second, "and restoring that undoes the restore");
    inputs.assert_unchanged();
}

#[test]
fn restore_at_the_time_of_the_backup_it_restores_succeeds() {
    let work = Work::new();
    let edited = work.edited();
    let out = work.path("new");
    assert_eq!(apply(T0, &work.ldb, &edited, &out).code, 1);
    let first = support::folder_bytes(&out);
    assert_eq!(apply(T0 + 60, &work.ldb, &work.path("docs"), &out).code, 0);
    let restored = run(T0 + 60, None, &["restore", s(&work.path("new.backup-20250805T132100000Z"))]);
    assert_eq!(restored.code, 0, "{restored}");
    assert_eq!(support::folder_bytes(&out), first);
}

#[test]
fn reconcile_refuses_an_out_that_is_one_of_the_inputs_and_changes_nothing() {
    let work = Work::new();
    let edited = work.edited();
    let inputs = Inputs::of(&[&work.ldb, &edited]);
    for out in [&edited, &work.ldb] {
        let run = apply(T0, &work.ldb, &edited, out);
        assert!(run.code >= 2, "refused: {run}");
        assert_eq!(run.stdout, "", "{run}");
        assert!(run.stderr.contains("--out would write onto the input"), "{run}");
    }
    assert_eq!(names(work.dir.path()), ["docs", "edited", "ldb"], "no backup, no staging folder");
    inputs.assert_unchanged();
}

#[test]
fn reconcile_refuses_an_out_that_is_an_input_as_bad_usage_with_exit_2() {
    let work = Work::new();
    let edited = work.edited();
    assert_eq!(apply(T0, &work.ldb, &edited, &edited).code, 2);
}

#[test]
fn reconcile_refuses_an_out_inside_an_input() {
    let work = Work::new();
    let edited = work.edited();
    let inputs = Inputs::of(&[&work.ldb, &edited]);
    let run = apply(T0, &work.ldb, &edited, &work.ldb.join("reconciled"));
    assert_eq!(run.code, 2, "{run}");
    assert!(!work.ldb.join("reconciled").exists(), "nothing written into the LevelDB folder");
    inputs.assert_unchanged();
}

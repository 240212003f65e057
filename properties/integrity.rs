//! Inputs are sacred, and nothing we write is something we would reject: every written path is refused when it
//! lands on, in or over an input; replacing an output is all or nothing; JSON edited after migration is read, not
//! refused; ambiguous or hostile files are refused with their cause. Runs the built binary on private copies of
//! the fixtures; writes temporary folders only.

use crate::compare_cli::{assert_failed, lookcoin, s, Work};
use crate::support;
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
    // Through a folder that does not exist yet and `..`: still inside the LevelDB.
    assert_refused(&["migrate", "--leveldb", s(ldb), "--out", s(&ldb.join("nope/../out"))], ldb);
    assert_refused(&["compare", s(ldb), s(&docs), "--junit", s(&ldb.join("nope/../report.xml"))], ldb);
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

/// Runs the binary with a time limit (exit 124 when it had to be killed): a read that blocks must fail a test,
/// not hang it.
fn lookcoin_within(seconds: u32, args: &[&str]) -> crate::binary_contract::Run {
    let output = std::process::Command::new("timeout")
        .arg(seconds.to_string())
        .arg(support::binary())
        .args(args)
        .env("SOURCE_DATE_EPOCH", "1754400000")
        .env_remove("GITHUB_ACTIONS")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run timeout(1)");
    crate::binary_contract::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The migration of the realistic fixture with `bsctestnet.json` rewritten by `edit` (its manifest left as is).
fn with_edited_document(work: &Work, edit: impl FnOnce(String) -> String) -> PathBuf {
    let docs = work.migrated();
    let file = docs.join("bsctestnet.json");
    let text = std::fs::read_to_string(&file).expect("read");
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit applies");
    std::fs::write(&file, edited).expect("write");
    docs
}

#[test]
fn a_key_given_twice_in_a_json_object_is_json_002_naming_the_key_and_both_places() {
    let work = Work::new();
    // A second "LookCoin" entry in the contracts object, right after the first: a reader keeping one silently
    // would drop a record.
    let docs = with_edited_document(&work, |text| {
        let start = text.find("    \"LookCoin\": {").expect("LookCoin entry");
        let end = start + text[start..].find("\n    },\n").expect("entry end") + "\n    },\n".len();
        format!("{}{}{}", &text[..end], &text[start..end], &text[end..])
    });
    for command in [vec!["inspect", s(&docs)], vec!["compare", s(&work.ldb), s(&docs)]] {
        let run = lookcoin(&command);
        assert_failed(&run, 2, "JSON-002");
        assert!(run.stderr.contains("`LookCoin`"), "names the key: {run}");
        assert!(run.stderr.matches("bsctestnet.json:").count() >= 1, "names the file: {run}");
        assert!(run.stderr.contains("first at line"), "names both places: {run}");
    }
    let validated = lookcoin(&["validate", s(&docs)]);
    assert_eq!(validated.code, 1, "an invalid file is a finding of validate: {validated}");
    assert!(validated.stdout.contains("JSON-002") && validated.stdout.contains("`LookCoin`"), "{validated}");
    // A top-level field twice.
    let v1 = work.path("v1");
    support::copy_dir(&crate::compare_cli::fixture("v1"), &v1);
    let file = v1.join("bscmainnet.json");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replacen("{", "{\n  \"chainId\": 97,", 1)).expect("write");
    let run = lookcoin(&["compare", s(&work.ldb), s(&v1)]);
    assert_failed(&run, 2, "JSON-002");
    assert!(run.stderr.contains("`chainId`"), "{run}");
}

#[test]
fn only_regular_files_are_read_and_every_unreadable_one_is_named() {
    let work = Work::new();
    let docs = work.migrated();
    // A named pipe: opening it for reading would wait for a writer forever.
    let fifo = docs.join("pipe.json");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let run = lookcoin_within(20, &["validate", s(&fifo)]);
    assert_failed(&run, 2, "JSON-001");
    assert!(run.stderr.contains("not a regular file"), "{run}");
    // A link to an endless device: never read until memory runs out.
    let zero = work.path("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink");
    let run = lookcoin_within(20, &["inspect", s(&zero)]);
    assert_failed(&run, 2, "JSON-001");
    // In a folder: the pipe, a link loop and a dangling link are each named, none skipped in silence.
    std::os::unix::fs::symlink(docs.join("loop.json"), docs.join("loop.json")).expect("symlink loop");
    std::os::unix::fs::symlink(work.path("gone"), docs.join("dangling.json")).expect("dangling symlink");
    let run = lookcoin_within(20, &["validate", s(&docs)]);
    assert_failed(&run, 2, "JSON-001");
    for name in ["pipe.json", "loop.json", "dangling.json"] {
        assert!(run.stderr.contains(name), "{name} is named: {run}");
    }
}

#[test]
fn a_file_over_the_size_limit_is_refused_and_the_limit_can_be_raised() {
    let work = Work::new();
    let docs = work.migrated();
    let big = work.path("big.json");
    let padding = " ".repeat(2 * 1024 * 1024);
    let text = std::fs::read_to_string(docs.join("bsctestnet.json")).expect("read");
    std::fs::write(&big, format!("{text}{padding}")).expect("write");
    let refused = lookcoin(&["validate", s(&big), "--max-file-mb", "1"]);
    assert_failed(&refused, 2, "JSON-001");
    assert!(refused.stderr.contains("--max-file-mb"), "the hint names the flag: {refused}");
    let raised = lookcoin(&["validate", s(&big), "--max-file-mb", "3"]);
    assert_eq!(raised.code, 0, "{raised}");
}

fn sha256_of(path: &Path) -> String {
    lookcoin_state::core::digest::sha256_hex(&std::fs::read(path).expect("read"))
}

/// After cutover the JSON is the live store: a hand edit must be compared, not refused.
#[test]
fn json_edited_after_migration_is_read_and_each_changed_file_is_reported() {
    let work = Work::new();
    let docs = work.migrated();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(docs.join("manifest.json")).expect("read")).expect("json");
    let listed = |name: &str| {
        manifest["files"].as_array().expect("files").iter().find(|f| f["name"] == name).expect("listed")["sha256"]
            .as_str()
            .expect("sha")
            .to_string()
    };
    let file = docs.join("bsctestnet.json");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
    let other = doc["contracts"]["SupplyOracle"]["address"].clone();
    doc["contracts"]["LookCoin"]["address"] = other;
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    // A file renamed by hand: the manifest's name is gone (removed), the new name is not listed (added).
    std::fs::rename(docs.join("basesepolia.json"), docs.join("extra.json")).expect("rename");
    let before = tree(&docs);

    let run = lookcoin(&["compare", s(&work.ldb), s(&docs), "--format", "json"]);
    assert_eq!(run.code, 1, "{run}");
    let report = run.json();
    let items = report["discrepancies"].as_array().expect("discrepancies");
    let address = items.iter().find(|d| d["kind"] == "address-mismatch").expect("the edit is an address-mismatch");
    assert_eq!((address["chainId"].as_u64(), address["contract"].as_str()), (Some(97), Some("LookCoin")));
    let changed: Vec<&serde_json::Value> = items.iter().filter(|d| d["kind"] == "changed-since-migration").collect();
    assert_eq!(changed.len(), 3, "the edited, the removed and the added file: {run}");
    let edited = changed.iter().find(|d| d["right"]["file"] == "bsctestnet.json").expect("edited file reported");
    assert_eq!(edited["right"]["change"], "changed");
    assert_eq!(edited["right"]["manifestSha256"].as_str(), Some(listed("bsctestnet.json").as_str()));
    assert_eq!(edited["right"]["sha256"].as_str(), Some(sha256_of(&file).as_str()));
    let added = changed.iter().find(|d| d["right"]["file"] == "extra.json").expect("added file reported");
    assert_eq!(added["right"]["change"], "added");
    let removed = changed.iter().find(|d| d["right"]["file"] == "basesepolia.json").expect("removed file reported");
    assert_eq!((removed["right"]["change"].as_str(), removed["right"]["sha256"].is_null()), (Some("removed"), true));

    // inspect and verify-chain read the edited folder too.
    let inspect = lookcoin(&["inspect", s(&docs), "--format", "json"]);
    assert_eq!(inspect.code, 0, "{inspect}");
    let unreachable = ["--rpc", "97=http://127.0.0.1:9/", "--retries", "0", "--timeout", "1"];
    let verify = lookcoin(&[&["verify-chain", s(&docs)][..], &unreachable].concat());
    assert_eq!(verify.code, 3, "read, then unverifiable for want of a chain, never refused: {verify}");
    // validate stays strict about the manifest.
    let validated = lookcoin(&["validate", s(&docs)]);
    assert_eq!(validated.code, 1, "{validated}");
    assert!(validated.stdout.contains("MIGRATION-003"), "{validated}");
    assert!(tree(&docs) == before, "reading changed nothing");
}

/// The files of an output folder that are part of a migration (the backup marker aside).
fn migration_files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    tree(dir).into_iter().filter(|(p, _)| p.extension().is_some_and(|x| x == "json")).collect()
}

/// `migrate --force` of `ldb` into `out` at `epoch` (each epoch gives other bytes: the time is in the documents).
fn migrate_at(epoch: u64, ldb: &Path, out: &Path, stall: Option<&str>) -> std::process::Child {
    let mut command = std::process::Command::new(support::binary());
    command.args(["migrate", "--leveldb", s(ldb), "--out", s(out), "--force"]);
    command.env("SOURCE_DATE_EPOCH", epoch.to_string()).env_remove("GITHUB_ACTIONS");
    if let Some(point) = stall {
        command.env("LOOKCOIN_STALL_AT", point);
    }
    command.stdin(std::process::Stdio::null()).stdout(std::process::Stdio::null());
    command.stderr(std::process::Stdio::piped()).spawn().expect("start lookcoin-state")
}

/// Waits until the child says it stalled at `point`, then kills it with SIGKILL.
fn kill_when_stalled(mut child: std::process::Child, point: &str) {
    use std::io::BufRead;
    let stderr = child.stderr.take().expect("piped stderr");
    let mut lines = std::io::BufReader::new(stderr).lines();
    let said = lines.next().expect("a line before it ends").expect("UTF-8");
    assert_eq!(said, format!("stalled at {point}"));
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
}

fn leftovers(parent: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(parent)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".staging-"))
        .collect();
    names.sort();
    names
}

#[test]
fn migrate_force_replaces_the_folder_as_a_set_and_keeps_a_backup_restore_accepts() {
    let work = Work::new();
    let out = work.path("out");
    assert_eq!(migrate_at(1_754_400_000, &work.ldb, &out, None).wait().expect("ran").code(), Some(1));
    let old = migration_files(&out);
    std::fs::write(out.join("notes.txt"), "kept with the old set").expect("a file of the user's");
    let run = crate::compare_cli::run(
        1_754_400_060,
        None,
        &["migrate", "--leveldb", s(&work.ldb), "--out", s(&out), "--force"],
    );
    assert_eq!(run.code, 1, "{run}");
    let backup = work.path("out.backup-20250805T132100000Z");
    assert!(run.stdout.contains(&format!("(what was there is kept in {})", backup.display())), "{run}");
    assert_eq!(migration_files(&backup), old, "the backup holds the old set");
    assert!(backup.join("notes.txt").is_file(), "and everything else that was there");
    assert!(!out.join("notes.txt").exists(), "the new folder is the new set only");
    assert!(tree(&out).iter().all(|(p, _)| !p.to_string_lossy().contains(".tmp-")), "no temporary file in --out");
    assert!(leftovers(work.dir.path()).is_empty());
    let validated = lookcoin(&["validate", s(&out)]);
    assert_eq!(validated.code, 0, "{validated}");
    let restored = crate::compare_cli::run(1_754_400_120, None, &["restore", s(&backup)]);
    assert_eq!(restored.code, 0, "{restored}");
    assert_eq!(migration_files(&out), old);
}

/// Killed at every point of the swap, `--out` holds the old set or the new set, never a mix, and the next run on
/// the same `--out` clears what the kill left (a marked old set becomes the backup `restore` accepts).
#[test]
fn a_kill_at_any_point_of_migrate_force_leaves_the_old_or_the_new_set() {
    for point in ["staged", "marked", "swapped"] {
        let work = Work::new();
        let out = work.path("out");
        assert_eq!(migrate_at(1_754_400_000, &work.ldb, &out, None).wait().expect("ran").code(), Some(1));
        let old = migration_files(&out);
        kill_when_stalled(migrate_at(1_754_400_060, &work.ldb, &out, Some(point)), point);
        let now = migration_files(&out);
        let new_set = point == "swapped";
        assert!(!now.is_empty(), "{point}: --out is never missing");
        if new_set {
            assert_ne!(now, old, "{point}: the new set is in place");
        } else {
            assert_eq!(now, old, "{point}: the old set is untouched");
        }
        let validated = lookcoin(&["validate", s(&out)]);
        assert_eq!(validated.code, 0, "{point}: a whole set, which validates: {validated}");
        assert!(tree(&out).iter().all(|(p, _)| !p.to_string_lossy().contains(".tmp-")), "{point}: no temporary file");
        // The next run clears what was left: the marked old set becomes a backup, staging folders go.
        let next = crate::compare_cli::run(
            1_754_400_120,
            None,
            &["migrate", "--leveldb", s(&work.ldb), "--out", s(&out), "--force"],
        );
        assert_eq!(next.code, 1, "{point}: {next}");
        assert!(leftovers(work.dir.path()).is_empty(), "{point}: {:?}", leftovers(work.dir.path()));
        if new_set {
            let recovered = work.path("out.backup-20250805T132100000Z");
            assert_eq!(migration_files(&recovered), old, "{point}: the old set, recovered as a backup");
            let restored = crate::compare_cli::run(1_754_400_180, None, &["restore", s(&recovered)]);
            assert_eq!(restored.code, 0, "{point}: restore accepts it: {restored}");
            assert_eq!(migration_files(&out), old);
        }
    }
}

/// A tmpfs of `kib` KiB mounted at a new folder, unmounted on drop (the tests run as root, as CI does).
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(kib: u32) -> SmallDisk {
        let dir = tempfile::tempdir().expect("temp dir");
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k"), "tmpfs"])
            .arg(dir.path())
            .status()
            .expect("run mount");
        assert!(status.success(), "mounting a tmpfs needs root (CI runs as root)");
        SmallDisk { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(self.dir.path()).status();
    }
}

#[test]
fn a_full_disk_leaves_the_old_set_and_says_so_with_a_disk_space_hint() {
    let disk = SmallDisk::mount(400);
    let out = disk.path().join("out");
    let small = Work::new();
    assert_eq!(migrate_at(1_754_400_000, &small.ldb, &out, None).wait().expect("ran").code(), Some(1));
    let old = migration_files(&out);
    let large = support::fixture_copy("large-10k");
    let run = crate::compare_cli::run(
        1_754_400_060,
        None,
        &["migrate", "--leveldb", s(large.path()), "--out", s(&out), "--force"],
    );
    assert_failed(&run, 3, "MIGRATION-001");
    assert!(run.stderr.contains("free space"), "a disk-space hint: {run}");
    assert_eq!(migration_files(&out), old, "the old set is untouched");
    assert!(leftovers(disk.path()).is_empty(), "no staging folder left: {:?}", leftovers(disk.path()));
}

#[test]
fn a_full_temporary_disk_is_migration_001_not_a_corrupt_leveldb() {
    let disk = SmallDisk::mount(200);
    let large = support::fixture_copy("large-10k");
    let out = tempfile::tempdir().expect("temp dir");
    let output = std::process::Command::new(support::binary())
        .args(["migrate", "--leveldb", s(large.path()), "--out", s(&out.path().join("out"))])
        .env("TMPDIR", disk.path())
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.starts_with("error[MIGRATION-001]"), "{stderr}");
    assert!(stderr.contains("free space"), "{stderr}");
}

#[test]
fn reconcile_apply_never_writes_a_key_as_both_a_record_and_a_quarantined_entry() {
    let work = Work::new();
    let docs = work.migrated();
    // One chain document for the junk chain 31337, holding a valid LookCoin: the migration quarantines that key.
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(docs.join("bscmainnet.json")).expect("read")).expect("json");
    doc["chainId"] = 31337.into();
    doc["network"] = serde_json::json!({"key": "hardhat", "tier": "dev", "known": true});
    let mut lookcoin_entry = doc["contracts"]["LookCoin"].clone();
    lookcoin_entry["networkName"] = "hardhat".into();
    doc["contracts"] = serde_json::json!({ "LookCoin": lookcoin_entry });
    let one = work.path("hardhat.json");
    std::fs::write(&one, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    let out = work.path("applied");
    let run = lookcoin(&["reconcile", s(&one), s(&docs), "--authority", "left", "--apply", "--out", s(&out)]);
    assert_failed(&run, 2, "MIGRATION-001");
    assert!(run.stderr.contains("31337-LookCoin"), "{run}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn restore_refuses_a_backup_whose_marker_names_another_folder() {
    let work = Work::new();
    let out = work.path("out");
    assert_eq!(migrate_at(1_754_400_000, &work.ldb, &out, None).wait().expect("ran").code(), Some(1));
    assert_eq!(migrate_at(1_754_400_060, &work.ldb, &out, None).wait().expect("ran").code(), Some(1));
    let backup = work.path("out.backup-20250805T132100000Z");
    let marker = backup.join(".lookcoin-state-backup");
    let elsewhere = work.path("elsewhere");
    std::fs::create_dir(&elsewhere).expect("a folder of the user's");
    std::fs::write(elsewhere.join("precious.txt"), "keep me").expect("write");
    for named in [elsewhere.clone(), backup.clone(), work.ldb.clone()] {
        let text =
            serde_json::json!({"originalPath": named.display().to_string(), "createdAt": "2025-08-05T13:21:00.000Z"});
        std::fs::write(&marker, serde_json::to_vec(&text).expect("json")).expect("edit the marker");
        let before = (tree(&backup), tree(&elsewhere), tree(&out));
        let run = lookcoin(&["restore", s(&backup)]);
        assert_failed(&run, 2, "MIGRATION-001");
        assert!(run.stderr.contains("not this backup's own folder"), "{run}");
        assert!((tree(&backup), tree(&elsewhere), tree(&out)) == before, "nothing moved");
    }
}

/// The private copy of a LevelDB (the whole database) lives in a folder only its owner can enter, and an
/// interrupt (Ctrl-C, SIGTERM) removes it before the process ends.
#[test]
fn the_private_copy_is_0700_and_removed_when_the_run_is_interrupted() {
    use std::os::unix::fs::PermissionsExt;
    for signal in ["INT", "TERM"] {
        let work = Work::new();
        let tmp = work.path("tmp");
        std::fs::create_dir(&tmp).expect("a TMPDIR of our own");
        let mut child = std::process::Command::new(support::binary())
            .args(["migrate", "--leveldb", s(&work.ldb), "--out", s(&work.path("out"))])
            .env("TMPDIR", &tmp)
            .env("LOOKCOIN_STALL_AT", "snapshot")
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start");
        let mut stderr = std::io::BufReader::new(child.stderr.take().expect("piped"));
        let mut line = String::new();
        std::io::BufRead::read_line(&mut stderr, &mut line).expect("read");
        assert_eq!(line, "stalled at snapshot\n");
        let copies: Vec<PathBuf> = std::fs::read_dir(&tmp).expect("list").map(|e| e.expect("entry").path()).collect();
        assert_eq!(copies.len(), 1, "{copies:?}");
        let mode = std::fs::metadata(&copies[0]).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "only the owner may enter the private copy");
        let sent = std::process::Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status();
        assert!(sent.expect("kill(1)").success());
        let status = child.wait().expect("reaped");
        assert_eq!(status.code(), Some(130), "SIG{signal}");
        let mut said = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut said).expect("read");
        assert!(said.contains("interrupted: removed"), "{said}");
        assert!(std::fs::read_dir(&tmp).expect("list").next().is_none(), "SIG{signal}: the private copy is gone");
    }
}

/// Every value of a numeric flag is taken or refused as usage (exit 2), never a panic.
#[test]
fn numeric_flags_out_of_range_are_refused_as_usage_never_a_panic() {
    let work = Work::new();
    let docs = work.migrated();
    for (flag, value) in [
        ("--max-concurrency", "0"),
        ("--max-concurrency", "18446744073709551615"),
        ("--timeout", "0"),
        ("--timeout", "18446744073709551615"),
        ("--retries", "4294967295"),
        ("--rps", "0"),
        ("--rps", "1e-300"),
        ("--rps", "NaN"),
        ("--max-file-mb", "0"),
        ("--max-file-mb", "-1"),
    ] {
        let run = lookcoin_within(30, &["verify-chain", s(&docs), "--rpc", "56=http://127.0.0.1:9/", flag, value]);
        assert_eq!(run.code, 2, "{flag} {value}: {run}");
        assert!(run.stderr.starts_with("error: "), "clap's usage error: {run}");
        assert!(!run.stderr.contains("panicked"), "{run}");
    }
}

/// An I/O error is classified by its kind, never its text: a permission problem is said as such, with its own
/// hint (never "locked by another process" or "restore from a backup").
#[test]
fn a_permission_problem_is_reported_as_one() {
    use lookcoin_state::error::{ErrorKind, ToolError};
    let denied = || std::io::Error::from(std::io::ErrorKind::PermissionDenied);
    let read = ToolError::input_io("db/000005.ldb", "cannot open", denied());
    assert_eq!((read.kind, read.code().code(), read.exit_code()), (ErrorKind::InputPermissionDenied, "JSON-001", 2));
    assert!(read.hint.contains("read access") && !read.hint.contains("lock") && !read.hint.contains("backup"));
    let write = ToolError::output_io("out", "cannot write", denied());
    assert_eq!((write.kind, write.exit_code()), (ErrorKind::OutputPermissionDenied, 3));
    assert!(write.hint.contains("write access"));
    let full = ToolError::output_io("out", "cannot write", std::io::Error::from(std::io::ErrorKind::StorageFull));
    assert!(full.kind == ErrorKind::DiskFull && full.hint.contains("free space"));
}

/// An unusable SOURCE_DATE_EPOCH is the user's input at fault: exit 2 before anything is read or written.
#[test]
fn an_invalid_source_date_epoch_is_bad_input() {
    let work = Work::new();
    for value in ["abc", "-1", "1.5", "99999999999999999"] {
        let out = work.path("out");
        let run = crate::compare_cli::run(0, None, &["migrate", "--leveldb", s(&work.ldb), "--out", s(&out)]);
        assert_eq!(run.code, 1, "a valid epoch migrates: {run}");
        std::fs::remove_dir_all(&out).expect("clean");
        let output = std::process::Command::new(support::binary())
            .args(["migrate", "--leveldb", s(&work.ldb), "--out", s(&out)])
            .env("SOURCE_DATE_EPOCH", value)
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "SOURCE_DATE_EPOCH={value}: {stderr}");
        assert!(stderr.starts_with("error[MIGRATION-001]") && stderr.contains("SOURCE_DATE_EPOCH"), "{stderr}");
        assert!(!out.exists(), "nothing written");
    }
}

/// Two runs on one `--out` never work on it at once: the second is refused (exit 3) while the first holds it,
/// and a run killed while holding it does not block the next.
#[test]
fn a_second_run_on_the_same_out_is_refused_while_the_first_writes() {
    let work = Work::new();
    let out = work.path("out");
    assert_eq!(migrate_at(1_754_400_000, &work.ldb, &out, None).wait().expect("ran").code(), Some(1));
    let mut first = migrate_at(1_754_400_060, &work.ldb, &out, Some("staged"));
    let mut stderr = std::io::BufReader::new(first.stderr.take().expect("piped"));
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut line).expect("read");
    assert_eq!(line, "stalled at staged\n");
    let second = crate::compare_cli::run(
        1_754_400_120,
        None,
        &["migrate", "--leveldb", s(&work.ldb), "--out", s(&out), "--force"],
    );
    assert_failed(&second, 3, "MIGRATION-001");
    assert!(second.stderr.contains("another lookcoin-state run is writing this folder"), "{second}");
    first.kill().expect("SIGKILL");
    first.wait().expect("reaped");
    let third = crate::compare_cli::run(
        1_754_400_180,
        None,
        &["migrate", "--leveldb", s(&work.ldb), "--out", s(&out), "--force"],
    );
    assert_eq!(third.code, 1, "the killed run's lock does not outlive it: {third}");
    assert!(leftovers(work.dir.path()).is_empty() && !work.path(".out.lock").exists(), "nothing left beside --out");
}

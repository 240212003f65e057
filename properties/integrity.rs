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

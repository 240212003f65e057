//! The built binary on its own output: `inspect` of a migration equals `inspect` of its LevelDB, `validate`
//! reports each kind of damage with its code and position, `--force` rewrites a folder, `demo` works end to end.
//! Runs `lookcoin-state` on private copies of the fixtures and writes only temporary folders.

use crate::binary_contract::{lookcoin, migrate, migrate_fixture, names, Run, REALISTIC_FILES};
use serde_json::Value;
use std::ffi::OsStr;
use std::path::Path;

fn inspect_json(path: &Path) -> Value {
    let run = lookcoin(&[OsStr::new("inspect"), path.as_ref(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "inspect {}: {run}", path.display());
    run.json()
}

fn assert_inspect_round_trips(fixture: &str, exit: i32, entries: usize) {
    let (work, source, run) = migrate_fixture(fixture, &[]);
    assert_eq!(run.code, exit, "{fixture}: {run}");
    let before = inspect_json(source.path());
    let after = inspect_json(&work.path().join("out"));
    assert_eq!(before["records"].as_array().map(Vec::len), Some(entries), "{fixture}");
    assert_eq!(after, before, "{fixture}: inspect of the migration equals inspect of the LevelDB");
}

#[test]
fn inspect_of_the_migration_equals_inspect_of_realistic() {
    assert_inspect_round_trips("realistic", 1, 29);
}

#[test]
fn inspect_of_the_migration_equals_inspect_of_log_tail() {
    assert_inspect_round_trips("log-tail", 0, 12);
}

#[test]
fn inspect_of_the_migration_equals_inspect_of_hostile() {
    assert_inspect_round_trips("hostile", 1, 23);
}

/// `read_documents` reads files its manifest vouches for (same SHA-256) straight into typed documents; read one
/// by one (a single file has no manifest) every file is parsed, schema-checked and typed. Both give the same set.
#[test]
fn files_the_manifest_vouches_for_read_the_same_as_schema_checked_files() {
    use lookcoin_state::io::documents::json_files;
    use lookcoin_state::pipeline::load::read_documents;
    for fixture in ["realistic", "log-tail", "hostile"] {
        let (work, _, _) = migrate_fixture(fixture, &[]);
        let out = work.path().join("out");
        let vouched = read_documents(&out).expect("the migration reads");
        let (mut chains, mut quarantine) = (Vec::new(), None);
        // The manifest read alone would look for the files it lists beside it; the documents are what matter.
        for file in json_files(&out).expect("list").iter().filter(|f| !f.ends_with("manifest.json")) {
            let one = read_documents(file).expect("each file reads alone");
            chains.extend(one.chains);
            quarantine = quarantine.or(one.quarantine);
        }
        assert!(!chains.is_empty() && vouched.manifest.is_some(), "{fixture}");
        assert_eq!(vouched.chains, chains, "{fixture}");
        assert_eq!(vouched.quarantine, quarantine, "{fixture}");
    }
}

/// A file edited after the migration no longer matches its manifest digest, so it is schema-checked in full:
/// `inspect` names the field the schema rejects (not only the digest).
#[test]
fn an_edited_file_is_schema_checked_even_beside_a_manifest() {
    let (work, _, _) = migrate_fixture("realistic", &[]);
    let out = work.path().join("out");
    let file = out.join("bscmainnet.json");
    let text = std::fs::read_to_string(&file).expect("read");
    let edited = text.replacen("\"category\": \"core\"", "\"category\": \"kernel\"", 1);
    assert_ne!(edited, text, "the edit applies");
    std::fs::write(&file, edited).expect("write");
    let run = lookcoin(&[OsStr::new("inspect"), out.as_ref()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("JSON-003") && run.stderr.contains("/contracts/LookCoin/category"), "{run}");
}

/// The other side of the shortcut, as documented: the manifest is a consistency check, not a signature. A file
/// edited in a way only the schema forbids (a network key with capitals and a space), whose manifest entry is
/// rewritten to match, is read without the schema check; `validate` still rejects it. If the shortcut were never
/// taken, `inspect` would fail here; if `validate` took it, `validate` would pass.
#[test]
fn a_manifest_rewritten_to_match_skips_the_schema_check_but_not_validate() {
    use lookcoin_state::core::digest::sha256_hex;
    let (work, _, _) = migrate_fixture("realistic", &[]);
    let out = work.path().join("out");
    let file = out.join("bscmainnet.json");
    let text = std::fs::read_to_string(&file).expect("read");
    let edited = text.replacen("\"key\": \"bscmainnet\"", "\"key\": \"BSC Main\"", 1);
    assert_ne!(edited, text, "the edit applies");
    let manifest_path = out.join("manifest.json");
    let manifest = std::fs::read_to_string(&manifest_path).expect("read the manifest");
    let rewritten = manifest.replacen(&sha256_hex(text.as_bytes()), &sha256_hex(edited.as_bytes()), 1);
    assert_ne!(rewritten, manifest, "the manifest lists the file's digest");
    std::fs::write(&file, edited).expect("write");
    std::fs::write(&manifest_path, rewritten).expect("write the manifest");
    let run = lookcoin(&[OsStr::new("inspect"), out.as_ref(), "--format".as_ref(), "json".as_ref()]);
    assert_eq!(run.code, 0, "inspect reads a file its manifest vouches for without the schema: {run}");
    let (_, report) = assert_validate(&out, 1, &[("bscmainnet.json", "JSON-003")]);
    assert!(problems(&report).contains("/network/key"), "{}", problems(&report));
}

fn validate(path: &Path, format: &str) -> Run {
    lookcoin(&[OsStr::new("validate"), path.as_ref(), "--format".as_ref(), format.as_ref()])
}

/// Validates in both formats; the JSON report must list exactly the `invalid` files named, with their code.
fn assert_validate(folder: &Path, exit: i32, invalid: &[(&str, &str)]) -> (Run, Value) {
    let human = validate(folder, "human");
    assert_eq!(human.code, exit, "{human}");
    assert_eq!(human.stderr, "", "findings are data, on stdout");
    let json_run = validate(folder, "json");
    assert_eq!(json_run.code, exit, "{json_run}");
    let report = json_run.json();
    assert_eq!((report["schemaVersion"].as_str(), report["command"].as_str()), (Some("1.0.0"), Some("validate")));
    let failed: Vec<(String, String)> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["valid"] == false)
        .map(|f| (f["path"].as_str().unwrap().to_string(), f["code"].as_str().unwrap().to_string()))
        .collect();
    let want: Vec<(String, String)> = invalid.iter().map(|(p, c)| (shown_in(folder, p), c.to_string())).collect();
    assert_eq!(failed, want, "{}", json_run.stdout);
    (human, report)
}

/// `folder/name`, or the folder itself for "" (a problem of the whole set).
fn shown_in(folder: &Path, name: &str) -> String {
    if name.is_empty() {
        folder.display().to_string()
    } else {
        folder.join(name).display().to_string()
    }
}

/// Every problem line of a JSON validate report, one per line.
fn problems(report: &Value) -> String {
    let files = report["files"].as_array().expect("files");
    let lines = files.iter().flat_map(|f| f["problems"].as_array().cloned().unwrap_or_default());
    lines.map(|p| format!("{}\n", p.as_str().expect("problem text"))).collect()
}

#[test]
fn validate_accepts_a_fresh_migration() {
    let (work, _, _) = migrate_fixture("realistic", &[]);
    let (human, report) = assert_validate(&work.path().join("out"), 0, &[]);
    assert_eq!(report["summary"], serde_json::json!({"files": 8, "invalid": 0}));
    assert!(human.stdout.contains("\n8 files: 8 valid, 0 invalid\nnext: "), "{human}");
}

#[test]
fn validate_reports_malformed_json_as_json_002_with_line_and_column() {
    let (work, _, _) = migrate_fixture("realistic", &[]);
    let out = work.path().join("out");
    let file = out.join("bscmainnet.json");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replacen("\"kind\": \"chain\",", "\"kind\": \"chain\"", 1)).expect("write");
    let (human, report) = assert_validate(&out, 1, &[("bscmainnet.json", "JSON-002")]);
    let position = format!("{}:4:3: malformed JSON", file.display());
    assert!(problems(&report).contains(&position), "{}", problems(&report));
    assert!(human.stdout.contains(&format!("JSON-002: {position}")), "{human}");
}

#[test]
fn validate_reports_a_schema_violation_as_json_003_with_its_pointer() {
    let (work, _, _) = migrate_fixture("realistic", &[]);
    let out = work.path().join("out");
    let file = out.join("bscmainnet.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).expect("read")).expect("JSON");
    doc["contracts"]["LookCoin"]["address"] = Value::from("0x12");
    std::fs::write(&file, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
    let (human, report) = assert_validate(&out, 1, &[("bscmainnet.json", "JSON-003")]);
    assert!(
        problems(&report).contains("at `/contracts/LookCoin/address`: \"0x12\" does not match"),
        "{}",
        problems(&report)
    );
    assert!(human.stdout.contains("JSON-003") && human.stdout.contains("/contracts/LookCoin/address"), "{human}");
}

#[test]
fn validate_reports_a_file_changed_after_migration_as_migration_003() {
    let (work, _, _) = migrate_fixture("realistic", &[]);
    let out = work.path().join("out");
    let file = out.join("bscmainnet.json");
    let text = std::fs::read_to_string(&file).expect("read");
    let tampered = text.replacen("\"timestamp\": 1753441878006", "\"timestamp\": 1753441878007", 1);
    assert_ne!(tampered, text, "the edit applies");
    std::fs::write(&file, tampered).expect("write");
    let (_, report) = assert_validate(&out, 1, &[("", "MIGRATION-003")]);
    let said = problems(&report);
    assert!(said.contains(&format!("{}: file differs from the manifest", file.display())), "{said}");
}

#[test]
fn force_replaces_the_files_of_a_non_empty_folder_and_the_result_validates() {
    let (work, source, first) = migrate_fixture("realistic", &[]);
    assert_eq!(first.code, 1, "{first}");
    let out = work.path().join("out");
    std::fs::write(out.join("bscmainnet.json"), "{ stale").expect("write");
    let refused = migrate(source.path(), &out, &[]);
    assert_eq!(refused.code, 2, "without --force a non-empty folder is refused: {refused}");
    let run = migrate(source.path(), &out, &["--force"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(names(&out), REALISTIC_FILES, "no temporary file left in the folder");
    assert_validate(&out, 0, &[]);
}

#[test]
fn force_over_a_migration_with_more_chains_leaves_a_folder_that_validates() {
    let (work, _, first) = migrate_fixture("realistic", &[]);
    assert_eq!(first.code, 1, "{first}");
    let out = work.path().join("out");
    let hostile = crate::support::fixture_copy("hostile");
    let run = migrate(hostile.path(), &out, &["--force"]);
    assert_eq!(run.code, 1, "{run}");
    assert_validate(&out, 0, &[]);
}

#[test]
fn demo_exits_0_and_says_ok() {
    let run = lookcoin(&["demo"]);
    assert_eq!(run.code, 0, "{run}");
    let lines = || run.stdout.lines().chain(run.stderr.lines());
    assert_eq!(lines().filter(|l| l.starts_with("demo: ok: ")).count(), 1, "one `demo: ok` line: {run}");
    assert!(!lines().any(|l| l.starts_with("error[")), "{run}");
    assert!(run.stderr.lines().all(|l| l.starts_with("demo: ")), "only demo status lines on stderr: {run}");
}

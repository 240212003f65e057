//! Findings on JSON sources say where they are: every place a report gives (`file:line:column`, a JSON Pointer)
//! must be the place of the value reported, in every format the tool reads, and a place whose file changed since
//! it was read gets no line rather than a wrong one. Also: on chain findings about our JSON, and errors of the tool
//! under GitHub Actions, sit on their line.

use crate::chain_lab::{deploy, leveldb_of, node, rpc_flag, verify};
use crate::compare_cli::{run_in, s, T0};
use crate::support;
use lookcoin_state::core::compare::{Discrepancy, Kind};
use lookcoin_state::core::location::{Location, Step};
use lookcoin_state::core::state::{Field, SourceFormat};
use lookcoin_state::lab::{plant, Drift};
use lookcoin_state::pipeline::compare::{compare, Side};
use lookcoin_state::pipeline::load::load_source;
use lookcoin_state::pipeline::locate::discrepancy_lines;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The sources compared here: the realistic LevelDB against each JSON format, and two JSON formats together.
fn pairs(leveldb: &Path) -> Vec<(PathBuf, PathBuf)> {
    let fixture = |p: &str| support::root().join("fixtures").join(p);
    let mut pairs: Vec<(PathBuf, PathBuf)> = [
        "v1",
        "v3",
        "openzeppelin",
        "realworld/openzeppelin",
        "realworld/hardhat-deploy/deployments",
        "realworld/foundry-broadcast/broadcast",
    ]
    .iter()
    .map(|f| (leveldb.to_path_buf(), fixture(f)))
    .collect();
    pairs.push((fixture("v1"), fixture("v3")));
    pairs
}

/// The value written at a position of `text`: after the key there when `member` (the key must be `key`), else
/// starting there. Read with serde_json from that byte on, independently of the scan that found the position.
fn value_written_at(text: &str, line: usize, column: usize, key: Option<&str>) -> Value {
    let line_start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let from_line = &text[line_start..];
    let offset = from_line.char_indices().nth(column - 1).map(|(i, _)| i).expect("the column is on the line");
    let mut rest = &from_line[offset..];
    if let Some(key) = key {
        let mut strings = serde_json::Deserializer::from_str(rest).into_iter::<String>();
        let written = strings.next().expect("a key").expect("a JSON string");
        assert_eq!(written, key, "the key at the position");
        rest = rest[strings.byte_offset()..].trim_start().strip_prefix(':').expect("a colon after the key");
    }
    serde_json::Deserializer::from_str(rest).into_iter::<Value>().next().expect("a value").expect("JSON")
}

/// What the text holds at a location's line and column: the key of the path's last member followed by exactly
/// the value the pointer resolves to, or that value itself for an array element.
fn check_place(at: &Location, what: &str) {
    let text = std::fs::read_to_string(&at.file).unwrap_or_else(|e| panic!("{what}: {e}"));
    let p = at.line.unwrap_or_else(|| panic!("{what}: no line for {at:?}"));
    let json: Value = serde_json::from_str(&text).expect("the fixture parses");
    let pointed = json.pointer(&at.path.to_string()).unwrap_or_else(|| panic!("{what}: {} resolves", at.path));
    let key = match at.path.steps().last() {
        Some(Step::Key(key)) => Some(key.as_str()),
        Some(Step::Index(_)) | None => None,
    };
    let written = value_written_at(&text, p.line, p.column, key);
    assert_eq!(&written, pointed, "{what}: {at} is not where {} is", at.path);
}

/// The value a side shows of one field, when it is that field's value as written (a disagreement on the field):
/// not a derived hash, not the candidates of a history, not a category a v3 section implies.
fn shown_value(d: &Discrepancy, value: &Value, format: SourceFormat) -> Option<Value> {
    let field = d.field?;
    let compared =
        matches!(d.kind, Kind::AddressMismatch | Kind::HashMismatch | Kind::MetadataMismatch | Kind::InvalidRecord);
    let written = compared
        && !value.is_null()
        && value.get("derived").is_none()
        && !(format.keeps_history() && value.is_array())
        && !(field == Field::Category && format == SourceFormat::UnifiedV3);
    written.then(|| value.clone())
}

#[test]
fn every_place_a_comparison_gives_holds_the_value_it_reports() {
    let leveldb = support::fixture_copy("realistic");
    let (mut located, mut values) = (0, 0);
    for (left, right) in pairs(leveldb.path()) {
        let report = compare(Side { path: &left, format: None }, Side { path: &right, format: None })
            .unwrap_or_else(|e| panic!("{} vs {}: {e}", left.display(), right.display()));
        assert!(!report.discrepancies.is_empty(), "{} has planted discrepancies", right.display());
        for d in &report.discrepancies {
            let sides = [(&d.left_at, &d.left, report.left.format), (&d.right_at, &d.right, report.right.format)];
            for (at, shown, format) in sides {
                let what = format!("{} vs {}: {d:?}", left.display(), right.display());
                if format == SourceFormat::LevelDb || shown.is_null() {
                    assert!(at.is_none(), "{what}: a place on a side that holds nothing in a file");
                    continue;
                }
                // A finding on a JSON source always carries its place, and a line (the files did not change).
                let at = at.as_ref().unwrap_or_else(|| panic!("{what}: a JSON side without a place"));
                if at.path.steps().is_empty() {
                    // A finding about a whole file (its name says the chain; hardhat-deploy's `.chainId` text
                    // file): named, with no line.
                    assert!(at.line.is_none() && Path::new(&at.file).is_file(), "{what}");
                    continue;
                }
                check_place(at, &what);
                located += 1;
                let Some(value) = shown_value(d, shown, format) else { continue };
                let json: Value = serde_json::from_str(&std::fs::read_to_string(&at.file).unwrap()).unwrap();
                let written = json.pointer(&at.path.to_string());
                assert_eq!(written, Some(&value), "{what}: the place holds the value shown");
                values += 1;
            }
        }
    }
    // Counted so that the test cannot pass by checking nothing (measured: 56 places, 26 of them values).
    assert!(located >= 50 && values >= 24, "{located} places checked, {values} of them values");
}

#[test]
fn a_file_changed_after_it_was_read_gets_no_line_never_a_wrong_one() {
    let leveldb = support::fixture_copy("realistic");
    let v3 = tempfile::tempdir().expect("temp dir");
    support::copy_dir(&support::root().join("fixtures/v3"), v3.path());
    let left = load_source(leveldb.path(), None).expect("loads");
    let right = load_source(v3.path(), None).expect("loads");
    let mut found = lookcoin_state::core::compare::compare(&left, &right);
    let edited = v3.path().join("bsctestnet.unified.json");
    let text = std::fs::read_to_string(&edited).expect("read");
    std::fs::write(&edited, format!("\n\n{text}")).expect("edit");
    discrepancy_lines(&mut found, &[&left.digests, &right.digests]);
    let places: Vec<&Location> = found.iter().filter_map(|d| d.right_at.as_ref()).collect();
    let (in_edited, others): (Vec<&&Location>, Vec<&&Location>) =
        places.iter().partition(|at| Path::new(&at.file) == edited);
    assert!(!in_edited.is_empty() && !others.is_empty(), "the fixture places findings in both kinds of file");
    assert!(in_edited.iter().all(|at| at.line.is_none()), "two lines were added: every old line is wrong");
    assert!(others.iter().all(|at| at.line.is_some()), "the unchanged files keep their lines");
}

#[test]
fn on_chain_drift_in_our_json_sits_on_the_recorded_address() {
    let chain = 84532;
    let d = deploy(chain, &["LocatedDrift", "LocatedOther"]);
    plant(&node(chain).rpc(), &d[0], Drift::ImplementationSlot(d[1].implementation)).unwrap();
    let source = leveldb_of(&d.iter().collect::<Vec<_>>());
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("out");
    let migrated = run_in(T0, None, None, &["migrate", "--leveldb", s(source.path()), "--out", s(&out)]);
    assert!(migrated.code == 0 || migrated.code == 1, "{migrated}");
    let run = verify(&out, &["--rpc", &rpc_flag(chain)]);
    assert_eq!(run.code, 1, "{run}");
    let report = run.json();
    let finding = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["kind"] == "implementation-mismatch")
        .unwrap_or_else(|| panic!("{run}"))
        .clone();
    let at = &finding["at"];
    assert_eq!(at["pointer"], "/contracts/LocatedDrift/address", "{run}");
    let file = PathBuf::from(at["file"].as_str().expect("a file"));
    let line = at["line"].as_u64().expect("a line") as usize;
    let text = std::fs::read_to_string(&file).expect("the chain document");
    let held = text.lines().nth(line - 1).expect("the line");
    assert!(held.trim_start().starts_with("\"address\": ") && held.contains(finding["expected"].as_str().unwrap()));

    // Under GitHub Actions, in a workspace holding the documents, the error annotation sits on that line.
    let args = ["verify-chain", s(&out), "--rpc", &rpc_flag(chain), "--timeout", "5"];
    let annotated = run_in(T0, Some("true"), Some(work.path()), &args);
    let relative = file.strip_prefix(work.path()).expect("in the workspace").display().to_string();
    let want = format!("::error file={relative},line={line},col=");
    assert!(annotated
        .stderr
        .lines()
        .any(|l| l.starts_with(&want) && l.contains("title=implementation-mismatch LocatedDrift")));
}

#[test]
fn a_malformed_json_file_is_annotated_on_its_line_under_github_actions() {
    let work = tempfile::tempdir().expect("temp dir");
    let folder = work.path().join("deployments");
    std::fs::create_dir_all(&folder).expect("mkdir");
    // serde_json stops at byte 13 of line 3; after the three bytes of `€` that is character 11.
    std::fs::write(folder.join("bsc.json"), "{\n  \"network\": \"bsc\",\n  \"n€\": 1,,\n}\n").expect("write");
    let leveldb = support::fixture_copy("realistic");
    let args = ["compare", s(leveldb.path()), s(&folder)];
    let run = run_in(T0, Some("true"), Some(work.path()), &args);
    assert_eq!(run.code, 2, "{run}");
    let want = "::error file=deployments/bsc.json,line=3,col=11,";
    assert!(run.stderr.lines().any(|l| l.starts_with(want) && l.contains(",title=JSON-002::")), "{run}");
    let plain = run_in(T0, None, None, &args);
    assert!(!plain.stderr.contains("::error"), "annotations only under GitHub Actions: {plain}");
}

/// A file cut short inside a string, with a manifest updated to vouch for it: the key scan runs before any parser on
/// vouched files, and must leave the verdict to the parser (bad input), never panic.
#[test]
fn a_truncated_file_its_manifest_vouches_for_is_bad_input_not_a_panic() {
    let leveldb = support::fixture_copy("realistic");
    let work = tempfile::tempdir().expect("temp dir");
    let out = work.path().join("json");
    let migrated = run_in(T0, None, None, &["migrate", "--leveldb", s(leveldb.path()), "--out", s(&out)]);
    assert_eq!(migrated.code, 1, "the fixture quarantines two entries: {migrated}");
    std::fs::write(out.join("bsctestnet.json"), "{\"").expect("cut the file");
    let manifest_path = out.join("manifest.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&manifest_path).unwrap()).unwrap();
    for file in manifest["files"].as_array_mut().expect("files") {
        if file["name"] == "bsctestnet.json" {
            file["sha256"] = Value::from(lookcoin_state::core::digest::sha256_hex(b"{\""));
            file["bytes"] = Value::from(2);
        }
    }
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest).unwrap()).expect("vouch for it");
    let run = run_in(T0, None, None, &["compare", s(leveldb.path()), s(&out)]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("JSON-002") && run.stderr.contains("bsctestnet.json"), "{run}");
}

/// The place of each side of the one discrepancy about `contract` and `field` (by name) in a comparison.
fn places_of(left: &Path, right: &Path, contract: &str, field: &str) -> (Option<Location>, Option<Location>) {
    let report = compare(Side { path: left, format: None }, Side { path: right, format: None }).expect("compares");
    let found: Vec<&Discrepancy> = report
        .discrepancies
        .iter()
        .filter(|d| d.contract.as_deref() == Some(contract) && d.field.map(|f| f.name()) == Some(field))
        .collect();
    assert_eq!(found.len(), 1, "{contract} {field}: {:#?}", report.discrepancies);
    (found[0].left_at.clone(), found[0].right_at.clone())
}

/// Copies the files of a fixture folder into a new folder, edits `file` with `edit`, and returns the copy.
fn edited_copy(fixture: &str, file: &str, edit: impl FnOnce(&mut Value)) -> tempfile::TempDir {
    let copy = tempfile::tempdir().expect("temp dir");
    support::copy_dir(&support::root().join("fixtures").join(fixture), copy.path());
    let path = copy.path().join(file);
    let mut json: Value = serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("parses");
    edit(&mut json);
    std::fs::write(&path, serde_json::to_vec_pretty(&json).expect("serialise")).expect("write");
    copy
}

#[test]
fn a_field_taken_from_a_merged_record_keeps_its_own_place() {
    // FeeManager's proxy is listed in `infrastructureContracts`; a hash under its name in `implementationHashes`
    // makes a second record that merges into it. The proxy must still be placed where it is written.
    let v1 = edited_copy("v1", "bsctestnet.json", |json| {
        json["implementationHashes"]["FeeManager"] = Value::from(format!("0x{}", "ab".repeat(32)));
    });
    let leveldb = support::fixture_copy("realistic");
    let (_, right) = places_of(leveldb.path(), v1.path(), "FeeManager", "proxyAddress");
    let right = right.expect("placed");
    assert_eq!(right.path.to_string(), "/infrastructureContracts/feeManager");
    check_place(&right, "merged FeeManager proxy");
}

#[test]
fn a_field_a_record_lacks_is_placed_at_its_record() {
    let v1 = edited_copy("v1", "bscmainnet.json", |json| {
        json["contracts"]["LookCoin"].as_object_mut().expect("an object").remove("implementation");
    });
    let leveldb = support::fixture_copy("realistic");
    let (_, right) = places_of(leveldb.path(), v1.path(), "LookCoin", "address");
    let right = right.expect("placed");
    assert_eq!(right.path.to_string(), "/contracts/LookCoin", "no value to point at: the record");
    check_place(&right, "LookCoin without its implementation");
}

#[test]
fn hardhat_deploy_initializer_arguments_are_placed_at_execute_args() {
    // One network folder (with its `.chainId`), read as a hardhat-deploy source.
    let folder = "realworld/hardhat-deploy/deployments/bscTestnet";
    let edited = edited_copy(folder, "DemoToken.json", |json| json["execute"]["args"][0] = Value::from("Renamed"));
    let original = support::root().join("fixtures").join(folder);
    let (left, right) = places_of(&original, edited.path(), "DemoToken", "deploymentArgs");
    for at in [left.expect("left placed"), right.expect("right placed")] {
        assert_eq!(at.path.to_string(), "/execute/args");
        check_place(&at, "DemoToken's initializer arguments");
    }
}

/// A folder whose name holds a line break and a workflow command: every output names it escaped, so no line of
/// stdout or stderr can start a command GitHub would run.
#[test]
fn a_hostile_folder_name_cannot_forge_a_workflow_command() {
    let leveldb = support::fixture_copy("realistic");
    let work = tempfile::tempdir().expect("temp dir");
    let hostile = work.path().join("v3\n::error::forged");
    support::copy_dir(&support::root().join("fixtures/v3"), &hostile);
    for format in ["human", "json"] {
        let args = ["compare", s(leveldb.path()), s(&hostile), "--format", format];
        let run = run_in(T0, Some("true"), Some(work.path()), &args);
        assert_eq!(run.code, 1, "{run}");
        // The runner also reads a command after leading white space.
        let forged = |text: &str| text.lines().any(|l| l.trim_start().starts_with("::error::forged"));
        assert!(!forged(&run.stdout) && !forged(&run.stderr), "{format}: {run}");
    }
}

#[test]
fn a_record_without_unknown_fields_is_placed_at_itself_against_one_with_them() {
    let leveldb = support::fixture_copy("realistic");
    let work = tempfile::tempdir().expect("temp dir");
    let ours = work.path().join("ours");
    let migrated = run_in(T0, None, None, &["migrate", "--leveldb", s(leveldb.path()), "--out", s(&ours)]);
    assert_eq!(migrated.code, 1, "{migrated}");
    let edited = work.path().join("edited");
    support::copy_dir(&ours, &edited);
    let doc = edited.join("bsctestnet.json");
    let mut json: Value = serde_json::from_slice(&std::fs::read(&doc).unwrap()).unwrap();
    json["contracts"]["LookCoin"]["extraFields"] = serde_json::json!({"foo": 1});
    std::fs::write(&doc, serde_json::to_vec_pretty(&json).unwrap()).unwrap();
    let (left, right) = places_of(&ours, &edited, "LookCoin", "extraFields");
    let (left, right) = (left.expect("placed"), right.expect("placed"));
    assert_eq!(left.path.to_string(), "/contracts/LookCoin", "no unknown field: the record");
    assert_eq!(right.path.to_string(), "/contracts/LookCoin/extraFields");
    check_place(&left, "LookCoin without unknown fields");
    check_place(&right, "LookCoin with one");
}

/// GitHub gives the workspace as it was created; a job inside it may run in its resolved path (a link on the
/// way): files are still named relative to the checkout.
#[test]
fn a_workspace_reached_through_a_link_still_gets_files_and_lines() {
    let work = tempfile::tempdir().expect("temp dir");
    let real = work.path().join("real");
    support::copy_dir(&support::root().join("fixtures/v3"), &real.join("v3"));
    let link = work.path().join("link");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    let leveldb = support::fixture_copy("realistic");
    let output = std::process::Command::new(support::binary())
        .args(["compare", s(leveldb.path()), "v3"])
        .current_dir(&real)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", &link)
        .env("SOURCE_DATE_EPOCH", T0.to_string())
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8");
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.lines().any(|l| l.starts_with("::error file=v3/bsctestnet.unified.json,line=")), "{stderr}");
}

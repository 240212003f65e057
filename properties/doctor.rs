//! `doctor` with the built binary: every check of a healthy LevelDB, JSON, output folder and live endpoints is ok;
//! a stale manifest fails; the `--bundle` tar.gz holds the report and the environment and, decompressed, no
//! secret of the networks file (URL path key, query key, a `${VAR}` value), which never reaches stdout or stderr
//! either; a bundle inside an input is refused.

use crate::chain_lab::{deploy, leveldb_of, node};
use crate::compare_cli::s;
use crate::preflight::run;
use crate::relay::{Faults, Relay};
use crate::support;
use std::io::Read;

/// The files of a tar.gz, decompressed: (name, bytes).
fn unpack(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let gz = flate2::read::GzDecoder::new(std::fs::File::open(path).expect("open the bundle"));
    let mut archive = tar::Archive::new(gz);
    let mut files = Vec::new();
    for entry in archive.entries().expect("a tar") {
        let mut entry = entry.expect("an entry");
        let name = entry.path().expect("a name").display().to_string();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).expect("read the entry");
        files.push((name, bytes));
    }
    files
}

fn check<'a>(report: &'a serde_json::Value, area_prefix: &str, name: &str) -> &'a serde_json::Value {
    let checks = report["checks"].as_array().expect("checks");
    checks
        .iter()
        .find(|c| c["area"].as_str().unwrap().starts_with(area_prefix) && c["check"] == name)
        .unwrap_or_else(|| panic!("no check {area_prefix} {name} in {report:#}"))
}

#[test]
fn the_bundle_and_the_output_never_hold_a_secret_of_the_networks_file() {
    let d = deploy(56, &["DoctorSecret"]);
    let leveldb = leveldb_of(&[&d[0]]);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("json");
    let migrated = run(&[], &["migrate", "--leveldb", s(leveldb.path()), "--out", s(&json)]);
    assert_eq!(migrated.code, 0, "{migrated}");
    let keyed = Relay::start(node(56).url(), Faults::default());
    let variable = Relay::start(node(97).url(), Faults::default());
    let networks = dir.path().join("networks.toml");
    let text = format!(
        "[chains.56]\nrpc = [\"{}\"]\n\n[chains.97]\nrpc = [\"${{DOCTOR_SECRET_URL}}\"]\n",
        keyed.url_with("", "/v3/SECRETKEY123?apikey=SECRET456")
    );
    std::fs::write(&networks, text).unwrap();
    let from_env = variable.url_with("", "/rpc/ENVTOKEN789");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let bundle = dir.path().join("diagnostics.tar.gz");
    let args = [
        "doctor",
        "--leveldb",
        s(leveldb.path()),
        "--json",
        s(&json),
        "--networks",
        s(&networks),
        "--out",
        s(&out),
        "--bundle",
        s(&bundle),
        "--format",
        "json",
    ];
    let result = run(&[("DOCTOR_SECRET_URL", &from_env)], &args);
    assert!(result.code == 0, "{result}");
    let report: serde_json::Value = serde_json::from_str(&result.stdout).expect("JSON");
    for (area, name) in [
        ("leveldb", "lock"),
        ("leveldb", "readable, integrity"),
        ("json", "valid"),
        ("json", "manifest fresh"),
        ("out", "writable"),
        ("rpc 56", "reachable, chain id"),
        ("rpc 97", "reachable, chain id"),
        ("rpc 56", "batch"),
        ("rpc 97", "head block"),
    ] {
        assert_eq!(check(&report, area, name)["health"], "ok", "{area} {name}: {report:#}");
    }
    let files = unpack(&bundle);
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["doctor.json", "environment.txt"]);
    let bundled: serde_json::Value = serde_json::from_slice(&files[0].1).expect("doctor.json is JSON");
    assert_eq!(bundled["checks"], report["checks"], "the bundle holds the report");
    let raw = std::fs::read(&bundle).unwrap();
    for secret in ["SECRETKEY123", "SECRET456", "apikey", "ENVTOKEN789", "/v3/", "/rpc/"] {
        for (what, bytes) in files.iter().map(|(n, b)| (n.as_str(), b.as_slice())).chain([
            ("stdout", result.stdout.as_bytes()),
            ("stderr", result.stderr.as_bytes()),
            ("bundle bytes", raw.as_slice()),
        ]) {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains(secret), "{secret} leaked into {what}: {text}");
        }
    }
    let human = run(&[("DOCTOR_SECRET_URL", &from_env)], &args[..args.len() - 2]);
    for secret in ["SECRETKEY123", "SECRET456", "ENVTOKEN789"] {
        assert!(!human.stdout.contains(secret) && !human.stderr.contains(secret), "{secret}: {human}");
    }
    assert!(human.stdout.contains("/…"), "the redacted URL says something was removed: {human}");
}

#[test]
fn a_stale_manifest_fails_and_a_bundle_inside_an_input_is_refused() {
    let d = deploy(84532, &["DoctorStale"]);
    let leveldb = leveldb_of(&[&d[0]]);
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("json");
    let migrated = run(&[], &["migrate", "--leveldb", s(leveldb.path()), "--out", s(&json)]);
    assert_eq!(migrated.code, 0, "{migrated}");
    let clean = run(&[], &["doctor", "--json", s(&json), "--format", "json"]);
    assert_eq!(clean.code, 0, "{clean}");
    let file = std::fs::read_dir(&json)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap() != "manifest.json")
        .expect("a document");
    let mut doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    doc["migration"]["toolVersion"] = "0.0.9".into();
    std::fs::write(&file, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
    let stale = run(&[], &["doctor", "--json", s(&json), "--format", "json"]);
    assert_eq!(stale.code, 1, "{stale}");
    let report: serde_json::Value = serde_json::from_str(&stale.stdout).unwrap();
    let manifest = check(&report, "json", "manifest fresh");
    assert_eq!(manifest["health"], "fail", "{report:#}");
    assert!(manifest["detail"].as_str().unwrap().contains("differs from the manifest"), "{manifest:#}");

    let inside = json.join("bundle.tar.gz");
    let refused = run(&[], &["doctor", "--json", s(&json), "--bundle", s(&inside)]);
    assert_eq!(refused.code, 2, "{refused}");
    assert!(!inside.exists());
}

/// `examples/networks.toml` parses, names the five networks, and takes every URL from its variable.
#[test]
fn the_example_networks_file_parses_with_its_variables_set() {
    let example = support::root().join("examples").join("networks.toml");
    let vars = [
        "BSC_RPC_URL",
        "BSC_TESTNET_RPC_URL",
        "BASE_SEPOLIA_RPC_URL",
        "OP_SEPOLIA_RPC_URL",
        "SAPPHIRE_TESTNET_RPC_URL",
    ];
    let urls: Vec<String> = (0..vars.len()).map(|_| crate::chain_lab::dead_url()).collect();
    let env: Vec<(&str, &str)> = vars.iter().copied().zip(urls.iter().map(String::as_str)).collect();
    let args = ["doctor", "--networks", s(&example), "--timeout", "1", "--format", "json"];
    let result = run(&env, &args);
    assert_eq!(result.code, 1, "every endpoint is dead, so the reachability checks fail: {result}");
    let report: serde_json::Value = serde_json::from_str(&result.stdout).expect("JSON");
    for chain in [56, 97, 84532, 11155420, 23295] {
        let reach = check(&report, &format!("rpc {chain} http://127.0.0.1:"), "reachable, chain id");
        assert_eq!(reach["health"], "fail", "{reach:#}");
    }
    let missing = run(&env[1..], &args);
    assert_eq!(missing.code, 2, "an unset variable is bad input: {missing}");
    assert!(missing.stderr.contains("BSC_RPC_URL"), "{missing}");
}

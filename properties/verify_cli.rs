//! `verify-chain` as a command: exit codes, bad input (exit 2, naming the flag or the networks-file line), and
//! URL secrets (user, password, path token, query key) never shown in stdout, stderr, JSON or JUnit.

use crate::chain_lab::{dead_url, deploy, leveldb_of, node, rpc_flag, run, verify};
use crate::relay::{Faults, Relay};
use lookcoin_state::lab::{plant, Drift};

#[test]
fn exit_codes_are_0_verified_1_drift_2_bad_input_3_unverifiable() {
    let d = deploy(11155420, &["ExitClean", "ExitDrift"]);
    let clean = leveldb_of(&[&d[0]]);
    let flag = rpc_flag(11155420);
    assert_eq!(verify(clean.path(), &["--rpc", &flag]).code, 0);
    plant(&node(11155420).rpc(), &d[1], Drift::RemoveProxy).unwrap();
    let drift = leveldb_of(&[&d[0], &d[1]]);
    assert_eq!(verify(drift.path(), &["--rpc", &flag]).code, 1);
    assert_eq!(verify(clean.path(), &["--rpc", "11155420=not a url"]).code, 2);
    let dead = format!("11155420={}", dead_url());
    assert_eq!(verify(clean.path(), &["--rpc", &dead, "--retries", "0"]).code, 3);
    let none = verify(clean.path(), &[]);
    assert_eq!(none.code, 3, "no endpoint for a chain: unverifiable, not verified: {none}");
    assert!(none.stdout.contains("no RPC endpoint was given"), "{none}");
}

#[test]
fn rpc_for_a_chain_the_source_does_not_hold_names_the_flag() {
    let d = deploy(56, &["BadInputHeld"]);
    let source = leveldb_of(&[&d[0]]);
    let run = verify(source.path(), &["--rpc", &rpc_flag(56), "--rpc", "137=http://127.0.0.1:1/"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("--rpc 137="), "{run}");
    assert!(run.stderr.contains("no record on chain 137"), "{run}");
    assert!(run.stderr.contains("56"), "the hint lists the chains held: {run}");
    // `verify` runs with --format json: the error is also on stdout, as JSON, and no report is.
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("stdout is one JSON document");
    assert!(json["error"]["subject"].as_str().is_some_and(|s| s.starts_with("--rpc 137=")), "{run}");
}

#[test]
fn malformed_rpc_flags_are_exit_2_naming_the_flag() {
    let d = deploy(56, &["BadInputUrl"]);
    let source = leveldb_of(&[&d[0]]);
    let cases = [
        ("56=not a url", "not a valid URL"),
        ("56=ftp://127.0.0.1/", "unsupported scheme `ftp`"),
        ("no-equals-sign", "expected CHAINID=URL"),
        ("x56=http://127.0.0.1:1/", "is not a chain id"),
    ];
    for (flag, why) in cases {
        let run = verify(source.path(), &["--rpc", flag]);
        assert_eq!(run.code, 2, "{flag}: {run}");
        assert!(run.stderr.contains("--rpc"), "{flag}: {run}");
        assert!(run.stderr.contains(why), "{flag}: {run}");
    }
}

#[test]
fn a_networks_file_that_does_not_parse_names_its_line() {
    let d = deploy(56, &["BadInputNetworks"]);
    let source = leveldb_of(&[&d[0]]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("networks.toml");
    std::fs::write(&file, "[chains.56]\nrpc = [\"http://127.0.0.1:1/\"]\n\n[chains.97]\nrpc = \"oops\n").unwrap();
    let run = verify(source.path(), &["--networks", &file.display().to_string()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("networks.toml:5"), "the line of the error: {run}");
    // An error spanning from the start of a line is on that line, not the one before.
    std::fs::write(&file, "[chains.56]\nrpc = [\"http://127.0.0.1:1/\"]\n[chains.97]\nrpc = []\nwhat = 1\n").unwrap();
    let run = verify(source.path(), &["--networks", &file.display().to_string()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("networks.toml:5") && run.stderr.contains("unknown field `what`"), "{run}");
    std::fs::write(&file, "[chains.56]\nrpc = [\"http://127.0.0.1:1/\", \"gopher://x\"]\n").unwrap();
    let run = verify(source.path(), &["--networks", &file.display().to_string()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("chains.56.rpc[1]"), "the entry at fault: {run}");
}

#[test]
fn a_networks_file_with_endpoints_verifies() {
    let d = deploy(84532, &["NetworksFileOk"]);
    let source = leveldb_of(&[&d[0]]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("networks.toml");
    std::fs::write(&file, format!("[chains.84532]\nrpc = [\"{}\"]\n", node(84532).url())).unwrap();
    let run = verify(source.path(), &["--networks", &file.display().to_string()]);
    assert_eq!(run.code, 0, "{run}");
}

#[test]
fn a_source_with_no_verifiable_record_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut entries = lookcoin_state::core::record::SourceEntries::new();
    let junk = br#"{"contractName":"Junk","chainId":31337,"networkName":"hardhat","address":"0xZZ","factoryByteCodeHash":"","timestamp":1}"#;
    entries.insert(b"31337-Junk".to_vec(), junk.to_vec());
    lookcoin_state::io::leveldb::write::write_leveldb(dir.path(), &entries).unwrap();
    let run = verify(dir.path(), &["--rpc", "31337=http://127.0.0.1:1/"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("no record with an implementation address"), "{run}");
}

/// Every place a URL could leak: the report of a working endpoint, of a failing one, of a wrong chain; JSON and
/// human output, stderr, and the JUnit file.
#[test]
fn url_secrets_never_appear_in_any_output() {
    let d = deploy(97, &["SecretOk"]);
    let e = deploy(56, &["SecretWrongChain"]);
    let f = deploy(23295, &["SecretDead"]);
    let source = leveldb_of(&[&d[0], &e[0], &f[0]]);
    let ok = Relay::start(node(97).url(), Faults::default());
    let wrong = Relay::start(node(56).url(), Faults { chain_id: Some(1), ..Faults::default() });
    let userinfo = "alice-s3cret:pa55-s3cret@";
    let path = "/v3/t0ken-s3cret?key=abc-s3cret";
    let dead = dead_url().replace("http://", &format!("http://{userinfo}")) + path.trim_start_matches('/');
    let flags = [
        format!("97={}", ok.url_with(userinfo, path)),
        format!("56={}", wrong.url_with(userinfo, path)),
        format!("23295={dead}"),
    ];
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report.xml").display().to_string();
    for format in ["json", "human"] {
        let mut args: Vec<&str> = flags.iter().flat_map(|f| ["--rpc", f.as_str()]).collect();
        args.extend(["--retries", "0", "--junit", junit.as_str(), "--format", format]);
        let run = run(&[&["verify-chain", &source.path().display().to_string()], &args[..]].concat());
        assert_eq!(run.code, 3, "{run}");
        let junit_text = std::fs::read_to_string(&junit).unwrap();
        for (what, text) in [("stdout", &run.stdout), ("stderr", &run.stderr), ("junit", &junit_text)] {
            for secret in ["s3cret", "alice", "pa55", "t0ken", "key="] {
                assert!(!text.contains(secret), "{secret} leaked into {what} ({format}): {text}");
            }
        }
        assert!(run.stdout.contains("/…"), "the redacted URL says something was removed: {run}");
    }
    assert!(ok.round_trips() >= 2, "the secret URL was really used");
}

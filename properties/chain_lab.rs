//! The shared local chains of this test binary and helpers to verify real deployments with the built binary.
//!
//! Five anvil nodes (chain ids 56, 97, 84532, 11155420, 23295) start once per test binary run (about half a
//! second) and are shared by every test: each test deploys its own contracts and plants drift only on them, so
//! tests never see each other's changes. The nodes are killed at exit by the lab's reaper (a `static` is never
//! dropped), or by the kernel if this process is killed.

#![allow(dead_code)]

use lookcoin_state::lab::{self, AnvilNode, Deployed, Lab};
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

/// The shared nodes, started on first use. Fails with the lab's own message (how to install anvil) when anvil is
/// missing: `.ci/test` installs it, so a missing binary is a set-up error, not a reason to skip silently.
pub fn lab() -> &'static Lab {
    static LAB: OnceLock<Lab> = OnceLock::new();
    LAB.get_or_init(|| match Lab::start(&lab::DEMO_CHAINS) {
        Ok(lab) => lab,
        Err(e) => panic!("the local chains could not start:\n{e}"),
    })
}

pub fn node(chain_id: u64) -> &'static AnvilNode {
    lab().node(chain_id)
}

/// Fresh DemoToken + DemoProxy pairs on one chain, named as given (use names unique to the test).
pub fn deploy(chain_id: u64, names: &[&str]) -> Vec<Deployed> {
    lab::deploy_demo_set(node(chain_id), names).expect("deploy the demo set")
}

/// `--rpc CHAINID=URL` for a shared node.
pub fn rpc_flag(chain_id: u64) -> String {
    format!("{chain_id}={}", node(chain_id).url())
}

/// A LevelDB folder holding the records of `deployed`, as the deploy script would have written it.
pub fn leveldb_of(deployed: &[&Deployed]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let entries = lab::entries_of(deployed.iter().map(|d| &d.record));
    lookcoin_state::io::leveldb::write::write_leveldb(dir.path(), &entries).expect("write the LevelDB");
    dir
}

/// What one run of the binary gave.
pub struct Run {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self}"))
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

/// Runs the built `lookcoin-state ARGS...` against the shared nodes (outside GitHub Actions).
pub fn run(args: &[&str]) -> Run {
    let output = std::process::Command::new(crate::support::binary())
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run lookcoin-state");
    let code = output.status.code().and_then(|c| u8::try_from(c).ok()).expect("exited with a code, not killed");
    Run {
        code,
        stdout: String::from_utf8_lossy(&output.stdout).into(),
        stderr: String::from_utf8_lossy(&output.stderr).into(),
    }
}

/// `verify-chain SOURCE --format json [--timeout 5] ARGS...` with the built binary.
pub fn verify(source: &Path, args: &[&str]) -> Run {
    let source = source.display().to_string();
    let mut all = vec!["verify-chain", source.as_str(), "--format", "json"];
    if !args.contains(&"--timeout") {
        all.extend(["--timeout", "5"]);
    }
    all.extend_from_slice(args);
    run(&all)
}

/// The finding kinds of the JSON report about one contract (`None`: network-level), sorted.
pub fn kinds_of(report: &serde_json::Value, chain_id: u64, contract: Option<&str>) -> Vec<String> {
    let mut kinds: Vec<String> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["chainId"] == chain_id && f["contract"].as_str() == contract)
        .map(|f| f["kind"].as_str().expect("kind").to_string())
        .collect();
    kinds.sort();
    kinds
}

/// The verdict of one record in the JSON report.
pub fn verdict_of(report: &serde_json::Value, chain_id: u64, contract: &str) -> String {
    let record = report["records"]
        .as_array()
        .expect("records")
        .iter()
        .find(|r| r["chainId"] == chain_id && r["contract"] == contract)
        .unwrap_or_else(|| panic!("no record {contract} on {chain_id} in {report:#}"));
    record["verdict"].as_str().expect("verdict").to_string()
}

/// The endpoints of one network in the JSON report.
pub fn endpoints_of(report: &serde_json::Value, chain_id: u64) -> Vec<serde_json::Value> {
    let network = report["networks"].as_array().expect("networks").iter().find(|n| n["chainId"] == chain_id);
    network.expect("network in report")["endpoints"].as_array().expect("endpoints").clone()
}

/// A 127.0.0.1 URL nobody listens on: the port was free a moment ago and is not bound again.
pub fn dead_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    format!("http://127.0.0.1:{port}/")
}

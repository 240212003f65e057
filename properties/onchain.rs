//! `verify-chain` end to end against real anvil nodes: real deployments, records built with the project's hash
//! rule, drift planted with `anvil_setStorageAt`/`anvil_setCode`, faults injected by the relay. Each finding kind
//! is provoked and asserted through the built binary.

use crate::chain_lab::{dead_url, deploy, endpoints_of, kinds_of, leveldb_of, node, rpc_flag, verdict_of, verify};
use crate::relay::{Faults, Relay, ZeroText};
use lookcoin_state::core::onchain::verify::FindingKind;
use lookcoin_state::lab::{plant, Contract, Drift};
use std::collections::BTreeSet;
use std::time::Duration;

fn artifacts_dir() -> String {
    crate::support::root().join("fixtures/chain/artifacts").display().to_string()
}

#[test]
fn real_deployments_verify_on_every_chain_with_the_normalisation_named() {
    let mut all = Vec::new();
    for chain in lookcoin_state::lab::DEMO_CHAINS {
        all.extend(deploy(chain, &["VerifiedA", "contracts/x/VerifiedB.sol:VerifiedB"]));
    }
    let source = leveldb_of(&all.iter().collect::<Vec<_>>());
    let flags: Vec<String> = lookcoin_state::lab::DEMO_CHAINS.iter().map(|c| rpc_flag(*c)).collect();
    let args: Vec<&str> = flags.iter().flat_map(|f| ["--rpc", f.as_str()]).collect();
    let run = verify(source.path(), &args);
    assert_eq!(run.code, 0, "{run}");
    let report = run.json();
    assert_eq!(report["summary"]["verdict"], "verified", "{run}");
    for r in report["records"].as_array().unwrap() {
        assert_eq!(r["verdict"], "verified", "{run}");
        assert_eq!(r["normalisation"], "self-address-zeroed(3)+metadata-stripped", "{run}");
        assert_eq!((r["artifact"].is_null(), r["hashMatched"].as_str()), (true, Some("runtime")), "{run}");
    }
    // Artifacts are found by the record's contract name, as real records are named after their contract.
    let named = deploy(56, &["DemoToken"]);
    let source = leveldb_of(&[&named[0]]);
    let (flag, dir) = (rpc_flag(56), artifacts_dir());
    let with_artifacts = verify(source.path(), &["--rpc", &flag, "--artifacts", &dir]);
    assert_eq!(with_artifacts.code, 0, "{with_artifacts}");
    let record = &with_artifacts.json()["records"][0];
    assert_eq!(record["normalisation"], "immutables-zeroed(3)+metadata-stripped", "{with_artifacts}");
    assert!(record["artifact"].as_str().is_some_and(|f| f.ends_with("DemoToken.json")), "{with_artifacts}");
}

fn layout(name: &str) -> String {
    crate::support::root().join("fixtures/chain/layouts").join(name).display().to_string()
}

/// The report's record for `contract`.
fn record_of<'a>(report: &'a serde_json::Value, chain: u64, contract: &str) -> &'a serde_json::Value {
    let records = report["records"].as_array().expect("records");
    let found = records.iter().find(|r| r["chainId"] == chain && r["contract"] == contract);
    found.unwrap_or_else(|| panic!("no {contract} on {chain}: {report:#}"))
}

#[test]
fn the_demo_verifies_through_every_artifact_layout() {
    let d = deploy(97, &["DemoToken", "contracts/DemoToken.sol:DemoToken"]);
    // On 56, a DemoToken whose record holds the artifact's CREATION hash (the deploy script's other era).
    let mut by_creation = deploy(56, &["DemoToken"]).remove(0).record;
    let creation = lookcoin_state::core::primitives::HashText::parse(&Contract::DemoToken.artifact().creation_hash());
    by_creation.implementation_hash = creation.clone();
    by_creation.factory_bytecode_hash = creation.expect("a hash");
    let dir = tempfile::tempdir().expect("temp dir");
    let entries = lookcoin_state::lab::entries_of([&d[0].record, &d[1].record, &by_creation]);
    lookcoin_state::io::leveldb::write::write_leveldb(dir.path(), &entries).expect("write the LevelDB");
    let (flag, flag56) = (rpc_flag(97), rpc_flag(56));
    // (layout, steps, artifact file the short-named record matched, under it)
    let cases = [
        ("foundry", "immutables-zeroed(3)+metadata-stripped", "foundry/out/DemoToken.sol/DemoToken.json"),
        ("hardhat", "immutables-zeroed(3)+metadata-stripped", "hardhat/artifacts/build-info/"),
        ("hardhat-per-contract", "self-address-zeroed(3)+metadata-stripped", "artifacts/contracts/DemoToken.sol/"),
        ("two-compiles", "immutables-zeroed(3)+metadata-stripped", "two-compiles/a/out/DemoToken.sol/"),
    ];
    for (name, steps, file) in cases {
        let run = verify(dir.path(), &["--rpc", &flag, "--rpc", &flag56, "--artifacts", &layout(name)]);
        assert_eq!(run.code, 0, "{name}: {run}");
        let report = run.json();
        for contract in ["DemoToken", "contracts/DemoToken.sol:DemoToken"] {
            let r = record_of(&report, 97, contract);
            assert_eq!((r["verdict"].as_str(), r["normalisation"].as_str()), (Some("verified"), Some(steps)), "{name}");
            assert_eq!(r["hashMatched"], "runtime", "{name}: {run}");
            assert!(r["artifact"].as_str().is_some_and(|f| f.contains(file)), "{name}: {run}");
        }
        // A creation hash says nothing about on-chain code by itself: it is matched through the artifact whose
        // creation hash it is, whose runtime code the chain holds.
        let r = record_of(&report, 56, "DemoToken");
        assert_eq!(
            (r["verdict"].as_str(), r["hashMatched"].as_str()),
            (Some("verified"), Some("creation")),
            "{name}: {run}"
        );
        assert!(r["artifact"].as_str().is_some_and(|f| f.contains(file)), "{name}: {run}");
        let notes = report["artifactNotes"].as_array().expect("notes");
        if name == "two-compiles" {
            let note = notes[0].as_str().expect("a note");
            assert!(note.contains("a/out/DemoToken.sol") && note.contains("b/out/DemoToken.sol"), "{run}");
        } else {
            assert!(notes.is_empty(), "{name}: {run}");
        }
    }
}

#[test]
fn each_planted_drift_gives_exactly_its_finding_kinds() {
    let chain = 84532;
    let d = deploy(chain, &["DriftSlot", "DriftProxyGone", "DriftImplGone", "DriftV2", "DriftNotUups", "DriftNone"]);
    let rpc = node(chain).rpc();
    plant(&rpc, &d[0], Drift::ImplementationSlot(d[5].implementation)).unwrap();
    plant(&rpc, &d[1], Drift::RemoveProxy).unwrap();
    plant(&rpc, &d[2], Drift::RemoveImplementation).unwrap();
    plant(&rpc, &d[3], Drift::ReplaceImplementation(Contract::DemoTokenV2)).unwrap();
    plant(&rpc, &d[4], Drift::ReplaceImplementation(Contract::NotUups)).unwrap();
    let source = leveldb_of(&d.iter().collect::<Vec<_>>());
    let run = verify(source.path(), &["--rpc", &rpc_flag(chain)]);
    assert_eq!(run.code, 1, "drift is exit 1: {run}");
    let report = run.json();
    let expected: [(&str, &[&str]); 6] = [
        ("DriftSlot", &["implementation-mismatch"]),
        ("DriftProxyGone", &["proxy-missing"]),
        ("DriftImplGone", &["implementation-missing"]),
        ("DriftV2", &["code-hash-mismatch"]),
        ("DriftNotUups", &["code-hash-mismatch", "not-uups"]),
        ("DriftNone", &[]),
    ];
    for (name, kinds) in expected {
        assert_eq!(kinds_of(&report, chain, Some(name)), kinds, "{name}: {run}");
        let verdict = if kinds.is_empty() { "verified" } else { "drift" };
        assert_eq!(verdict_of(&report, chain, name), verdict, "{name}: {run}");
    }
    assert!(kinds_of(&report, chain, None).is_empty(), "{run}");
}

/// One run that provokes all eight kinds at once: drift on 84532, a wrong chain on 97, a lying second endpoint on
/// 11155420, a dead endpoint on 23295; 56 stays healthy.
#[test]
fn every_finding_kind_is_provoked_in_one_run() {
    let names = ["AllKindsA", "AllKindsB", "AllKindsC", "AllKindsD", "AllKindsE"];
    let drift = deploy(84532, &names);
    let rpc = node(84532).rpc();
    plant(&rpc, &drift[0], Drift::ImplementationSlot(drift[4].implementation)).unwrap();
    plant(&rpc, &drift[1], Drift::RemoveProxy).unwrap();
    plant(&rpc, &drift[2], Drift::RemoveImplementation).unwrap();
    plant(&rpc, &drift[3], Drift::ReplaceImplementation(Contract::NotUups)).unwrap();
    let others: Vec<_> = [56, 97, 11155420, 23295].iter().flat_map(|c| deploy(*c, &["AllKindsHealthy"])).collect();
    let source = leveldb_of(&drift.iter().chain(&others).collect::<Vec<_>>());
    let wrong = Relay::start(node(97).url(), Faults { chain_id: Some(5), ..Faults::default() });
    let liar =
        Relay::start(node(11155420).url(), Faults { lie_implementation: Some(drift[4].proxy), ..Faults::default() });
    let flags = [
        rpc_flag(56),
        rpc_flag(84532),
        format!("97={}", wrong.url()),
        rpc_flag(11155420),
        format!("11155420={}", liar.url()),
        format!("23295={}", dead_url()),
    ];
    let mut args: Vec<&str> = flags.iter().flat_map(|f| ["--rpc", f.as_str()]).collect();
    args.extend(["--retries", "0"]);
    let run = verify(source.path(), &args);
    assert_eq!(run.code, 1, "drift outranks the rest: {run}");
    let report = run.json();
    let found: BTreeSet<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap()).collect();
    // admin-mismatch needs a source that declares the admin: provider_profiles.rs provokes it from a manifest.
    let all: BTreeSet<&str> =
        FindingKind::ALL.iter().filter(|k| **k != FindingKind::AdminMismatch).map(|k| k.name()).collect();
    assert_eq!(found, all, "{run}");
    assert_eq!(verdict_of(&report, 56, "AllKindsHealthy"), "verified", "{run}");
}

#[test]
fn a_dead_endpoint_is_unverifiable_while_other_networks_verify() {
    let ok = deploy(56, &["DeadOk"]);
    let lost = deploy(97, &["DeadLost"]);
    let source = leveldb_of(&[&ok[0], &lost[0]]);
    let dead = format!("97={}", dead_url());
    let run = verify(source.path(), &["--rpc", &rpc_flag(56), "--rpc", &dead, "--retries", "1"]);
    assert_eq!(run.code, 3, "{run}");
    let report = run.json();
    assert_eq!(verdict_of(&report, 56, "DeadOk"), "verified", "{run}");
    assert_eq!(verdict_of(&report, 97, "DeadLost"), "unverifiable", "{run}");
    assert_eq!(kinds_of(&report, 97, Some("DeadLost")), ["unverifiable"], "{run}");
    assert!(endpoints_of(&report, 97)[0]["status"].as_str().unwrap().starts_with("failed"), "{run}");
}

#[test]
fn a_wrong_chain_gives_only_chain_id_mismatch_for_that_network() {
    let ok = deploy(84532, &["WrongChainOk"]);
    let d = deploy(56, &["WrongChainVictim"]);
    let source = leveldb_of(&[&ok[0], &d[0]]);
    let relay = Relay::start(node(56).url(), Faults { chain_id: Some(97), ..Faults::default() });
    let lying = format!("56={}", relay.url());
    let other_node = format!("56={}", node(97).url());
    for endpoint in [lying, other_node] {
        let run = verify(source.path(), &["--rpc", &endpoint, "--rpc", &rpc_flag(84532)]);
        assert_eq!(run.code, 3, "{run}");
        let report = run.json();
        assert_eq!(kinds_of(&report, 56, None), ["chain-id-mismatch"], "{run}");
        assert!(kinds_of(&report, 56, Some("WrongChainVictim")).is_empty(), "nothing the endpoint says is used: {run}");
        assert_eq!(verdict_of(&report, 56, "WrongChainVictim"), "unverifiable", "{run}");
        assert_eq!(verdict_of(&report, 84532, "WrongChainOk"), "verified", "{run}");
        assert_eq!(report["findings"].as_array().unwrap().len(), 1, "{run}");
    }
    assert_eq!(relay.round_trips(), 1, "no read after a wrong chain id");
}

#[test]
fn one_lying_endpoint_of_two_is_rpc_disagreement() {
    let chain = 11155420;
    let d = deploy(chain, &["LiarVictim", "LiarOther"]);
    let source = leveldb_of(&[&d[0]]);
    let liar =
        Relay::start(node(chain).url(), Faults { lie_implementation: Some(d[1].implementation), ..Faults::default() });
    let (honest, lying) = (rpc_flag(chain), format!("{chain}={}", liar.url()));
    for order in [[&honest, &lying], [&lying, &honest]] {
        let run = verify(source.path(), &["--rpc", order[0], "--rpc", order[1]]);
        assert_eq!(run.code, 3, "{run}");
        let report = run.json();
        assert_eq!(kinds_of(&report, chain, Some("LiarVictim")), ["rpc-disagreement"], "{run}");
        assert_eq!(verdict_of(&report, chain, "LiarVictim"), "unverifiable", "{run}");
    }
}

#[test]
fn sapphire_zero_texts_are_read_as_numbers() {
    let chain = 23295;
    let d = deploy(chain, &["SapphireHealthy", "SapphireEmptySlot"]);
    plant(&node(chain).rpc(), &d[1], Drift::ImplementationSlot(alloy_primitives::Address::ZERO)).unwrap();
    let source = leveldb_of(&[&d[0], &d[1]]);
    for zero in ZeroText::ALL {
        let relay = Relay::start(node(chain).url(), Faults { sapphire: Some(zero), ..Faults::default() });
        let run = verify(source.path(), &["--rpc", &format!("{chain}={}", relay.url())]);
        assert_eq!(run.code, 1, "{zero:?}: {run}");
        let report = run.json();
        assert_eq!(verdict_of(&report, chain, "SapphireHealthy"), "verified", "{zero:?}: {run}");
        assert_eq!(kinds_of(&report, chain, Some("SapphireEmptySlot")), ["implementation-mismatch"], "{run}");
        let finding = report["findings"].as_array().unwrap().iter().find(|f| f["contract"] == "SapphireEmptySlot");
        assert_eq!(finding.unwrap()["actual"], "empty slot", "{zero:?}: {run}");
    }
}

#[test]
fn retries_survive_429_503_resets_and_slow_answers() {
    let chain = 97;
    let d = deploy(chain, &["RetryMe"]);
    let source = leveldb_of(&[&d[0]]);
    let faults = [
        Faults { status_first: Some((429, 2)), ..Faults::default() },
        Faults { status_first: Some((503, 2)), ..Faults::default() },
        Faults { reset_first: 2, ..Faults::default() },
        Faults { delay: Duration::from_millis(2500), delay_first: 1, ..Faults::default() },
        Faults { delay: Duration::from_millis(100), ..Faults::default() },
    ];
    // The cases wait for backoffs and timeouts, not for the CPU: run them side by side.
    std::thread::scope(|s| {
        for f in faults {
            let source = source.path();
            s.spawn(move || {
                let relay = Relay::start(node(chain).url(), f.clone());
                let url = format!("{chain}={}", relay.url());
                // Only the slow case needs a short timeout; the others keep a margin for a loaded machine.
                let timeout = if f.delay_first > 0 { "2" } else { "10" };
                let run = verify(source, &["--rpc", &url, "--retries", "3", "--timeout", timeout]);
                assert_eq!(run.code, 0, "{f:?}: {run}");
                let endpoint = &endpoints_of(&run.json(), chain)[0];
                // head, pinned block, one batch of reads, the pinned block again; a failed round trip is retried
                // on its own; a dropped connection also halves the batch (2 calls, then 1 for the run).
                let extra = f.status_first.map_or(0, |s| s.1) + f.delay_first;
                let expected = if f.reset_first > 0 { f.reset_first + 2 + 1 + 6 + 1 } else { 4 + extra };
                assert_eq!(endpoint["roundTrips"], expected, "{f:?}: {run}");
                assert_eq!(relay.round_trips(), expected, "{f:?}");
            });
        }
    });
}

#[test]
fn malformed_answers_make_the_network_unverifiable() {
    let d = deploy(97, &["MalformedVictim"]);
    let source = leveldb_of(&[&d[0]]);
    let relay = Relay::start(node(97).url(), Faults { malformed: true, ..Faults::default() });
    let run = verify(source.path(), &["--rpc", &format!("97={}", relay.url())]);
    assert_eq!(run.code, 3, "{run}");
    assert_eq!(kinds_of(&run.json(), 97, Some("MalformedVictim")), ["unverifiable"], "{run}");
}

/// Round trips are the fixed ones (head batch of 2, pinned block, the pinned block again) plus one per batch of at most
/// `--max-batch` reads; 6 reads per contract (2 codes, 3 EIP-1967 slots, proxiableUUID()).
#[test]
fn round_trips_per_endpoint_are_reads_over_the_batch_size() {
    let chain = 56;
    let few = deploy(chain, &["BatchOne"]);
    let many = deploy(chain, &["BatchA", "BatchB", "BatchC", "BatchD", "BatchE"]);
    for (max_batch, expected) in [("10", [(4, 4 + 6), (6, 4 + 30)]), ("1000", [(4, 4 + 6), (4, 4 + 30)])] {
        let mut counts = Vec::new();
        for set in [few.iter().collect::<Vec<_>>(), many.iter().collect()] {
            let source = leveldb_of(&set);
            let relay = Relay::start(node(chain).url(), Faults::default());
            let flag = format!("{chain}={}", relay.url());
            let run = verify(source.path(), &["--rpc", &flag, "--max-batch", max_batch]);
            assert_eq!(run.code, 0, "{run}");
            let endpoint = &endpoints_of(&run.json(), chain)[0];
            assert_eq!(endpoint["roundTrips"], relay.round_trips(), "the tool counts what the relay saw: {run}");
            counts.push((relay.round_trips(), relay.requests()));
        }
        assert_eq!(counts, expected, "--max-batch {max_batch}");
    }
}

#[test]
fn a_record_without_a_proxy_is_partially_verified() {
    let mut d = deploy(97, &["NoProxyRecord"]).remove(0);
    d.record.proxy_address = None;
    let source = leveldb_of(&[&d]);
    let run = verify(source.path(), &["--rpc", &rpc_flag(97)]);
    assert_eq!(run.code, 0, "partial is not a failure: {run}");
    let report = run.json();
    assert_eq!(verdict_of(&report, 97, "NoProxyRecord"), "partially-verified", "{run}");
    assert_eq!(report["records"][0]["notChecked"][0], "proxy (the record has none)", "{run}");
}

/// Every value is read at one block: pinned before the drift, the chain still matches the records.
#[test]
fn a_block_pinned_before_the_drift_still_verifies() {
    let chain = 11155420;
    let d = deploy(chain, &["PinnedVictim", "PinnedOther"]);
    let before = node(chain).rpc().block_number().unwrap();
    // anvil applies a cheat to the latest block's state in place: mine first, so `before` is no longer the latest.
    node(chain).rpc().mine().unwrap();
    plant(&node(chain).rpc(), &d[0], Drift::ImplementationSlot(d[1].implementation)).unwrap();
    let source = leveldb_of(&[&d[0]]);
    let flag = rpc_flag(chain);
    let pinned = verify(source.path(), &["--rpc", &flag, "--block", &before.to_string()]);
    assert_eq!(pinned.code, 0, "{pinned}");
    assert_eq!(pinned.json()["networks"][0]["block"]["number"], before, "{pinned}");
    let latest = verify(source.path(), &["--rpc", &flag]);
    assert_eq!(kinds_of(&latest.json(), chain, Some("PinnedVictim")), ["implementation-mismatch"], "{latest}");
}

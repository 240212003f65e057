//! The shapes of real deployment files (`fixtures/realworld/`, written by `fixtures/chain/realworld.mjs`; docs:
//! `fixtures/README.md`, "Real-world shapes"): OpenZeppelin manifests with namespaced storage, an upgrade history,
//! two contracts sharing a name, proxy kinds and an admin, an unmapped network file, a CLI 2.x file; the demo as
//! hardhat-deploy and Foundry broadcast write it. Addresses are read from the fixtures, never written here.

use crate::support::{binary, root};
use lookcoin_state::core::compare::{compare, Discrepancy, Kind};
use lookcoin_state::core::formats::entries;
use lookcoin_state::core::network::NetworkTable;
use lookcoin_state::core::record::{parse_entries, SourceEntries};
use lookcoin_state::core::reports::comparison::CompareReport;
use lookcoin_state::core::state::{Field, FieldValue, SourceFormat, SourceState};
use lookcoin_state::pipeline::load::load_source;
use lookcoin_state::report::json;
use serde_json::{json as j, Value};
use std::path::PathBuf;

fn realworld(path: &str) -> PathBuf {
    root().join("fixtures/realworld").join(path)
}

fn read(path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(realworld(path)).expect("fixture")).expect("JSON")
}

fn load(path: &str) -> SourceState {
    load_source(&realworld(path), None).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A LevelDB source (as read from entries) of `(chainId, name, fields)` records.
fn leveldb(records: &[(u64, &str, Value)]) -> SourceState {
    let mut e = SourceEntries::new();
    for (chain, name, extra) in records {
        let mut value = j!({"contractName": name, "chainId": chain, "networkName": "polygon",
            "address": "", "factoryByteCodeHash": "", "timestamp": 1_754_300_000_000_u64});
        for (k, v) in extra.as_object().expect("fields") {
            value[k] = v.clone();
        }
        e.insert(format!("{chain}-{name}").into_bytes(), value.to_string().into_bytes());
    }
    entries::from_entries("leveldb", &parse_entries(&e))
}

fn rows(d: &[Discrepancy]) -> Vec<(u64, String, &'static str, &'static str)> {
    d.iter()
        .map(|x| (x.chain_id, x.contract.clone().unwrap_or_default(), x.kind.name(), x.field.map_or("-", |f| f.name())))
        .collect()
}

/// The address of the `impls` entry of `file` whose key starts with the version hash of `label`.
fn impl_address(file: &Value, index: usize) -> String {
    let impls = file["impls"].as_object().expect("impls");
    impls.values().nth(index).expect("impl")["address"].as_str().expect("address").to_string()
}

#[test]
fn every_implementation_is_kept_named_by_layout_or_version_hash() {
    let oz = load("openzeppelin");
    assert_eq!(oz.format, SourceFormat::OpenZeppelin);
    let names = |chain: u64| {
        let mut n: Vec<&str> = oz.records.iter().filter(|r| r.chain_id == chain).map(|r| r.name.as_str()).collect();
        n.sort_unstable();
        n
    };
    let polygon = read("openzeppelin/polygon.json");
    let unnamed_key = polygon["impls"].as_object().unwrap().keys().nth(6).unwrap().clone();
    let unnamed = format!("(unnamed implementation {unnamed_key})");
    // Vault x3 (two namespaced), Strategy x2, Token at two addresses, the unnamed one.
    let mut want = vec!["Strategy", "Strategy", "Token", "Token", "Vault", "Vault", "Vault", unnamed.as_str()];
    want.sort_unstable();
    assert_eq!(names(137), want);
    assert_eq!(names(777_777), ["Vault"]);
    let kinds: Vec<Option<&str>> = oz.unattributed_proxies.iter().map(|p| p.kind.as_deref()).collect();
    assert_eq!(kinds, [Some("uups"), Some("transparent"), Some("beacon"), Some("uups")]);
    assert_eq!(oz.admins.len(), 1);
    assert_eq!(oz.admins[0].address.text(), polygon["admin"]["address"]);
    assert_eq!(oz.skipped.len(), 1, "{:?}", oz.skipped);
    assert!(oz.skipped[0].origin.ends_with("polygon-zkevm.json"), "{:?}", oz.skipped);
}

#[test]
fn a_record_agrees_with_any_implementation_of_its_history_and_nothing_else() {
    let oz = load("openzeppelin");
    let polygon = read("openzeppelin/polygon.json");
    let other = read("openzeppelin/unknown-777777.json");
    let admin = polygon["admin"]["address"].as_str().unwrap();
    let token_again = polygon["impls"].as_object().unwrap().values().nth(5).unwrap()["allAddresses"][1].clone();
    let left = leveldb(&[
        // The middle of Vault's history (namespaced storage): agrees.
        (137, "Vault", j!({"address": impl_address(&polygon, 1), "proxyAddress": polygon["proxies"][0]["address"]})),
        // The second of two contracts named Strategy: agrees.
        (137, "Strategy", j!({"address": impl_address(&polygon, 4), "proxyAddress": polygon["proxies"][2]["address"]})),
        // The Token implementation at its second address, with the manifest's admin: agrees.
        (
            137,
            "Token",
            j!({"address": token_again, "proxyAddress": polygon["proxies"][1]["address"], "proxyAdmin": admin}),
        ),
        // An implementation the manifest of 777777 never had: address-mismatch listing its candidates.
        (777_777, "Vault", j!({"address": impl_address(&polygon, 0), "proxyAddress": other["proxies"][0]["address"]})),
    ]);
    let d = compare(&left, &oz);
    let unnamed_key = polygon["impls"].as_object().unwrap().keys().nth(6).unwrap().clone();
    assert_eq!(
        rows(&d),
        [
            (137, format!("(unnamed implementation {unnamed_key})"), "missing-in-left", "address"),
            (777_777, "Vault".to_string(), "address-mismatch", "address"),
        ],
        "{d:#?}"
    );
    assert_eq!(d[1].right, j!([impl_address(&other, 0)]), "the manifest's candidates are listed");
    // A wrong admin is an address-mismatch on proxyAdmin; without one, proxyAdmin is listed as not covered.
    let wrong = leveldb(&[(137, "Token", j!({"address": token_again, "proxyAdmin": impl_address(&polygon, 0)}))]);
    let found: Vec<_> = compare(&wrong, &oz).into_iter().filter(|x| x.field == Some(Field::ProxyAdmin)).collect();
    assert_eq!((found.len(), found[0].kind), (1, Kind::AddressMismatch), "{found:#?}");
    let without = leveldb(&[(137, "Token", j!({"address": token_again}))]);
    let report = CompareReport::build(&without, &oz, compare(&without, &oz), &NetworkTable::builtin());
    assert!(report.not_covered.contains(&(Field::ProxyAdmin, "left")), "{:?}", report.not_covered);
    let value = json::compare_value(&report);
    let skipped = value["summary"]["right"]["skipped"].as_array().expect("skipped in the JSON report");
    assert!(skipped[0]["origin"].as_str().unwrap().ends_with("polygon-zkevm.json"), "{value:#}");
}

#[test]
fn a_cli_2_manifest_is_refused_naming_its_version() {
    let e = load_source(&realworld("openzeppelin-cli2"), None).expect_err("refused");
    let text = e.to_string();
    assert!(text.contains("OpenZeppelin CLI 2.x") && text.contains("manifestVersion 2.2"), "{text}");
}

#[test]
fn each_real_world_source_compared_with_itself_is_empty() {
    for path in [
        "openzeppelin",
        "hardhat-deploy/deployments",
        "hardhat-deploy/deployments/bscTestnet",
        "foundry-broadcast/broadcast",
        "foundry-broadcast/broadcast/Deploy.s.sol/97",
    ] {
        let s = load(path);
        assert!(!s.records.is_empty(), "{path}");
        assert_eq!(compare(&s, &s), [], "{path}");
    }
}

#[test]
fn the_demo_as_hardhat_deploy_and_as_a_foundry_broadcast_agree() {
    let hd = load("hardhat-deploy/deployments");
    let fb = load("foundry-broadcast/broadcast");
    assert_eq!((hd.format, fb.format), (SourceFormat::HardhatDeploy, SourceFormat::FoundryBroadcast));
    assert_eq!(compare(&hd, &fb), []);
    let proxied = read("hardhat-deploy/deployments/bscTestnet/DemoToken.json");
    let token = hd.records.iter().find(|r| r.name == "DemoToken").expect("DemoToken");
    assert_eq!(token.get(Field::ProxyAddress).to_json(), proxied["address"]);
    assert_eq!(token.get(Field::Implementation).to_json(), proxied["implementation"]);
    assert_eq!(token.get(Field::DeploymentArgs).to_json(), proxied["execute"]["args"]);
    // The implementation hash is derived from the `_Implementation` file's bytecode by the hash rule, and marked.
    let hashes: Value =
        serde_json::from_slice(&std::fs::read(root().join("fixtures/chain/artifacts/hashes.json")).unwrap()).unwrap();
    let demo = &hashes["contracts"]["DemoToken"];
    assert_eq!(
        token.get(Field::ImplementationHash).to_json(),
        j!({"derived": {"creation": demo["creation"]["strippedKeccak256"], "runtime": demo["runtime"]["strippedKeccak256"]}})
    );
    // A recorded hash of either kind agrees with it; another hash does not.
    for (recorded, mismatches) in [
        (demo["runtime"]["strippedKeccak256"].clone(), 0),
        (demo["creation"]["strippedKeccak256"].clone(), 0),
        (hashes["contracts"]["NotUups"]["runtime"]["strippedKeccak256"].clone(), 1),
    ] {
        let left = leveldb(&[(
            97,
            "DemoToken",
            j!({
                "address": proxied["implementation"], "proxyAddress": proxied["address"],
                "implementationHash": recorded, "deploymentArgs": proxied["execute"]["args"],
            }),
        )]);
        let d: Vec<_> =
            compare(&left, &hd).into_iter().filter(|x| x.contract.as_deref() == Some("DemoToken")).collect();
        assert_eq!(d.len(), mismatches, "{d:#?}");
        assert!(d.iter().all(|x| x.kind == Kind::HashMismatch), "{d:#?}");
    }
    assert!(matches!(token.get(Field::ImplementationHash), FieldValue::Derived { .. }));
}

#[test]
fn no_error_prints_a_whole_input() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut impls = serde_json::Map::new();
    for i in 0..800 {
        impls.insert(format!("{i:064x}"), j!({"address": format!("0x{i:040x}"), "layout": {"storage": []}}));
    }
    let manifest = j!({"manifestVersion": "3.2", "proxies": [], "impls": impls}).to_string();
    assert!(manifest.len() > 60_000);
    let file = dir.path().join("bsc.json");
    std::fs::write(&file, &manifest).expect("write");
    for command in ["inspect", "validate"] {
        let out = std::process::Command::new(binary()).args([command, file.to_str().unwrap()]).output().expect("run");
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(stdout.len() + stderr.len() < 4_000, "{command}: {} + {} bytes", stdout.len(), stderr.len());
        assert!(format!("{stdout}{stderr}").contains("more characters)"), "{command}: {stdout}{stderr}");
    }
}

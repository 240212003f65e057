//! `verify-chain` through relays that behave like real public endpoints (REALWORLD.md §1, `relay::Profile`), with
//! the built binary: for every profile the clean fleet verifies (exit 0), planted drift gives exactly that drift
//! (exit 1), and the profile in a state that cannot serve the reads ends unverifiable (exit 3), never drift from a
//! transient error and never "verified" from a read that did not happen. Also: every endpoint counts (quorum),
//! `--chain`, transparent and beacon proxies deployed on anvil, and server text that tries to forge output.

use crate::chain_lab::{dead_url, deploy, endpoints_of, kinds_of, leveldb_of, node, rpc_flag, verdict_of, verify};
use crate::relay::{Faults, Profile, Relay};
use lookcoin_state::lab::{deploy_beacon, deploy_transparent, plant, Drift};
use serde_json::Value;

fn findings_of(report: &Value) -> Vec<String> {
    report["findings"].as_array().unwrap().iter().map(|f| format!("{} {}", f["contract"], f["kind"])).collect()
}

fn profile_case(profile: Profile, chain: u64) {
    let tag = format!("{profile:?}");
    let names = [format!("{tag}A"), format!("{tag}B"), format!("{tag}Drift")];
    let d = deploy(chain, &names.iter().map(String::as_str).collect::<Vec<_>>());
    plant(&node(chain).rpc(), &d[2], Drift::ImplementationSlot(d[1].implementation)).unwrap();
    // A lagging backend may answer the head 2 blocks early: keep the drift inside every block that can be pinned.
    (0..3).for_each(|_| lookcoin_state::lab::settle(node(chain)).unwrap());
    let clean = leveldb_of(&[&d[0], &d[1]]);
    let drifted = leveldb_of(&[&d[0], &d[1], &d[2]]);

    let relay = Relay::start(node(chain).url(), profile.faults());
    let flag = format!("{chain}={}", relay.url());
    let run = verify(clean.path(), &["--rpc", &flag]);
    assert_eq!(run.code, 0, "{tag} clean: {run}");
    let report = run.json();
    assert!(report["findings"].as_array().unwrap().is_empty(), "{tag}: {run}");
    let endpoint = &endpoints_of(&report, chain)[0];
    if let Some((max, _)) = profile.faults().max_batch {
        assert!(endpoint["batchSize"].as_u64().unwrap() as usize <= max, "{tag} learnt the limit: {run}");
    }

    let run = verify(drifted.path(), &["--rpc", &flag]);
    assert_eq!(run.code, 1, "{tag} drift: {run}");
    let report = run.json();
    assert_eq!(findings_of(&report), [format!("\"{}\" \"implementation-mismatch\"", names[2])], "{tag}: {run}");
    assert_eq!(verdict_of(&report, chain, &names[0]), "verified", "{tag}: {run}");
    assert_eq!(verdict_of(&report, chain, &names[1]), "verified", "{tag}: {run}");

    let (faults, flags) = profile.unservable();
    let broken = Relay::start(node(chain).url(), faults);
    let flag = format!("{chain}={}", broken.url());
    let mut args = vec!["--rpc", flag.as_str()];
    args.extend_from_slice(flags);
    let run = verify(drifted.path(), &args);
    assert_eq!(run.code, 3, "{tag} unservable: {run}");
    let report = run.json();
    for name in &names {
        assert_eq!(verdict_of(&report, chain, name), "unverifiable", "{tag}: {run}");
        assert_eq!(kinds_of(&report, chain, Some(name)), ["unverifiable"], "{tag}: no drift from a failed read: {run}");
    }
    let status = endpoints_of(&report, chain)[0]["status"].as_str().unwrap().to_string();
    assert!(status.starts_with("failed: "), "{tag}: the endpoint's reason is shown: {run}");
    if profile == Profile::Pruned {
        assert!(status.contains("missing trie node") && status.contains("more recent block"), "{tag}: {run}");
    }
}

#[test]
fn every_provider_profile_verifies_finds_drift_and_fails_safe() {
    let chains = [56, 97, 84532, 11155420, 23295, 56];
    std::thread::scope(|s| {
        for (profile, chain) in Profile::ALL.into_iter().zip(chains) {
            s.spawn(move || profile_case(profile, chain));
        }
    });
}

fn networks_file(dir: &tempfile::TempDir, chain: u64, urls: &[String], quorum: Option<usize>) -> String {
    let list: Vec<String> = urls.iter().map(|u| format!("\"{u}\"")).collect();
    let quorum = quorum.map_or(String::new(), |q| format!("quorum = {q}\n"));
    let file = dir.path().join("networks.toml");
    std::fs::write(&file, format!("[chains.{chain}]\nrpc = [{}]\n{quorum}", list.join(", "))).unwrap();
    file.display().to_string()
}

#[test]
fn a_dead_second_endpoint_counts_unless_a_quorum_allows_it() {
    let chain = 97;
    let d = deploy(chain, &["QuorumA", "QuorumDrift"]);
    plant(&node(chain).rpc(), &d[1], Drift::RemoveProxy).unwrap();
    let (clean, drifted) = (leveldb_of(&[&d[0]]), leveldb_of(&[&d[0], &d[1]]));
    let dir = tempfile::tempdir().unwrap();
    let urls = [node(chain).url().to_string(), dead_url()];
    let strict = networks_file(&dir, chain, &urls, None);
    let run = verify(clean.path(), &["--networks", &strict, "--retries", "1"]);
    assert_eq!(run.code, 3, "a dead endpoint is not silently dropped: {run}");
    let report = run.json();
    assert_eq!(verdict_of(&report, chain, "QuorumA"), "unverifiable", "{run}");
    assert!(report["findings"][0]["detail"].as_str().unwrap().contains("1 of 2 endpoints answered, 2 needed"), "{run}");

    let tolerant = networks_file(&dir, chain, &urls, Some(1));
    let run = verify(clean.path(), &["--networks", &tolerant, "--retries", "1"]);
    assert_eq!(run.code, 0, "quorum 1 of 2: {run}");
    let endpoints = endpoints_of(&run.json(), chain);
    assert!(endpoints[1]["status"].as_str().unwrap().starts_with("failed: "), "its reason is shown: {run}");
    let run = verify(drifted.path(), &["--networks", &tolerant, "--retries", "1"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(kinds_of(&run.json(), chain, Some("QuorumDrift")), ["proxy-missing"], "{run}");
}

#[test]
fn the_chain_filter_verifies_only_the_chains_named() {
    let (a, b) = (deploy(56, &["FilterKept"]), deploy(97, &["FilterLeft"]));
    let source = leveldb_of(&[&a[0], &b[0]]);
    let run = verify(source.path(), &["--rpc", &rpc_flag(56), "--chain", "56"]);
    assert_eq!(run.code, 0, "no key for 97, yet the job for 56 passes: {run}");
    let report = run.json();
    assert_eq!(report["summary"]["excludedByChainFilter"], 1, "{run}");
    assert_eq!(report["records"].as_array().unwrap().len(), 1, "{run}");
    let run = verify(source.path(), &["--rpc", &rpc_flag(56)]);
    assert_eq!(run.code, 3, "without the filter 97 has no endpoint: {run}");
    let run = verify(source.path(), &["--rpc", &rpc_flag(56), "--chain", "137"]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("--chain 137"), "{run}");
}

#[test]
fn transparent_and_beacon_proxies_verify_with_their_kind_and_admin() {
    let chain = 11155420;
    let t = deploy_transparent(node(chain), "KindTransparent").unwrap();
    let b = deploy_beacon(node(chain), "KindBeacon").unwrap();
    let u = deploy(chain, &["KindUups"]).remove(0);
    let source = leveldb_of(&[&t, &b, &u]);
    let run = verify(source.path(), &["--rpc", &rpc_flag(chain)]);
    assert_eq!(run.code, 0, "{run}");
    let report = run.json();
    let record =
        |name: &str| report["records"].as_array().unwrap().iter().find(|r| r["contract"] == name).unwrap().clone();
    let checksum = |a: alloy_primitives::Address| a.to_checksum(None);
    assert_eq!(record("KindTransparent")["proxy"]["kind"], "transparent", "{run}");
    assert_eq!(record("KindTransparent")["proxy"]["admin"], checksum(t.admin.unwrap()), "{run}");
    assert_eq!(record("KindBeacon")["proxy"]["kind"], "beacon", "{run}");
    assert_eq!(record("KindBeacon")["proxy"]["beacon"], checksum(b.beacon.unwrap()), "{run}");
    assert_eq!(record("KindUups")["proxy"]["kind"], "uups", "{run}");
    for name in ["KindTransparent", "KindBeacon", "KindUups"] {
        assert_eq!(verdict_of(&report, chain, name), "verified", "{name}: {run}");
    }
    plant(&node(chain).rpc(), &b, Drift::BeaconImplementation(u.implementation)).unwrap();
    plant(&node(chain).rpc(), &t, Drift::ImplementationSlot(u.implementation)).unwrap();
    let run = verify(source.path(), &["--rpc", &rpc_flag(chain)]);
    assert_eq!(run.code, 1, "{run}");
    let report = run.json();
    assert_eq!(kinds_of(&report, chain, Some("KindBeacon")), ["implementation-mismatch"], "{run}");
    assert_eq!(kinds_of(&report, chain, Some("KindTransparent")), ["implementation-mismatch"], "{run}");
    assert_eq!(verdict_of(&report, chain, "KindUups"), "verified", "{run}");
}

/// A revert reason and an HTTP error body that try to forge a workflow command, a verdict line and terminal
/// escapes, and echo the URL's key: none of it reaches any output as such.
#[test]
fn server_text_is_escaped_and_scrubbed_in_every_output() {
    let chain = 84532;
    let d = deploy(chain, &["ForgeVictim"]).remove(0);
    let source = leveldb_of(&[&d]);
    let forged = "nope\n::warning title=x::forged\nverdict: verified\u{1b}[2J /v2/k3y-s3cret";
    let relay = Relay::start(node(chain).url(), Faults { error_body: Some((502, forged.into())), ..Faults::default() });
    let url = format!("{chain}={}", relay.url_with("", "/v2/k3y-s3cret"));
    for format in ["json", "human"] {
        let run = crate::chain_lab::run(&[
            "verify-chain",
            &source.path().display().to_string(),
            "--rpc",
            &url,
            "--retries",
            "0",
            "--format",
            format,
        ]);
        assert_eq!(run.code, 3, "{run}");
        assert!(!run.stdout.contains("k3y-s3cret") && !run.stderr.contains("k3y-s3cret"), "{run}");
        assert!(!run.stdout.contains('\u{1b}'), "{run}");
        assert!(run.stdout.contains("nope"), "the server's text is shown, escaped: {run}");
        assert!(!run.stdout.lines().any(|l| l.starts_with("::warning") || l.starts_with("verdict: verified")), "{run}");
    }
}

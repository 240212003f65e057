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

/// An eth_call revert whose reason echoes the URL's key and tries to forge a workflow command: the finding keeps
/// the reason, scrubbed and escaped, in JSON, human output and the GitHub annotations.
#[test]
fn revert_reasons_are_scrubbed_and_escaped_even_in_annotations() {
    let chain = 97;
    let d = deploy(chain, &["RevertForge"]).remove(0);
    let source = leveldb_of(&[&d]);
    let text = "execution reverted: /v3/k3y-s3cret\n::warning title=forged::x\nverdict: verified\u{1b}]0;t\u{7}";
    let relay = Relay::start(node(chain).url(), Faults { revert_text: Some(text.into()), ..Faults::default() });
    let url = format!("{chain}={}", relay.url_with("", "/v3/k3y-s3cret"));
    let source_arg = source.path().display().to_string();
    for format in ["json", "human"] {
        let output = std::process::Command::new(crate::support::binary())
            .args(["verify-chain", &source_arg, "--rpc", &url, "--format", format])
            .env("GITHUB_ACTIONS", "true")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1), "every eth_call reverts: not-uups drift");
        for stream in [&output.stdout, &output.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(!text.contains("k3y-s3cret"), "{format}: {text}");
            assert!(!text.contains('\u{1b}') && !text.contains('\u{7}'), "{format}: {text}");
            let forged = text.lines().any(|l| l.starts_with("::warning") || l.starts_with("verdict: verified"));
            assert!(!forged, "{format}: {text}");
            assert!(text.contains("reverted"), "{format}: {text}");
        }
    }
}

/// A body that never ends is cut off at --max-body: the network is unverifiable, the run ends.
#[test]
fn an_endless_body_is_cut_off_at_the_cap() {
    let chain = 23295;
    let d = deploy(chain, &["EndlessVictim"]).remove(0);
    let source = leveldb_of(&[&d]);
    let relay = Relay::start(node(chain).url(), Faults { endless_body: true, ..Faults::default() });
    let started = std::time::Instant::now();
    let url = format!("{chain}={}", relay.url());
    let run = verify(source.path(), &["--rpc", &url, "--max-body", "1000000", "--retries", "0"]);
    assert_eq!(run.code, 3, "{run}");
    let status = endpoints_of(&run.json(), chain)[0]["status"].as_str().unwrap().to_string();
    assert!(status.contains("over the cap of 1000000 bytes"), "{run}");
    assert!(started.elapsed() < std::time::Duration::from_secs(20), "{run}");
}

/// The networks file takes one URL as a string; a parse error never shows a value of the file.
#[test]
fn networks_file_values_never_reach_a_parse_error() {
    let d = deploy(56, &["NetworksSecret"]).remove(0);
    let source = leveldb_of(&[&d]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("networks.toml");
    std::fs::write(&file, format!("[chains.56]\nrpc = \"{}\"\nmax_batch = 3\n", node(56).url())).unwrap();
    let run = verify(source.path(), &["--networks", &file.display().to_string()]);
    assert_eq!(run.code, 0, "one URL as a string: {run}");
    assert_eq!(endpoints_of(&run.json(), 56)[0]["batchSize"], 3, "{run}");
    let secret = "http://alice:pa55-s3cret@127.0.0.1:1/v3/t0ken-s3cret";
    std::fs::write(&file, format!("[chains.56]\nrpc = [\"{secret}\"]\nquorum = \"{secret}\"\n")).unwrap();
    let run = verify(source.path(), &["--networks", &file.display().to_string()]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stderr.contains("networks.toml:3") && run.stderr.contains("invalid type"), "{run}");
    assert!(!run.stderr.contains("s3cret") && !run.stdout.contains("s3cret"), "{run}");
}

/// An OpenZeppelin manifest's proxies are read on their own: kind and admin in the report, and a manifest `admin`
/// that is not the transparent proxy's admin slot is `admin-mismatch` (drift, exit 1). UUPS proxies have no admin.
#[test]
fn a_manifest_admin_that_is_not_on_chain_is_admin_mismatch() {
    let chain = 97;
    let t = deploy_transparent(node(chain), "ManifestTransparent").unwrap();
    let u = deploy(chain, &["ManifestUups"]).remove(0);
    let dir = tempfile::tempdir().unwrap();
    let manifest = |admin: alloy_primitives::Address| {
        serde_json::json!({
            "manifestVersion": "3.2",
            "admin": {"address": admin.to_checksum(None), "txHash": format!("0x{}", "1".repeat(64))},
            "proxies": [
                {"address": t.proxy.to_checksum(None), "txHash": format!("0x{}", "2".repeat(64)), "kind": "transparent"},
                {"address": u.proxy.to_checksum(None), "txHash": format!("0x{}", "3".repeat(64)), "kind": "uups"},
            ],
            "impls": {"a1": {"address": t.implementation.to_checksum(None), "txHash": format!("0x{}", "4".repeat(64)),
                "layout": {"solcVersion": "0.8.37", "storage": [
                    {"contract": "NotUups", "label": "owner", "type": "t_address", "src": "contracts/NotUups.sol:1"}
                ], "types": {}}}},
        })
    };
    let file = dir.path().join("bsc-testnet.json");
    std::fs::write(&file, manifest(t.admin.unwrap()).to_string()).unwrap();
    let run = verify(dir.path(), &["--rpc", &rpc_flag(chain)]);
    assert_eq!(run.code, 0, "{run}");
    let report = run.json();
    let proxies = report["networks"][0]["proxies"].as_array().unwrap().clone();
    let of = |a: alloy_primitives::Address| proxies.iter().find(|p| p["address"] == a.to_checksum(None)).unwrap();
    assert_eq!(of(t.proxy)["kind"], "transparent", "{run}");
    assert_eq!(of(t.proxy)["admin"], t.admin.unwrap().to_checksum(None), "{run}");
    assert_eq!(of(u.proxy)["kind"], "uups", "{run}");
    let stranger = alloy_primitives::Address::repeat_byte(0x5a);
    std::fs::write(&file, manifest(stranger).to_string()).unwrap();
    let run = verify(dir.path(), &["--rpc", &rpc_flag(chain)]);
    assert_eq!(run.code, 1, "{run}");
    let report = run.json();
    assert_eq!(findings_of(&report), ["null \"admin-mismatch\""], "only the transparent proxy has an admin: {run}");
    assert_eq!(report["findings"][0]["actual"], t.admin.unwrap().to_checksum(None), "{run}");
    // Placed on the admin the manifest declares, not on the proxy's own address.
    assert_eq!(report["findings"][0]["at"]["pointer"], "/admin/address", "{run}");
    assert_eq!(report["findings"][0]["at"]["line"], 1, "the manifest is one line: {run}");
}

/// The pinned block's hash is read again after the reads: a change (a reorg) makes the endpoint fail, never a
/// verdict from reads of two different chains.
#[test]
fn a_reorg_under_the_reads_is_unverifiable() {
    let chain = 84532;
    let d = deploy(chain, &["ReorgVictim"]).remove(0);
    let source = leveldb_of(&[&d]);
    let relay = Relay::start(node(chain).url(), Faults { reorg: true, ..Faults::default() });
    let run = verify(source.path(), &["--rpc", &format!("{chain}={}", relay.url())]);
    assert_eq!(run.code, 3, "{run}");
    let status = endpoints_of(&run.json(), chain)[0]["status"].as_str().unwrap().to_string();
    assert!(status.contains("a reorg"), "{run}");
    assert_eq!(kinds_of(&run.json(), chain, Some("ReorgVictim")), ["unverifiable"], "{run}");
}

/// A backend further behind than --confirmations answers "header not found": those reads are retried (they reach
/// the other backend) and the fleet verifies.
#[test]
fn header_not_found_at_the_pinned_block_is_retried() {
    let chain = 23295;
    let d = deploy(chain, &["LagRetried"]).remove(0);
    (0..3).for_each(|_| lookcoin_state::lab::settle(node(chain)).unwrap());
    let source = leveldb_of(&[&d]);
    let relay = Relay::start(node(chain).url(), Faults { lagging_backend: Some(6), ..Faults::default() });
    let run = verify(source.path(), &["--rpc", &format!("{chain}={}", relay.url())]);
    assert_eq!(run.code, 0, "{run}");
    assert!(endpoints_of(&run.json(), chain)[0]["retried"].as_u64().unwrap() > 0, "{run}");
}

/// `--rps` paces an endpoint, and a 429's Retry-After pauses it: both runs verify, and take the time the limits
/// ask for.
#[test]
fn rps_and_retry_after_pace_the_endpoint() {
    let chain = 56;
    let d = deploy(chain, &["PacedA"]).remove(0);
    let source = leveldb_of(&[&d]);
    std::thread::scope(|s| {
        let source = source.path();
        s.spawn(move || {
            let relay = Relay::start(node(chain).url(), Faults::default());
            let started = std::time::Instant::now();
            let url = format!("{chain}={}", relay.url());
            let run = verify(source, &["--rpc", &url, "--rps", "2", "--burst", "1"]);
            assert_eq!(run.code, 0, "{run}");
            assert_eq!(relay.round_trips(), 4, "{run}");
            assert!(started.elapsed() >= std::time::Duration::from_millis(1400), "4 requests at 2 a second: {run}");
        });
        s.spawn(move || {
            let window = Some((2, std::time::Duration::from_secs(2)));
            let relay = Relay::start(node(chain).url(), Faults { rate_window: window, ..Faults::default() });
            let started = std::time::Instant::now();
            let run = verify(source, &["--rpc", &format!("{chain}={}", relay.url())]);
            assert_eq!(run.code, 0, "{run}");
            assert_eq!(relay.round_trips(), 5, "4 and one answered 429: {run}");
            assert!(started.elapsed() >= std::time::Duration::from_secs(2), "Retry-After honoured: {run}");
        });
    });
}

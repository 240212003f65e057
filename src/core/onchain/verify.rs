//! Compares records with what the chain says (pure): findings per record, a verdict per record, and a verdict
//! for the run.

use super::code::{match_code, CodeMatch, CodeOutcome};
use super::proxy::check_proxy;
pub use super::proxy::slot_address;
use super::reads::BEACON_IMPLEMENTATION;
use super::{
    Artifacts, BlockRef, ChainSnapshot, DeclaredProxy, EndpointOutcome, EndpointResult, ProxyKind, Target, ADMIN_SLOT,
    BEACON_SLOT, IMPLEMENTATION_SLOT,
};
use crate::core::location::Location;
use crate::core::state::Field;
use alloy_primitives::Address;
use serde_json::{json, Value};

/// The kinds of on-chain finding, with stable names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FindingKind {
    ChainIdMismatch,
    ProxyMissing,
    ImplementationMismatch,
    ImplementationMissing,
    CodeHashMismatch,
    NotUups,
    AdminMismatch,
    RpcDisagreement,
    Unverifiable,
}

impl FindingKind {
    pub const ALL: [FindingKind; 9] = [
        FindingKind::ChainIdMismatch,
        FindingKind::ProxyMissing,
        FindingKind::ImplementationMismatch,
        FindingKind::ImplementationMissing,
        FindingKind::CodeHashMismatch,
        FindingKind::NotUups,
        FindingKind::AdminMismatch,
        FindingKind::RpcDisagreement,
        FindingKind::Unverifiable,
    ];

    pub fn name(self) -> &'static str {
        match self {
            FindingKind::ChainIdMismatch => "chain-id-mismatch",
            FindingKind::ProxyMissing => "proxy-missing",
            FindingKind::ImplementationMismatch => "implementation-mismatch",
            FindingKind::ImplementationMissing => "implementation-missing",
            FindingKind::CodeHashMismatch => "code-hash-mismatch",
            FindingKind::NotUups => "not-uups",
            FindingKind::AdminMismatch => "admin-mismatch",
            FindingKind::RpcDisagreement => "rpc-disagreement",
            FindingKind::Unverifiable => "unverifiable",
        }
    }

    /// The record field a finding of this kind is about (`None`: the record as a whole, or the network).
    pub fn field(self) -> Option<Field> {
        match self {
            FindingKind::ImplementationMismatch | FindingKind::ImplementationMissing => Some(Field::Implementation),
            FindingKind::CodeHashMismatch => Some(Field::ImplementationHash),
            FindingKind::ProxyMissing | FindingKind::NotUups => Some(Field::ProxyAddress),
            FindingKind::AdminMismatch => Some(Field::ProxyAdmin),
            FindingKind::ChainIdMismatch | FindingKind::RpcDisagreement | FindingKind::Unverifiable => None,
        }
    }

    /// Drift: the chain disagrees with the records. The others mean the chain could not be asked reliably.
    pub fn is_drift(self) -> bool {
        matches!(
            self,
            FindingKind::ProxyMissing
                | FindingKind::ImplementationMismatch
                | FindingKind::ImplementationMissing
                | FindingKind::CodeHashMismatch
                | FindingKind::NotUups
                | FindingKind::AdminMismatch
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub chain_id: u64,
    /// `None` for a network-level finding.
    pub contract: Option<String>,
    pub kind: FindingKind,
    pub expected: Value,
    pub actual: Value,
    pub detail: String,
    /// Where the record (or listed proxy) holds the value found wrong, when the source is a JSON file.
    pub at: Option<Location>,
}

/// The verdict of one record, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Drift,
    Unverifiable,
    /// Everything the record holds was verified, but it lacks a proxy or a hash to check.
    Partial,
    Verified,
}

impl Verdict {
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Drift => "drift",
            Verdict::Unverifiable => "unverifiable",
            Verdict::Partial => "partially-verified",
            Verdict::Verified => "verified",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordResult {
    pub chain_id: u64,
    pub contract: String,
    pub verdict: Verdict,
    /// How the code hash matched (artifact file, steps applied, creation or runtime hash), when it did.
    pub code_match: Option<CodeMatch>,
    /// What could not be checked for lack of data in the record.
    pub unchecked: Vec<&'static str>,
    /// The record's proxy as the chain shows it, when it was read.
    pub proxy: Option<ProxyInfo>,
}

/// A proxy as read at the pinned block: its kind and the addresses its EIP-1967 slots hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyInfo {
    pub kind: ProxyKind,
    /// The admin slot's address (`None` when the slot is empty).
    pub admin: Option<Address>,
    /// The beacon slot's address (`None` when the slot is empty).
    pub beacon: Option<Address>,
}

/// What was learnt about one network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkResult {
    pub chain_id: u64,
    pub block: Option<BlockRef>,
    pub endpoints: Vec<EndpointResult>,
    pub findings: Vec<Finding>,
    pub records: Vec<RecordResult>,
    /// Proxies a source lists on their own, as read (`None`: no code, or not read).
    pub proxies: Vec<(DeclaredProxy, Option<ProxyInfo>)>,
}

/// Verifies the targets of one network against its endpoints' answers. Every endpoint counts: unless `quorum`
/// allows fewer, an endpoint that failed makes the network unverifiable (it never drops out silently).
pub fn verify_network(
    chain_id: u64,
    targets: &[Target],
    endpoints: Vec<EndpointResult>,
    artifacts: &Artifacts,
    quorum: Option<usize>,
    declared: &[DeclaredProxy],
) -> NetworkResult {
    let mut result = verify_targets(chain_id, targets, endpoints, artifacts, quorum);
    let snapshot = result.endpoints.iter().find_map(|e| match &e.outcome {
        EndpointOutcome::Snapshot(s) if result.block == Some(s.block) => Some(s.clone()),
        _ => None,
    });
    for d in declared {
        let info = snapshot.as_ref().and_then(|s| check_declared(d, s, &mut result.findings));
        result.proxies.push((d.clone(), info));
    }
    result
}

/// The checks of the records of one network.
fn verify_targets(
    chain_id: u64,
    targets: &[Target],
    endpoints: Vec<EndpointResult>,
    artifacts: &Artifacts,
    quorum: Option<usize>,
) -> NetworkResult {
    let mut findings = Vec::new();
    let wrong: Vec<&EndpointResult> =
        endpoints.iter().filter(|e| matches!(e.outcome, EndpointOutcome::WrongChain { .. })).collect();
    let snapshots: Vec<(&str, &ChainSnapshot)> = endpoints
        .iter()
        .filter_map(|e| match &e.outcome {
            EndpointOutcome::Snapshot(s) => Some((e.endpoint.as_str(), s)),
            _ => None,
        })
        .collect();
    let unverifiable = |reason: &str| -> Vec<RecordResult> {
        targets.iter().map(|t| record(t, Verdict::Unverifiable, None, vec![reason_static(reason)])).collect()
    };
    if !wrong.is_empty() {
        for e in wrong {
            let EndpointOutcome::WrongChain { actual } = e.outcome else { continue };
            findings.push(network_finding(
                chain_id,
                FindingKind::ChainIdMismatch,
                json!(chain_id),
                json!(actual),
                &e.endpoint,
            ));
        }
        let records = unverifiable("wrong chain");
        return NetworkResult { chain_id, block: None, endpoints, findings, records, proxies: Vec::new() };
    }
    let needed = required_endpoints(endpoints.len(), quorum);
    let first = snapshots.first().map(|(_, s)| *s).filter(|_| snapshots.len() >= needed);
    let Some(first) = first else {
        let mut why: Vec<String> = endpoints
            .iter()
            .filter_map(|e| match &e.outcome {
                EndpointOutcome::Failed(reason) => Some(format!("{}: {reason}", e.endpoint)),
                _ => None,
            })
            .collect();
        if endpoints.is_empty() {
            why.push("no RPC endpoint was given for this chain (--rpc or --networks)".to_string());
        } else {
            why.push(format!("{} of {} endpoints answered, {needed} needed", snapshots.len(), endpoints.len()));
        }
        for t in targets {
            findings.push(Finding {
                chain_id,
                contract: Some(t.contract.clone()),
                kind: FindingKind::Unverifiable,
                expected: Value::Null,
                actual: Value::Null,
                detail: why.join("; "),
                at: t.at(None),
            });
        }
        let records = unverifiable("rpc failed");
        return NetworkResult { chain_id, block: None, endpoints, findings, records, proxies: Vec::new() };
    };
    let block = Some(first.block);
    let disputed = disagreements(chain_id, targets, &snapshots, &mut findings);
    let mut records = Vec::new();
    for t in targets {
        if disputed.contains(&t.contract) {
            records.push(record(t, Verdict::Unverifiable, None, vec!["endpoints disagree"]));
            continue;
        }
        records.push(check_target(t, first, artifacts, &mut findings));
    }
    NetworkResult { chain_id, block, endpoints, findings, records, proxies: Vec::new() }
}

/// A proxy a source lists on its own: its code, its kind, and the admin the source declares. Findings name the
/// proxy in their detail and no record (the source names no contract for it).
fn check_declared(d: &DeclaredProxy, s: &ChainSnapshot, findings: &mut Vec<Finding>) -> Option<ProxyInfo> {
    let address = d.address.to_checksum(None);
    let mut found = |kind, expected: Value, actual: Value, what: &str| {
        let detail = format!("{what} of proxy {address} ({})", d.origin);
        // An admin that differs is about the admin the source declares, not the proxy's address.
        let at = if kind == FindingKind::AdminMismatch { d.admin_at.clone().or(d.at.clone()) } else { d.at.clone() };
        findings.push(Finding { chain_id: d.chain_id, contract: None, kind, expected, actual, detail, at });
    };
    if s.code.get(&d.address).is_none_or(|c| c.is_empty()) {
        found(FindingKind::ProxyMissing, json!(address), json!("no code"), "code");
        return None;
    }
    let set = |slot| s.storage.get(&(d.address, slot)).and_then(|w| slot_address(*w)).filter(|a| !a.is_zero());
    let (admin, beacon) = (set(ADMIN_SLOT), set(BEACON_SLOT));
    let kind = match (beacon, admin) {
        (Some(_), _) => ProxyKind::Beacon,
        (None, Some(_)) => ProxyKind::Transparent,
        (None, None) => d.kind.unwrap_or(ProxyKind::Uups),
    };
    // A manifest's admin is the ProxyAdmin of its transparent proxies; UUPS and beacon proxies have none.
    let admin_applies = d.kind.unwrap_or(kind) == ProxyKind::Transparent;
    if let (Some(expected), true) = (d.admin, admin_applies) {
        if admin != Some(expected) {
            let actual = admin.map_or("empty slot".to_string(), |a| a.to_checksum(None));
            found(FindingKind::AdminMismatch, json!(expected.to_checksum(None)), json!(actual), "EIP-1967 admin slot");
        }
    }
    Some(ProxyInfo { kind, admin, beacon })
}

/// How many endpoints must answer: all of them unless a quorum says fewer (never fewer than one, never more than
/// there are).
pub fn required_endpoints(endpoints: usize, quorum: Option<usize>) -> usize {
    quorum.unwrap_or(endpoints).clamp(1, endpoints.max(1))
}

fn reason_static(reason: &str) -> &'static str {
    match reason {
        "wrong chain" => "wrong chain",
        _ => "rpc failed",
    }
}

fn record(t: &Target, verdict: Verdict, code_match: Option<CodeMatch>, unchecked: Vec<&'static str>) -> RecordResult {
    RecordResult { chain_id: t.chain_id, contract: t.contract.clone(), verdict, code_match, unchecked, proxy: None }
}

fn network_finding(chain_id: u64, kind: FindingKind, expected: Value, actual: Value, detail: &str) -> Finding {
    Finding { chain_id, contract: None, kind, expected, actual, detail: detail.to_string(), at: None }
}

/// Values two endpoints answer differently, as findings; returns the contracts they concern.
fn disagreements(
    chain_id: u64,
    targets: &[Target],
    snapshots: &[(&str, &ChainSnapshot)],
    findings: &mut Vec<Finding>,
) -> Vec<String> {
    let mut disputed = Vec::new();
    let Some(((first_name, first), rest)) = snapshots.split_first() else { return disputed };
    for (name, other) in rest {
        let detail = format!("{first_name} vs {name}");
        if other.block != first.block {
            let (e, a) = (block_json(first.block), block_json(other.block));
            findings.push(network_finding(chain_id, FindingKind::RpcDisagreement, e, a, &detail));
            disputed.extend(targets.iter().map(|t| t.contract.clone()));
            continue;
        }
        for t in targets {
            let differs = |a: Address| first.code.get(&a) != other.code.get(&a);
            let mut what: Vec<&str> = Vec::new();
            if differs(t.implementation) || t.proxy.is_some_and(differs) {
                what.push("code");
            }
            if let Some(p) = t.proxy {
                for (slot, name) in [
                    (IMPLEMENTATION_SLOT, "implementation slot"),
                    (ADMIN_SLOT, "admin slot"),
                    (BEACON_SLOT, "beacon slot"),
                ] {
                    if first.storage.get(&(p, slot)) != other.storage.get(&(p, slot)) {
                        what.push(name);
                    }
                }
                let beacon = first.storage.get(&(p, BEACON_SLOT)).and_then(|w| slot_address(*w));
                let call = beacon.map(|b| (b, alloy_primitives::Bytes::copy_from_slice(&BEACON_IMPLEMENTATION)));
                if call.is_some_and(|k| first.calls.get(&k) != other.calls.get(&k)) {
                    what.push("beacon implementation()");
                }
            }
            let calls_differ =
                first.calls.iter().any(|(k, v)| k.0 == t.implementation && other.calls.get(k) != Some(v));
            if calls_differ {
                what.push("proxiableUUID()");
            }
            if !what.is_empty() {
                findings.push(Finding {
                    chain_id,
                    contract: Some(t.contract.clone()),
                    kind: FindingKind::RpcDisagreement,
                    expected: json!(first_name),
                    actual: json!(name),
                    detail: format!("endpoints answer {} differently at block {}", what.join(", "), first.block.number),
                    at: t.at(None),
                });
                disputed.push(t.contract.clone());
            }
        }
    }
    disputed
}

fn block_json(b: BlockRef) -> Value {
    json!({"number": b.number, "hash": format!("{:#x}", b.hash)})
}

/// The checks of one record against one snapshot.
fn check_target(t: &Target, s: &ChainSnapshot, artifacts: &Artifacts, findings: &mut Vec<Finding>) -> RecordResult {
    let before = findings.len();
    let mut unchecked = Vec::new();
    let mut proxy_info = None;
    let mut found = |kind, expected: Value, actual: Value, detail: String| {
        findings.push(Finding {
            chain_id: t.chain_id,
            contract: Some(t.contract.clone()),
            kind,
            expected,
            actual,
            detail,
            at: t.at(kind.field()),
        })
    };
    let code = s.code.get(&t.implementation).cloned().unwrap_or_default();
    if code.is_empty() {
        found(
            FindingKind::ImplementationMissing,
            json!(t.implementation_text),
            json!("no code"),
            "no code at the implementation address".into(),
        );
    }
    match t.proxy {
        None => unchecked.push("proxy (the record has none)"),
        Some(proxy) => {
            let (info, proxy_findings) = check_proxy(t, proxy, s, code.is_empty());
            proxy_info = info;
            for (kind, expected, actual, detail) in proxy_findings {
                found(kind, expected, actual, detail);
            }
        }
    }
    let (code_match, unverifiable) = check_code(t, &code, artifacts, &mut unchecked, &mut found);
    let drift = findings[before..].iter().any(|f| f.kind.is_drift());
    let unread = findings[before..].iter().any(|f| !f.kind.is_drift());
    let verdict = if drift {
        Verdict::Drift
    } else if unverifiable || unread {
        Verdict::Unverifiable
    } else if unchecked.is_empty() {
        Verdict::Verified
    } else {
        Verdict::Partial
    };
    RecordResult { proxy: proxy_info, ..record(t, verdict, code_match, unchecked) }
}

/// The code-hash check of one record: how it matched, or a `code-hash-mismatch`, or (only artifacts without
/// immutable ranges) an `unverifiable` finding; true in the second place when the record cannot be judged.
fn check_code(
    t: &Target,
    code: &[u8],
    artifacts: &Artifacts,
    unchecked: &mut Vec<&'static str>,
    found: &mut dyn FnMut(FindingKind, Value, Value, String),
) -> (Option<CodeMatch>, bool) {
    let Some(expected) = &t.expected_hash else {
        unchecked.push("code hash (the record has none)");
        return (None, false);
    };
    if code.is_empty() {
        return (None, false);
    }
    match match_code(&t.contract, code, t.implementation, expected, artifacts) {
        CodeOutcome::Matched(m) => (Some(m), false),
        CodeOutcome::NoImmutableRanges(why) => {
            unchecked.push("code hash (no artifact with immutable ranges)");
            found(FindingKind::Unverifiable, json!(expected), Value::Null, why);
            (None, true)
        }
        CodeOutcome::Mismatch { actual, tried } => {
            found(FindingKind::CodeHashMismatch, json!(expected), json!(actual), tried);
            (None, false)
        }
    }
}

/// The exit-code class of a whole run: the precedence table of the README, in code.
pub fn run_verdict(networks: &[NetworkResult]) -> Verdict {
    let all = networks.iter().flat_map(|n| n.records.iter().map(|r| r.verdict));
    let findings = networks.iter().flat_map(|n| n.findings.iter());
    let worst_record = all.min().unwrap_or(Verdict::Verified);
    let network_unverifiable = findings.clone().any(|f| !f.kind.is_drift());
    let network_drift = findings.clone().any(|f| f.kind.is_drift());
    match worst_record {
        Verdict::Drift => Verdict::Drift,
        _ if network_drift => Verdict::Drift,
        _ if network_unverifiable => Verdict::Unverifiable,
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::onchain::CallOutcome;
    use crate::core::onchain::PROXIABLE_UUID;
    use alloy_primitives::U256;
    use alloy_primitives::{Bytes, B256};
    use std::collections::BTreeMap;

    const PROXY: Address = Address::repeat_byte(0x11);
    const IMPL: Address = Address::repeat_byte(0x22);
    const ADMIN: Address = Address::repeat_byte(0x33);

    fn target() -> Target {
        Target {
            chain_id: 1,
            contract: "Token".into(),
            implementation: IMPL,
            implementation_text: IMPL.to_checksum(None),
            proxy: Some(PROXY),
            expected_hash: None,
            declared_kind: None,
            expected_admin: None,
            places: Vec::new(),
        }
    }

    fn word(a: Address) -> U256 {
        U256::from_be_slice(B256::left_padding_from(a.as_slice()).as_slice())
    }

    /// A snapshot where the proxy runs IMPL, with this admin slot and this proxiableUUID() outcome.
    fn snapshot(admin: Option<Address>, uups: CallOutcome) -> ChainSnapshot {
        let mut storage = BTreeMap::new();
        storage.insert((PROXY, IMPLEMENTATION_SLOT), word(IMPL));
        storage.insert((PROXY, ADMIN_SLOT), admin.map_or(U256::ZERO, word));
        storage.insert((PROXY, BEACON_SLOT), U256::ZERO);
        let code = BTreeMap::from([(PROXY, Bytes::from_static(&[1])), (IMPL, Bytes::from_static(&[2]))]);
        let calls = BTreeMap::from([((IMPL, Bytes::copy_from_slice(&PROXIABLE_UUID)), uups)]);
        ChainSnapshot { chain_id: 1, block: BlockRef { number: 7, hash: B256::ZERO }, code, storage, calls }
    }

    fn endpoint(name: &str, outcome: EndpointOutcome) -> EndpointResult {
        EndpointResult { endpoint: name.into(), outcome, round_trips: 1, requests: 1, batch_size: 10, retried: 0 }
    }

    fn kinds(n: &NetworkResult) -> Vec<&'static str> {
        n.findings.iter().map(|f| f.kind.name()).collect()
    }

    #[test]
    fn not_uups_is_judged_only_for_uups_proxies() {
        let reverted = CallOutcome::Reverted("execution reverted".into());
        let uups = verify_network(
            1,
            &[target()],
            vec![endpoint("a", EndpointOutcome::Snapshot(snapshot(None, reverted.clone())))],
            &Artifacts::new(),
            None,
            &[],
        );
        assert_eq!(kinds(&uups), ["not-uups"]);
        let transparent = verify_network(
            1,
            &[target()],
            vec![endpoint("a", EndpointOutcome::Snapshot(snapshot(Some(ADMIN), reverted.clone())))],
            &Artifacts::new(),
            None,
            &[],
        );
        assert!(kinds(&transparent).is_empty());
        assert_eq!(transparent.records[0].proxy.unwrap().kind, ProxyKind::Transparent);
        assert_eq!(transparent.records[0].proxy.unwrap().admin, Some(ADMIN));
        let declared = Target { declared_kind: Some(ProxyKind::Transparent), ..target() };
        let n = verify_network(
            1,
            &[declared],
            vec![endpoint("a", EndpointOutcome::Snapshot(snapshot(None, reverted)))],
            &Artifacts::new(),
            None,
            &[],
        );
        assert!(kinds(&n).is_empty(), "a source says transparent: {:?}", n.findings);
    }

    #[test]
    fn a_declared_admin_that_differs_is_admin_mismatch_drift() {
        let ok = CallOutcome::Reverted("execution reverted".into());
        let expecting = Target { expected_admin: Some(ADMIN), ..target() };
        let other = Address::repeat_byte(0x44);
        let n = verify_network(
            1,
            std::slice::from_ref(&expecting),
            vec![endpoint("a", EndpointOutcome::Snapshot(snapshot(Some(other), ok.clone())))],
            &Artifacts::new(),
            None,
            &[],
        );
        assert_eq!(kinds(&n), ["admin-mismatch"]);
        assert_eq!(n.records[0].verdict, Verdict::Drift);
        let n = verify_network(
            1,
            &[expecting],
            vec![endpoint("a", EndpointOutcome::Snapshot(snapshot(Some(ADMIN), ok)))],
            &Artifacts::new(),
            None,
            &[],
        );
        assert!(kinds(&n).is_empty());
    }

    #[test]
    fn every_endpoint_counts_unless_a_quorum_allows_fewer() {
        let good = CallOutcome::Returned(Bytes::copy_from_slice(IMPLEMENTATION_SLOT.as_slice()));
        let eps = || {
            vec![
                endpoint("a", EndpointOutcome::Snapshot(snapshot(None, good.clone()))),
                endpoint("b", EndpointOutcome::Failed("header not found".into())),
            ]
        };
        let strict = verify_network(1, &[target()], eps(), &Artifacts::new(), None, &[]);
        assert_eq!(strict.records[0].verdict, Verdict::Unverifiable);
        assert!(strict.findings[0].detail.contains("b: header not found"), "{:?}", strict.findings);
        assert_eq!(run_verdict(&[strict]), Verdict::Unverifiable);
        let tolerant = verify_network(1, &[target()], eps(), &Artifacts::new(), Some(1), &[]);
        // Partial: the record has no hash to check; everything it has was read and matches.
        assert_eq!(tolerant.records[0].verdict, Verdict::Partial, "{:?}", tolerant.findings);
        assert_eq!(required_endpoints(3, Some(2)), 2);
        assert_eq!(required_endpoints(0, None), 1);
        assert_eq!(required_endpoints(2, Some(5)), 2);
    }
}

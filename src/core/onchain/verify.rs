//! Compares records with what the chain says (pure): findings per record, a verdict per record, and a verdict
//! for the run.

use super::code::{match_code, CodeMatch, CodeOutcome};
use super::{
    Artifacts, BlockRef, CallOutcome, ChainSnapshot, EndpointOutcome, EndpointResult, Target, IMPLEMENTATION_SLOT,
};
use alloy_primitives::{Address, U256};
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
    RpcDisagreement,
    Unverifiable,
}

impl FindingKind {
    pub const ALL: [FindingKind; 8] = [
        FindingKind::ChainIdMismatch,
        FindingKind::ProxyMissing,
        FindingKind::ImplementationMismatch,
        FindingKind::ImplementationMissing,
        FindingKind::CodeHashMismatch,
        FindingKind::NotUups,
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
            FindingKind::RpcDisagreement => "rpc-disagreement",
            FindingKind::Unverifiable => "unverifiable",
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
}

/// What was learnt about one network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkResult {
    pub chain_id: u64,
    pub block: Option<BlockRef>,
    pub endpoints: Vec<EndpointResult>,
    pub findings: Vec<Finding>,
    pub records: Vec<RecordResult>,
}

/// Verifies the targets of one network against its endpoints' answers.
pub fn verify_network(
    chain_id: u64,
    targets: &[Target],
    endpoints: Vec<EndpointResult>,
    artifacts: &Artifacts,
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
        return NetworkResult { chain_id, block: None, endpoints, findings, records };
    }
    let Some((_, first)) = snapshots.first().copied() else {
        let mut why: Vec<String> = endpoints
            .iter()
            .map(|e| match &e.outcome {
                EndpointOutcome::Failed(reason) => format!("{}: {reason}", e.endpoint),
                _ => e.endpoint.clone(),
            })
            .collect();
        if why.is_empty() {
            why.push("no RPC endpoint was given for this chain (--rpc or --networks)".to_string());
        }
        for t in targets {
            findings.push(Finding {
                chain_id,
                contract: Some(t.contract.clone()),
                kind: FindingKind::Unverifiable,
                expected: Value::Null,
                actual: Value::Null,
                detail: why.join("; "),
            });
        }
        let records = unverifiable("rpc failed");
        return NetworkResult { chain_id, block: None, endpoints, findings, records };
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
    NetworkResult { chain_id, block, endpoints, findings, records }
}

fn reason_static(reason: &str) -> &'static str {
    match reason {
        "wrong chain" => "wrong chain",
        _ => "rpc failed",
    }
}

fn record(t: &Target, verdict: Verdict, code_match: Option<CodeMatch>, unchecked: Vec<&'static str>) -> RecordResult {
    RecordResult { chain_id: t.chain_id, contract: t.contract.clone(), verdict, code_match, unchecked }
}

fn network_finding(chain_id: u64, kind: FindingKind, expected: Value, actual: Value, detail: &str) -> Finding {
    Finding { chain_id, contract: None, kind, expected, actual, detail: detail.to_string() }
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
                let key = (p, IMPLEMENTATION_SLOT);
                if first.storage.get(&key) != other.storage.get(&key) {
                    what.push("implementation slot");
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
    let mut found = |kind, expected: Value, actual: Value, detail: String| {
        findings.push(Finding {
            chain_id: t.chain_id,
            contract: Some(t.contract.clone()),
            kind,
            expected,
            actual,
            detail,
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
            // A missing proxy or implementation makes the slot and proxiableUUID() checks moot: report the cause only.
            let proxy_missing = s.code.get(&proxy).is_none_or(|c| c.is_empty());
            if proxy_missing {
                found(
                    FindingKind::ProxyMissing,
                    json!(proxy.to_checksum(None)),
                    json!("no code"),
                    "no code at the proxy address".into(),
                );
            }
            let word = s.storage.get(&(proxy, IMPLEMENTATION_SLOT)).copied().unwrap_or(U256::ZERO);
            if !proxy_missing && slot_address(word) != Some(t.implementation) {
                found(
                    FindingKind::ImplementationMismatch,
                    json!(t.implementation_text),
                    json!(slot_text(word)),
                    "EIP-1967 implementation slot of the proxy".into(),
                );
            }
            let uups = if code.is_empty() {
                None
            } else {
                s.calls.get(&(t.implementation, alloy_primitives::Bytes::copy_from_slice(&super::PROXIABLE_UUID)))
            };
            match uups {
                Some(CallOutcome::Returned(out)) if out.as_ref() == IMPLEMENTATION_SLOT.as_slice() => {}
                Some(CallOutcome::Returned(out)) => found(
                    FindingKind::NotUups,
                    json!(format!("{IMPLEMENTATION_SLOT:#x}")),
                    json!(format!("{out}")),
                    "proxiableUUID() returned another value".into(),
                ),
                Some(CallOutcome::Reverted(why)) => found(
                    FindingKind::NotUups,
                    json!(format!("{IMPLEMENTATION_SLOT:#x}")),
                    json!("reverted"),
                    format!("proxiableUUID() reverted: {why}"),
                ),
                None => {}
            }
        }
    }
    let (code_match, unverifiable) = check_code(t, &code, artifacts, &mut unchecked, &mut found);
    let drift = findings[before..].iter().any(|f| f.kind.is_drift());
    let verdict = if drift {
        Verdict::Drift
    } else if unverifiable {
        Verdict::Unverifiable
    } else if unchecked.is_empty() {
        Verdict::Verified
    } else {
        Verdict::Partial
    };
    record(t, verdict, code_match, unchecked)
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

/// The address in a storage word, if the word holds one (upper 12 bytes zero).
fn slot_address(word: U256) -> Option<Address> {
    let bytes = word.to_be_bytes::<32>();
    bytes[..12].iter().all(|b| *b == 0).then(|| Address::from_slice(&bytes[12..]))
}

fn slot_text(word: U256) -> String {
    match slot_address(word) {
        Some(a) if !a.is_zero() => a.to_checksum(None),
        Some(_) => "empty slot".to_string(),
        None => format!("{word:#x}"),
    }
}

/// The exit-code class of a whole run: the precedence table of the README, in code.
pub fn run_verdict(networks: &[NetworkResult]) -> Verdict {
    let all = networks.iter().flat_map(|n| n.records.iter().map(|r| r.verdict));
    let findings = networks.iter().flat_map(|n| n.findings.iter());
    let worst_record = all.min().unwrap_or(Verdict::Verified);
    let network_unverifiable = findings.clone().any(|f| !f.kind.is_drift());
    match worst_record {
        Verdict::Drift => Verdict::Drift,
        _ if network_unverifiable => Verdict::Unverifiable,
        other => other,
    }
}

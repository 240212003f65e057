//! The proxy checks of one record against a snapshot (pure): its kind, the implementation it runs, its admin and
//! `proxiableUUID()`; and how a storage word reads as an address.

use super::reads::BEACON_IMPLEMENTATION;
use super::verify::{FindingKind, ProxyInfo};
use super::{CallOutcome, ChainSnapshot, ProxyKind, Target, ADMIN_SLOT, BEACON_SLOT, IMPLEMENTATION_SLOT};
use alloy_primitives::{Address, U256};
use serde_json::{json, Value};

/// A finding about the proxy: kind, expected, actual, detail.
pub type ProxyFinding = (FindingKind, Value, Value, String);

/// The proxy checks of one record, apart from the code-hash checks: the proxy's kind (beacon slot set: beacon;
/// admin slot set or a source says so: transparent; else UUPS), the implementation it runs (the implementation
/// slot, or the beacon's `implementation()`), the admin a source declares, and `proxiableUUID()` for UUPS proxies
/// only. A missing proxy or implementation makes the slot and proxiableUUID() checks moot: only the cause is
/// reported.
pub fn check_proxy(
    t: &Target,
    proxy: Address,
    s: &ChainSnapshot,
    implementation_missing: bool,
) -> (Option<ProxyInfo>, Vec<ProxyFinding>) {
    let mut out: Vec<ProxyFinding> = Vec::new();
    if s.code.get(&proxy).is_none_or(|c| c.is_empty()) {
        let detail = "no code at the proxy address".to_string();
        out.push((FindingKind::ProxyMissing, json!(proxy.to_checksum(None)), json!("no code"), detail));
        return (None, out);
    }
    let word = |slot| s.storage.get(&(proxy, slot)).copied().unwrap_or(U256::ZERO);
    let set = |slot| slot_address(word(slot)).filter(|a| !a.is_zero());
    let (admin, beacon) = (set(ADMIN_SLOT), set(BEACON_SLOT));
    let kind = match (beacon, admin) {
        (Some(_), _) => ProxyKind::Beacon,
        (None, Some(_)) => ProxyKind::Transparent,
        (None, None) => t.declared_kind.unwrap_or(ProxyKind::Uups),
    };
    let info = ProxyInfo { kind, admin, beacon };
    match (kind, beacon) {
        (ProxyKind::Beacon, Some(b)) => {
            let key = (b, alloy_primitives::Bytes::copy_from_slice(&BEACON_IMPLEMENTATION));
            let expected = json!(t.implementation_text);
            let beacon_text = b.to_checksum(None);
            match s.calls.get(&key) {
                Some(CallOutcome::Returned(ret)) => {
                    let answered = (ret.len() == 32).then(|| U256::from_be_slice(ret)).and_then(slot_address);
                    if answered != Some(t.implementation) {
                        let actual = answered.map_or(format!("{ret}"), |a| a.to_checksum(None));
                        let detail = format!("implementation() of the proxy's beacon {beacon_text}");
                        out.push((FindingKind::ImplementationMismatch, expected, json!(actual), detail));
                    }
                }
                Some(CallOutcome::Reverted(why)) => {
                    let detail = format!("implementation() of the proxy's beacon {beacon_text} reverted: {why}");
                    out.push((FindingKind::ImplementationMismatch, expected, json!("reverted"), detail));
                }
                None => {
                    let detail = format!("implementation() of the proxy's beacon {beacon_text} was not read");
                    out.push((FindingKind::Unverifiable, expected, Value::Null, detail));
                }
            }
        }
        _ => {
            let word = word(IMPLEMENTATION_SLOT);
            if slot_address(word) != Some(t.implementation) {
                let detail = "EIP-1967 implementation slot of the proxy".to_string();
                out.push((
                    FindingKind::ImplementationMismatch,
                    json!(t.implementation_text),
                    json!(slot_text(word)),
                    detail,
                ));
            }
        }
    }
    if let Some(expected) = t.expected_admin {
        if admin != Some(expected) {
            let actual = admin.map_or("empty slot".to_string(), |a| a.to_checksum(None));
            let detail = "EIP-1967 admin slot of the proxy".to_string();
            out.push((FindingKind::AdminMismatch, json!(expected.to_checksum(None)), json!(actual), detail));
        }
    }
    if kind == ProxyKind::Uups && !implementation_missing {
        let uups = s.calls.get(&(t.implementation, alloy_primitives::Bytes::copy_from_slice(&super::PROXIABLE_UUID)));
        let expected = json!(format!("{IMPLEMENTATION_SLOT:#x}"));
        match uups {
            Some(CallOutcome::Returned(ret)) if ret.as_ref() == IMPLEMENTATION_SLOT.as_slice() => {}
            Some(CallOutcome::Returned(ret)) => out.push((
                FindingKind::NotUups,
                expected,
                json!(format!("{ret}")),
                "proxiableUUID() returned another value".into(),
            )),
            Some(CallOutcome::Reverted(why)) => out.push((
                FindingKind::NotUups,
                expected,
                json!("reverted"),
                format!("proxiableUUID() reverted: {why}"),
            )),
            None => {}
        }
    }
    (Some(info), out)
}

/// The address in a storage word, if the word holds one (upper 12 bytes zero).
pub fn slot_address(word: U256) -> Option<Address> {
    let bytes = word.to_be_bytes::<32>();
    bytes[..12].iter().all(|b| *b == 0).then(|| Address::from_slice(&bytes[12..]))
}

pub fn slot_text(word: U256) -> String {
    match slot_address(word) {
        Some(a) if !a.is_zero() => a.to_checksum(None),
        Some(_) => "empty slot".to_string(),
        None => format!("{word:#x}"),
    }
}

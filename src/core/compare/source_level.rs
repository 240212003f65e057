//! What a source says besides its records, compared: the files claiming each chain, proxy admins stated once per
//! chain, proxies listed without a contract name, entries that are not valid records, files changed since
//! migration.

use super::*;

/// Files of `side`'s migrated folder that differ from its manifest (unless the other side shows the very same
/// change: a folder compared with itself agrees). A file-level finding: no contract, no field.
pub(super) fn changed_files(state: &SourceState, other: &SourceState, side: Side, out: &mut Vec<Discrepancy>) {
    for change in state.changed_files.iter().filter(|c| !other.changed_files.contains(c)) {
        let shown = json!({
            "file": change.file,
            "change": change.change.name(),
            "manifestSha256": change.manifest_sha256,
            "sha256": change.sha256,
        });
        let (left, right) = side.place(shown);
        let at = Location::file(format!("{}/{}", state.label.trim_end_matches('/'), change.file));
        let (left_at, right_at) = side.order(Some(at), None);
        let chain_id = change.chain_id.unwrap_or(0);
        let kind = Kind::ChangedSinceMigration;
        out.push(Discrepancy { chain_id, contract: None, kind, field: None, left, right, left_at, right_at });
    }
}

/// Proxy admins: a chain's admin (stated once per chain) against every record of the other side on that chain
/// that holds a `proxyAdmin`; two sides stating a chain's admin must state the same one.
pub(super) fn admins(left: &SourceState, right: &SourceState, out: &mut Vec<Discrepancy>) {
    for (stating, other, side) in [(left, right, Side::Left), (right, left, Side::Right)] {
        for admin in &stating.admins {
            let theirs: Vec<_> = other.admins.iter().filter(|a| a.chain_id == admin.chain_id).collect();
            if !theirs.is_empty() {
                if side == Side::Left && !theirs.iter().any(|a| a.address.address() == admin.address.address()) {
                    out.push(Discrepancy {
                        chain_id: admin.chain_id,
                        contract: None,
                        kind: Kind::AddressMismatch,
                        field: Some(Field::ProxyAdmin),
                        left: json!(admin.address.text()),
                        right: json!(theirs[0].address.text()),
                        left_at: admin.at.clone(),
                        right_at: theirs[0].at.clone(),
                    });
                }
                continue;
            }
            if other.format.keeps_history() {
                let kind = if side == Side::Left { Kind::MissingInRight } else { Kind::MissingInLeft };
                let (l, r) = side.place(json!({"proxyAdmin": admin.address.text(), "origin": admin.origin}));
                let (left_at, right_at) = side.order(admin.at.clone(), None);
                out.push(Discrepancy {
                    chain_id: admin.chain_id,
                    contract: None,
                    kind,
                    field: Some(Field::ProxyAdmin),
                    left: l,
                    right: r,
                    left_at,
                    right_at,
                });
                continue;
            }
            for record in other.records.iter().filter(|r| r.chain_id == admin.chain_id) {
                let Some(held) = record_proxy_admin(record) else { continue };
                if held.address() != admin.address.address() {
                    let (l, r) = side.order(json!(admin.address.text()), json!(held.text()));
                    let (left_at, right_at) = side.order(admin.at.clone(), record_at(record, Some(Field::ProxyAdmin)));
                    out.push(Discrepancy {
                        chain_id: admin.chain_id,
                        contract: Some(canonical(&record.name).to_string()),
                        kind: Kind::AddressMismatch,
                        field: Some(Field::ProxyAdmin),
                        left: l,
                        right: r,
                        left_at,
                        right_at,
                    });
                }
            }
        }
    }
}

/// Invalid records a side holds that the other side does not hold byte for byte.
pub(super) fn invalid_records(left: &SourceState, right: &SourceState, out: &mut Vec<Discrepancy>) {
    for (this, other, side) in [(left, right, Side::Left), (right, left, Side::Right)] {
        for bad in &this.invalid {
            if other.invalid.iter().any(|o| o.raw_key == bad.raw_key && o.raw_value == bad.raw_value) {
                continue;
            }
            let shown = json!({"key": bad.key, "problems": bad.problems, "origin": bad.origin});
            let (l, r) = side.place(shown);
            let (left_at, right_at) = side.order(bad.at.clone(), None);
            out.push(Discrepancy {
                chain_id: bad.chain_id.unwrap_or(0),
                contract: Some(bad.key.clone()),
                kind: Kind::InvalidRecord,
                field: None,
                left: l,
                right: r,
                left_at,
                right_at,
            });
        }
    }
}

/// The claims of a side that are a conflict: several files for one chain id, or a file whose network name the
/// network table gives to another chain.
pub(super) fn conflicting_claims(state: &SourceState) -> BTreeMap<u64, Vec<&ChainClaim>> {
    let mut by_chain: BTreeMap<u64, Vec<&ChainClaim>> = BTreeMap::new();
    for claim in &state.chain_claims {
        by_chain.entry(claim.chain_id).or_default().push(claim);
    }
    by_chain.retain(|_, claims| claims.len() > 1 || claims.iter().any(|c| c.misnamed()));
    by_chain
}

pub(super) fn claims_json(claims: &[&ChainClaim]) -> Value {
    Value::Array(claims.iter().map(|c| json!({"origin": c.origin, "network": c.network})).collect())
}

pub(super) fn chain_conflicts(left: &SourceState, right: &SourceState, out: &mut Vec<Discrepancy>) {
    let (l, r) = (conflicting_claims(left), conflicting_claims(right));
    let chains: BTreeSet<&u64> = l.keys().chain(r.keys()).collect();
    for chain in chains {
        let (lc, rc) = (l.get(chain), r.get(chain));
        if lc == rc {
            continue; // the same conflict on both sides is not a disagreement
        }
        // The claim to look at: a misnamed one, else the second file claiming the chain.
        let at = |claims: Option<&Vec<&ChainClaim>>| {
            let claims = claims?;
            claims.iter().find(|c| c.misnamed()).or(claims.get(1)).or(claims.first()).and_then(|c| c.at.clone())
        };
        out.push(Discrepancy {
            chain_id: *chain,
            contract: None,
            kind: Kind::ChainConflict,
            field: None,
            left: lc.map_or(Value::Null, |c| claims_json(c)),
            right: rc.map_or(Value::Null, |c| claims_json(c)),
            left_at: at(lc),
            right_at: at(rc),
        });
    }
}

/// Proxies `lister` lists without a contract name, matched against the proxies `other` attributes: a listed proxy
/// nobody has is missing on `other`'s side; an attributed proxy the list lacks is missing on `lister`'s side.
/// Only chains the lister lists proxies for are checked.
pub(super) fn unattributed_proxies(
    other: &SourceState,
    lister: &SourceState,
    lister_side: Side,
    out: &mut Vec<Discrepancy>,
) {
    let chains: BTreeSet<u64> = lister.unattributed_proxies.iter().map(|p| p.chain_id).collect();
    for chain in chains {
        let listed: Vec<_> = lister.unattributed_proxies.iter().filter(|p| p.chain_id == chain).collect();
        let attributed: Vec<(&StateRecord, alloy_primitives::Address)> = other
            .records
            .iter()
            .filter(|r| r.chain_id == chain)
            .filter_map(|r| match r.get(Field::ProxyAddress) {
                FieldValue::Address(a) => Some((r, a.address())),
                _ => None,
            })
            .collect();
        let also_listed = |p: &UnattributedProxy| {
            other.unattributed_proxies.iter().any(|o| o.chain_id == chain && o.address.address() == p.address.address())
        };
        for proxy in &listed {
            if !attributed.iter().any(|(_, a)| *a == proxy.address.address()) && !also_listed(proxy) {
                let shown = json!({"proxyAddress": proxy.address.text(), "kind": proxy.kind, "origin": proxy.origin});
                let contract = format!("(unnamed proxy {})", proxy.address.text());
                out.push(held_only_by(lister_side, chain, contract, shown, proxy.at.clone()));
            }
        }
        for (record, address) in &attributed {
            if !listed.iter().any(|p| p.address.address() == *address) {
                let shown = record.get(Field::ProxyAddress).to_json();
                let (contract, at) =
                    (canonical(&record.name).to_string(), record_at(record, Some(Field::ProxyAddress)));
                out.push(held_only_by(lister_side.other(), chain, contract, shown, at));
            }
        }
    }
}

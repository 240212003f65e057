//! `reconcile(left, right, authority)`: the actions that make the other side agree with the authority, and the
//! state that results (pure).
//!
//! Nothing present in either source is dropped: records only the other side holds are kept (or, with `prune`,
//! removed, and each removal is an action); what cannot be decided by rule (a contract held twice, two files for one
//! chain, a proxy nobody names) becomes a conflict for a human.

use super::compare::{group, Kind};
use super::primitives::Checksum;
use super::state::{Field, FieldValue, SourceState, StateRecord};
use serde_json::{json, Value};
use std::collections::BTreeSet;

/// Which side is right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authority {
    Left,
    Right,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A record only the authority holds, added with the fields the other side's format can hold.
    Add {
        chain_id: u64,
        contract: String,
        record: StateRecord,
    },
    UpdateField {
        chain_id: u64,
        contract: String,
        field: Field,
        from: Value,
        to: Value,
    },
    /// A record only the other side holds: kept, and reported.
    KeepExtra {
        chain_id: u64,
        contract: String,
        origin: String,
    },
    /// A record only the other side holds, removed because `--prune` was given.
    Prune {
        chain_id: u64,
        contract: String,
        origin: String,
    },
    /// An invalid entry only the authority holds, carried into the result's quarantine byte for byte.
    AddQuarantined {
        key: String,
    },
    /// Needs a human: no rule decides it.
    Conflict {
        chain_id: u64,
        contract: Option<String>,
        kind: Kind,
        detail: Value,
    },
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::Add { .. } => "add",
            Action::UpdateField { .. } => "update-field",
            Action::KeepExtra { .. } => "keep-extra",
            Action::Prune { .. } => "prune",
            Action::AddQuarantined { .. } => "add-quarantined",
            Action::Conflict { .. } => "conflict",
        }
    }

    /// True for actions that change the other side.
    pub fn changes(&self) -> bool {
        matches!(
            self,
            Action::Add { .. } | Action::UpdateField { .. } | Action::Prune { .. } | Action::AddQuarantined { .. }
        )
    }
}

/// A reconciliation: the actions, and the other side as it is after them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub authority: Authority,
    pub actions: Vec<Action>,
    pub result: SourceState,
}

pub fn reconcile(left: &SourceState, right: &SourceState, authority: Authority, prune: bool) -> Plan {
    let (auth, target) = match authority {
        Authority::Left => (left, right),
        Authority::Right => (right, left),
    };
    let mut actions = Vec::new();
    let mut result = SourceState { records: Vec::new(), ..target.clone() };
    carry_invalid(auth, &mut result, &mut actions);
    let (ga, gt) = (group(auth), group(target));
    let ids: BTreeSet<&(u64, String)> = ga.keys().chain(gt.keys()).collect();
    let holdable = target.format.coverage();
    for id in ids {
        let none = Vec::new();
        let (a, t) = (ga.get(id).unwrap_or(&none), gt.get(id).unwrap_or(&none));
        let (chain_id, contract) = (id.0, id.1.clone());
        let history = auth.format.keeps_history() || target.format.keeps_history();
        match (a.as_slice(), t.as_slice()) {
            (a, t) if history && !a.is_empty() && !t.is_empty() => {
                // A kept history (every implementation a contract had) is not a duplicate: the record agrees
                // when its implementation is one of the history's; which one is current no rule here decides.
                let (single, many) = if auth.format.keeps_history() { (t, a) } else { (a, t) };
                let address = |r: &StateRecord| match r.get(Field::Implementation) {
                    FieldValue::Address(x) => Some(x.address()),
                    _ => None,
                };
                let known =
                    single.iter().all(|s| many.iter().any(|m| address(m).is_some() && address(m) == address(s)));
                if !known {
                    let shown = |rs: &[StateRecord]| {
                        Value::Array(rs.iter().map(|r| r.get(Field::Implementation).to_json()).collect())
                    };
                    let detail = json!({"authority": shown(a), "other": shown(t)});
                    actions.push(Action::Conflict {
                        chain_id,
                        contract: Some(contract.clone()),
                        kind: Kind::AddressMismatch,
                        detail,
                    });
                }
                for kept in t {
                    // An implementation the authority spells with the right checksum takes its spelling.
                    let spelled = a.iter().find(|r| address(r).is_some() && address(r) == address(kept));
                    match spelled {
                        Some(want) if !auth.format.keeps_history() => {
                            result.records.push(updated(want, kept, &holdable, &contract, &mut actions))
                        }
                        _ => result.records.push(kept.clone()),
                    }
                }
            }
            ([], extra) => keep_or_prune(chain_id, &contract, extra, prune, &mut result, &mut actions),
            ([one], []) => {
                let record = restricted(one, &holdable);
                actions.push(Action::Add { chain_id, contract, record: record.clone() });
                result.records.push(record);
            }
            ([one], [other]) => {
                let merged = updated(one, other, &holdable, &contract, &mut actions);
                result.records.push(merged);
            }
            (many, kept) => {
                let detail = json!({"authority": names(many), "other": names(kept)});
                actions.push(Action::Conflict {
                    chain_id,
                    contract: Some(contract),
                    kind: Kind::DuplicateRecord,
                    detail,
                });
                let source = if kept.is_empty() { many } else { kept };
                result.records.extend(source.iter().map(|r| restricted(r, &holdable)));
            }
        }
    }
    side_conflicts(auth, target, &mut actions);
    Plan { authority, actions, result }
}

fn names(records: &[StateRecord]) -> Value {
    Value::Array(records.iter().map(|r| Value::String(r.name.clone())).collect())
}

fn keep_or_prune(
    chain_id: u64,
    contract: &str,
    extra: &[StateRecord],
    prune: bool,
    result: &mut SourceState,
    actions: &mut Vec<Action>,
) {
    for record in extra {
        let (contract, origin) = (contract.to_string(), record.origin.clone());
        if prune {
            actions.push(Action::Prune { chain_id, contract, origin });
        } else {
            actions.push(Action::KeepExtra { chain_id, contract, origin });
            result.records.push(record.clone());
        }
    }
}

/// The authority's record limited to the fields the other format can hold.
fn restricted(record: &StateRecord, holdable: &BTreeSet<Field>) -> StateRecord {
    let covered: BTreeSet<Field> = record.covered.intersection(holdable).copied().collect();
    let fields = record.fields.iter().filter(|(f, _)| covered.contains(f)).map(|(f, v)| (*f, v.clone())).collect();
    StateRecord { covered, fields, ..record.clone() }
}

/// The other side's record with every field the authority has (and the other format can hold) set to the
/// authority's value; an address equal but for its checksum takes the authority's spelling.
fn updated(
    auth: &StateRecord,
    other: &StateRecord,
    holdable: &BTreeSet<Field>,
    contract: &str,
    actions: &mut Vec<Action>,
) -> StateRecord {
    let mut merged = other.clone();
    for field in auth.covered.intersection(holdable) {
        let (want, have) = (auth.get(*field), other.get(*field));
        let covered = other.covered.contains(field);
        let differs = !want.same_as(have) || checksum_wrong(want) != checksum_wrong(have);
        if (covered && !differs) || (!covered && *want == FieldValue::Absent) {
            continue; // nothing to change: equal, or nothing to add where the other side had no place for it
        }
        let from = if covered { have.to_json() } else { Value::Null };
        actions.push(Action::UpdateField {
            chain_id: auth.chain_id,
            contract: contract.to_string(),
            field: *field,
            from,
            to: want.to_json(),
        });
        merged.covered.insert(*field);
        merged.fields.insert(*field, want.clone());
    }
    merged
}

fn checksum_wrong(value: &FieldValue) -> bool {
    matches!(value, FieldValue::Address(a) if a.checksum() == Checksum::Wrong)
}

/// Invalid entries only the authority holds go into the result, byte for byte.
fn carry_invalid(auth: &SourceState, result: &mut SourceState, actions: &mut Vec<Action>) {
    for bad in &auth.invalid {
        let held = result.invalid.iter().any(|o| o.raw_key == bad.raw_key && o.raw_value == bad.raw_value);
        if !held {
            actions.push(Action::AddQuarantined { key: bad.key.clone() });
            result.invalid.push(bad.clone());
        }
    }
}

/// Chain conflicts and unnamed proxies of either side: nothing a rule can settle.
fn side_conflicts(auth: &SourceState, target: &SourceState, actions: &mut Vec<Action>) {
    for state in [auth, target] {
        let mut chains: Vec<u64> = state.chain_claims.iter().map(|c| c.chain_id).collect();
        chains.sort_unstable();
        chains.dedup();
        for chain in chains {
            let claims: Vec<_> = state.chain_claims.iter().filter(|c| c.chain_id == chain).collect();
            if claims.len() > 1 || claims.iter().any(|c| c.misnamed()) {
                let detail = json!({"source": state.label, "files": claims.iter().map(|c| json!({"origin": c.origin, "network": c.network})).collect::<Vec<_>>()});
                actions.push(Action::Conflict { chain_id: chain, contract: None, kind: Kind::ChainConflict, detail });
            }
        }
    }
    for proxy in &auth.unattributed_proxies {
        let named = target.records.iter().any(|r| {
            r.chain_id == proxy.chain_id && matches!(r.get(Field::ProxyAddress), FieldValue::Address(a) if a.address() == proxy.address.address())
        });
        if !named {
            let detail = json!({"proxyAddress": proxy.address.text(), "origin": proxy.origin});
            actions.push(Action::Conflict {
                chain_id: proxy.chain_id,
                contract: None,
                kind: Kind::MissingInRight,
                detail,
            });
        }
    }
}

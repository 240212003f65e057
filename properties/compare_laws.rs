//! Laws of `compare` and `reconcile` over generated record sets, in every format that can hold them.

use crate::format_writers::state_in;
use crate::strategies::{check, record_spec, RecordSpec};
use lookcoin_state::core::aliases::canonical;
use lookcoin_state::core::compare::{compare, Discrepancy, Kind};
use lookcoin_state::core::reconcile::{reconcile, Action, Authority};
use lookcoin_state::core::record::SourceEntries;
use lookcoin_state::core::state::{Field, SourceFormat, SourceState, StateRecord};
use proptest::prelude::*;
use std::collections::BTreeSet;

/// Valid records with one record per (chain id, canonical name), so a single change is a single disagreement.
fn record_set() -> impl Strategy<Value = Vec<RecordSpec>> {
    prop::collection::vec(record_spec(), 0..10).prop_map(|specs| {
        let mut seen = BTreeSet::new();
        specs.into_iter().filter(|s| seen.insert((s.chain_id, canonical(&s.name).to_string()))).collect()
    })
}

fn entries(specs: &[RecordSpec]) -> SourceEntries {
    specs.iter().map(|s| (s.key(), s.compact())).collect()
}

#[test]
fn a_source_compared_with_itself_is_empty_in_every_format() {
    check(48, record_set(), |specs| {
        let e = entries(&specs);
        for format in SourceFormat::ALL {
            let d = compare(&state_in(format, &e), &state_in(format, &e));
            prop_assert!(d.is_empty(), "{format}: {d:#?}");
        }
        Ok(())
    });
}

#[test]
fn leveldb_agrees_with_its_rendering_in_every_format_on_covered_fields() {
    check(48, record_set(), |specs| {
        let e = entries(&specs);
        let leveldb = state_in(SourceFormat::LevelDb, &e);
        for format in SourceFormat::ALL {
            let d = compare(&leveldb, &state_in(format, &e));
            prop_assert!(d.is_empty(), "leveldb vs {format}: {d:#?}");
        }
        Ok(())
    });
}

/// One change to one field of one record.
#[derive(Debug, Clone)]
enum Mutation {
    Address,
    Proxy,
    ImplementationHash,
    FactoryHash,
    Args,
    Timestamp,
    NetworkName,
    Remove,
}

fn mutated(spec: &RecordSpec, m: &Mutation) -> Option<(RecordSpec, Option<Field>)> {
    let mut s = spec.clone();
    let other_address = |a: &str| {
        if a.to_lowercase().ends_with('1') {
            format!("{}2", &a[..a.len() - 1])
        } else {
            format!("{}1", &a[..a.len() - 1])
        }
    };
    let field = match m {
        Mutation::Address => {
            s.address = other_address(&s.address).to_lowercase();
            Field::Implementation
        }
        Mutation::Proxy => {
            s.proxy_address = match &s.proxy_address {
                Some(_) => None,
                None => Some(other_address(&s.address).to_lowercase()),
            };
            Field::ProxyAddress
        }
        Mutation::ImplementationHash => {
            s.implementation_hash = match &s.implementation_hash {
                Some(h) if h == &format!("0x{}", "ab".repeat(32)) => None,
                _ => Some(format!("0x{}", "ab".repeat(32))),
            };
            Field::ImplementationHash
        }
        Mutation::FactoryHash => {
            s.factory_hash = if s.factory_hash.is_empty() { format!("0x{}", "cd".repeat(32)) } else { String::new() };
            Field::FactoryBytecodeHash
        }
        Mutation::Args => {
            s.deployment_args = match &s.deployment_args {
                None => Some(vec![]),
                Some(_) => None,
            };
            Field::DeploymentArgs
        }
        Mutation::Timestamp => {
            s.timestamp = s.timestamp.wrapping_add(1).min(u64::MAX - 1);
            if s.timestamp == spec.timestamp {
                return None;
            }
            Field::Timestamp
        }
        Mutation::NetworkName => {
            s.network_name.push('x');
            Field::NetworkName
        }
        Mutation::Remove => return Some((s, None)),
    };
    Some((s, Some(field)))
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Address),
        Just(Mutation::Proxy),
        Just(Mutation::ImplementationHash),
        Just(Mutation::FactoryHash),
        Just(Mutation::Args),
        Just(Mutation::Timestamp),
        Just(Mutation::NetworkName),
        Just(Mutation::Remove),
    ]
}

/// `specs` with record `i` mutated by `m` (or removed), and the field changed (`None`: removed); `None` when `m`
/// does not apply to that record.
fn with_mutation(specs: &[RecordSpec], i: usize, m: &Mutation) -> Option<(Vec<RecordSpec>, Option<Field>)> {
    let (changed, field) = mutated(&specs[i], m)?;
    let mut right = specs.to_vec();
    match field {
        Some(_) => right[i] = changed,
        None => {
            right.remove(i);
        }
    }
    Some((right, field))
}

#[test]
fn one_mutation_yields_exactly_one_discrepancy() {
    let cases = (record_set().prop_filter("non-empty", |s| !s.is_empty()), any::<prop::sample::Index>(), mutation());
    check(96, cases, |(specs, index, m)| {
        let i = index.index(specs.len());
        let Some((right, field)) = with_mutation(&specs, i, &m) else { return Ok(()) };
        let (l, r) =
            (state_in(SourceFormat::LevelDb, &entries(&specs)), state_in(SourceFormat::LevelDb, &entries(&right)));
        let d = compare(&l, &r);
        prop_assert_eq!(d.len(), 1, "{:?} on {}: {:#?}", m, specs[i].name, d);
        let expected_kind = field.map_or(Kind::MissingInRight, Kind::of_field);
        prop_assert_eq!(
            (d[0].chain_id, d[0].contract.as_deref(), d[0].field, d[0].kind),
            (specs[i].chain_id, Some(canonical(&specs[i].name)), field, expected_kind)
        );
        Ok(())
    });
}

/// The record of `spec`'s identity in a rendering, if the rendering holds it.
fn record_in<'a>(state: &'a SourceState, spec: &RecordSpec) -> Option<&'a StateRecord> {
    state.records.iter().find(|r| r.chain_id == spec.chain_id && canonical(&r.name) == canonical(&spec.name))
}

#[test]
fn one_mutation_yields_exactly_one_discrepancy_in_every_format_that_holds_the_field() {
    let cases = (record_set().prop_filter("non-empty", |s| !s.is_empty()), any::<prop::sample::Index>(), mutation());
    check(64, cases, |(specs, index, m)| {
        let i = index.index(specs.len());
        let Some((right, field)) = with_mutation(&specs, i, &m) else { return Ok(()) };
        for format in SourceFormat::ALL {
            let (l, r) = (state_in(format, &entries(&specs)), state_in(format, &entries(&right)));
            let d = compare(&l, &r);
            let unattributed = !l.unattributed_proxies.is_empty() || !r.unattributed_proxies.is_empty();
            let (expected, contract) = match field {
                // A removed record; a format listing proxies apart from records also loses the proxy.
                None => (1 + usize::from(unattributed && specs[i].proxy_address.is_some()), None),
                Some(Field::ProxyAddress) if unattributed => (1, None),
                Some(f) => {
                    let held = |s: &SourceState| record_in(s, &specs[i]).is_some_and(|rec| rec.covered.contains(&f));
                    (usize::from(held(&l) && held(&r)), Some(canonical(&specs[i].name)))
                }
            };
            prop_assert_eq!(d.len(), expected, "{}: {:?} on {}: {:#?}", format, m, specs[i].name, d);
            if expected == 1 && contract.is_some() {
                let f = field.expect("a field mutation");
                prop_assert_eq!(
                    (d[0].chain_id, d[0].contract.as_deref(), d[0].field, d[0].kind),
                    (specs[i].chain_id, contract, Some(f), Kind::of_field(f)),
                    "{}",
                    format
                );
            }
            if field.is_none() {
                prop_assert!(d.iter().all(|x| x.kind == Kind::MissingInRight), "{format}: {d:#?}");
            }
        }
        // Every format holds the implementation address: its change is never silent.
        if matches!(m, Mutation::Address) {
            for format in SourceFormat::ALL {
                let (l, r) = (state_in(format, &entries(&specs)), state_in(format, &entries(&right)));
                prop_assert_eq!(compare(&l, &r).len(), 1, "{}", format);
            }
        }
        Ok(())
    });
}

fn mirrored(d: &Discrepancy) -> Discrepancy {
    let kind = match d.kind {
        Kind::MissingInLeft => Kind::MissingInRight,
        Kind::MissingInRight => Kind::MissingInLeft,
        other => other,
    };
    Discrepancy { kind, left: d.right.clone(), right: d.left.clone(), ..d.clone() }
}

fn sorted(mut d: Vec<Discrepancy>) -> Vec<Discrepancy> {
    d.sort_by_cached_key(|x| {
        (x.chain_id, x.contract.clone(), x.kind, x.field, x.left.to_string(), x.right.to_string())
    });
    d
}

/// Two sources that share some records.
fn two_sources() -> impl Strategy<Value = (Vec<RecordSpec>, Vec<RecordSpec>)> {
    (record_set(), record_set(), record_set()).prop_map(|(shared, a, b)| {
        let mut left = shared.clone();
        left.extend(a);
        let mut right = shared;
        right.extend(b);
        (left, right)
    })
}

#[test]
fn swapping_sides_mirrors_every_discrepancy() {
    check(64, two_sources(), |(a, b)| {
        let (l, r) = (state_in(SourceFormat::LevelDb, &entries(&a)), state_in(SourceFormat::LevelDb, &entries(&b)));
        let forward: Vec<Discrepancy> = compare(&l, &r).iter().map(mirrored).collect();
        prop_assert_eq!(sorted(forward), sorted(compare(&r, &l)));
        Ok(())
    });
}

#[test]
fn after_reconcile_the_result_agrees_with_the_authority_and_nothing_is_lost() {
    check(64, (two_sources(), any::<bool>()), |((a, b), prune)| {
        let (l, r) = (state_in(SourceFormat::LevelDb, &entries(&a)), state_in(SourceFormat::LevelDb, &entries(&b)));
        let plan = reconcile(&l, &r, Authority::Left, prune);
        let conflicts: BTreeSet<(u64, Option<String>)> = plan
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Conflict { chain_id, contract, .. } => Some((*chain_id, contract.clone())),
                _ => None,
            })
            .collect();
        for d in compare(&l, &plan.result) {
            let kept_extra = d.kind == Kind::MissingInLeft && !prune;
            prop_assert!(
                kept_extra || conflicts.contains(&(d.chain_id, d.contract.clone())),
                "left after reconcile: {d:#?}"
            );
        }
        let ids = |specs: &[RecordSpec]| {
            specs.iter().map(|s| (s.chain_id, canonical(&s.name).to_string())).collect::<BTreeSet<_>>()
        };
        let result: BTreeSet<(u64, String)> =
            plan.result.records.iter().map(|r| (r.chain_id, canonical(&r.name).to_string())).collect();
        let must_keep: BTreeSet<_> = if prune { ids(&a) } else { ids(&a).union(&ids(&b)).cloned().collect() };
        prop_assert!(must_keep.is_subset(&result), "lost: {:?}", must_keep.difference(&result).collect::<Vec<_>>());
        Ok(())
    });
}

#[test]
fn reconcile_is_idempotent() {
    check(64, two_sources(), |(a, b)| {
        let (l, r) = (state_in(SourceFormat::LevelDb, &entries(&a)), state_in(SourceFormat::LevelDb, &entries(&b)));
        let once = reconcile(&l, &r, Authority::Left, false);
        let twice = reconcile(&l, &once.result, Authority::Left, false);
        let changes: Vec<&Action> = twice.actions.iter().filter(|a| a.changes()).collect();
        prop_assert!(changes.is_empty(), "second reconcile still changes: {changes:#?}");
        let key = |s: &lookcoin_state::core::state::SourceState| {
            let mut v: Vec<String> =
                s.records.iter().map(|r| format!("{} {} {}", r.chain_id, r.name, r.to_json())).collect();
            v.sort();
            v
        };
        prop_assert_eq!(key(&once.result), key(&twice.result));
        Ok(())
    });
}

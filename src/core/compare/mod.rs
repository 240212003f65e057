//! `compare(left, right)`: every disagreement between two sources, field by field (pure).
//!
//! A discrepancy is a disagreement between the two sides. Problems a source has on its own (an invalid record, a
//! contract held twice, two files claiming one chain) are reported only when the other side does not hold the very
//! same problem, so comparing a LevelDB with its own migration is empty.
//!
//! Here: the kinds, the discrepancy, and the comparison of each contract's records field by field; `history` holds
//! the comparisons against formats that keep every implementation (OpenZeppelin manifests), `source_level` what a
//! source says besides its records (chain claims, admins, listed proxies, invalid entries, changed files).

mod history;
mod source_level;

use super::aliases::canonical;
use super::formats::openzeppelin::is_unnamed;
use super::location::Location;
use super::primitives::Checksum;
use super::state::{record_proxy_admin, ChainClaim, Field, FieldValue, SourceState, StateRecord, UnattributedProxy};
use history::{against_history, compare_histories, unnamed_addresses, unnamed_implementations};
use serde_json::{json, Value};
use source_level::{admins, chain_conflicts, changed_files, invalid_records, unattributed_proxies};
use std::collections::{BTreeMap, BTreeSet};

/// The kinds of discrepancy, with stable names (docs/DOMAIN.md §7 types in brackets).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    MissingInLeft,
    MissingInRight,
    /// Type 1: proxy or implementation address.
    AddressMismatch,
    /// Type 2: implementation hash.
    HashMismatch,
    /// Type 3: args, timestamp, factoryByteCodeHash, networkName, category.
    MetadataMismatch,
    InvalidRecord,
    DuplicateRecord,
    ChainConflict,
    /// A file of a migrated folder that differs from its manifest (edited, added or removed after migration).
    ChangedSinceMigration,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::MissingInLeft,
        Kind::MissingInRight,
        Kind::AddressMismatch,
        Kind::HashMismatch,
        Kind::MetadataMismatch,
        Kind::InvalidRecord,
        Kind::DuplicateRecord,
        Kind::ChainConflict,
        Kind::ChangedSinceMigration,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::MissingInLeft => "missing-in-left",
            Kind::MissingInRight => "missing-in-right",
            Kind::AddressMismatch => "address-mismatch",
            Kind::HashMismatch => "hash-mismatch",
            Kind::MetadataMismatch => "metadata-mismatch",
            Kind::InvalidRecord => "invalid-record",
            Kind::DuplicateRecord => "duplicate-record",
            Kind::ChainConflict => "chain-conflict",
            Kind::ChangedSinceMigration => "changed-since-migration",
        }
    }

    /// The kind of a disagreement on one field.
    pub fn of_field(field: Field) -> Kind {
        match field {
            Field::Implementation | Field::ProxyAddress => Kind::AddressMismatch,
            Field::ImplementationHash => Kind::HashMismatch,
            _ => Kind::MetadataMismatch,
        }
    }
}

/// Which side of a comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Left,
    Right,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }

    /// `shown` placed on this side of a discrepancy, the other side empty.
    fn place(self, shown: Value) -> (Value, Value) {
        match self {
            Side::Left => (shown, Value::Null),
            Side::Right => (Value::Null, shown),
        }
    }

    /// `mine` on this side and `theirs` on the other, as (left, right).
    fn order<T>(self, mine: T, theirs: T) -> (T, T) {
        match self {
            Side::Left => (mine, theirs),
            Side::Right => (theirs, mine),
        }
    }
}

/// Where a record's field (or the record, for no field) is in its file; `None` for a LevelDB record.
fn record_at(record: &StateRecord, field: Option<Field>) -> Option<Location> {
    record.place_of(field)
}

/// Where the first of some records is.
fn first_at(records: &[StateRecord], field: Option<Field>) -> Option<Location> {
    records.first().and_then(|r| record_at(r, field))
}

/// A proxy address only `side` holds (at `at`): missing on the other side.
fn held_only_by(side: Side, chain_id: u64, contract: String, shown: Value, at: Option<Location>) -> Discrepancy {
    let kind = match side {
        Side::Left => Kind::MissingInRight,
        Side::Right => Kind::MissingInLeft,
    };
    let (left, right) = side.place(shown);
    let (left_at, right_at) = side.order(at, None);
    Discrepancy {
        chain_id,
        contract: Some(contract),
        kind,
        field: Some(Field::ProxyAddress),
        left,
        right,
        left_at,
        right_at,
    }
}

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discrepancy {
    pub chain_id: u64,
    /// The canonical contract name; `None` for a chain-level finding.
    pub contract: Option<String>,
    pub kind: Kind,
    pub field: Option<Field>,
    pub left: Value,
    pub right: Value,
    /// Where each side holds what it shows, when it is a value in a JSON file (the first of several).
    pub left_at: Option<Location>,
    pub right_at: Option<Location>,
}

impl Discrepancy {
    /// A discrepancy about the contract `id` (chain id, canonical name).
    fn about(id: &(u64, String), found: Found) -> Discrepancy {
        let Found { kind, field, shown: (left, right), at: (left_at, right_at) } = found;
        Discrepancy { chain_id: id.0, contract: Some(id.1.clone()), kind, field, left, right, left_at, right_at }
    }

    /// Where to look first: the right side's place (the source being checked, by convention), else the left's.
    pub fn location(&self) -> Option<&Location> {
        self.right_at.as_ref().or(self.left_at.as_ref())
    }
}

/// Compares two sources. The result is sorted by chain id, contract, kind, field.
pub fn compare(left: &SourceState, right: &SourceState) -> Vec<Discrepancy> {
    let mut out = Vec::new();
    chain_conflicts(left, right, &mut out);
    invalid_records(left, right, &mut out);
    let (l, r) = (group(left), group(right));
    let identities: BTreeSet<&(u64, String)> = l.keys().chain(r.keys()).collect();
    let history = (left.format.keeps_history(), right.format.keeps_history());
    for id in identities {
        let none = Vec::new();
        let (a, b) = (l.get(id).unwrap_or(&none), r.get(id).unwrap_or(&none));
        match history {
            _ if is_unnamed(&id.1) => {} // matched by address below
            (false, false) => compare_identity(id, a, b, &mut out),
            (true, true) => compare_histories(id, a, b, &mut out),
            (false, true) => against_history(id, a, b, Side::Right, unnamed_addresses(right, id.0), &mut out),
            (true, false) => against_history(id, b, a, Side::Left, unnamed_addresses(left, id.0), &mut out),
        }
    }
    unnamed_implementations(left, right, Side::Left, &mut out);
    unnamed_implementations(right, left, Side::Right, &mut out);
    unattributed_proxies(left, right, Side::Right, &mut out);
    unattributed_proxies(right, left, Side::Left, &mut out);
    changed_files(left, right, Side::Left, &mut out);
    changed_files(right, left, Side::Right, &mut out);
    admins(left, right, &mut out);
    out.sort_by_cached_key(|d| {
        (d.chain_id, d.contract.clone(), d.kind, d.field, d.left.to_string(), d.right.to_string())
    });
    out
}

/// Records by (chain id, canonical name), with records that agree on everything they both cover merged
/// (a v1 contract listed in `contracts` and again in `protocolContracts` is one record).
pub fn group(state: &SourceState) -> BTreeMap<(u64, String), Vec<StateRecord>> {
    let mut groups: BTreeMap<(u64, String), Vec<StateRecord>> = BTreeMap::new();
    let mut records: Vec<&StateRecord> = state.records.iter().collect();
    records.sort_by(|a, b| (a.chain_id, &a.name, &a.origin).cmp(&(b.chain_id, &b.name, &b.origin)));
    for record in records {
        let slot = groups.entry((record.chain_id, canonical(&record.name).to_string())).or_default();
        match slot.iter_mut().find(|kept| kept.agrees_with(record)) {
            Some(kept) => merge_into(kept, record),
            None => slot.push(record.clone()),
        }
    }
    groups
}

/// Takes into `kept` the fields only `other` covers, each with the place it was read at (a v1 proxy listed in
/// `infrastructureContracts` stays there when its hash comes from `implementationHashes`).
fn merge_into(kept: &mut StateRecord, other: &StateRecord) {
    for field in other.covered.difference(&kept.covered.clone()) {
        kept.covered.insert(*field);
        if let Some(v) = other.fields.get(field) {
            kept.fields.insert(*field, v.clone());
        }
        if let (Some(place), Some(at)) = (kept.place.as_mut(), other.place_of(Some(*field))) {
            std::sync::Arc::make_mut(place).elsewhere.push((*field, at));
        }
    }
}

/// A discrepancy about one contract: what each side shows and where.
struct Found {
    kind: Kind,
    field: Option<Field>,
    shown: (Value, Value),
    at: (Option<Location>, Option<Location>),
}

/// A field both records cover and disagree on, found by [`compare_fields`] or [`unanimous`].
fn field_found(kind: Kind, field: Field, shown: (Value, Value), records: (&StateRecord, &StateRecord)) -> Found {
    let at = (record_at(records.0, Some(field)), record_at(records.1, Some(field)));
    Found { kind, field: Some(field), shown, at }
}

/// The whole records of a side against nothing (or everything) on the other.
fn records_found(kind: Kind, l: &[StateRecord], r: &[StateRecord]) -> Found {
    let json = |rs: &[StateRecord]| if rs.is_empty() { Value::Null } else { records_json(rs) };
    Found { kind, field: None, shown: (json(l), json(r)), at: (first_at(l, None), first_at(r, None)) }
}

fn compare_identity(id: &(u64, String), l: &[StateRecord], r: &[StateRecord], out: &mut Vec<Discrepancy>) {
    let mut push = |found: Found| out.push(Discrepancy::about(id, found));
    match (l, r) {
        ([], []) => {}
        ([], r) => push(records_found(Kind::MissingInLeft, &[], r)),
        (l, []) => push(records_found(Kind::MissingInRight, l, &[])),
        ([a], [b]) => compare_fields(a, b, &mut push),
        (l, r) if names(l) == names(r) => {
            for (a, b) in l.iter().zip(r) {
                compare_fields(a, b, &mut push);
            }
        }
        (l, r) => {
            push(records_found(Kind::DuplicateRecord, l, r));
            // A duplicate must not hide a disagreement: a field on which the single record differs from every
            // duplicate is reported too (two files holding the same wrong address are still wrong).
            match (l, r) {
                ([a], many) => unanimous(a, many, Side::Right, &mut push),
                (many, [b]) => unanimous(b, many, Side::Left, &mut push),
                _ => {}
            }
        }
    }
}

/// Fields on which `single` disagrees with every one of `many` (which sit on `many_side`), reported against the
/// first of them.
fn unanimous(single: &StateRecord, many: &[StateRecord], many_side: Side, emit: &mut dyn FnMut(Found)) {
    let shared = many.iter().fold(single.covered.clone(), |acc, r| acc.intersection(&r.covered).copied().collect());
    for field in shared {
        let mine = single.get(field);
        if many.iter().all(|r| !r.get(field).same_as(mine)) {
            let shown = many_side.other().order(mine.to_json(), many[0].get(field).to_json());
            let records = many_side.other().order(single, &many[0]);
            emit(field_found(Kind::of_field(field), field, shown, records));
        }
    }
}

fn names(records: &[StateRecord]) -> Vec<&str> {
    let mut n: Vec<&str> = records.iter().map(|r| r.name.as_str()).collect();
    n.sort_unstable();
    n
}

fn records_json(records: &[StateRecord]) -> Value {
    match records {
        [one] => one.to_json(),
        many => Value::Array(many.iter().map(StateRecord::to_json).collect()),
    }
}

/// Compares the fields both records cover; an address equal but for a wrong EIP-55 checksum on one side only is
/// an `invalid-record` on that field.
fn compare_fields(a: &StateRecord, b: &StateRecord, emit: &mut dyn FnMut(Found)) {
    for field in a.covered.intersection(&b.covered) {
        let (x, y) = (a.get(*field), b.get(*field));
        let kind = if !x.same_as(y) {
            Kind::of_field(*field)
        } else if wrong_checksum(x) != wrong_checksum(y) {
            Kind::InvalidRecord
        } else {
            continue;
        };
        emit(field_found(kind, *field, (x.to_json(), y.to_json()), (a, b)));
    }
}

fn wrong_checksum(value: &FieldValue) -> bool {
    matches!(value, FieldValue::Address(a) if a.checksum() == Checksum::Wrong)
}

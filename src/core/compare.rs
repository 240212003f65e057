//! `compare(left, right)`: every disagreement between two sources, field by field (pure).
//!
//! A discrepancy is a disagreement between the two sides. Problems a source has on its own (an invalid record, a
//! contract held twice, two files claiming one chain) are reported only when the other side does not hold the very
//! same problem, so comparing a LevelDB with its own migration is empty.

use super::aliases::canonical;
use super::formats::openzeppelin::is_unnamed;
use super::location::Location;
use super::primitives::Checksum;
use super::state::{record_proxy_admin, ChainClaim, Field, FieldValue, SourceState, StateRecord, UnattributedProxy};
use serde_json::{json, Value};
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

/// Files of `side`'s migrated folder that differ from its manifest (unless the other side shows the very same
/// change: a folder compared with itself agrees). A file-level finding: no contract, no field.
fn changed_files(state: &SourceState, other: &SourceState, side: Side, out: &mut Vec<Discrepancy>) {
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

/// The implementation address of a record, if it has one.
fn implementation_of(record: &StateRecord) -> Option<alloy_primitives::Address> {
    match record.get(Field::Implementation) {
        FieldValue::Address(a) => Some(a.address()),
        _ => None,
    }
}

/// The implementation addresses of records, as shown in a report.
fn candidates_json(records: &[&StateRecord]) -> Value {
    let mut shown: Vec<Value> = records.iter().map(|r| r.get(Field::Implementation).to_json()).collect();
    shown.dedup();
    Value::Array(shown)
}

/// The implementations a history side keeps on `chain` under no name.
fn unnamed_addresses(state: &SourceState, chain: u64) -> Vec<&StateRecord> {
    state.records.iter().filter(|r| r.chain_id == chain && is_unnamed(&r.name)).collect()
}

/// A contract `plain` holds (one record, or duplicates) against the implementations a history side (on
/// `history_side`) keeps for it: each record's implementation must be one of them (or an unnamed one at that
/// address), else an `address-mismatch` listing the candidates. Which candidate is current is not guessed.
fn against_history(
    id: &(u64, String),
    plain: &[StateRecord],
    history: &[StateRecord],
    history_side: Side,
    unnamed: Vec<&StateRecord>,
    out: &mut Vec<Discrepancy>,
) {
    let plain_side = history_side.other();
    let mut push = |found: Found| out.push(Discrepancy::about(id, found));
    let candidates: Vec<&StateRecord> = history.iter().chain(unnamed).collect();
    let attributed = |r: &StateRecord| {
        implementation_of(r).is_some_and(|a| candidates.iter().any(|c| implementation_of(c) == Some(a)))
    };
    let missing_on = |side: Side| if side == Side::Left { Kind::MissingInLeft } else { Kind::MissingInRight };
    let implementation = Some(Field::Implementation);
    match (plain, history) {
        ([], []) => {}
        ([], h) => {
            let (l, r) = history_side.order(h, &[]);
            push(records_found(missing_on(plain_side), l, r));
        }
        (p, []) if p.iter().all(attributed) => {}
        (p, []) => {
            let (l, r) = plain_side.order(p, &[]);
            push(records_found(missing_on(history_side), l, r));
        }
        (p, h) => {
            if p.len() > 1 {
                let (l, r) = plain_side.order(p, h);
                push(records_found(Kind::DuplicateRecord, l, r));
            }
            for record in p {
                let Some(address) = implementation_of(record) else { continue };
                let (kind, theirs, shown) = match candidates.iter().find(|c| implementation_of(c) == Some(address)) {
                    None => (Kind::AddressMismatch, candidates[0], candidates_json(&candidates)),
                    Some(found) => {
                        let (mine, theirs) = (record.get(Field::Implementation), found.get(Field::Implementation));
                        if wrong_checksum(mine) == wrong_checksum(theirs) {
                            continue;
                        }
                        (Kind::InvalidRecord, *found, theirs.to_json())
                    }
                };
                let shown = plain_side.order(record.get(Field::Implementation).to_json(), shown);
                let at = plain_side.order(record_at(record, implementation), record_at(theirs, implementation));
                push(Found { kind, field: implementation, shown, at });
            }
        }
    }
}

/// Two histories of one contract: the same set of implementation addresses, or one `address-mismatch` showing
/// both sets.
fn compare_histories(id: &(u64, String), l: &[StateRecord], r: &[StateRecord], out: &mut Vec<Discrepancy>) {
    let mut push = |found: Found| out.push(Discrepancy::about(id, found));
    let implementation = Some(Field::Implementation);
    match (l, r) {
        ([], []) => {}
        ([], r) => push(records_found(Kind::MissingInLeft, &[], r)),
        (l, []) => push(records_found(Kind::MissingInRight, l, &[])),
        (l, r) => {
            let set = |rs: &[StateRecord]| rs.iter().filter_map(implementation_of).collect::<BTreeSet<_>>();
            if set(l) != set(r) {
                let (lr, rr): (Vec<&StateRecord>, Vec<&StateRecord>) = (l.iter().collect(), r.iter().collect());
                let shown = (candidates_json(&lr), candidates_json(&rr));
                let at = (first_at(l, implementation), first_at(r, implementation));
                push(Found { kind: Kind::AddressMismatch, field: implementation, shown, at });
                return;
            }
            for a in l {
                let same = r.iter().find(|b| implementation_of(b) == implementation_of(a));
                if let Some(b) = same {
                    let (x, y) = (a.get(Field::Implementation), b.get(Field::Implementation));
                    if wrong_checksum(x) != wrong_checksum(y) {
                        push(field_found(
                            Kind::InvalidRecord,
                            Field::Implementation,
                            (x.to_json(), y.to_json()),
                            (a, b),
                        ));
                    }
                }
            }
        }
    }
}

/// Implementations a history side keeps under no name: one whose address no record of the other side has (by
/// any name, on that chain) is missing on the other side.
fn unnamed_implementations(history: &SourceState, other: &SourceState, history_side: Side, out: &mut Vec<Discrepancy>) {
    if !history.format.keeps_history() {
        return;
    }
    for record in history.records.iter().filter(|r| is_unnamed(&r.name)) {
        let address = implementation_of(record);
        let known = other.records.iter().any(|o| o.chain_id == record.chain_id && implementation_of(o) == address);
        if !known {
            let kind = if history_side == Side::Left { Kind::MissingInRight } else { Kind::MissingInLeft };
            let (left, right) = history_side.place(record.to_json());
            let (left_at, right_at) = history_side.order(record_at(record, Some(Field::Implementation)), None);
            out.push(Discrepancy {
                chain_id: record.chain_id,
                contract: Some(record.name.clone()),
                kind,
                field: Some(Field::Implementation),
                left,
                right,
                left_at,
                right_at,
            });
        }
    }
}

/// Proxy admins: a chain's admin (stated once per chain) against every record of the other side on that chain
/// that holds a `proxyAdmin`; two sides stating a chain's admin must state the same one.
fn admins(left: &SourceState, right: &SourceState, out: &mut Vec<Discrepancy>) {
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

/// Invalid records a side holds that the other side does not hold byte for byte.
fn invalid_records(left: &SourceState, right: &SourceState, out: &mut Vec<Discrepancy>) {
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
fn conflicting_claims(state: &SourceState) -> BTreeMap<u64, Vec<&ChainClaim>> {
    let mut by_chain: BTreeMap<u64, Vec<&ChainClaim>> = BTreeMap::new();
    for claim in &state.chain_claims {
        by_chain.entry(claim.chain_id).or_default().push(claim);
    }
    by_chain.retain(|_, claims| claims.len() > 1 || claims.iter().any(|c| c.misnamed()));
    by_chain
}

fn claims_json(claims: &[&ChainClaim]) -> Value {
    Value::Array(claims.iter().map(|c| json!({"origin": c.origin, "network": c.network})).collect())
}

fn chain_conflicts(left: &SourceState, right: &SourceState, out: &mut Vec<Discrepancy>) {
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
fn unattributed_proxies(other: &SourceState, lister: &SourceState, lister_side: Side, out: &mut Vec<Discrepancy>) {
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

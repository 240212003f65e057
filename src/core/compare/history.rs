//! Comparisons against a format that keeps every implementation a contract had (an OpenZeppelin manifest's
//! `impls`): a contract matches when its implementation is one of them; which one is current is not guessed.

use super::*;

/// The implementation address of a record, if it has one.
pub(super) fn implementation_of(record: &StateRecord) -> Option<alloy_primitives::Address> {
    match record.get(Field::Implementation) {
        FieldValue::Address(a) => Some(a.address()),
        _ => None,
    }
}

/// The implementation addresses of records, as shown in a report.
pub(super) fn candidates_json(records: &[&StateRecord]) -> Value {
    let mut shown: Vec<Value> = records.iter().map(|r| r.get(Field::Implementation).to_json()).collect();
    shown.dedup();
    Value::Array(shown)
}

/// The implementations a history side keeps on `chain` under no name.
pub(super) fn unnamed_addresses(state: &SourceState, chain: u64) -> Vec<&StateRecord> {
    state.records.iter().filter(|r| r.chain_id == chain && is_unnamed(&r.name)).collect()
}

/// A contract `plain` holds (one record, or duplicates) against the implementations a history side (on
/// `history_side`) keeps for it: each record's implementation must be one of them (or an unnamed one at that
/// address), else an `address-mismatch` listing the candidates. Which candidate is current is not guessed.
pub(super) fn against_history(
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
pub(super) fn compare_histories(id: &(u64, String), l: &[StateRecord], r: &[StateRecord], out: &mut Vec<Discrepancy>) {
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
pub(super) fn unnamed_implementations(
    history: &SourceState,
    other: &SourceState,
    history_side: Side,
    out: &mut Vec<Discrepancy>,
) {
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

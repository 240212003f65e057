//! LevelDB entries and our enhanced documents as a [`SourceState`] (pure).

use super::FormatError;
use crate::core::category::categorize;
use crate::core::document::{ChainDocument, QuarantineDocument};
use crate::core::location::{JsonPath, Location, RecordPlace};
use crate::core::migrate::{record_from_entry, unmigrate};
use crate::core::network::NetworkTable;
use crate::core::record::{DeploymentRecord, Entry};
use crate::core::state::{ChainClaim, Field, FieldValue, InvalidRecord, SourceFormat, SourceState, StateRecord};
use serde_json::{Number, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The comparable form of a LevelDB record: every field LevelDB holds.
pub fn state_record(record: &DeploymentRecord, origin: String) -> StateRecord {
    let opt = |v: Option<FieldValue>| v.unwrap_or(FieldValue::Absent);
    let fields = BTreeMap::from([
        (Field::Implementation, FieldValue::Address(record.address.clone())),
        (Field::ProxyAddress, opt(record.proxy_address.clone().map(FieldValue::Address))),
        (Field::ImplementationHash, opt(record.implementation_hash.clone().map(FieldValue::Hash))),
        (Field::FactoryBytecodeHash, FieldValue::Hash(record.factory_bytecode_hash.clone())),
        (Field::DeploymentArgs, opt(record.deployment_args.clone().map(FieldValue::Args))),
        (
            Field::Timestamp,
            FieldValue::Time { ms: record.timestamp, shown: Value::Number(Number::from(record.timestamp.0)) },
        ),
        (Field::NetworkName, FieldValue::Text(record.network_name.clone())),
        (Field::ExtraFields, FieldValue::Extra(record.extra_fields.clone())),
    ]);
    StateRecord {
        chain_id: record.chain_id.0,
        name: record.contract_name.0.clone(),
        covered: SourceFormat::LevelDb.coverage(),
        fields,
        origin,
        place: None,
    }
}

/// Where our chain documents keep each field of a contract entry (`contracts.<Name>.<key>`).
const ENHANCED_MEMBERS: &[(Field, &str)] = &[
    (Field::Implementation, "address"),
    (Field::ProxyAddress, "proxyAddress"),
    (Field::ImplementationHash, "implementationHash"),
    (Field::FactoryBytecodeHash, "factoryByteCodeHash"),
    (Field::DeploymentArgs, "deploymentArgs"),
    (Field::Timestamp, "timestamp"),
    (Field::NetworkName, "networkName"),
    (Field::Category, "category"),
    (Field::ExtraFields, "extraFields"),
];

/// The state of parsed LevelDB entries.
pub fn from_entries(label: &str, entries: &[Entry]) -> SourceState {
    let mut state = SourceState::new(label, SourceFormat::LevelDb);
    for entry in entries {
        match entry {
            Entry::Valid(record) => state.records.push(state_record(record, format!("key {}", record.key()))),
            Entry::Quarantined(q) => {
                state.invalid.push(invalid_of(q, &format!("key {}", String::from_utf8_lossy(&q.key)), None))
            }
        }
    }
    state
}

fn invalid_of(q: &crate::core::record::QuarantinedEntry, origin: &str, at: Option<Location>) -> InvalidRecord {
    let key = String::from_utf8_lossy(&q.key).into_owned();
    let chain_id = key.split_once('-').and_then(|(c, _)| c.parse().ok());
    InvalidRecord {
        chain_id,
        key,
        raw_key: q.key.clone(),
        raw_value: q.value.clone(),
        problems: q.problems.iter().map(|p| format!("{}: {}", p.code.as_str(), p.detail)).collect(),
        origin: origin.to_string(),
        at,
    }
}

/// The state of our enhanced documents: the LevelDB fields plus each contract's category, and one chain claim per
/// chain document.
pub fn from_documents(
    label: &str,
    chains: &[(String, ChainDocument)],
    quarantine: Option<&(String, QuarantineDocument)>,
    table: &NetworkTable,
) -> Result<SourceState, FormatError> {
    let docs: Vec<ChainDocument> = chains.iter().map(|(_, d)| d.clone()).collect();
    let entries = unmigrate(&docs, quarantine.map(|(_, q)| q))
        .map_err(|e| FormatError::new(label, format!("the documents do not form one record set: {e}")))?;
    let mut state = SourceState::new(label, SourceFormat::Enhanced);
    for (origin, doc) in chains {
        state.chain_claims.push(ChainClaim {
            chain_id: doc.chain_id,
            origin: origin.clone(),
            network: Some(doc.network.key.clone()),
            network_chain_ids: table.chain_ids_named(&doc.network.key),
            at: Some(Location::new(origin, JsonPath::keys(&["chainId"]))),
        });
        for (name, entry) in &doc.contracts {
            let record =
                record_from_entry(doc.chain_id, name, entry).map_err(|e| FormatError::new(origin, e.to_string()))?;
            let mut state_rec = state_record(&record, format!("{origin}: contracts.{name}"));
            let at = Location::new(origin, JsonPath::keys(&["contracts", name]));
            let mut place = RecordPlace::new(at.clone(), ENHANCED_MEMBERS);
            if entry.extra_fields.contains_key("proxyAdmin") {
                // A record's admin is a value field among the unknown ones.
                let admin = Location::new(origin, at.path.key("extraFields").key("proxyAdmin"));
                place = place.with(Field::ProxyAdmin, admin);
            }
            state_rec.place = Some(Arc::new(place));
            state_rec.covered.insert(Field::Category);
            state_rec.fields.insert(Field::Category, FieldValue::Text(entry.category.as_str().to_string()));
            state.records.push(state_rec);
        }
    }
    let quarantine_origin = quarantine.map_or(String::new(), |(o, _)| o.clone());
    for entry in &entries {
        if let Entry::Quarantined(q) = entry {
            let index = quarantine.and_then(|(_, doc)| {
                doc.entries.iter().position(|item| item.key.to_bytes().as_deref() == Some(q.key.as_slice()))
            });
            let at = index.map(|i| Location::new(&quarantine_origin, JsonPath::keys(&["entries"]).index(i)));
            state.invalid.push(invalid_of(q, &quarantine_origin, at));
        }
    }
    Ok(state)
}

/// The category the enhanced format gives a contract (from the category table), for writers of that format.
pub fn derived_category(name: &str) -> String {
    categorize(&crate::core::primitives::ContractName(name.to_string())).as_str().to_string()
}

/// A state as writable records: validated records with their category, and quarantined entries.
pub type WritableState =
    (Vec<(DeploymentRecord, crate::core::category::Category)>, Vec<crate::core::record::QuarantinedEntry>);

/// Turns a state back into validated records (with categories) and quarantined entries, for writing it as our
/// documents. Fails with one line per record that lacks a field the enhanced format requires.
pub fn to_records(state: &SourceState) -> Result<WritableState, Vec<String>> {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for r in &state.records {
        match to_record(r) {
            Ok(record) => {
                let category = match r.get(Field::Category) {
                    FieldValue::Text(t) => parse_category(t),
                    _ => categorize(&record.contract_name),
                };
                records.push((record, category));
            }
            Err(missing) => {
                problems.push(format!("{}-{} ({}): lacks {}", r.chain_id, r.name, r.origin, missing.join(", ")))
            }
        }
    }
    let quarantined = state
        .invalid
        .iter()
        .filter_map(|bad| match crate::core::record::parse_entry(&bad.raw_key, &bad.raw_value) {
            Entry::Quarantined(q) => Some(q),
            Entry::Valid(_) => None,
        })
        .collect();
    if problems.is_empty() {
        Ok((records, quarantined))
    } else {
        Err(problems)
    }
}

fn parse_category(text: &str) -> crate::core::category::Category {
    use crate::core::category::Category;
    [Category::Core, Category::Protocol, Category::Infrastructure]
        .into_iter()
        .find(|c| c.as_str() == text)
        .unwrap_or(Category::Other)
}

fn to_record(r: &StateRecord) -> Result<DeploymentRecord, Vec<&'static str>> {
    use crate::core::primitives::{ChainId, ContractName};
    let mut missing = Vec::new();
    let address = match r.get(Field::Implementation) {
        FieldValue::Address(a) => Some(a.clone()),
        _ => None,
    };
    let network = match r.get(Field::NetworkName) {
        FieldValue::Text(t) => Some(t.clone()),
        _ => None,
    };
    let factory = match r.get(Field::FactoryBytecodeHash) {
        FieldValue::Hash(h) => Some(h.clone()),
        _ => None,
    };
    let timestamp = match r.get(Field::Timestamp) {
        FieldValue::Time { ms, .. } => Some(*ms),
        _ => None,
    };
    for (present, name) in [
        (address.is_some(), "address"),
        (network.is_some(), "networkName"),
        (factory.is_some(), "factoryByteCodeHash"),
        (timestamp.is_some(), "timestamp"),
    ] {
        if !present {
            missing.push(name);
        }
    }
    let (Some(address), Some(network_name), Some(factory_bytecode_hash), Some(timestamp)) =
        (address, network, factory, timestamp)
    else {
        return Err(missing);
    };
    Ok(DeploymentRecord {
        chain_id: ChainId(r.chain_id),
        contract_name: ContractName(r.name.clone()),
        network_name,
        address,
        factory_bytecode_hash,
        implementation_hash: match r.get(Field::ImplementationHash) {
            FieldValue::Hash(h) => Some(h.clone()),
            _ => None,
        },
        proxy_address: match r.get(Field::ProxyAddress) {
            FieldValue::Address(a) => Some(a.clone()),
            _ => None,
        },
        deployment_args: match r.get(Field::DeploymentArgs) {
            FieldValue::Args(a) => Some(a.clone()),
            _ => None,
        },
        timestamp,
        extra_fields: match r.get(Field::ExtraFields) {
            FieldValue::Extra(map) => map.clone(),
            _ => Default::default(),
        },
    })
}

//! The v3 "unified" files (`deployments/unified/<network>.unified.json`, the original tooling's final output) as a
//! [`SourceState`] (pure).
//!
//! `contracts.{core,protocol,infrastructure}.{Name}` hold proxy and implementation, the section is the category;
//! the fields that did not fit sit in root-level `extended_<Name>` objects; `verification.implementationHashes`
//! holds hashes too (the `extended_` one wins when both exist). `contracts.legacy` maps old names to current ones
//! and holds no addresses unless it says so.

use super::legacy_v1::object_at;
use super::{address_at, claim_of, hash_at, record, time_at, FormatError, InputFile};
use crate::core::location::{JsonPath, Location, RecordPlace};
use crate::core::network::NetworkTable;
use crate::core::state::{Field, FieldValue, SourceFormat, SourceState};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

const SECTIONS: [&str; 4] = ["core", "protocol", "infrastructure", "legacy"];

pub fn looks_like(json: &Value) -> bool {
    json.get("schemaVersion").and_then(Value::as_str).is_some_and(|v| v.starts_with("3."))
}

pub fn parse(label: &str, files: &[InputFile], table: &NetworkTable) -> Result<SourceState, FormatError> {
    let mut state = SourceState::new(label, SourceFormat::UnifiedV3);
    for file in files {
        let claim = claim_of(file, table)?;
        let chain_id = claim.chain_id;
        state.chain_claims.push(claim);
        let contracts = object_at(&file.json, "contracts", &file.origin)?;
        let verification = object_at(&file.json, "verification", &file.origin)?;
        let hashes = Value::Object(
            object_at(&Value::Object(verification.clone()), "implementationHashes", &file.origin)?.clone(),
        );
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for section in SECTIONS {
            for (name, entry) in object_at(&Value::Object(contracts.clone()), section, &file.origin)? {
                let is_alias_only =
                    section == "legacy" && entry.get("proxy").is_none() && entry.get("implementation").is_none();
                if is_alias_only {
                    continue;
                }
                let origin = format!("{}: contracts.{section}.{name}", file.origin);
                let (mut fields, elsewhere) = extended_fields(&file.json, name, &hashes, &file.origin)?;
                let at = Location::new(&file.origin, JsonPath::keys(&["contracts", section, name]));
                let place = RecordPlace { at, members: SECTION_MEMBERS, elsewhere };
                fields.insert(Field::ProxyAddress, address_at(entry, "proxy", &origin)?);
                fields.insert(Field::Implementation, address_at(entry, "implementation", &origin)?);
                fields.insert(Field::Category, FieldValue::Text(section.to_string()));
                if matches!(fields.get(&Field::Timestamp), Some(FieldValue::Absent)) {
                    fields.insert(Field::Timestamp, time_at(entry, "timestamp", &origin)?);
                }
                seen.insert(name.clone());
                state.records.push(record(chain_id, name, fields, origin, place));
            }
        }
        orphans(&mut state, file, chain_id, &hashes, &seen)?;
    }
    Ok(state)
}

/// Where a `contracts.<section>.<Name>` entry keeps its fields (the timestamp when `extended_<Name>` has none).
const SECTION_MEMBERS: &[(Field, &str)] =
    &[(Field::ProxyAddress, "proxy"), (Field::Implementation, "implementation"), (Field::Timestamp, "timestamp")];

/// The fields an `extended_<Name>` object holds.
const EXTENDED: [(Field, &str); 4] = [
    (Field::ImplementationHash, "implementationHash"),
    (Field::FactoryBytecodeHash, "factoryByteCodeHash"),
    (Field::DeploymentArgs, "deploymentArgs"),
    (Field::Timestamp, "timestamp"),
];

type Fields = BTreeMap<Field, FieldValue>;

/// Fields from `extended_<name>` and the verification hashes, with where each one present was read.
fn extended_fields(
    json: &Value,
    name: &str,
    hashes: &Value,
    origin: &str,
) -> Result<(Fields, Vec<(Field, Location)>), FormatError> {
    let key = format!("extended_{name}");
    let ext = json.get(&key).cloned().unwrap_or(Value::Object(Default::default()));
    let ext_origin = format!("{origin}: {key}");
    let mut places: Vec<(Field, Location)> = EXTENDED
        .iter()
        .filter(|(_, member)| ext.get(member).is_some_and(|v| !v.is_null()))
        .map(|(field, member)| (*field, Location::new(origin, JsonPath::keys(&[&key, member]))))
        .collect();
    let mut hash = hash_at(&ext, "implementationHash", &ext_origin)?;
    if hash == FieldValue::Absent {
        hash = hash_at(hashes, name, &format!("{origin}: verification.implementationHashes"))?;
        if hash != FieldValue::Absent {
            let at = JsonPath::keys(&["verification", "implementationHashes", name]);
            places.push((Field::ImplementationHash, Location::new(origin, at)));
        }
    }
    let args = match ext.get("deploymentArgs") {
        None | Some(Value::Null) => FieldValue::Absent,
        Some(Value::Array(a)) => FieldValue::Args(a.clone()),
        Some(_) => return Err(FormatError::new(format!("{ext_origin}.deploymentArgs"), "expected an array")),
    };
    let fields = BTreeMap::from([
        (Field::ImplementationHash, hash),
        (Field::FactoryBytecodeHash, hash_at(&ext, "factoryByteCodeHash", &ext_origin)?),
        (Field::DeploymentArgs, args),
        (Field::Timestamp, time_at(&ext, "timestamp", &ext_origin)?),
    ]);
    Ok((fields, places))
}

/// `extended_<Name>` objects and verification hashes of contracts no section lists: kept as records of what they
/// hold, never ignored.
fn orphans(
    state: &mut SourceState,
    file: &InputFile,
    chain_id: u64,
    hashes: &Value,
    seen: &BTreeSet<String>,
) -> Result<(), FormatError> {
    let root = file.json.as_object().cloned().unwrap_or_default();
    let extended = root.keys().filter_map(|k| k.strip_prefix("extended_")).map(str::to_string);
    let hashed = hashes.as_object().map(|h| h.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
    let mut names: BTreeSet<String> = extended.chain(hashed).collect();
    names.retain(|n| !seen.contains(n));
    for name in names {
        let (mut fields, elsewhere) = extended_fields(&file.json, &name, hashes, &file.origin)?;
        // An orphan covers only what it holds: a lone verification hash says nothing about the other fields.
        fields.retain(|_, v| *v != FieldValue::Absent);
        let origin = format!("{}: extended_{name}", file.origin);
        let key = format!("extended_{name}");
        let path = if root.contains_key(&key) {
            JsonPath::keys(&[&key])
        } else {
            JsonPath::keys(&["verification", "implementationHashes", &name])
        };
        let place = RecordPlace { at: Location::new(&file.origin, path), members: &[], elsewhere };
        state.records.push(record(chain_id, &name, fields, origin, place));
    }
    Ok(())
}

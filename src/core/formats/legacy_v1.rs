//! The legacy v1 `deployments/<network>.json` files as a [`SourceState`] (pure).
//!
//! `contracts.{Name}` holds a proxy and an implementation, `implementationHashes.{Name}` their hash;
//! `protocolContracts.{name}` and `infrastructureContracts.{name}` hold proxy addresses only (camelCase names,
//! joined to the others through the alias table). Coverage follows the section: a proxy-only section does not
//! cover the implementation or its hash.

use super::{address_at, claim_of, hash_at, record, FormatError, InputFile};
use crate::core::location::{JsonPath, Location, RecordPlace};
use crate::core::network::NetworkTable;
use crate::core::state::{Field, FieldValue, SourceFormat, SourceState};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// True when a JSON document looks like a v1 network file.
pub fn looks_like(json: &Value) -> bool {
    json.get("schemaVersion").is_none()
        && json.get("network").is_some()
        && (json.get("contracts").is_some() || json.get("protocolContracts").is_some())
}

pub fn parse(label: &str, files: &[InputFile], table: &NetworkTable) -> Result<SourceState, FormatError> {
    let mut state = SourceState::new(label, SourceFormat::LegacyV1);
    for file in files {
        let claim = claim_of(file, table)?;
        let chain_id = claim.chain_id;
        state.chain_claims.push(claim);
        let hashes = object_at(&file.json, "implementationHashes", &file.origin)?;
        let mut hashed: BTreeSet<&str> = BTreeSet::new();
        for (name, entry) in object_at(&file.json, "contracts", &file.origin)? {
            let origin = format!("{}: contracts.{name}", file.origin);
            let hash_key = hash_key(hashes, name);
            hashed.extend(hash_key);
            let hash = match hash_key {
                Some(k) => {
                    hash_at(&Value::Object(hashes.clone()), k, &format!("{}: implementationHashes", file.origin))?
                }
                None => FieldValue::Absent,
            };
            let fields = BTreeMap::from([
                (Field::ProxyAddress, address_at(entry, "proxy", &origin)?),
                (Field::Implementation, address_at(entry, "implementation", &origin)?),
                (Field::ImplementationHash, hash),
            ]);
            let mut place =
                RecordPlace::new(Location::new(&file.origin, JsonPath::keys(&["contracts", name])), MEMBERS);
            if let Some(k) = hash_key {
                let at = Location::new(&file.origin, JsonPath::keys(&["implementationHashes", k]));
                place = place.with(Field::ImplementationHash, at);
            }
            state.records.push(record(chain_id, name, fields, origin, place));
        }
        for section in ["protocolContracts", "infrastructureContracts"] {
            for (name, proxy) in object_at(&file.json, section, &file.origin)? {
                let origin = format!("{}: {section}.{name}", file.origin);
                let holder = Value::Object(Map::from_iter([("proxy".to_string(), proxy.clone())]));
                let fields = BTreeMap::from([(Field::ProxyAddress, address_at(&holder, "proxy", &origin)?)]);
                let place = RecordPlace::new(Location::new(&file.origin, JsonPath::keys(&[section, name])), &[]);
                state.records.push(record(chain_id, name, fields, origin, place));
            }
        }
        for (name, _) in hashes.iter().filter(|(n, _)| !hashed.contains(n.as_str())) {
            let origin = format!("{}: implementationHashes.{name}", file.origin);
            let fields =
                BTreeMap::from([(Field::ImplementationHash, hash_at(&Value::Object(hashes.clone()), name, &origin)?)]);
            let at = Location::new(&file.origin, JsonPath::keys(&["implementationHashes", name]));
            state.records.push(record(chain_id, name, fields, origin, RecordPlace::new(at, &[])));
        }
    }
    Ok(state)
}

/// The key of `implementationHashes` for a contract: exactly its name (an alias could pick another contract's
/// hash when a file holds both spellings).
fn hash_key<'a>(hashes: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    hashes.keys().find(|k| k.as_str() == name).map(String::as_str)
}

/// Where a `contracts.<Name>` entry keeps its addresses.
const MEMBERS: &[(Field, &str)] = &[(Field::ProxyAddress, "proxy"), (Field::Implementation, "implementation")];

/// An optional object member; an error when present but not an object.
pub(super) fn object_at<'a>(json: &'a Value, key: &str, origin: &str) -> Result<&'a Map<String, Value>, FormatError> {
    static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
    match json.get(key) {
        None | Some(Value::Null) => Ok(EMPTY.get_or_init(Map::new)),
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Err(FormatError::new(format!("{origin}: {key}"), "expected an object")),
    }
}

//! hardhat-deploy `deployments/<network>/` folders as a [`SourceState`] (pure).
//!
//! A folder holds a `.chainId` file (the chain, decimal) and one `<Name>.json` per deployment: `address`, `abi`,
//! `args`, `bytecode`, `deployedBytecode`, and for a proxied deployment `implementation`, with the companions
//! `<Name>_Implementation.json` (the implementation's own deployment) and `<Name>_Proxy.json` (the proxy's).
//!
//! What a record covers:
//! - a proxied deployment: `proxyAddress` (`<Name>.address`), `address` (`<Name>.implementation`), the
//!   initializer arguments when the file has them (`execute.args`), and the implementation hash when the
//!   `_Implementation` companion has bytecode;
//! - a plain deployment: `address`, `proxyAddress` (absent: it has none), `deploymentArgs` (`args`) and the
//!   implementation hash.
//!
//! The implementation hash is not written in these files: it is derived from `bytecode` and `deployedBytecode`
//! by the hash rule of docs/DOMAIN.md §4, and marked as derived ([`FieldValue::Derived`]).

use super::{FormatError, InputFile};
use crate::core::bytecode::{keccak_hex, strip_metadata};
use crate::core::excerpt::{excerpt, EXCERPT_CHARS};
use crate::core::location::{JsonPath, Location, RecordPlace};
use crate::core::network::NetworkTable;
use crate::core::primitives::{AddressText, HashText};
use crate::core::state::{ChainClaim, Field, FieldValue, SourceFormat, SourceState, StateRecord};
use alloy_primitives::hex;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// True when a JSON document looks like one hardhat-deploy deployment file.
pub fn looks_like(json: &Value) -> bool {
    json.get("address").is_some_and(Value::is_string)
        && json.get("abi").is_some_and(Value::is_array)
        && (json.get("transactionHash").is_some()
            || json.get("receipt").is_some()
            || json.get("numDeployments").is_some())
}

/// One `deployments/<network>/` folder: its path, the text of its `.chainId` file (if any) and its files.
#[derive(Debug, Clone)]
pub struct DeploymentFolder {
    pub origin: String,
    pub chain_id: Option<String>,
    pub files: Vec<InputFile>,
}

/// The folder's network name: its last path component.
fn network_of(origin: &str) -> &str {
    origin.trim_end_matches('/').rsplit('/').next().unwrap_or(origin)
}

/// The deployment's name: the file's name within its folder, without `.json`.
fn stem<'a>(folder: &str, file: &'a InputFile) -> &'a str {
    let name = file.origin.strip_prefix(folder).and_then(|rest| rest.strip_prefix('/'));
    let name = name.unwrap_or_else(|| file.origin.rsplit('/').next().unwrap_or(&file.origin));
    name.strip_suffix(".json").unwrap_or(name)
}

pub fn parse(label: &str, folders: &[DeploymentFolder], table: &NetworkTable) -> Result<SourceState, FormatError> {
    let mut state = SourceState::new(label, SourceFormat::HardhatDeploy);
    for folder in folders {
        let text = folder.chain_id.as_deref().ok_or_else(|| {
            FormatError::new(&folder.origin, "no `.chainId` file: hardhat-deploy writes one in every network folder")
        })?;
        let chain_id = text.trim().parse::<u64>().map_err(|_| {
            FormatError::new(
                format!("{}/.chainId", folder.origin),
                format!("`{}` is not a chain id", excerpt(text, EXCERPT_CHARS)),
            )
        })?;
        let network = network_of(&folder.origin).to_string();
        state.chain_claims.push(ChainClaim {
            chain_id,
            origin: folder.origin.clone(),
            network_chain_ids: table.chain_ids_named(&network),
            network: Some(network),
            at: Some(Location::file(format!("{}/.chainId", folder.origin))),
        });
        read_folder(&mut state, folder, chain_id)?;
    }
    Ok(state)
}

fn read_folder(state: &mut SourceState, folder: &DeploymentFolder, chain_id: u64) -> Result<(), FormatError> {
    let by_name: BTreeMap<&str, &InputFile> = folder.files.iter().map(|f| (stem(&folder.origin, f), f)).collect();
    let mut consumed: BTreeSet<&str> = BTreeSet::new();
    for (name, file) in &by_name {
        if name.ends_with("_Implementation") || name.ends_with("_Proxy") {
            continue;
        }
        let json = &file.json;
        let mut fields = BTreeMap::new();
        let mut place = RecordPlace::new(Location::file(&file.origin), PLAIN_MEMBERS);
        let address = address_of(json, "address", &file.origin)?;
        match json.get("implementation") {
            Some(Value::String(_)) => {
                consumed.insert(name);
                place.members = PROXIED_MEMBERS;
                fields.insert(Field::ProxyAddress, FieldValue::Address(address));
                fields.insert(
                    Field::Implementation,
                    FieldValue::Address(address_of(json, "implementation", &file.origin)?),
                );
                if let Some(args) = json.pointer("/execute/args").and_then(Value::as_array) {
                    fields.insert(Field::DeploymentArgs, FieldValue::Args(args.clone()));
                    let at = Location::new(&file.origin, JsonPath::keys(&["execute", "args"]));
                    place = place.with(Field::DeploymentArgs, at);
                }
                let companion = by_name.get(format!("{name}_Implementation").as_str());
                if let Some((hash, file)) = companion.and_then(|c| Some((derived_hash(&c.json)?, c))) {
                    fields.insert(Field::ImplementationHash, hash);
                    let at = Location::new(&file.origin, JsonPath::keys(&["bytecode"]));
                    place = place.with(Field::ImplementationHash, at);
                }
            }
            Some(other) if !other.is_null() => {
                return Err(FormatError::new(format!("{}: implementation", file.origin), "expected an address"))
            }
            _ => {
                fields.insert(Field::Implementation, FieldValue::Address(address));
                fields.insert(Field::ProxyAddress, FieldValue::Absent);
                fields.insert(Field::DeploymentArgs, args_of(json));
                if let Some(hash) = derived_hash(json) {
                    fields.insert(Field::ImplementationHash, hash);
                }
            }
        }
        push(state, chain_id, name, fields, &file.origin, place);
    }
    // An `_Implementation` without its proxied deployment file is a deployment of its own.
    for (name, file) in &by_name {
        let Some(base) = name.strip_suffix("_Implementation") else { continue };
        if consumed.contains(base) {
            continue;
        }
        let mut fields = BTreeMap::from([
            (Field::Implementation, FieldValue::Address(address_of(&file.json, "address", &file.origin)?)),
            (Field::DeploymentArgs, args_of(&file.json)),
        ]);
        if let Some(hash) = derived_hash(&file.json) {
            fields.insert(Field::ImplementationHash, hash);
        }
        let place = RecordPlace::new(Location::file(&file.origin), PLAIN_MEMBERS);
        push(state, chain_id, base, fields, &file.origin, place);
    }
    Ok(())
}

/// Where a deployment file keeps a contract's fields. The hash is derived from `bytecode` and `deployedBytecode`
/// together; it is placed at the first.
const PLAIN_MEMBERS: &[(Field, &str)] =
    &[(Field::Implementation, "address"), (Field::DeploymentArgs, "args"), (Field::ImplementationHash, "bytecode")];

/// Where a proxied deployment file keeps them (the initializer's arguments are in `execute.args`; the hash is its
/// `_Implementation` companion's).
const PROXIED_MEMBERS: &[(Field, &str)] =
    &[(Field::ProxyAddress, "address"), (Field::Implementation, "implementation")];

fn push(
    state: &mut SourceState,
    chain_id: u64,
    name: &str,
    fields: BTreeMap<Field, FieldValue>,
    origin: &str,
    place: RecordPlace,
) {
    let covered = fields.keys().copied().collect();
    let (name, origin, place) = (name.to_string(), origin.to_string(), Some(std::sync::Arc::new(place)));
    state.records.push(StateRecord { chain_id, name, covered, fields, origin, place });
}

fn address_of(json: &Value, key: &str, origin: &str) -> Result<AddressText, FormatError> {
    let text = json.get(key).and_then(Value::as_str).unwrap_or_default();
    AddressText::parse(text).ok_or_else(|| {
        FormatError::new(format!("{origin}: {key}"), format!("`{}` is not an address", excerpt(text, EXCERPT_CHARS)))
    })
}

/// `args` as written; absent when the file has none.
fn args_of(json: &Value) -> FieldValue {
    match json.get("args") {
        Some(Value::Array(args)) => FieldValue::Args(args.clone()),
        _ => FieldValue::Absent,
    }
}

/// The implementation hash derived from the file's creation and runtime bytecode (both needed).
pub fn derived_hash(json: &Value) -> Option<FieldValue> {
    let code = |key: &str| {
        let text = json.get(key)?.as_str()?;
        let bytes = hex::decode(text.trim_start_matches("0x")).ok()?;
        (!bytes.is_empty()).then_some(bytes)
    };
    let (creation, runtime) = (code("bytecode")?, code("deployedBytecode")?);
    let hash = |bytes: &[u8]| HashText::parse(&keccak_hex(strip_metadata(bytes)));
    Some(FieldValue::Derived { creation: hash(&creation)?, runtime: hash(&runtime)? })
}

//! OpenZeppelin upgrades manifests (`.openzeppelin/<network>.json`) as a [`SourceState`] (pure).
//!
//! A manifest names neither its chain nor its proxies' contracts. The chain comes from the file name through
//! OpenZeppelin's own network names (below) or its `unknown-<chainId>` rule. Proxies are listed as unattributed
//! (compare matches them by address). Implementations are named by the contract of their storage layout; when one
//! contract has several implementations (upgrade history), the last one in the manifest is the current one.

use super::{FormatError, InputFile};
use crate::core::primitives::AddressText;
use crate::core::state::{ChainClaim, Field, FieldValue, SourceFormat, SourceState, StateRecord, UnattributedProxy};
use serde_json::Value;
use std::collections::BTreeMap;

/// OpenZeppelin's manifest file names for the chains LookCoin uses (from `@openzeppelin/upgrades-core`).
pub const MANIFEST_NETWORKS: &[(&str, u64)] = &[
    ("mainnet", 1),
    ("bsc", 56),
    ("bsc-testnet", 97),
    ("base", 8453),
    ("base-sepolia", 84532),
    ("optimism", 10),
    ("op-sepolia", 11155420),
    ("sepolia", 11155111),
];

pub fn looks_like(json: &Value) -> bool {
    json.get("manifestVersion").is_some() && json.get("impls").is_some()
}

/// The chain of a manifest from its file stem (`bsc-testnet`, `unknown-23295`).
pub fn chain_of(stem: &str) -> Option<u64> {
    if let Some(id) = stem.strip_prefix("unknown-") {
        return id.parse().ok();
    }
    MANIFEST_NETWORKS.iter().find(|(n, _)| *n == stem).map(|(_, id)| *id)
}

/// `files` carry the manifest's file stem as their origin's last path component without `.json`.
pub fn parse(label: &str, files: &[InputFile]) -> Result<SourceState, FormatError> {
    let mut state = SourceState::new(label, SourceFormat::OpenZeppelin);
    for file in files {
        let stem = file.origin.rsplit('/').next().unwrap_or(&file.origin).trim_end_matches(".json");
        let chain_id = chain_of(stem).ok_or_else(|| {
            FormatError::new(&file.origin, format!("`{stem}` is not an OpenZeppelin network name this tool knows"))
        })?;
        state.chain_claims.push(ChainClaim {
            chain_id,
            origin: file.origin.clone(),
            network: Some(stem.to_string()),
            network_chain_ids: vec![chain_id],
        });
        proxies(&mut state, file, chain_id)?;
        implementations(&mut state, file, chain_id)?;
    }
    Ok(state)
}

fn proxies(state: &mut SourceState, file: &InputFile, chain_id: u64) -> Result<(), FormatError> {
    let list = match file.json.get("proxies") {
        None => return Ok(()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(FormatError::new(format!("{}: proxies", file.origin), "expected an array")),
    };
    for (i, proxy) in list.iter().enumerate() {
        let origin = format!("{}: proxies[{i}]", file.origin);
        let text = proxy.get("address").and_then(Value::as_str).unwrap_or_default();
        let address =
            AddressText::parse(text).ok_or_else(|| FormatError::new(&origin, format!("`{text}` is not an address")))?;
        let kind = proxy.get("kind").and_then(Value::as_str).map(str::to_string);
        let admin = manifest_admin(file);
        state.unattributed_proxies.push(UnattributedProxy { chain_id, address, origin, kind, admin });
    }
    Ok(())
}

/// The manifest's `admin.address` (the ProxyAdmin of its transparent proxies), when it holds a valid one.
fn manifest_admin(file: &InputFile) -> Option<AddressText> {
    file.json.pointer("/admin/address").and_then(Value::as_str).and_then(AddressText::parse)
}

/// The contract an implementation's storage layout belongs to: the contract of its last storage variable.
fn layout_contract(implementation: &Value) -> Option<String> {
    let storage = implementation.pointer("/layout/storage")?.as_array()?;
    storage.last()?.get("contract")?.as_str().map(str::to_string)
}

fn implementations(state: &mut SourceState, file: &InputFile, chain_id: u64) -> Result<(), FormatError> {
    let Some(impls) = file.json.get("impls").and_then(Value::as_object) else {
        return Err(FormatError::new(format!("{}: impls", file.origin), "expected an object"));
    };
    let mut current: BTreeMap<String, StateRecord> = BTreeMap::new();
    for (hash, implementation) in impls {
        let origin = format!("{}: impls.{hash}", file.origin);
        let text = implementation.get("address").and_then(Value::as_str).unwrap_or_default();
        let address =
            AddressText::parse(text).ok_or_else(|| FormatError::new(&origin, format!("`{text}` is not an address")))?;
        let Some(name) = layout_contract(implementation) else {
            continue; // no storage layout names it: nothing to join it with (counted in the coverage note)
        };
        let fields = BTreeMap::from([(Field::Implementation, FieldValue::Address(address))]);
        let record =
            StateRecord { chain_id, name: name.clone(), covered: fields.keys().copied().collect(), fields, origin };
        current.insert(name, record); // later entries are later upgrades
    }
    state.records.extend(current.into_values());
    Ok(())
}

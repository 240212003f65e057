//! Foundry broadcast files (`broadcast/<Script>.s.sol/<chainId>/run-latest.json`) as a [`SourceState`] (pure).
//!
//! A broadcast lists the script's `transactions`; a `CREATE` or `CREATE2` one carries `contractName`,
//! `contractAddress` and the constructor `arguments`. The chain is the file's `chain`, else its folder's name.
//! A created contract whose name ends in `Proxy` (`ERC1967Proxy`, `TransparentUpgradeableProxy`, a project's own)
//! and whose first constructor argument is the address of another contract created by the same run is taken as
//! that contract's proxy (ERC-1967 proxies take their implementation first): the other contract's record gets it
//! as `proxyAddress` and the proxy gets no record of its own.
//!
//! What a record covers: `address` and `proxyAddress` always; `deploymentArgs` only for a contract without a proxy
//! (a proxied contract's initializer arguments are inside the proxy's encoded call data, not written out). The
//! file holds no bytecode hash of its own, and the creation code in `transaction.input` carries the constructor
//! arguments, so no implementation hash is derived. `run-<timestamp>.json` files next to a `run-latest.json`
//! are earlier runs: skipped, with a warning.

use super::{FormatError, InputFile};
use crate::core::excerpt::{excerpt, EXCERPT_CHARS};
use crate::core::location::{JsonPath, Location, RecordPlace};
use crate::core::primitives::AddressText;
use crate::core::state::{ChainClaim, Field, FieldValue, SkippedFile, SourceFormat, SourceState, StateRecord};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// True when a JSON document looks like a Foundry broadcast.
pub fn looks_like(json: &Value) -> bool {
    json.get("transactions").is_some_and(Value::is_array)
        && (json.get("receipts").is_some() || json.get("chain").is_some())
        && json.get("abi").is_none()
}

fn folder_and_name(origin: &str) -> (&str, &str) {
    origin.rsplit_once('/').unwrap_or(("", origin))
}

pub fn parse(label: &str, files: &[InputFile]) -> Result<SourceState, FormatError> {
    let mut state = SourceState::new(label, SourceFormat::FoundryBroadcast);
    let latest: BTreeSet<&str> = files
        .iter()
        .map(|f| folder_and_name(&f.origin))
        .filter(|(_, name)| *name == "run-latest.json")
        .map(|(folder, _)| folder)
        .collect();
    let mut claimed: BTreeSet<u64> = BTreeSet::new();
    for file in files {
        let (folder, name) = folder_and_name(&file.origin);
        if name != "run-latest.json" && latest.contains(folder) {
            state.skipped.push(SkippedFile {
                origin: file.origin.clone(),
                reason: "an earlier run: the run-latest.json next to it is read".into(),
            });
            continue;
        }
        let chain_id = chain_of(file, folder)?;
        if claimed.insert(chain_id) {
            // Several scripts broadcast to one chain: one claim per chain, not a conflict.
            state.chain_claims.push(ChainClaim {
                chain_id,
                origin: file.origin.clone(),
                network: None,
                network_chain_ids: Vec::new(),
                at: Some(Location::new(&file.origin, JsonPath::keys(&["chain"]))),
            });
        }
        read_run(&mut state, file, chain_id)?;
    }
    Ok(state)
}

fn chain_of(file: &InputFile, folder: &str) -> Result<u64, FormatError> {
    match file.json.get("chain") {
        Some(Value::Number(n)) => {
            n.as_u64().ok_or_else(|| FormatError::new(format!("{}: chain", file.origin), "not a chain id"))
        }
        _ => folder.rsplit('/').next().and_then(|d| d.parse().ok()).ok_or_else(|| {
            FormatError::new(
                &file.origin,
                "no `chain`, and the folder is not named by a chain id (broadcast/<Script>/<chainId>/)",
            )
        }),
    }
}

/// One created contract of a run.
struct Created {
    name: String,
    address: AddressText,
    arguments: Option<Vec<Value>>,
    origin: String,
    /// Its transaction's index in `transactions`.
    index: usize,
}

/// Where a creating transaction keeps a contract's fields.
const MEMBERS: &[(Field, &str)] = &[(Field::Implementation, "contractAddress"), (Field::DeploymentArgs, "arguments")];

fn read_run(state: &mut SourceState, file: &InputFile, chain_id: u64) -> Result<(), FormatError> {
    let Some(transactions) = file.json.get("transactions").and_then(Value::as_array) else {
        return Err(FormatError::new(format!("{}: transactions", file.origin), "expected an array"));
    };
    let mut created = Vec::new();
    for (i, tx) in transactions.iter().enumerate() {
        let kind = tx.get("transactionType").and_then(Value::as_str).unwrap_or_default();
        if kind != "CREATE" && kind != "CREATE2" {
            continue;
        }
        let origin = format!("{}: transactions[{i}]", file.origin);
        let text = tx.get("contractAddress").and_then(Value::as_str).unwrap_or_default();
        let address = AddressText::parse(text).ok_or_else(|| {
            FormatError::new(
                format!("{origin}.contractAddress"),
                format!("`{}` is not an address", excerpt(text, EXCERPT_CHARS)),
            )
        })?;
        let name = match tx.get("contractName").and_then(Value::as_str) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => format!("(unnamed contract {})", address.text()),
        };
        let arguments = match tx.get("arguments") {
            Some(Value::Array(a)) => Some(a.clone()),
            None | Some(Value::Null) => None,
            Some(_) => return Err(FormatError::new(format!("{origin}.arguments"), "expected an array")),
        };
        created.push(Created { name, address, arguments, origin, index: i });
    }
    let proxied_by: BTreeMap<usize, usize> = created
        .iter()
        .enumerate()
        .filter(|(_, proxy)| proxy.name.ends_with("Proxy"))
        .filter_map(|(p, proxy)| {
            let first = proxy.arguments.as_ref()?.first()?.as_str().and_then(AddressText::parse)?;
            let target = created.iter().position(|c| c.address.address() == first.address())?;
            (target != p).then_some((target, p))
        })
        .collect();
    let proxies: BTreeSet<usize> = proxied_by.values().copied().collect();
    for (i, c) in created.iter().enumerate() {
        if proxies.contains(&i) && !proxied_by.contains_key(&i) {
            continue;
        }
        let mut fields = BTreeMap::from([(Field::Implementation, FieldValue::Address(c.address.clone()))]);
        let transaction = |c: &Created| JsonPath::keys(&["transactions"]).index(c.index);
        let mut place = RecordPlace::new(Location::new(&file.origin, transaction(c)), MEMBERS);
        match proxied_by.get(&i) {
            Some(p) => {
                fields.insert(Field::ProxyAddress, FieldValue::Address(created[*p].address.clone()));
                let at = Location::new(&file.origin, transaction(&created[*p]).key("contractAddress"));
                place = place.with(Field::ProxyAddress, at);
            }
            None => {
                fields.insert(Field::ProxyAddress, FieldValue::Absent);
                let args = c.arguments.clone().map_or(FieldValue::Absent, FieldValue::Args);
                fields.insert(Field::DeploymentArgs, args);
            }
        }
        let covered = fields.keys().copied().collect();
        let (name, origin, place) = (c.name.clone(), c.origin.clone(), Some(std::sync::Arc::new(place)));
        state.records.push(StateRecord { chain_id, name, covered, fields, origin, place });
    }
    Ok(())
}

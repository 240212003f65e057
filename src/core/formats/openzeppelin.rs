//! OpenZeppelin upgrades manifests (`.openzeppelin/<network>.json`) as a [`SourceState`] (pure).
//!
//! A manifest names neither its chain nor its proxies' contracts. The chain comes from the file name through
//! upgrades-core's own network names ([`MANIFEST_NETWORKS`]), its `unknown-<chainId>` rule, or its development
//! file names (`hardhat-31337-<instance>`); a file whose name maps to no chain is skipped with a warning, never the
//! whole folder refused. Proxies are listed as unattributed, with their kind (compare matches them by address).
//!
//! Every implementation is kept, identified by its address (and version hash, the key of `impls`): a contract's
//! upgrade history and two different contracts sharing a name are all candidates, and which one is current is
//! never guessed from file order ([`SourceFormat::keeps_history`]). An implementation is named by the contract of
//! its storage layout: the last `storage` variable's contract, else (OpenZeppelin Contracts v5 namespaced storage,
//! ERC-7201, where `storage` can be empty) the last variable of the project's own namespace. One named by neither
//! is still kept, under [`unnamed`] of its version hash. An implementation deployed at several addresses
//! (`allAddresses`) is a candidate at each. The manifest's `admin` is the chain's proxy admin.

use super::{FormatError, InputFile};
use crate::core::excerpt::{excerpt, EXCERPT_CHARS};
use crate::core::location::{JsonPath, Location, RecordPlace};
use crate::core::primitives::AddressText;
use crate::core::state::{
    ChainAdmin, ChainClaim, Field, FieldValue, SkippedFile, SourceFormat, SourceState, StateRecord, UnattributedProxy,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// upgrades-core's table of network file names (`networkNames` in `packages/core/src/provider.ts`): a manifest of
/// any other chain is written as `unknown-<chainId>.json`.
pub const MANIFEST_NETWORKS: &[(&str, u64)] = &[
    ("mainnet", 1),
    ("morden", 2),
    ("ropsten", 3),
    ("rinkeby", 4),
    ("goerli", 5),
    ("optimism", 10),
    ("kovan", 42),
    ("bsc", 56),
    ("bsc-testnet", 97),
    ("polygon", 137),
    ("optimism-goerli", 420),
    ("base", 8453),
    ("holesky", 17000),
    ("arbitrum-one", 42161),
    ("arbitrum-nova", 42170),
    ("celo", 42220),
    ("avalanche-fuji", 43113),
    ("avalanche", 43114),
    ("celo-alfajores", 44787),
    ("polygon-mumbai", 80001),
    ("base-sepolia", 84532),
    ("arbitrum-goerli", 421613),
    ("sepolia", 11155111),
    ("op-sepolia", 11155420),
];

/// The network names upgrades-core gives development networks; their manifests are named
/// `<name>-<chainId>-<instanceId>.json`.
pub const DEV_NETWORKS: &[&str] = &["hardhat", "anvil"];

/// The prefix of the name an implementation without a layout name is kept under.
const UNNAMED: &str = "(unnamed implementation ";

/// The name an implementation no layout names is kept under: its version hash.
pub fn unnamed(version_hash: &str) -> String {
    format!("{UNNAMED}{version_hash})")
}

/// True for a name made by [`unnamed`].
pub fn is_unnamed(name: &str) -> bool {
    name.starts_with(UNNAMED)
}

/// An upgrades-core manifest (3.x) or an OpenZeppelin CLI 2.x one (refused by [`parse`] with its version).
pub fn looks_like(json: &Value) -> bool {
    json.get("manifestVersion").is_some()
        && (json.get("impls").is_some() || json.get("proxies").is_some() || json.get("contracts").is_some())
}

/// The chain of a manifest from its file stem (`bsc-testnet`, `unknown-23295`, `hardhat-31337-<instance>`).
pub fn chain_of(stem: &str) -> Option<u64> {
    if let Some(id) = stem.strip_prefix("unknown-") {
        return id.parse().ok();
    }
    if let Some((_, id)) = MANIFEST_NETWORKS.iter().find(|(n, _)| *n == stem) {
        return Some(*id);
    }
    let (network, rest) = stem.split_once('-')?;
    let (chain, instance) = rest.split_once('-')?;
    (DEV_NETWORKS.contains(&network) && !instance.is_empty()).then(|| chain.parse().ok()).flatten()
}

/// The file name upgrades-core gives the manifest of a (non-development) chain.
pub fn file_stem_of(chain_id: u64) -> String {
    MANIFEST_NETWORKS
        .iter()
        .find(|(_, id)| *id == chain_id)
        .map_or_else(|| format!("unknown-{chain_id}"), |(n, _)| n.to_string())
}

/// `files` carry the manifest's file stem as their origin's last path component without `.json`.
pub fn parse(label: &str, files: &[InputFile]) -> Result<SourceState, FormatError> {
    let mut state = SourceState::new(label, SourceFormat::OpenZeppelin);
    for file in files {
        check_version(file)?;
        let stem = file.origin.rsplit('/').next().unwrap_or(&file.origin).trim_end_matches(".json");
        let Some(chain_id) = chain_of(stem) else {
            state.skipped.push(SkippedFile {
                origin: file.origin.clone(),
                reason: format!(
                    "`{stem}` is not a network name of upgrades-core's table, `unknown-<chainId>` or a development \
                     file name: its chain is unknown, so it was not read"
                ),
            });
            continue;
        };
        state.chain_claims.push(ChainClaim {
            chain_id,
            origin: file.origin.clone(),
            network: Some(stem.to_string()),
            network_chain_ids: vec![chain_id],
            // The file's name says the chain.
            at: Some(Location::file(&file.origin)),
        });
        proxies(&mut state, file, chain_id)?;
        admin(&mut state, file, chain_id)?;
        implementations(&mut state, file, chain_id)?;
    }
    Ok(state)
}

/// upgrades-core reads manifest versions 3.0 to 3.2; anything older is an OpenZeppelin CLI 2.x file, whose
/// shape (`contracts`, `proxies` keyed by `package/Contract`) is another format.
fn check_version(file: &InputFile) -> Result<(), FormatError> {
    let origin = format!("{}: manifestVersion", file.origin);
    let version = match file.json.get("manifestVersion") {
        Some(Value::String(v)) => v.as_str(),
        _ => return Err(FormatError::new(origin, "`manifestVersion` is not a string")),
    };
    let major = version.split('.').next().and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(3) => Ok(()),
        Some(m) if m < 3 => Err(FormatError::new(
            origin,
            format!(
                "an OpenZeppelin CLI 2.x manifest (manifestVersion {version}): not read; only upgrades-core \
                 manifests (manifestVersion 3.x) are"
            ),
        )
        .with_hint(
            "move the CLI 2.x file (`.openzeppelin/<network>.json` of the old OpenZeppelin CLI) out of the folder; \
             upgrades-core does not read it either",
        )),
        _ => Err(FormatError::new(origin, format!("unknown manifestVersion {version}; 3.0 to 3.2 are read"))),
    }
}

fn address_of(value: &Value, origin: &str) -> Result<AddressText, FormatError> {
    let text = value.get("address").and_then(Value::as_str).unwrap_or_default();
    AddressText::parse(text)
        .ok_or_else(|| FormatError::new(origin, format!("`{}` is not an address", excerpt(text, EXCERPT_CHARS))))
}

fn proxies(state: &mut SourceState, file: &InputFile, chain_id: u64) -> Result<(), FormatError> {
    let list = match file.json.get("proxies") {
        None => return Ok(()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(FormatError::new(format!("{}: proxies", file.origin), "expected an array")),
    };
    for (i, proxy) in list.iter().enumerate() {
        let origin = format!("{}: proxies[{i}]", file.origin);
        let address = address_of(proxy, &origin)?;
        let kind = proxy.get("kind").and_then(Value::as_str).map(str::to_string);
        let admin = manifest_admin(file);
        let at = Some(Location::new(&file.origin, JsonPath::keys(&["proxies"]).index(i).key("address")));
        let admin_at = admin.as_ref().map(|_| Location::new(&file.origin, JsonPath::keys(&["admin", "address"])));
        let proxy = UnattributedProxy { chain_id, address, origin, kind, admin, at, admin_at };
        state.unattributed_proxies.push(proxy);
    }
    Ok(())
}

fn admin(state: &mut SourceState, file: &InputFile, chain_id: u64) -> Result<(), FormatError> {
    match file.json.get("admin") {
        None | Some(Value::Null) => Ok(()),
        Some(admin) => {
            let origin = format!("{}: admin", file.origin);
            let address = address_of(admin, &origin)?;
            let path =
                if admin.is_object() { JsonPath::keys(&["admin", "address"]) } else { JsonPath::keys(&["admin"]) };
            let at = Some(Location::new(&file.origin, path));
            state.admins.push(ChainAdmin { chain_id, address, origin, at });
            Ok(())
        }
    }
}

/// The contract an implementation's layout names: its last storage variable's, else the last variable of its
/// own (not OpenZeppelin's) ERC-7201 namespace.
pub fn layout_contract(implementation: &Value) -> Option<String> {
    let contract_of_last = |items: &Value| items.as_array()?.last()?.get("contract")?.as_str().map(str::to_string);
    let layout = implementation.get("layout")?;
    if let Some(name) = layout.get("storage").and_then(contract_of_last) {
        return Some(name);
    }
    let namespaces = layout.get("namespaces")?.as_object()?;
    namespaces
        .iter()
        .filter(|(id, _)| !id.starts_with("erc7201:openzeppelin."))
        .filter_map(|(_, items)| contract_of_last(items))
        .next_back()
}

/// The manifest's `admin.address` (the ProxyAdmin of its transparent proxies), when it holds a valid one.
fn manifest_admin(file: &InputFile) -> Option<AddressText> {
    file.json.pointer("/admin/address").and_then(Value::as_str).and_then(AddressText::parse)
}

fn implementations(state: &mut SourceState, file: &InputFile, chain_id: u64) -> Result<(), FormatError> {
    let impls = match file.json.get("impls") {
        None => return Ok(()),
        Some(Value::Object(impls)) => impls,
        Some(_) => return Err(FormatError::new(format!("{}: impls", file.origin), "expected an object")),
    };
    for (hash, implementation) in impls {
        if implementation.is_null() {
            continue; // upgrades-core tolerates a removed entry
        }
        let origin = format!("{}: impls.{hash}", file.origin);
        let address = address_of(implementation, &origin)?;
        let name = layout_contract(implementation).unwrap_or_else(|| unnamed(hash));
        let entry = JsonPath::keys(&["impls", hash]);
        let mut addresses = vec![(address, origin.clone(), entry.key("address"))];
        if let Some(all) = implementation.get("allAddresses") {
            let Some(all) = all.as_array() else {
                return Err(FormatError::new(format!("{origin}.allAddresses"), "expected an array"));
            };
            for (i, a) in all.iter().enumerate() {
                let at = format!("{origin}.allAddresses[{i}]");
                let text = a.as_str().unwrap_or_default();
                let other = AddressText::parse(text).ok_or_else(|| {
                    FormatError::new(&at, format!("`{}` is not an address", excerpt(text, EXCERPT_CHARS)))
                })?;
                if !addresses.iter().any(|(known, _, _)| known.address() == other.address()) {
                    addresses.push((other, at, entry.key("allAddresses").index(i)));
                }
            }
        }
        for (address, origin, path) in addresses {
            let fields = BTreeMap::from([(Field::Implementation, FieldValue::Address(address))]);
            let covered = fields.keys().copied().collect();
            let place = Some(std::sync::Arc::new(RecordPlace::new(Location::new(&file.origin, path), &[])));
            state.records.push(StateRecord { chain_id, name: name.clone(), covered, fields, origin, place });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn file_names_map_to_chains_like_upgrades_core() {
        assert_eq!(chain_of("polygon"), Some(137));
        assert_eq!(chain_of("arbitrum-one"), Some(42161));
        assert_eq!(chain_of("kovan"), Some(42));
        assert_eq!(chain_of("unknown-23295"), Some(23295));
        assert_eq!(chain_of("hardhat-31337-6e7ab4f2"), Some(31337));
        assert_eq!(chain_of("polygon-zkevm"), None);
        assert_eq!(chain_of("hardhat"), None);
        for (name, id) in MANIFEST_NETWORKS {
            assert_eq!(file_stem_of(*id), *name);
        }
    }

    #[test]
    fn names_come_from_storage_then_the_projects_namespace() {
        let storage = json!({"layout": {"storage": [{"contract": "Base"}, {"contract": "Token"}]}});
        assert_eq!(layout_contract(&storage).as_deref(), Some("Token"));
        let namespaced = json!({"layout": {"storage": [], "namespaces": {
            "erc7201:openzeppelin.storage.Pausable": [{"contract": "PausableUpgradeable"}],
            "erc7201:demo.storage.Vault": [{"contract": "Vault"}],
        }}});
        assert_eq!(layout_contract(&namespaced).as_deref(), Some("Vault"));
        let only_oz = json!({"layout": {"storage": [], "namespaces": {
            "erc7201:openzeppelin.storage.Pausable": [{"contract": "PausableUpgradeable"}],
        }}});
        assert_eq!(layout_contract(&only_oz), None);
    }

    #[test]
    fn cli_2_manifests_are_refused_naming_the_version() {
        let file = InputFile {
            origin: "x/mainnet.json".into(),
            json: json!({"manifestVersion": "2.2", "contracts": {}, "proxies": {}}),
        };
        let err = parse("oz", &[file]).unwrap_err();
        assert!(err.problem.contains("CLI 2.x") && err.problem.contains("2.2"), "{err:?}");
    }
}

//! Deploys the demo set with real transactions, builds the LevelDB records a deploy script would have written for
//! it, and plants drift afterwards with anvil's cheat methods (the chain changes; the records do not).

use super::anvil::AnvilNode;
use super::contracts::{creation_with, initialize_call, proxy_creation, Contract};
use super::rpc::{lab_error, LabRpc};
use crate::core::network::NetworkTable;
use crate::core::onchain::reads::DEFAULT_CONFIRMATIONS;
use crate::core::onchain::ProxyKind;
use crate::core::onchain::IMPLEMENTATION_SLOT;
use crate::core::primitives::{AddressText, ChainId, ContractName, HashText, TimestampMs};
use crate::core::record::{DeploymentRecord, SourceEntries};
use crate::error::ToolError;
use alloy_primitives::{Address, B256, U256};
use serde_json::json;
use std::collections::BTreeMap;

/// The supply every demo token is initialised with (10^24, as a decimal string in `deploymentArgs`).
pub const DEMO_SUPPLY: &str = "1000000000000000000000000";

/// One deployed proxy + implementation and the record that describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    pub chain_id: u64,
    pub name: String,
    pub proxy: Address,
    pub implementation: Address,
    /// Which contract the implementation is.
    pub contract: Contract,
    pub record: DeploymentRecord,
    pub kind: ProxyKind,
    /// The proxy admin contract (transparent proxies).
    pub admin: Option<Address>,
    /// The beacon (beacon proxies).
    pub beacon: Option<Address>,
}

impl Deployed {
    /// A deployment on `node` with the record a deploy script would have written for it; no admin, no beacon.
    fn new(
        node: &AnvilNode,
        name: &str,
        (implementation, contract): (Address, Contract),
        proxy: Address,
        kind: ProxyKind,
    ) -> Deployed {
        let chain_id = node.chain_id();
        let record = record_of(chain_id, name, implementation, proxy, contract);
        let name = name.to_string();
        Deployed { chain_id, name, proxy, implementation, contract, record, kind, admin: None, beacon: None }
    }
}

/// Deploys, for each name, a `DemoToken` implementation and a `DemoProxy` initialised with
/// `initialize(name, 10^24)`. Names may be fully qualified (`contracts/x/A.sol:A`). Then mines
/// [`DEFAULT_CONFIRMATIONS`] blocks, so that `verify-chain`'s default pinned block holds the new contracts.
pub fn deploy_demo_set(node: &AnvilNode, names: &[&str]) -> Result<Vec<Deployed>, ToolError> {
    let set = names.iter().map(|name| deploy_pair(node, name, Contract::DemoToken)).collect();
    settle(node)?;
    set
}

/// Mines [`DEFAULT_CONFIRMATIONS`] blocks: what was just deployed or planted is then in the block `verify-chain`
/// pins by default.
pub fn settle(node: &AnvilNode) -> Result<(), ToolError> {
    (0..DEFAULT_CONFIRMATIONS).try_for_each(|_| node.rpc().mine())
}

/// Deploys a `NotUups` implementation behind a `DemoTransparentProxy` whose admin is a new `DemoProxyAdmin`, and
/// returns its record (the proxy's kind and admin are on chain only, as in a LevelDB record).
pub fn deploy_transparent(node: &AnvilNode, name: &str) -> Result<Deployed, ToolError> {
    let rpc = node.rpc();
    let implementation = created(rpc.transact(None, &Contract::NotUups.artifact().creation)?, name)?;
    let admin = created(rpc.transact(None, &Contract::DemoProxyAdmin.artifact().creation)?, name)?;
    let init = initialize_call(name, supply());
    let code = creation_with(Contract::DemoTransparentProxy, &[implementation, admin], Some(&init));
    let proxy = created(rpc.transact(None, &code)?, name)?;
    settle(node)?;
    let deployed = Deployed::new(node, name, (implementation, Contract::NotUups), proxy, ProxyKind::Transparent);
    Ok(Deployed { admin: Some(admin), ..deployed })
}

/// Deploys a `NotUups` implementation, a `DemoBeacon` for it and a `DemoBeaconProxy` of that beacon.
pub fn deploy_beacon(node: &AnvilNode, name: &str) -> Result<Deployed, ToolError> {
    let rpc = node.rpc();
    let implementation = created(rpc.transact(None, &Contract::NotUups.artifact().creation)?, name)?;
    let beacon = created(rpc.transact(None, &creation_with(Contract::DemoBeacon, &[implementation], None))?, name)?;
    let init = initialize_call(name, supply());
    let proxy = created(rpc.transact(None, &creation_with(Contract::DemoBeaconProxy, &[beacon], Some(&init)))?, name)?;
    settle(node)?;
    let deployed = Deployed::new(node, name, (implementation, Contract::NotUups), proxy, ProxyKind::Beacon);
    Ok(Deployed { beacon: Some(beacon), ..deployed })
}

fn supply() -> U256 {
    U256::from_str_radix(DEMO_SUPPLY, 10).expect("a literal number")
}

fn created(receipt: super::rpc::Receipt, name: &str) -> Result<Address, ToolError> {
    receipt.contract.ok_or_else(|| lab_error(format!("deployment for {name}"), "the receipt names no new contract"))
}

/// Deploys `implementation` and a proxy in front of it, with real transactions, and returns its record.
pub fn deploy_pair(node: &AnvilNode, name: &str, implementation: Contract) -> Result<Deployed, ToolError> {
    let rpc = node.rpc();
    let impl_address = created(rpc.transact(None, &implementation.artifact().creation)?, name)?;
    let init = initialize_call(name, supply());
    let proxy = created(rpc.transact(None, &proxy_creation(impl_address, &init))?, name)?;
    Ok(Deployed::new(node, name, (impl_address, implementation), proxy, ProxyKind::Uups))
}

/// The record the deploy script would have written: implementation address, proxy, the runtime hash rule for
/// both hashes (the 2025-07-24 rule), the initializer arguments, the deployment time.
pub fn record_of(
    chain_id: u64,
    name: &str,
    implementation: Address,
    proxy: Address,
    contract: Contract,
) -> DeploymentRecord {
    let hash = HashText::parse(&contract.artifact().runtime_hash()).expect("keccak_hex is a hash text");
    let checksummed = |a: Address| AddressText::parse(&a.to_checksum(None)).expect("a checksummed address parses");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    DeploymentRecord {
        chain_id: ChainId(chain_id),
        contract_name: ContractName(name.to_string()),
        network_name: NetworkTable::builtin().identify(chain_id).key,
        address: checksummed(implementation),
        factory_bytecode_hash: hash.clone(),
        implementation_hash: Some(hash),
        proxy_address: Some(checksummed(proxy)),
        deployment_args: Some(vec![json!(name), json!(DEMO_SUPPLY)]),
        timestamp: TimestampMs(now.as_millis() as u64),
        extra_fields: BTreeMap::new(),
    }
}

/// The LevelDB entries of records: key `"{chainId}-{contractName}"`, value the record as compact JSON.
pub fn entries_of<'a>(records: impl IntoIterator<Item = &'a DeploymentRecord>) -> SourceEntries {
    records.into_iter().map(|r| (r.key().to_string().into_bytes(), r.to_value_bytes())).collect()
}

/// Drift that can be planted on a deployment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drift {
    /// The proxy's EIP-1967 implementation slot points at another address.
    ImplementationSlot(Address),
    /// The proxy's code is gone.
    RemoveProxy,
    /// The implementation's code is gone.
    RemoveImplementation,
    /// The implementation's code is replaced by another contract's (immutables filled as its constructor would).
    ReplaceImplementation(Contract),
    /// The beacon of a beacon proxy names another implementation (`DemoBeacon.implementation` is slot 0).
    BeaconImplementation(Address),
}

/// Plants `drift` on `deployed` and mines blocks, so reads at the latest block and at `verify-chain`'s default
/// pinned block see it.
pub fn plant(rpc: &LabRpc, deployed: &Deployed, drift: Drift) -> Result<(), ToolError> {
    plant_only(rpc, deployed, drift)?;
    (0..DEFAULT_CONFIRMATIONS).try_for_each(|_| rpc.mine())
}

fn plant_only(rpc: &LabRpc, deployed: &Deployed, drift: Drift) -> Result<(), ToolError> {
    match drift {
        Drift::ImplementationSlot(to) => {
            rpc.set_storage_at(deployed.proxy, IMPLEMENTATION_SLOT, B256::left_padding_from(to.as_slice()))
        }
        Drift::RemoveProxy => rpc.set_code(deployed.proxy, &[]),
        Drift::RemoveImplementation => rpc.set_code(deployed.implementation, &[]),
        Drift::ReplaceImplementation(other) => {
            rpc.set_code(deployed.implementation, &other.artifact().runtime_at(deployed.implementation))
        }
        Drift::BeaconImplementation(to) => {
            let beacon = deployed.beacon.ok_or_else(|| lab_error(&deployed.name, "not a beacon proxy"))?;
            rpc.set_storage_at(beacon, B256::ZERO, B256::left_padding_from(to.as_slice()))
        }
    }
}

//! On-chain verification, pure part: what to read for a set of records, the snapshot the RPC layer returns, and
//! the comparison of records with it (`verify`). No network here: tests feed snapshot values directly.

pub mod code;
pub mod verify;

pub use code::{ArtifactInfo, Artifacts};

use super::state::{Field, FieldValue, StateRecord};
use alloy_primitives::{b256, Address, Bytes, B256, U256};
use std::collections::{BTreeMap, BTreeSet};

/// EIP-1967 implementation slot.
pub const IMPLEMENTATION_SLOT: B256 = b256!("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc");
/// EIP-1967 admin slot.
pub const ADMIN_SLOT: B256 = b256!("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103");
/// EIP-1967 beacon slot.
pub const BEACON_SLOT: B256 = b256!("a3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50");
/// `proxiableUUID()` selector (ERC-1822).
pub const PROXIABLE_UUID: [u8; 4] = [0x52, 0xd1, 0x90, 0x2d];

/// A record to verify, as far as the chain can check it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub chain_id: u64,
    pub contract: String,
    /// The implementation address the record names.
    pub implementation: Address,
    pub implementation_text: String,
    pub proxy: Option<Address>,
    /// The recorded implementation hash (lowercase), or the factory hash when that is all there is.
    pub expected_hash: Option<String>,
}

impl Target {
    /// The target of a record; `None` when it names no implementation address.
    pub fn of(record: &StateRecord) -> Option<Target> {
        let FieldValue::Address(implementation) = record.get(Field::Implementation) else {
            return None;
        };
        let proxy = match record.get(Field::ProxyAddress) {
            FieldValue::Address(a) => Some(a.address()),
            _ => None,
        };
        let hash_of = |f: Field| match record.get(f) {
            FieldValue::Hash(h) if !h.is_empty() => Some(h.text().to_ascii_lowercase()),
            _ => None,
        };
        Some(Target {
            chain_id: record.chain_id,
            contract: record.name.clone(),
            implementation: implementation.address(),
            implementation_text: implementation.text().to_string(),
            proxy,
            expected_hash: hash_of(Field::ImplementationHash).or_else(|| hash_of(Field::FactoryBytecodeHash)),
        })
    }
}

/// Everything to read from one network, derived from its targets: its size does not change the number of round
/// trips (all of it goes in one JSON-RPC batch).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadPlan {
    pub codes: BTreeSet<Address>,
    pub slots: BTreeSet<(Address, B256)>,
    pub calls: BTreeSet<(Address, Bytes)>,
}

impl ReadPlan {
    pub fn of(targets: &[Target]) -> ReadPlan {
        let mut plan = ReadPlan::default();
        for t in targets {
            plan.codes.insert(t.implementation);
            if let Some(proxy) = t.proxy {
                plan.codes.insert(proxy);
                plan.slots.insert((proxy, IMPLEMENTATION_SLOT));
                plan.calls.insert((t.implementation, Bytes::copy_from_slice(&PROXIABLE_UUID)));
            }
        }
        plan
    }

    pub fn len(&self) -> usize {
        self.codes.len() + self.slots.len() + self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The block every value of a network was read at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockRef {
    pub number: u64,
    pub hash: B256,
}

/// What an `eth_call` gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallOutcome {
    Returned(Bytes),
    Reverted(String),
}

/// One endpoint's answers for a read plan, all at one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSnapshot {
    /// What the endpoint's `eth_chainId` said.
    pub chain_id: u64,
    pub block: BlockRef,
    pub code: BTreeMap<Address, Bytes>,
    /// Storage words as numbers: Sapphire has answered zero in more than one textual form.
    pub storage: BTreeMap<(Address, B256), U256>,
    pub calls: BTreeMap<(Address, Bytes), CallOutcome>,
}

/// One endpoint of a network and what came of asking it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointResult {
    /// The endpoint with every secret removed (see `io::rpc::redact`).
    pub endpoint: String,
    pub outcome: EndpointOutcome,
    /// JSON-RPC round trips made (batches count once).
    pub round_trips: u32,
    /// JSON-RPC requests made (every call inside a batch counts).
    pub requests: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointOutcome {
    Snapshot(ChainSnapshot),
    /// The endpoint serves another chain: nothing it says is used.
    WrongChain {
        actual: u64,
    },
    /// Failed after retries.
    Failed(String),
}

impl EndpointOutcome {
    /// How the endpoint fared, in words every report uses.
    pub fn status(&self) -> String {
        match self {
            EndpointOutcome::Snapshot(_) => "ok".to_string(),
            EndpointOutcome::WrongChain { actual } => format!("wrong chain (serves {actual})"),
            EndpointOutcome::Failed(why) => format!("failed: {why}"),
        }
    }
}

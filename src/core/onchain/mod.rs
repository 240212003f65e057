//! On-chain verification, pure part: what to read for a set of records, the snapshot the RPC layer returns, and
//! the comparison of records with it (`verify`). No network here: tests feed snapshot values directly.

pub mod code;
pub mod proxy;
pub mod reads;
pub mod verify;

pub use code::{ArtifactInfo, Artifacts};

use super::location::Location;
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
    /// The proxy kind a source declares (OpenZeppelin manifests' `kind`), if any.
    pub declared_kind: Option<ProxyKind>,
    /// The proxy admin a source declares (OpenZeppelin manifests' `admin`), if any.
    pub expected_admin: Option<Address>,
    /// Where the record (`None`) and the fields a finding can be about are in a JSON file, for findings to
    /// point at; empty for a LevelDB record. The expected hash is placed where it was read (the implementation
    /// hash, or the factory hash when that is all there is).
    pub places: Vec<(Option<Field>, Location)>,
}

/// A proxy a source lists without naming its contract (OpenZeppelin manifests' `proxies`), with the kind and admin
/// the source declares: checked on its own (code, kind, admin), as no record says which implementation it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredProxy {
    pub chain_id: u64,
    pub address: Address,
    pub kind: Option<ProxyKind>,
    pub admin: Option<Address>,
    /// Where the source lists it, and its admin.
    pub origin: String,
    pub at: Option<Location>,
    pub admin_at: Option<Location>,
}

impl DeclaredProxy {
    pub fn of(p: &super::state::UnattributedProxy) -> DeclaredProxy {
        DeclaredProxy {
            chain_id: p.chain_id,
            address: p.address.address(),
            kind: p.kind.as_deref().and_then(ProxyKind::parse),
            admin: p.admin.as_ref().map(|a| a.address()),
            origin: p.origin.clone(),
            at: p.at.clone(),
            admin_at: p.admin_at.clone(),
        }
    }
}

/// The kinds of EIP-1967 proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProxyKind {
    /// The implementation upgrades itself (`proxiableUUID()`); the admin slot is empty.
    Uups,
    /// A proxy admin (the admin slot) upgrades it.
    Transparent,
    /// The implementation is the beacon's `implementation()` (the beacon slot).
    Beacon,
}

impl ProxyKind {
    pub fn name(self) -> &'static str {
        match self {
            ProxyKind::Uups => "uups",
            ProxyKind::Transparent => "transparent",
            ProxyKind::Beacon => "beacon",
        }
    }

    /// `uups`, `transparent` or `beacon` as OpenZeppelin manifests write them.
    pub fn parse(text: &str) -> Option<ProxyKind> {
        [ProxyKind::Uups, ProxyKind::Transparent, ProxyKind::Beacon].into_iter().find(|k| k.name() == text)
    }
}

impl Target {
    /// Where the record holds `field` (the record itself for `None` or a field it has no place for), when it is
    /// in a JSON file.
    pub fn at(&self, field: Option<Field>) -> Option<Location> {
        let found =
            self.places.iter().find(|(f, _)| *f == field).or_else(|| self.places.iter().find(|(f, _)| f.is_none()));
        found.map(|(_, at)| at.clone())
    }

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
        let hash_field = match hash_of(Field::ImplementationHash) {
            Some(_) => Field::ImplementationHash,
            None => Field::FactoryBytecodeHash,
        };
        let asked = [
            (None, None),
            (Some(Field::Implementation), Some(Field::Implementation)),
            (Some(Field::ProxyAddress), Some(Field::ProxyAddress)),
            (Some(Field::ImplementationHash), Some(hash_field)),
        ];
        let places = asked.into_iter().filter_map(|(asked, read)| Some((asked, record.place_of(read)?))).collect();
        Some(Target {
            chain_id: record.chain_id,
            contract: record.name.clone(),
            implementation: implementation.address(),
            implementation_text: implementation.text().to_string(),
            proxy,
            expected_hash: hash_of(Field::ImplementationHash).or_else(|| hash_of(Field::FactoryBytecodeHash)),
            declared_kind: None,
            expected_admin: None,
            places,
        })
    }
}

/// Everything to read from one network, derived from its targets. The RPC layer sends it in batches within each
/// endpoint's limits; beacons found in the beacon slots are asked for their `implementation()` afterwards
/// ([`ReadPlan::beacon_reads`]).
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
                for slot in [IMPLEMENTATION_SLOT, ADMIN_SLOT, BEACON_SLOT] {
                    plan.slots.insert((proxy, slot));
                }
                plan.calls.insert((t.implementation, Bytes::copy_from_slice(&PROXIABLE_UUID)));
            }
        }
        plan
    }

    /// Adds the reads of proxies a source lists on their own: code and the three EIP-1967 slots.
    pub fn with_declared(mut self, declared: &[DeclaredProxy]) -> ReadPlan {
        for d in declared {
            self.codes.insert(d.address);
            for slot in [IMPLEMENTATION_SLOT, ADMIN_SLOT, BEACON_SLOT] {
                self.slots.insert((d.address, slot));
            }
        }
        self
    }

    pub fn len(&self) -> usize {
        self.codes.len() + self.slots.len() + self.calls.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every read, codes first, then slots, then calls.
    pub fn keys(&self) -> Vec<reads::ReadKey> {
        let codes = self.codes.iter().map(|a| reads::ReadKey::Code(*a));
        let slots = self.slots.iter().map(|(a, s)| reads::ReadKey::Slot(*a, *s));
        let calls = self.calls.iter().map(|(a, d)| reads::ReadKey::Call(*a, d.clone()));
        codes.chain(slots).chain(calls).collect()
    }

    /// The second step for beacon proxies: `implementation()` of every beacon named by a beacon slot read.
    pub fn beacon_reads(storage: &BTreeMap<(Address, B256), U256>) -> Vec<reads::ReadKey> {
        let beacons: BTreeSet<Address> = storage
            .iter()
            .filter(|((_, slot), _)| *slot == BEACON_SLOT)
            .filter_map(|(_, word)| verify::slot_address(*word).filter(|a| !a.is_zero()))
            .collect();
        let data = Bytes::copy_from_slice(&reads::BEACON_IMPLEMENTATION);
        beacons.into_iter().map(|b| reads::ReadKey::Call(b, data.clone())).collect()
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
    /// Largest batch the endpoint accepted (the configured `max_batch`, or what halving on refusals learnt).
    pub batch_size: usize,
    /// Reads asked again on their own after a transient failure.
    pub retried: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointOutcome {
    Snapshot(ChainSnapshot),
    /// The endpoint serves another chain: nothing it says is used.
    WrongChain {
        actual: u64,
    },
    /// Failed after retries (or its pinned block changed under the reads).
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

//! The comparable view of a deployment-state source, whatever its format (pure).
//!
//! Every reader (LevelDB, our JSON, legacy v1, v3 unified, OpenZeppelin manifests) produces a [`SourceState`]:
//! records with the fields its format can hold ([`SourceState::coverage`]), the records it could not read
//! ([`InvalidRecord`]), which files claimed which chain ([`ChainClaim`]), and proxies it lists without saying
//! which contract they belong to.

use super::location::{Location, RecordPlace};
use super::primitives::{AddressText, HashText, TimestampMs};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

/// A record field as compared across formats. Names are the LevelDB field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Field {
    /// The implementation address (LevelDB `address`).
    Implementation,
    ProxyAddress,
    ImplementationHash,
    FactoryBytecodeHash,
    DeploymentArgs,
    Timestamp,
    NetworkName,
    Category,
    /// Value fields the tool does not know, kept by LevelDB and our documents.
    ExtraFields,
    /// The admin of a transparent proxy (OpenZeppelin's `admin`, a record's `proxyAdmin` value field).
    ProxyAdmin,
}

impl Field {
    pub const ALL: [Field; 10] = [
        Field::Implementation,
        Field::ProxyAddress,
        Field::ImplementationHash,
        Field::FactoryBytecodeHash,
        Field::DeploymentArgs,
        Field::Timestamp,
        Field::NetworkName,
        Field::Category,
        Field::ExtraFields,
        Field::ProxyAdmin,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Field::Implementation => "address",
            Field::ProxyAddress => "proxyAddress",
            Field::ImplementationHash => "implementationHash",
            Field::FactoryBytecodeHash => "factoryByteCodeHash",
            Field::DeploymentArgs => "deploymentArgs",
            Field::Timestamp => "timestamp",
            Field::NetworkName => "networkName",
            Field::Category => "category",
            Field::ExtraFields => "extraFields",
            Field::ProxyAdmin => "proxyAdmin",
        }
    }

    pub fn parse(name: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A field's value with the normalisation compare uses (see [`FieldValue::same_as`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// The format can hold the field; this record does not have it (absent is not empty).
    Absent,
    Address(AddressText),
    Hash(HashText),
    /// Hashes this tool computed from a file's bytecode by the hash rule of docs/DOMAIN.md §4 (not written in the
    /// file): of the creation and of the runtime code. A recorded hash agrees with either, as a recorded hash
    /// may have been taken from either kind of bytecode.
    Derived {
        creation: HashText,
        runtime: HashText,
    },
    Args(Vec<Value>),
    /// An instant, with the text or number it was written as.
    Time {
        ms: TimestampMs,
        shown: Value,
    },
    Text(String),
    /// Unknown value fields, by name.
    Extra(BTreeMap<String, Value>),
}

impl FieldValue {
    /// Equality after normalisation: addresses case-insensitively (the checksum is checked separately), hashes
    /// lowercase, instants as milliseconds (ISO and ms are the same instant), args deep-equal with strings that
    /// are addresses compared case-insensitively and every other string and number text exactly.
    pub fn same_as(&self, other: &FieldValue) -> bool {
        match (self, other) {
            (FieldValue::Address(a), FieldValue::Address(b)) => a.address() == b.address(),
            (FieldValue::Hash(a), FieldValue::Hash(b)) => a.text().eq_ignore_ascii_case(b.text()),
            (FieldValue::Hash(h), FieldValue::Derived { creation, runtime })
            | (FieldValue::Derived { creation, runtime }, FieldValue::Hash(h)) => {
                h.text().eq_ignore_ascii_case(creation.text()) || h.text().eq_ignore_ascii_case(runtime.text())
            }
            (FieldValue::Args(a), FieldValue::Args(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_same(x, y))
            }
            (FieldValue::Time { ms: a, .. }, FieldValue::Time { ms: b, .. }) => a == b,
            (a, b) => a == b,
        }
    }

    /// The value as the report shows it.
    pub fn to_json(&self) -> Value {
        match self {
            FieldValue::Absent => Value::Null,
            FieldValue::Address(a) => Value::String(a.text().to_string()),
            FieldValue::Hash(h) => Value::String(h.text().to_string()),
            FieldValue::Derived { creation, runtime } => {
                serde_json::json!({"derived": {"creation": creation.text(), "runtime": runtime.text()}})
            }
            FieldValue::Args(args) => Value::Array(args.clone()),
            FieldValue::Time { shown, .. } => shown.clone(),
            FieldValue::Text(t) => Value::String(t.clone()),
            FieldValue::Extra(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
        }
    }
}

/// Deep equality of argument values; strings that are both addresses compare case-insensitively.
fn json_same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => match (AddressText::parse(x), AddressText::parse(y)) {
            (Some(p), Some(q)) => p.address() == q.address(),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_same(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| json_same(v, w)))
        }
        _ => a == b,
    }
}

/// One record of a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateRecord {
    pub chain_id: u64,
    /// The contract name exactly as the source wrote it.
    pub name: String,
    /// The fields this record's place in its format can hold (a v1 `protocolContracts` entry holds only a
    /// proxy, say). Only fields both sides cover are compared.
    pub covered: BTreeSet<Field>,
    /// Values of covered fields; a covered field missing here is [`FieldValue::Absent`].
    pub fields: BTreeMap<Field, FieldValue>,
    /// Where it came from: `file.json: contracts.core.LookCoin`, a LevelDB key, ...
    pub origin: String,
    /// Where the record and each of its fields are in a JSON file (`None` for a LevelDB record). Shared, as
    /// `compare` copies records into its groups.
    pub place: Option<Arc<RecordPlace>>,
}

impl StateRecord {
    pub fn get(&self, field: Field) -> &FieldValue {
        self.fields.get(&field).unwrap_or(&FieldValue::Absent)
    }

    /// Where `field` is in the record's file, or the record itself for `None` and for a field it does not hold
    /// (absent, or no unknown field at all: there is no value to point at; the record is where it would be
    /// written). `None` for a LevelDB record.
    pub fn place_of(&self, field: Option<Field>) -> Option<Location> {
        let place = self.place.as_ref()?;
        let read_elsewhere = |f: &Field| place.elsewhere.iter().any(|(e, _)| e == f);
        let holds = |f: &Field| match self.get(*f) {
            FieldValue::Absent => false,
            FieldValue::Extra(map) => !map.is_empty(),
            _ => true,
        };
        let held = field.filter(|f| holds(f) || read_elsewhere(f));
        Some(place.of(held))
    }

    /// Equal under normalisation on every field both records cover.
    pub fn agrees_with(&self, other: &StateRecord) -> bool {
        self.covered.intersection(&other.covered).all(|f| self.get(*f).same_as(other.get(*f)))
    }

    /// The record as a JSON object of its covered fields, for reports.
    pub fn to_json(&self) -> Value {
        let mut map = serde_json::Map::new();
        map.insert("name".into(), Value::String(self.name.clone()));
        for field in &self.covered {
            map.insert(field.name().into(), self.get(*field).to_json());
        }
        Value::Object(map)
    }
}

/// An entry a source holds but that is not a valid record (a quarantined LevelDB value, say).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidRecord {
    /// The chain id when the key names one.
    pub chain_id: Option<u64>,
    /// The key or name it was stored under.
    pub key: String,
    /// The stored key and value bytes, to tell two copies of the same bad entry from two different ones and to
    /// carry it unchanged into a reconciled quarantine.
    pub raw_key: Vec<u8>,
    pub raw_value: Vec<u8>,
    pub problems: Vec<String>,
    pub origin: String,
    /// Where the entry is in a JSON file (`None` in a LevelDB).
    pub at: Option<Location>,
}

/// A file (or document) saying it holds the records of a chain.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChainClaim {
    pub chain_id: u64,
    pub origin: String,
    /// The network name the file gives, if any.
    pub network: Option<String>,
    /// The chain ids the network table gives that name (empty when unknown); a claim whose name belongs to
    /// another chain is a conflict.
    pub network_chain_ids: Vec<u64>,
    /// The value that makes the claim (`chainId`, or the network name a chain is known by), when in a JSON file.
    pub at: Option<Location>,
}

impl ChainClaim {
    /// True when the file's network name belongs to another chain per the network table.
    pub fn misnamed(&self) -> bool {
        !self.network_chain_ids.is_empty() && !self.network_chain_ids.contains(&self.chain_id)
    }
}

/// A proxy a format lists without naming its contract (OpenZeppelin manifests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnattributedProxy {
    pub chain_id: u64,
    pub address: AddressText,
    /// The proxy kind the format states (`uups`, `transparent`, `beacon`), if any.
    pub kind: Option<String>,
    pub origin: String,
    pub at: Option<Location>,
    /// The proxy admin the source declares (OpenZeppelin manifests' `admin`), if any, and where.
    pub admin: Option<AddressText>,
    pub admin_at: Option<Location>,
}

/// A chain's proxy admin as a format states it once for the chain (OpenZeppelin's `admin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainAdmin {
    pub chain_id: u64,
    pub address: AddressText,
    pub origin: String,
    pub at: Option<Location>,
}

/// A file of a source that was not read, and why (an OpenZeppelin manifest named for a network the tool cannot
/// map to a chain id, say). Reports list it as a warning.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SkippedFile {
    pub origin: String,
    pub reason: String,
}

/// The formats the tool reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SourceFormat {
    LevelDb,
    Enhanced,
    LegacyV1,
    UnifiedV3,
    OpenZeppelin,
    /// hardhat-deploy `deployments/<network>/` folders.
    HardhatDeploy,
    /// Foundry `broadcast/<Script>.s.sol/<chainId>/run-latest.json`.
    FoundryBroadcast,
}

impl SourceFormat {
    pub const ALL: [SourceFormat; 7] = [
        SourceFormat::LevelDb,
        SourceFormat::Enhanced,
        SourceFormat::LegacyV1,
        SourceFormat::UnifiedV3,
        SourceFormat::OpenZeppelin,
        SourceFormat::HardhatDeploy,
        SourceFormat::FoundryBroadcast,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SourceFormat::LevelDb => "leveldb",
            SourceFormat::Enhanced => "enhanced",
            SourceFormat::LegacyV1 => "v1",
            SourceFormat::UnifiedV3 => "v3",
            SourceFormat::OpenZeppelin => "openzeppelin",
            SourceFormat::HardhatDeploy => "hardhat-deploy",
            SourceFormat::FoundryBroadcast => "foundry-broadcast",
        }
    }

    /// True when the format keeps every implementation a contract ever had (an upgrade history, or different
    /// contracts sharing a name) without saying which is current: a record of the other side agrees when its
    /// implementation is one of them. Which one is current is decided on chain, never from file order.
    pub fn keeps_history(self) -> bool {
        matches!(self, SourceFormat::OpenZeppelin)
    }

    pub fn parse(name: &str) -> Option<SourceFormat> {
        SourceFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    /// The record fields this format can hold somewhere. A field outside it is "not covered": reported as
    /// coverage, never as a mismatch. (Each record's own `covered` may be narrower.)
    pub fn coverage(self) -> BTreeSet<Field> {
        use Field::*;
        let fields: &[Field] = match self {
            SourceFormat::LevelDb => &[
                Implementation,
                ProxyAddress,
                ImplementationHash,
                FactoryBytecodeHash,
                DeploymentArgs,
                Timestamp,
                NetworkName,
                ExtraFields,
            ],
            SourceFormat::Enhanced => &[
                Implementation,
                ProxyAddress,
                ImplementationHash,
                FactoryBytecodeHash,
                DeploymentArgs,
                Timestamp,
                NetworkName,
                Category,
                ExtraFields,
            ],
            SourceFormat::LegacyV1 => &[Implementation, ProxyAddress, ImplementationHash],
            SourceFormat::UnifiedV3 => &[
                Implementation,
                ProxyAddress,
                ImplementationHash,
                FactoryBytecodeHash,
                DeploymentArgs,
                Timestamp,
                Category,
            ],
            SourceFormat::OpenZeppelin => &[Implementation, ProxyAdmin],
            SourceFormat::HardhatDeploy => &[Implementation, ProxyAddress, ImplementationHash, DeploymentArgs],
            SourceFormat::FoundryBroadcast => &[Implementation, ProxyAddress, DeploymentArgs],
        };
        fields.iter().copied().collect()
    }
}

impl fmt::Display for SourceFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything one source says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceState {
    pub label: String,
    pub format: SourceFormat,
    pub records: Vec<StateRecord>,
    pub invalid: Vec<InvalidRecord>,
    pub chain_claims: Vec<ChainClaim>,
    pub unattributed_proxies: Vec<UnattributedProxy>,
    /// Files of a migrated folder that differ from its manifest (our documents only; empty elsewhere).
    pub changed_files: Vec<super::document::FileChange>,
    /// Proxy admins stated once per chain.
    pub admins: Vec<ChainAdmin>,
    /// Files not read, with the reason (reported as warnings).
    pub skipped: Vec<SkippedFile>,
    /// The SHA-256 of every JSON file read, by the name its locations use: lines are looked up later only in
    /// bytes that are still those that were read.
    pub digests: BTreeMap<String, String>,
}

impl SourceState {
    pub fn new(label: impl Into<String>, format: SourceFormat) -> SourceState {
        SourceState {
            label: label.into(),
            format,
            records: Vec::new(),
            invalid: Vec::new(),
            chain_claims: Vec::new(),
            unattributed_proxies: Vec::new(),
            changed_files: Vec::new(),
            admins: Vec::new(),
            skipped: Vec::new(),
            digests: BTreeMap::new(),
        }
    }

    /// The fields this source can hold: its format's, plus `proxyAdmin` when a record carries one as a value
    /// field (LevelDB and our documents keep unknown value fields).
    pub fn coverage(&self) -> BTreeSet<Field> {
        let mut fields = self.format.coverage();
        if self.records.iter().any(|r| record_proxy_admin(r).is_some()) {
            fields.insert(Field::ProxyAdmin);
        }
        fields
    }
}

/// A record's proxy admin: its `proxyAdmin` field, or a `proxyAdmin` value field among its unknown fields.
pub fn record_proxy_admin(record: &StateRecord) -> Option<AddressText> {
    match record.get(Field::ProxyAdmin) {
        FieldValue::Address(a) => Some(a.clone()),
        _ => match record.get(Field::ExtraFields) {
            FieldValue::Extra(map) => map.get("proxyAdmin").and_then(Value::as_str).and_then(AddressText::parse),
            _ => None,
        },
    }
}

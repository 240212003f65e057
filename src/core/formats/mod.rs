//! Readers of every deployment-state format into a [`SourceState`](super::state::SourceState) (pure: they take
//! parsed JSON or entries, the shell reads the files).

pub mod entries;
pub mod foundry_broadcast;
pub mod hardhat_deploy;
pub mod legacy_v1;
pub mod openzeppelin;
pub mod unified_v3;

use super::excerpt::json_excerpt;
use super::location::{JsonPath, Location, RecordPlace};
use super::network::NetworkTable;
use super::primitives::{AddressText, HashText, TimestampMs};
use super::state::{ChainClaim, Field, FieldValue, SourceFormat, StateRecord};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What the format of a parsed JSON file is, from its content; `None` when it is none the tool knows.
pub fn detect(json: &Value) -> Option<SourceFormat> {
    let ours = matches!(json.get("kind").and_then(Value::as_str), Some("chain" | "quarantine" | "manifest"))
        && json.get("schemaVersion").and_then(Value::as_str) == Some(super::document::SCHEMA_VERSION);
    if ours {
        Some(SourceFormat::Enhanced)
    } else if unified_v3::looks_like(json) {
        Some(SourceFormat::UnifiedV3)
    } else if openzeppelin::looks_like(json) {
        Some(SourceFormat::OpenZeppelin)
    } else if hardhat_deploy::looks_like(json) {
        Some(SourceFormat::HardhatDeploy)
    } else if foundry_broadcast::looks_like(json) {
        Some(SourceFormat::FoundryBroadcast)
    } else if legacy_v1::looks_like(json) {
        Some(SourceFormat::LegacyV1)
    } else {
        None
    }
}

/// A file that does not have the shape its format requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    /// The file (and place in it) concerned.
    pub origin: String,
    pub problem: String,
    /// What to do, when the reader knows better than the generic hint.
    pub hint: Option<String>,
}

impl FormatError {
    pub fn new(origin: impl Into<String>, problem: impl Into<String>) -> FormatError {
        FormatError { origin: origin.into(), problem: problem.into(), hint: None }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> FormatError {
        self.hint = Some(hint.into());
        self
    }
}

/// One parsed input file: where it came from and its JSON.
#[derive(Debug, Clone)]
pub struct InputFile {
    pub origin: String,
    pub json: Value,
}

/// A record that covers exactly the fields it holds, read at `place`.
pub fn record(
    chain_id: u64,
    name: &str,
    fields: BTreeMap<Field, FieldValue>,
    origin: String,
    place: RecordPlace,
) -> StateRecord {
    let covered = fields.keys().copied().collect();
    StateRecord { chain_id, name: name.to_string(), covered, fields, origin, place: Some(Arc::new(place)) }
}

/// An address-valued field: `Absent` when missing or null, an error when present but not an address.
pub fn address_at(obj: &Value, key: &str, origin: &str) -> Result<FieldValue, FormatError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(FieldValue::Absent),
        Some(Value::String(s)) => AddressText::parse(s)
            .map(FieldValue::Address)
            .ok_or_else(|| FormatError::new(format!("{origin}.{key}"), format!("`{s}` is not an address"))),
        Some(other) => Err(FormatError::new(
            format!("{origin}.{key}"),
            format!("expected an address, found {}", json_excerpt(other)),
        )),
    }
}

/// A hash-valued field, like [`address_at`].
pub fn hash_at(obj: &Value, key: &str, origin: &str) -> Result<FieldValue, FormatError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(FieldValue::Absent),
        Some(Value::String(s)) => HashText::parse(s)
            .map(FieldValue::Hash)
            .ok_or_else(|| FormatError::new(format!("{origin}.{key}"), format!("`{s}` is not a hash"))),
        Some(other) => {
            Err(FormatError::new(format!("{origin}.{key}"), format!("expected a hash, found {}", json_excerpt(other))))
        }
    }
}

/// A timestamp field written as milliseconds or as an ISO 8601 / RFC 3339 string.
pub fn time_at(obj: &Value, key: &str, origin: &str) -> Result<FieldValue, FormatError> {
    let bad =
        |v: &Value| FormatError::new(format!("{origin}.{key}"), format!("`{}` is not a timestamp", json_excerpt(v)));
    match obj.get(key) {
        None | Some(Value::Null) => Ok(FieldValue::Absent),
        Some(v @ Value::Number(n)) => {
            let ms = n.to_string().parse::<u64>().map_err(|_| bad(v))?;
            Ok(FieldValue::Time { ms: TimestampMs(ms), shown: v.clone() })
        }
        Some(v @ Value::String(s)) => {
            let ms = TimestampMs::parse_rfc3339(s).ok_or_else(|| bad(v))?;
            Ok(FieldValue::Time { ms, shown: v.clone() })
        }
        Some(v) => Err(bad(v)),
    }
}

/// The chain a network file claims: its `chainId`, checked against what the network table says its `network`
/// name means. A file without `chainId` is placed by its network name through the table, never by guessing.
pub fn claim_of(file: &InputFile, table: &NetworkTable) -> Result<ChainClaim, FormatError> {
    let network = file.json.get("network").and_then(Value::as_str).map(str::to_string);
    let named = network.as_deref().map(|n| table.chain_ids_named(n)).unwrap_or_default();
    let chain_id = match file.json.get("chainId") {
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| FormatError::new(format!("{}: chainId", file.origin), "chainId is not an integer"))?,
        None => match named.as_slice() {
            [one] => *one,
            _ => {
                return Err(FormatError::new(
                    &file.origin,
                    "no `chainId`, and its `network` is not one name of the network table",
                ))
            }
        },
        Some(other) => {
            return Err(FormatError::new(
                format!("{}: chainId", file.origin),
                format!("`{}` is not a chain id", json_excerpt(other)),
            ))
        }
    };
    let key = if file.json.get("chainId").is_some() { "chainId" } else { "network" };
    let at = Some(Location::new(&file.origin, JsonPath::keys(&[key])));
    Ok(ChainClaim { chain_id, origin: file.origin.clone(), network, network_chain_ids: named, at })
}

//! The fast path of [`super::parse_entry`]: a value of the usual shape read in one pass straight into typed
//! fields, its strings borrowed from the bytes.
//!
//! It only ever answers "this is a valid record, and here it is". Anything unusual — an escape in a string, a
//! field given twice, a wrong type, a missing field, any validation failure — makes it give up, and the general
//! path (which builds a `serde_json::Value` and names every problem) decides. So it can be faster but never
//! different; `properties/parsing_never_panics.rs` checks that the two paths agree on arbitrary, mutated
//! and generated entries.
//!
//! Why it exists: at 100,000 records the general path spent most of its time allocating a `Value` tree per
//! record, parsing each value a second time to look for repeated fields, and copying the strings out.

use super::DeploymentRecord;
use crate::core::primitives::{AddressText, HashText, RecordKey, TimestampMs};
use serde::de::{Deserialize, Deserializer, Error as _, MapAccess, Visitor};
use serde_json::Value;
use std::collections::BTreeMap;

/// The fields of one value as they appear in the bytes, nothing validated yet.
#[derive(Default)]
struct Fields<'a> {
    contract_name: Option<&'a str>,
    chain_id: Option<CanonicalU64>,
    network_name: Option<&'a str>,
    address: Option<&'a str>,
    factory_bytecode_hash: Option<&'a str>,
    implementation_hash: Option<&'a str>,
    proxy_address: Option<&'a str>,
    deployment_args: Option<Vec<Value>>,
    timestamp: Option<CanonicalU64>,
    extra_fields: BTreeMap<String, Value>,
}

/// Sets a field once; a second occurrence is left to the general path, which decides whether it loses data.
fn once<T, E: serde::de::Error>(slot: &mut Option<T>, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::custom("field given twice"));
    }
    *slot = Some(value);
    Ok(())
}

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a deployment record object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
                let mut f = Fields::default();
                // Borrowed keys and strings: a string with an escape fails here and goes to the general path.
                while let Some(name) = map.next_key::<&'de str>()? {
                    match name {
                        "contractName" => once(&mut f.contract_name, map.next_value()?)?,
                        "chainId" => once(&mut f.chain_id, map.next_value()?)?,
                        "networkName" => once(&mut f.network_name, map.next_value()?)?,
                        "address" => once(&mut f.address, map.next_value()?)?,
                        "factoryByteCodeHash" => once(&mut f.factory_bytecode_hash, map.next_value()?)?,
                        "implementationHash" => once(&mut f.implementation_hash, map.next_value()?)?,
                        "proxyAddress" => once(&mut f.proxy_address, map.next_value()?)?,
                        "deploymentArgs" => once(&mut f.deployment_args, map.next_value()?)?,
                        "timestamp" => once(&mut f.timestamp, map.next_value()?)?,
                        other => {
                            let value: Value = map.next_value()?;
                            if f.extra_fields.insert(other.to_string(), value).is_some() {
                                return Err(A::Error::custom("field given twice"));
                            }
                        }
                    }
                }
                Ok(f)
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

/// The record, if the entry is a valid record of the usual shape; `None` means "ask the general path".
pub(super) fn parse_valid(key: &[u8], value: &[u8]) -> Option<DeploymentRecord> {
    let key: RecordKey = std::str::from_utf8(key).ok()?.parse().ok()?;
    let f: Fields<'_> = serde_json::from_slice(value).ok()?;
    let chain_id = f.chain_id?.0;
    if f.contract_name? != key.contract.0 || chain_id != key.chain_id.0 {
        return None;
    }
    Some(DeploymentRecord {
        chain_id: key.chain_id,
        network_name: f.network_name?.to_string(),
        address: AddressText::parse(f.address?)?,
        factory_bytecode_hash: HashText::parse(f.factory_bytecode_hash?)?,
        implementation_hash: optional(f.implementation_hash, HashText::parse)?,
        proxy_address: optional(f.proxy_address, AddressText::parse)?,
        deployment_args: f.deployment_args,
        timestamp: TimestampMs(f.timestamp?.0),
        extra_fields: f.extra_fields,
        contract_name: key.contract,
    })
}

/// A number whose text is a canonical non-negative integer that fits in 64 bits: the general path's rule.
///
/// serde_json hands a visitor `visit_u64` only for digits without sign, fraction or exponent that fit (JSON itself
/// forbids leading zeros); `-0`, `56.0`, `5.6e1` and larger numbers arrive as other calls and are refused, so the
/// value goes to the general path. No text is allocated, unlike a `Number` under `arbitrary_precision`.
struct CanonicalU64(u64);

impl<'de> Deserialize<'de> for CanonicalU64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct U64Only;
        impl Visitor<'_> for U64Only {
            type Value = CanonicalU64;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a non-negative integer")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<CanonicalU64, E> {
                Ok(CanonicalU64(v))
            }
        }
        deserializer.deserialize_u64(U64Only)
    }
}

/// An optional field: absent stays absent (`Some(None)`); present must parse (`None` when it does not).
fn optional<T>(text: Option<&str>, parse: impl Fn(&str) -> Option<T>) -> Option<Option<T>> {
    match text {
        None => Some(None),
        Some(text) => parse(text).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"contractName":"A","chainId":56,"networkName":"bsc","address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","factoryByteCodeHash":"","deploymentArgs":["1",[2]],"note":1.50,"timestamp":1}"#;

    #[test]
    fn takes_the_usual_shape() {
        let record = parse_valid(b"56-A", GOOD.as_bytes()).expect("the usual shape");
        assert_eq!(record.deployment_args.as_ref().map(Vec::len), Some(2));
        assert_eq!(record.extra_fields["note"].to_string(), "1.50");
        assert_eq!(record.implementation_hash, None);
    }

    #[test]
    fn leaves_everything_unusual_to_the_general_path() {
        let unusual = [
            GOOD.replace(r#""A","#, r#""\u0041","#),
            GOOD.replace(r#""bsc","#, r#""bsc","networkName":"bsc","#),
            GOOD.replace(r#""note":1.50"#, r#""note":1,"note":1"#),
            GOOD.replace(":56,", ":56.0,"),
            GOOD.replace(":56,", ":-0,"),
            GOOD.replace(r#""timestamp":1"#, r#""timestamp":-0"#),
            GOOD.replace(r#""timestamp":1"#, r#""timestamp":1.0"#),
            GOOD.replace(r#""timestamp":1"#, r#""timestamp":1e0"#),
            GOOD.replace(r#""timestamp":1"#, r#""timestamp":18446744073709551616"#),
            GOOD.replace(r#""timestamp":1"#, r#""timestamp":"1""#),
            GOOD.replace(r#","networkName":"bsc""#, ""),
            GOOD.replace(r#""deploymentArgs":["1",[2]]"#, r#""deploymentArgs":null"#),
            GOOD.replace("0x5a", "0x5z"),
        ];
        for value in &unusual {
            assert!(parse_valid(b"56-A", value.as_bytes()).is_none(), "{value}");
        }
        assert!(parse_valid(b"97-A", GOOD.as_bytes()).is_none());
        assert!(parse_valid(b"56-B", GOOD.as_bytes()).is_none());
    }
}

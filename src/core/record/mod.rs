//! The deployment record of docs/DOMAIN.md §3 and its validation from raw LevelDB bytes (pure).
//!
//! A raw entry either becomes a [`DeploymentRecord`] or is quarantined with every reason it failed: nothing is
//! dropped, nothing panics. Absent and empty are kept apart for every optional field.

mod fast;

use super::primitives::{AddressText, ChainId, ContractName, HashText, KeyError, RecordKey, TimestampMs};
use serde_json::{Map, Number, Value};
use std::collections::BTreeMap;

/// The raw entries of a source, keyed and ordered by key bytes (LevelDB's own order). A map, so a key is unique
/// by construction and every function over it is independent of the order entries arrived in.
pub type SourceEntries = BTreeMap<Vec<u8>, Vec<u8>>;

/// The LevelDB value field names, in the order both writers of the original tooling stored them.
pub const FIELD_ORDER: [&str; 9] = [
    "contractName",
    "chainId",
    "networkName",
    "address",
    "factoryByteCodeHash",
    "implementationHash",
    "proxyAddress",
    "deploymentArgs",
    "timestamp",
];

/// One contract deployment on one chain, every field of the LevelDB value kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeploymentRecord {
    pub chain_id: ChainId,
    pub contract_name: ContractName,
    /// Provenance only: styles are mixed within one chain (`bsc`, `bscmainnet`).
    pub network_name: String,
    /// The implementation address (not the proxy).
    pub address: AddressText,
    pub factory_bytecode_hash: HashText,
    pub implementation_hash: Option<HashText>,
    pub proxy_address: Option<AddressText>,
    /// Exact JSON: big integers stay decimal strings, numbers keep their text.
    pub deployment_args: Option<Vec<Value>>,
    pub timestamp: TimestampMs,
    /// Fields the tool does not know, kept so that nothing is lost.
    pub extra_fields: BTreeMap<String, Value>,
}

impl DeploymentRecord {
    pub fn key(&self) -> RecordKey {
        RecordKey { chain_id: self.chain_id, contract: self.contract_name.clone() }
    }

    /// The LevelDB value as a JSON object in [`FIELD_ORDER`], unknown fields last in byte order.
    pub fn to_value(&self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("contractName".into(), Value::String(self.contract_name.0.clone()));
        map.insert("chainId".into(), Value::Number(Number::from(self.chain_id.0)));
        map.insert("networkName".into(), Value::String(self.network_name.clone()));
        map.insert("address".into(), Value::String(self.address.text().into()));
        map.insert("factoryByteCodeHash".into(), Value::String(self.factory_bytecode_hash.text().into()));
        if let Some(hash) = &self.implementation_hash {
            map.insert("implementationHash".into(), Value::String(hash.text().into()));
        }
        if let Some(proxy) = &self.proxy_address {
            map.insert("proxyAddress".into(), Value::String(proxy.text().into()));
        }
        if let Some(args) = &self.deployment_args {
            map.insert("deploymentArgs".into(), Value::Array(args.clone()));
        }
        map.insert("timestamp".into(), Value::Number(Number::from(self.timestamp.0)));
        for (name, value) in &self.extra_fields {
            map.insert(name.clone(), value.clone());
        }
        map
    }

    /// [`DeploymentRecord::to_value`], moving the record's strings instead of copying them.
    pub fn into_value(self) -> Map<String, Value> {
        let mut map = Map::new();
        map.insert("contractName".into(), Value::String(self.contract_name.0));
        map.insert("chainId".into(), Value::Number(Number::from(self.chain_id.0)));
        map.insert("networkName".into(), Value::String(self.network_name));
        map.insert("address".into(), Value::String(self.address.into_text()));
        map.insert("factoryByteCodeHash".into(), Value::String(self.factory_bytecode_hash.into_text()));
        if let Some(hash) = self.implementation_hash {
            map.insert("implementationHash".into(), Value::String(hash.into_text()));
        }
        if let Some(proxy) = self.proxy_address {
            map.insert("proxyAddress".into(), Value::String(proxy.into_text()));
        }
        if let Some(args) = self.deployment_args {
            map.insert("deploymentArgs".into(), Value::Array(args));
        }
        map.insert("timestamp".into(), Value::Number(Number::from(self.timestamp.0)));
        map.extend(self.extra_fields);
        map
    }

    /// The value as compact JSON bytes, as the deploy script's `JSON.stringify` wrote it.
    pub fn to_value_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&Value::Object(self.to_value())).expect("a JSON map always serializes")
    }
}

/// Why an entry could not become a record. The codes are stable: reports and the quarantine document carry them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemCode {
    KeyNotUtf8,
    KeyNoSeparator,
    KeyChainIdInvalid,
    KeyContractNameEmpty,
    ValueNotUtf8,
    ValueNotJson,
    ValueNotObject,
    ValueDuplicateField,
    FieldMissing,
    FieldWrongType,
    ChainIdMismatch,
    ContractNameMismatch,
    AddressMalformed,
    HashMalformed,
    TimestampInvalid,
}

impl ProblemCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCode::KeyNotUtf8 => "key-not-utf8",
            ProblemCode::KeyNoSeparator => "key-no-separator",
            ProblemCode::KeyChainIdInvalid => "key-chain-id-invalid",
            ProblemCode::KeyContractNameEmpty => "key-contract-name-empty",
            ProblemCode::ValueNotUtf8 => "value-not-utf8",
            ProblemCode::ValueNotJson => "value-not-json",
            ProblemCode::ValueNotObject => "value-not-object",
            ProblemCode::ValueDuplicateField => "value-duplicate-field",
            ProblemCode::FieldMissing => "field-missing",
            ProblemCode::FieldWrongType => "field-wrong-type",
            ProblemCode::ChainIdMismatch => "chain-id-mismatch",
            ProblemCode::ContractNameMismatch => "contract-name-mismatch",
            ProblemCode::AddressMalformed => "address-malformed",
            ProblemCode::HashMalformed => "hash-malformed",
            ProblemCode::TimestampInvalid => "timestamp-invalid",
        }
    }

    pub const ALL: [ProblemCode; 15] = [
        ProblemCode::KeyNotUtf8,
        ProblemCode::KeyNoSeparator,
        ProblemCode::KeyChainIdInvalid,
        ProblemCode::KeyContractNameEmpty,
        ProblemCode::ValueNotUtf8,
        ProblemCode::ValueNotJson,
        ProblemCode::ValueNotObject,
        ProblemCode::ValueDuplicateField,
        ProblemCode::FieldMissing,
        ProblemCode::FieldWrongType,
        ProblemCode::ChainIdMismatch,
        ProblemCode::ContractNameMismatch,
        ProblemCode::AddressMalformed,
        ProblemCode::HashMalformed,
        ProblemCode::TimestampInvalid,
    ];

    pub fn parse(text: &str) -> Option<ProblemCode> {
        ProblemCode::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

/// One reason an entry was quarantined.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    pub code: ProblemCode,
    /// The value field concerned, if any.
    pub field: Option<String>,
    pub detail: String,
}

impl Problem {
    fn new(code: ProblemCode, field: Option<&str>, detail: impl Into<String>) -> Self {
        Problem { code, field: field.map(str::to_string), detail: detail.into() }
    }
}

/// An entry that is not a valid record, kept byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantinedEntry {
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    pub problems: Vec<Problem>,
}

/// What a raw entry became.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Valid(DeploymentRecord),
    Quarantined(QuarantinedEntry),
}

impl Entry {
    /// The entry's key bytes, the identity everything is sorted by.
    pub fn key_bytes(&self) -> Vec<u8> {
        match self {
            Entry::Valid(r) => r.key().to_string().into_bytes(),
            Entry::Quarantined(q) => q.key.clone(),
        }
    }
}

/// Validates one raw entry, collecting every problem rather than stopping at the first.
///
/// A value of the usual shape takes a one-pass fast path; everything else, and every entry with a problem, is
/// decided by [`parse_entry_general`]. Both give the same answer (a property test checks it).
pub fn parse_entry(key: &[u8], value: &[u8]) -> Entry {
    match fast::parse_valid(key, value) {
        Some(record) => Entry::Valid(record),
        None => parse_entry_general(key, value),
    }
}

/// [`parse_entry`] without its fast path: the value is parsed into a general JSON object and every field checked.
pub fn parse_entry_general(key: &[u8], value: &[u8]) -> Entry {
    let mut problems = Vec::new();
    let record_key = parse_key(key, &mut problems);
    let object = parse_object(value, &mut problems);
    let record = match (record_key, object) {
        (Some(k), Some(obj)) => parse_fields(&k, &obj, &mut problems),
        _ => None,
    };
    match record {
        Some(record) if problems.is_empty() => Entry::Valid(record),
        _ => Entry::Quarantined(QuarantinedEntry { key: key.to_vec(), value: value.to_vec(), problems }),
    }
}

/// Validates every entry of a source, in key order.
pub fn parse_entries(entries: &SourceEntries) -> Vec<Entry> {
    entries.iter().map(|(k, v)| parse_entry(k, v)).collect()
}

fn parse_key(key: &[u8], problems: &mut Vec<Problem>) -> Option<RecordKey> {
    let Ok(text) = std::str::from_utf8(key) else {
        problems.push(Problem::new(ProblemCode::KeyNotUtf8, None, "key is not valid UTF-8"));
        return None;
    };
    match text.parse::<RecordKey>() {
        Ok(k) => Some(k),
        Err(e) => {
            let (code, detail) = match e {
                KeyError::NoSeparator => (ProblemCode::KeyNoSeparator, "key has no `-` between chain id and name"),
                KeyError::ChainIdNotCanonical => {
                    (ProblemCode::KeyChainIdInvalid, "key prefix is not a canonical decimal chain id")
                }
                KeyError::EmptyContractName => (ProblemCode::KeyContractNameEmpty, "key has an empty contract name"),
            };
            problems.push(Problem::new(code, None, detail));
            None
        }
    }
}

fn parse_object(value: &[u8], problems: &mut Vec<Problem>) -> Option<Map<String, Value>> {
    let Ok(text) = std::str::from_utf8(value) else {
        problems.push(Problem::new(ProblemCode::ValueNotUtf8, None, "value is not valid UTF-8"));
        return None;
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => match serde_json::from_str::<DuplicateField>(text) {
            Ok(DuplicateField(Some(name))) => {
                let detail =
                    format!("`{name}` appears twice with different values; a reader would silently keep the last");
                problems.push(Problem::new(ProblemCode::ValueDuplicateField, Some(&name), detail));
                None
            }
            _ => Some(map),
        },
        Ok(other) => {
            let kind = json_kind(&other);
            problems.push(Problem::new(ProblemCode::ValueNotObject, None, format!("value is a JSON {kind}")));
            None
        }
        Err(e) => {
            problems.push(Problem::new(ProblemCode::ValueNotJson, None, format!("value is not JSON: {e}")));
            None
        }
    }
}

/// The first member name an object repeats with a different value, if any. serde_json (like `JSON.parse`) keeps
/// the last of two equal names without a word; a record holding two values for one field cannot be migrated
/// without losing one, so it is caught here.
struct DuplicateField(Option<String>);

impl<'de> serde::Deserialize<'de> for DuplicateField {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Names;
        impl<'de> serde::de::Visitor<'de> for Names {
            type Value = DuplicateField;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<DuplicateField, A::Error> {
                let mut seen: std::collections::HashMap<String, Value> = std::collections::HashMap::new();
                let mut repeated = None;
                while let Some(name) = map.next_key::<String>()? {
                    let value: Value = map.next_value()?;
                    match seen.get(&name) {
                        // The same value twice loses nothing; two different values would lose one.
                        Some(first) if *first != value && repeated.is_none() => repeated = Some(name),
                        Some(_) => {}
                        None => {
                            seen.insert(name, value);
                        }
                    }
                }
                Ok(DuplicateField(repeated))
            }
        }
        deserializer.deserialize_map(Names)
    }
}

/// The JSON type name of a value, for messages.
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Reads the typed fields; returns `None` (with problems) if any required field is unusable.
fn parse_fields(key: &RecordKey, obj: &Map<String, Value>, problems: &mut Vec<Problem>) -> Option<DeploymentRecord> {
    let before = problems.len();
    let contract_name = required_str(obj, "contractName", problems);
    if let Some(name) = contract_name {
        if name != key.contract.0 {
            problems.push(Problem::new(
                ProblemCode::ContractNameMismatch,
                Some("contractName"),
                format!("value says `{name}`, key says `{}`", key.contract.0),
            ));
        }
    }
    let chain_id = required_u64(obj, "chainId", problems);
    if let Some(id) = chain_id {
        if id != key.chain_id.0 {
            problems.push(Problem::new(
                ProblemCode::ChainIdMismatch,
                Some("chainId"),
                format!("value says {id}, key says {}", key.chain_id),
            ));
        }
    }
    let network_name = required_str(obj, "networkName", problems);
    let address = required_str(obj, "address", problems).and_then(|t| address_field(t, "address", problems));
    let factory =
        required_str(obj, "factoryByteCodeHash", problems).and_then(|t| hash_field(t, "factoryByteCodeHash", problems));
    let implementation_hash =
        optional_str(obj, "implementationHash", problems).map(|t| hash_field(t, "implementationHash", problems));
    let proxy_address = optional_str(obj, "proxyAddress", problems).map(|t| address_field(t, "proxyAddress", problems));
    let deployment_args = optional_array(obj, "deploymentArgs", problems);
    let timestamp = required_u64(obj, "timestamp", problems).map(TimestampMs);
    if problems.len() > before {
        return None;
    }
    Some(DeploymentRecord {
        chain_id: key.chain_id,
        contract_name: key.contract.clone(),
        network_name: network_name?.to_string(),
        address: address?,
        factory_bytecode_hash: factory?,
        implementation_hash: implementation_hash.map(Option::unwrap),
        proxy_address: proxy_address.map(Option::unwrap),
        deployment_args,
        timestamp: timestamp?,
        extra_fields: obj
            .iter()
            .filter(|(k, _)| !FIELD_ORDER.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
    })
}

fn required_str<'a>(obj: &'a Map<String, Value>, field: &str, problems: &mut Vec<Problem>) -> Option<&'a str> {
    match obj.get(field) {
        None => {
            problems.push(Problem::new(ProblemCode::FieldMissing, Some(field), format!("`{field}` is missing")));
            None
        }
        Some(v) => string_of(v, field, problems),
    }
}

fn optional_str<'a>(obj: &'a Map<String, Value>, field: &str, problems: &mut Vec<Problem>) -> Option<&'a str> {
    obj.get(field).and_then(|v| string_of(v, field, problems))
}

fn string_of<'a>(value: &'a Value, field: &str, problems: &mut Vec<Problem>) -> Option<&'a str> {
    match value {
        Value::String(s) => Some(s),
        other => {
            let detail = format!("`{field}` is a {}, expected a string", json_kind(other));
            problems.push(Problem::new(ProblemCode::FieldWrongType, Some(field), detail));
            None
        }
    }
}

/// A non-negative integer whose JSON text is canonical, so that writing it back gives the same text.
fn required_u64(obj: &Map<String, Value>, field: &str, problems: &mut Vec<Problem>) -> Option<u64> {
    let code = if field == "timestamp" { ProblemCode::TimestampInvalid } else { ProblemCode::FieldWrongType };
    match obj.get(field) {
        None => {
            problems.push(Problem::new(ProblemCode::FieldMissing, Some(field), format!("`{field}` is missing")));
            None
        }
        Some(Value::Number(n)) => {
            let text = n.to_string();
            let parsed = ChainId::parse_canonical(&text).map(|c| c.0);
            if parsed.is_none() {
                let detail = format!("`{field}` is {text}, expected a non-negative integer");
                problems.push(Problem::new(code, Some(field), detail));
            }
            parsed
        }
        Some(other) => {
            let detail = format!("`{field}` is a {}, expected a number", json_kind(other));
            problems.push(Problem::new(code, Some(field), detail));
            None
        }
    }
}

fn optional_array(obj: &Map<String, Value>, field: &str, problems: &mut Vec<Problem>) -> Option<Vec<Value>> {
    match obj.get(field)? {
        Value::Array(items) => Some(items.clone()),
        other => {
            let detail = format!("`{field}` is a {}, expected an array", json_kind(other));
            problems.push(Problem::new(ProblemCode::FieldWrongType, Some(field), detail));
            None
        }
    }
}

fn address_field(text: &str, field: &str, problems: &mut Vec<Problem>) -> Option<AddressText> {
    let parsed = AddressText::parse(text);
    if parsed.is_none() {
        let detail = format!("`{field}` is `{text}`, expected 0x followed by 40 hex digits");
        problems.push(Problem::new(ProblemCode::AddressMalformed, Some(field), detail));
    }
    parsed
}

fn hash_field(text: &str, field: &str, problems: &mut Vec<Problem>) -> Option<HashText> {
    let parsed = HashText::parse(text);
    if parsed.is_none() {
        let detail = format!("`{field}` is `{text}`, expected 0x followed by 64 hex digits, or empty");
        problems.push(Problem::new(ProblemCode::HashMalformed, Some(field), detail));
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"contractName":"LookCoin","chainId":56,"networkName":"bsc","address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","factoryByteCodeHash":"0x1111111111111111111111111111111111111111111111111111111111111111","proxyAddress":"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359","deploymentArgs":["20000000000000000000000000",[56,10],1.50],"timestamp":1753441878006}"#;

    fn quarantined(key: &str, value: &str) -> Vec<ProblemCode> {
        match parse_entry(key.as_bytes(), value.as_bytes()) {
            Entry::Quarantined(q) => q.problems.iter().map(|p| p.code).collect(),
            Entry::Valid(r) => panic!("expected quarantine, got {r:?}"),
        }
    }

    #[test]
    fn valid_record_writes_back_byte_for_byte() {
        let Entry::Valid(record) = parse_entry(b"56-LookCoin", GOOD.as_bytes()) else { panic!() };
        assert_eq!(record.implementation_hash, None);
        assert_eq!(String::from_utf8(record.to_value_bytes()).unwrap(), GOOD);
    }

    #[test]
    fn every_problem_is_reported_not_just_the_first() {
        let value = r#"{"contractName":"Other","chainId":97,"networkName":"bsc","address":"0x12","factoryByteCodeHash":"","timestamp":"x"}"#;
        assert_eq!(
            quarantined("56-LookCoin", value),
            vec![
                ProblemCode::ContractNameMismatch,
                ProblemCode::ChainIdMismatch,
                ProblemCode::AddressMalformed,
                ProblemCode::TimestampInvalid
            ]
        );
    }

    #[test]
    fn non_objects_and_non_json_are_quarantined() {
        assert_eq!(quarantined("56-A", "[1,2]"), vec![ProblemCode::ValueNotObject]);
        assert_eq!(quarantined("56-A", "not json {"), vec![ProblemCode::ValueNotJson]);
        assert_eq!(quarantined("56", GOOD), vec![ProblemCode::KeyNoSeparator]);
        let entry = parse_entry(&[0xff, b'-', b'A'], b"\xff");
        let Entry::Quarantined(q) = entry else { panic!() };
        assert_eq!(
            q.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
            [ProblemCode::KeyNotUtf8, ProblemCode::ValueNotUtf8]
        );
        assert_eq!(q.value, b"\xff");
    }

    #[test]
    fn a_field_given_twice_is_quarantined_not_silently_collapsed() {
        let twice = GOOD.replace(r#""networkName":"bsc""#, r#""networkName":"bsc","networkName":"bscmainnet""#);
        assert_eq!(quarantined("56-LookCoin", &twice), vec![ProblemCode::ValueDuplicateField]);
    }

    #[test]
    fn absent_and_empty_args_stay_apart() {
        let with_empty = GOOD.replace(r#"["20000000000000000000000000",[56,10],1.50]"#, "[]");
        let Entry::Valid(record) = parse_entry(b"56-LookCoin", with_empty.as_bytes()) else { panic!() };
        assert_eq!(record.deployment_args, Some(vec![]));
    }

    #[test]
    fn unknown_fields_are_kept() {
        let value = GOOD.replace(r#""timestamp""#, r#""note":"kept","timestamp""#);
        let Entry::Valid(record) = parse_entry(b"56-LookCoin", value.as_bytes()) else { panic!() };
        assert_eq!(record.extra_fields.get("note"), Some(&Value::String("kept".into())));
    }
}

//! Every generator of the property suite (STYLE.md "Tests"): raw LevelDB entries that are valid records, valid
//! records in other bytes, records with exactly one defect, and garbage; byte mutations; JSON-ish documents.
//! `running` holds [`check`], the one runner every property uses.

use alloy_primitives::Address;
use lookcoin_state::core::record::{ProblemCode, SourceEntries, FIELD_ORDER};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

pub mod defects;
pub mod documents;
mod running;

pub use running::{check, context, migrated_files};

/// Bytes that print as an escaped byte string (`b"56-A\xff"`), so failures are readable.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Bytes(pub Vec<u8>);

impl fmt::Debug for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

fn printable(bytes: &[u8]) -> Bytes {
    Bytes(bytes.to_vec())
}

// ---------------------------------------------------------------------------------------------------------------
// Generated entries and sources

/// How a generated entry was made, hence what parsing it must give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A valid record as compact JSON in `FIELD_ORDER`, unknown fields last in byte order: what the deploy script
    /// wrote, and what `to_value_bytes` must give back byte for byte.
    Canonical,
    /// A valid record in other bytes: whitespace, field order, `\u` escapes, a repeated field, exponent texts.
    Reformatted,
    /// A valid record with exactly one defect: quarantined with exactly one problem, of this code.
    Defect(ProblemCode),
    /// Arbitrary bytes under a key without `-`: always quarantined.
    Garbage,
}

impl Form {
    pub fn is_valid(self) -> bool {
        matches!(self, Form::Canonical | Form::Reformatted)
    }
}

#[derive(Clone)]
pub struct GenEntry {
    pub key: Vec<u8>,
    pub value: Vec<u8>,
    pub form: Form,
}

impl fmt::Debug for GenEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("GenEntry").field(&printable(&self.key)).field(&printable(&self.value)).field(&self.form).finish()
    }
}

/// A generated source and, per key, how its (last written) entry was made.
#[derive(Clone)]
pub struct GenSource {
    pub entries: SourceEntries,
    pub forms: BTreeMap<Vec<u8>, Form>,
}

impl fmt::Debug for GenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = self.entries.iter().map(|(k, v)| (printable(k), printable(v), self.forms[k]));
        f.debug_list().entries(rows).finish()
    }
}

impl GenSource {
    /// Inserts in order, so a later entry with the same key replaces an earlier one, as in LevelDB.
    pub fn from_entries(generated: Vec<GenEntry>) -> GenSource {
        let mut source = GenSource { entries: SourceEntries::new(), forms: BTreeMap::new() };
        for entry in generated {
            source.entries.insert(entry.key.clone(), entry.value);
            source.forms.insert(entry.key, entry.form);
        }
        source
    }

    /// The entries generated as invalid, in key order.
    pub fn invalid(&self) -> SourceEntries {
        self.entries.iter().filter(|(k, _)| !self.forms[*k].is_valid()).map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub fn all_canonical_or_invalid(&self) -> bool {
        self.forms.values().all(|f| *f != Form::Reformatted)
    }
}

/// Sources mixing every form; chain ids and names come mostly from small pools so chains hold several records and
/// keys collide.
pub fn source() -> impl Strategy<Value = GenSource> {
    prop::collection::vec(any_entry(), 0..12).prop_map(GenSource::from_entries)
}

/// Sources of valid records in canonical form only.
pub fn valid_source() -> impl Strategy<Value = GenSource> {
    prop::collection::vec(canonical_entry(), 0..12).prop_map(GenSource::from_entries)
}

/// Sources whose valid records are all canonical (invalid entries of every kind included).
pub fn canonical_source() -> impl Strategy<Value = GenSource> {
    let entry = prop_oneof![3 => canonical_entry(), 2 => defects::defective_entry(), 1 => garbage_entry()];
    prop::collection::vec(entry, 0..12).prop_map(GenSource::from_entries)
}

pub fn any_entry() -> impl Strategy<Value = GenEntry> {
    prop_oneof![
        4 => canonical_entry(),
        2 => reformatted_entry(),
        3 => defects::defective_entry(),
        1 => garbage_entry(),
    ]
}

pub fn canonical_entry() -> impl Strategy<Value = GenEntry> {
    record_spec().prop_map(|spec| GenEntry { key: spec.key(), value: spec.compact(), form: Form::Canonical })
}

pub fn garbage_entry() -> impl Strategy<Value = GenEntry> {
    (bytes(), bytes()).prop_map(|(mut key, value)| {
        key.iter_mut().filter(|b| **b == b'-').for_each(|b| *b = b'_');
        GenEntry { key, value, form: Form::Garbage }
    })
}

/// A valid record in bytes other than the canonical ones (possibly, by chance, the canonical ones).
pub fn reformatted_entry() -> impl Strategy<Value = GenEntry> {
    (record_spec(), 0..5u8, any::<Index>(), select(&NORMALIZED_NUMBER_TEXTS[..])).prop_map(
        |(mut spec, how, at, number)| {
            let mut fields = spec.fields();
            let text = match how {
                0 => format!(" {{ {} }}\n", join_fields(&fields, " , ", " : ")),
                1 => {
                    let by = at.index(fields.len());
                    fields.rotate_left(by);
                    fields.reverse();
                    object_text(&fields)
                }
                2 => {
                    fields[0].1 = escape_all(&spec.name);
                    object_text(&fields)
                }
                3 => {
                    fields.push(fields[2].clone());
                    object_text(&fields)
                }
                _ => {
                    spec.deployment_args.get_or_insert_with(Vec::new).push(number.to_string());
                    spec.compact_string()
                }
            };
            GenEntry { key: spec.key(), value: text.into_bytes(), form: Form::Reformatted }
        },
    )
}

pub fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..160)
}

// ---------------------------------------------------------------------------------------------------------------
// Records

/// A valid record, each field as the JSON text it is stored as.
#[derive(Debug, Clone)]
pub struct RecordSpec {
    pub chain_id: u64,
    pub name: String,
    pub network_name: String,
    pub address: String,
    pub factory_hash: String,
    pub implementation_hash: Option<String>,
    pub proxy_address: Option<String>,
    /// Raw JSON texts of the arguments.
    pub deployment_args: Option<Vec<String>>,
    pub timestamp: u64,
    /// Unknown fields: name -> raw JSON text, in byte order of the names.
    pub extra: BTreeMap<String, String>,
}

impl RecordSpec {
    pub fn key(&self) -> Vec<u8> {
        format!("{}-{}", self.chain_id, self.name).into_bytes()
    }

    /// `(field, JSON text)` in canonical order.
    pub fn fields(&self) -> Vec<(String, String)> {
        let mut fields = vec![
            ("contractName".to_string(), json_string(&self.name)),
            ("chainId".to_string(), self.chain_id.to_string()),
            ("networkName".to_string(), json_string(&self.network_name)),
            ("address".to_string(), json_string(&self.address)),
            ("factoryByteCodeHash".to_string(), json_string(&self.factory_hash)),
        ];
        let optional = [
            ("implementationHash", self.implementation_hash.as_deref().map(json_string)),
            ("proxyAddress", self.proxy_address.as_deref().map(json_string)),
            ("deploymentArgs", self.deployment_args.as_ref().map(|args| format!("[{}]", args.join(",")))),
            ("timestamp", Some(self.timestamp.to_string())),
        ];
        fields.extend(optional.into_iter().filter_map(|(name, text)| Some((name.to_string(), text?))));
        fields.extend(self.extra.iter().map(|(name, text)| (name.clone(), text.clone())));
        fields
    }

    pub fn compact_string(&self) -> String {
        object_text(&self.fields())
    }

    pub fn compact(&self) -> Vec<u8> {
        self.compact_string().into_bytes()
    }
}

pub const KNOWN_CHAINS: [u64; 10] = [56, 97, 84532, 11155420, 23295, 23294, 31337, 8453, 10, 9070];
pub const REAL_NAMES: [&str; 9] = [
    "LookCoin",
    "SupplyOracle",
    "CelerIMModule",
    "LayerZeroModule",
    "HyperlaneModule",
    "CrossChainRouter",
    "FeeManager",
    "SecurityManager",
    "ProtocolRegistry",
];
/// Number texts serde_json (`arbitrary_precision`) keeps exactly as written.
pub const KEPT_NUMBER_TEXTS: [&str; 10] =
    ["0", "-0", "1.50", "0.1", "-1.5", "1e+21", "1e-7", "2.5e+10", "123456789012345678901234567890", "-9876543210.000"];
/// Number texts serde_json rewrites (`1e3` is written back as `1e+3`): see `exponent_texts_write_back_byte_for_byte`.
pub const NORMALIZED_NUMBER_TEXTS: [&str; 4] = ["1e3", "1E3", "1E+3", "2.5E-4"];

pub fn record_spec() -> impl Strategy<Value = RecordSpec> {
    let hashes = (hash_text(), prop::option::of(hash_text()));
    let optional = (prop::option::of(address_text()), prop::option::of(prop::collection::vec(json_text(), 0..4)));
    let extra = prop::collection::btree_map(extra_field_name(), json_text(), 0..3);
    (chain_id(), contract_name(), network_name(), address_text(), hashes, optional, timestamp(), extra).prop_map(
        |(chain_id, name, network_name, address, hashes, optional, timestamp, extra)| RecordSpec {
            chain_id,
            name,
            network_name,
            address,
            factory_hash: hashes.0,
            implementation_hash: hashes.1,
            proxy_address: optional.0,
            deployment_args: optional.1,
            timestamp,
            extra,
        },
    )
}

pub fn chain_id() -> impl Strategy<Value = u64> {
    prop_oneof![4 => select(&KNOWN_CHAINS[..]), 1 => any::<u64>(), 1 => 0..4u64]
}

pub fn contract_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(&REAL_NAMES[..]).prop_map(str::to_string),
        2 => ("[a-z]{1,8}", select(&REAL_NAMES[..])).prop_map(|(dir, n)| format!("contracts/{dir}/{n}.sol:{n}")),
        2 => "[A-Za-z0-9:/._-]{1,24}",
        1 => "\\PC{1,12}",
        1 => "[\\x00-\\x1f\"\\\\\u{7f}\u{2028}é😀a-z-]{1,8}",
        1 => "[A-Za-z]{300,1200}",
    ]
}

pub fn network_name() -> impl Strategy<Value = String> {
    const SEEN: [&str; 8] =
        ["bsc", "bscmainnet", "bscTestnet", "baseSepolia", "opSepolia", "sapphiremainnet", "hardhat", ""];
    prop_oneof![3 => select(&SEEN[..]).prop_map(str::to_string), 1 => "\\PC{0,16}"]
}

/// An address in EIP-55, lowercase, uppercase or wrongly mixed case: all valid.
pub fn address_text() -> impl Strategy<Value = String> {
    (any::<[u8; 20]>(), 0..4u8).prop_map(|(bytes, form)| {
        let checksummed = Address::from(bytes).to_checksum(None);
        let hex = &checksummed[2..];
        match form {
            0 => checksummed.clone(),
            1 => format!("0x{}", hex.to_lowercase()),
            2 => format!("0x{}", hex.to_uppercase()),
            _ => format!("0x{}", hex.chars().map(swap_case).collect::<String>()),
        }
    })
}

pub fn hash_text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "0x[0-9a-f]{64}", "0x[0-9a-fA-F]{64}"]
}

pub fn timestamp() -> impl Strategy<Value = u64> {
    prop_oneof![3 => 1_600_000_000_000..1_800_000_000_000u64, 1 => any::<u64>()]
}

pub fn extra_field_name() -> impl Strategy<Value = String> {
    prop_oneof!["[a-zA-Z_]{1,12}", "\\PC{1,6}"]
        .prop_filter("not a record field", |n| !FIELD_ORDER.contains(&n.as_str()))
}

/// The JSON text of a deployment argument or unknown field, in the form serde_json writes back unchanged.
pub fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        address_text().prop_map(|a| json_string(&a)),
        "[1-9][0-9]{0,40}".prop_map(|digits| json_string(&digits)),
        any::<i64>().prop_map(|n| n.to_string()),
        select(&KEPT_NUMBER_TEXTS[..]).prop_map(str::to_string),
        any::<bool>().prop_map(|b| b.to_string()),
        Just("null".to_string()),
        any::<String>().prop_map(|s| json_string(&s)),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec(("[a-z]{1,6}", inner), 0..4).prop_map(|fields| object_text(&unique(fields))),
        ]
    })
}

// ---------------------------------------------------------------------------------------------------------------
// JSON text helpers

pub fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serializes")
}

/// Compact object text of `(name, JSON text)` fields, in the given order.
pub fn object_text(fields: &[(String, String)]) -> String {
    format!("{{{}}}", join_fields(fields, ",", ":"))
}

fn join_fields(fields: &[(String, String)], comma: &str, colon: &str) -> String {
    fields.iter().map(|(name, text)| format!("{}{colon}{text}", json_string(name))).collect::<Vec<_>>().join(comma)
}

/// The first field of each name, order kept.
fn unique(fields: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut seen = std::collections::BTreeSet::new();
    fields.into_iter().filter(|(name, _)| seen.insert(name.clone())).collect()
}

/// A JSON string with every character written as a `\u` escape.
fn escape_all(text: &str) -> String {
    let units: String = text.encode_utf16().map(|u| format!("\\u{u:04x}")).collect();
    format!("\"{units}\"")
}

fn swap_case(c: char) -> char {
    if c.is_ascii_lowercase() {
        c.to_ascii_uppercase()
    } else {
        c.to_ascii_lowercase()
    }
}

/// The value of a parsed JSON text (test inputs are JSON by construction).
pub fn value_of(text: &str) -> Value {
    serde_json::from_str(text).expect("generated JSON parses")
}

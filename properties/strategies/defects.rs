//! Entries with exactly one defect, each tagged with the one problem code parsing must report: bad keys
//! (non-UTF-8, no `-`, `056-`, empty name), bad values (non-UTF-8, not JSON, not an object) and bad fields
//! (missing, wrong type, chain id or name mismatch, malformed address or hash, invalid timestamp).

use super::{json_string, json_text, object_text, record_spec, Form, GenEntry, RecordSpec};
use lookcoin_state::core::record::ProblemCode;
use proptest::prelude::*;
use proptest::sample::{select, Index};

/// A valid record with one defect.
pub fn defective_entry() -> impl Strategy<Value = GenEntry> {
    prop_oneof![key_defect(), value_defect(), field_defect(), address_or_hash_defect()]
}

fn entry(key: Vec<u8>, value: Vec<u8>, code: ProblemCode) -> GenEntry {
    GenEntry { key, value, form: Form::Defect(code) }
}

fn key_defect() -> impl Strategy<Value = GenEntry> {
    (record_spec(), 0..4u8, any::<Index>(), 0..7usize).prop_map(|(spec, how, at, variant)| {
        let (chain, name, value) = (spec.chain_id, spec.name.replace('-', ""), spec.compact());
        match how {
            0 => {
                let mut key = spec.key();
                key.insert(at.index(key.len() + 1), 0xff);
                entry(key, value, ProblemCode::KeyNotUtf8)
            }
            1 => entry(format!("{chain}{name}").into_bytes(), value, ProblemCode::KeyNoSeparator),
            2 => {
                let prefixes = [format!("0{chain}"), format!("+{chain}"), format!(" {chain}"), format!("{chain}.0")];
                let prefix = match variant {
                    0..=3 => prefixes[variant].clone(),
                    4 => String::new(),
                    5 => "x".to_string(),
                    _ => "99999999999999999999999".to_string(),
                };
                entry(format!("{prefix}-{}", spec.name).into_bytes(), value, ProblemCode::KeyChainIdInvalid)
            }
            _ => entry(format!("{chain}-").into_bytes(), value, ProblemCode::KeyContractNameEmpty),
        }
    })
}

fn value_defect() -> impl Strategy<Value = GenEntry> {
    let literal = select(&["null", "true", "0", "\"{}\"", "[]"][..]).prop_map(str::to_string);
    let not_object = prop_oneof![literal, json_text().prop_filter("not an object", |t| !t.starts_with('{'))];
    (record_spec(), 0..4u8, any::<Index>(), not_object).prop_map(|(spec, how, at, not_object)| {
        let (key, text) = (spec.key(), spec.compact_string());
        match how {
            0 => {
                let mut value = text.into_bytes();
                value.insert(at.index(value.len() + 1), 0xff);
                entry(key, value, ProblemCode::ValueNotUtf8)
            }
            1 => {
                let cut: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
                let prefix = &text[..cut[at.index(cut.len())]];
                entry(key, prefix.as_bytes().to_vec(), ProblemCode::ValueNotJson)
            }
            2 => entry(key, format!("{text}}}").into_bytes(), ProblemCode::ValueNotJson),
            _ => {
                let value = if at.index(2) == 0 { not_object } else { format!("[{text}]") };
                entry(key, value.into_bytes(), ProblemCode::ValueNotObject)
            }
        }
    })
}

const REQUIRED: [&str; 6] = ["contractName", "chainId", "networkName", "address", "factoryByteCodeHash", "timestamp"];
const STRING_FIELDS: [&str; 6] =
    ["contractName", "networkName", "address", "factoryByteCodeHash", "implementationHash", "proxyAddress"];
const NOT_STRINGS: [&str; 5] = ["1", "null", "[]", "{}", "true"];
const BAD_CHAIN_IDS: [&str; 6] = ["\"56\"", "56.0", "-1", "5.6e1", "null", "18446744073709551616"];
const NOT_ARRAYS: [&str; 4] = ["{}", "\"[]\"", "1", "null"];
const BAD_TIMESTAMPS: [&str; 7] =
    ["\"1753441878006\"", "-1", "1.5", "1e+3", "18446744073709551616", "null", "1753441878006.0"];

fn field_defect() -> impl Strategy<Value = GenEntry> {
    (record_spec(), 0..6u8, any::<Index>(), any::<Index>(), any::<u64>()).prop_map(|(spec, how, a, b, other)| {
        let pick = |list: &[&str], i: &Index| list[i.index(list.len())].to_string();
        let (field, text, code) = match how {
            0 => (pick(&REQUIRED, &a), None, ProblemCode::FieldMissing),
            1 => (pick(&STRING_FIELDS, &a), Some(pick(&NOT_STRINGS, &b)), ProblemCode::FieldWrongType),
            2 => ("chainId".into(), Some(pick(&BAD_CHAIN_IDS, &b)), ProblemCode::FieldWrongType),
            3 => ("deploymentArgs".into(), Some(pick(&NOT_ARRAYS, &b)), ProblemCode::FieldWrongType),
            4 => ("timestamp".into(), Some(pick(&BAD_TIMESTAMPS, &b)), ProblemCode::TimestampInvalid),
            _ if a.index(2) == 0 => {
                let other = if other == spec.chain_id { other.wrapping_add(1) } else { other };
                ("chainId".into(), Some(other.to_string()), ProblemCode::ChainIdMismatch)
            }
            _ => {
                let name = json_string(&format!("{}{}", spec.name, ["X", "-", " ", "é"][b.index(4)]));
                ("contractName".into(), Some(name), ProblemCode::ContractNameMismatch)
            }
        };
        entry(spec.key(), with_field(&spec, &field, text), code)
    })
}

fn address_or_hash_defect() -> impl Strategy<Value = GenEntry> {
    (record_spec(), any::<bool>(), any::<bool>(), 0..6usize, any::<Index>()).prop_map(
        |(spec, address, first_field, variant, at)| {
            let (field, bad, code) = if address {
                let field = if first_field { "address" } else { "proxyAddress" };
                (field, bad_address(&spec.address, variant, &at), ProblemCode::AddressMalformed)
            } else {
                let field = if first_field { "factoryByteCodeHash" } else { "implementationHash" };
                (field, bad_hash(variant), ProblemCode::HashMalformed)
            };
            entry(spec.key(), with_field(&spec, field, Some(json_string(&bad))), code)
        },
    )
}

/// Not `0x` + 40 hex digits: 44 digits (as in the real junk records), a non-hex character, no prefix, ...
fn bad_address(good: &str, variant: usize, at: &Index) -> String {
    let hex = &good[2..];
    match variant {
        0 => format!("{good}abcd"),
        1 => {
            let i = 2 + at.index(40);
            format!("{}{}{}", &good[..i], ["g", "Z", " ", "é"][at.index(4)], &good[i + 1..])
        }
        2 => hex.to_string(),
        3 => String::new(),
        4 => format!("0X{hex}"),
        _ => good[..41].to_string(),
    }
}

fn bad_hash(variant: usize) -> String {
    match variant {
        0 => format!("0x{}", "a".repeat(63)),
        1 => "0x".to_string(),
        2 => "b".repeat(64),
        3 => format!("0x{}", "g".repeat(64)),
        4 => format!("0x{}0", "c".repeat(64)),
        _ => " ".to_string(),
    }
}

/// The record's compact value with `field` set to `text` (in place, or last when absent) or removed (`None`).
pub fn with_field(spec: &RecordSpec, field: &str, text: Option<String>) -> Vec<u8> {
    let mut fields = spec.fields();
    set_field(&mut fields, field, text);
    object_text(&fields).into_bytes()
}

/// Sets `field` to `text` (in place, or last when absent), or removes it (`None`).
pub fn set_field(fields: &mut Vec<(String, String)>, field: &str, text: Option<String>) {
    let at = fields.iter().position(|(name, _)| name == field);
    match (at, text) {
        (Some(i), Some(text)) => fields[i].1 = text,
        (Some(i), None) => {
            fields.remove(i);
        }
        (None, Some(text)) => fields.push((field.to_string(), text)),
        (None, None) => {}
    }
}

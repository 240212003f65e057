//! The laws of `migrate` and `unmigrate` over generated LevelDB entries (pure: no file system, clock or
//! environment). Every property runs through `strategies::check` (seeded; failures persisted in
//! `migrate_laws.proptest-regressions`).

use crate::strategies::{self, check, context, migrated_files, Bytes, Form, GenSource};
use lookcoin_state::core::document::{ChainDocument, Manifest, QuarantineDocument, MANIFEST_FILE, QUARANTINE_FILE};
use lookcoin_state::core::inspect::{rows_of_entries, rows_of_raw, rows_to_json};
use lookcoin_state::core::migrate::{migrate, unmigrate, Migration};
use lookcoin_state::core::output::{render_migration, OutputFile};
use lookcoin_state::core::record::{parse_entries, parse_entry, Entry, SourceEntries};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::{Map, Value};

const CASES: u32 = 128;

/// The documents of a migration, read back from its rendered files.
pub struct ReadBack {
    pub chains: Vec<ChainDocument>,
    pub quarantine: QuarantineDocument,
    pub manifest: Manifest,
}

pub fn read_back(files: &[OutputFile]) -> Result<ReadBack, TestCaseError> {
    let parse_error = |name: &str, e: serde_json::Error| TestCaseError::fail(format!("{name} does not read back: {e}"));
    let (mut chains, mut quarantine, mut manifest) = (Vec::new(), None, None);
    for file in files {
        match file.name.as_str() {
            QUARANTINE_FILE => {
                quarantine = Some(serde_json::from_slice(&file.bytes).map_err(|e| parse_error(&file.name, e))?)
            }
            MANIFEST_FILE => {
                manifest = Some(serde_json::from_slice(&file.bytes).map_err(|e| parse_error(&file.name, e))?)
            }
            _ => chains.push(serde_json::from_slice(&file.bytes).map_err(|e| parse_error(&file.name, e))?),
        }
    }
    let missing = |name: &str| TestCaseError::fail(format!("no {name} was written"));
    Ok(ReadBack {
        chains,
        quarantine: quarantine.ok_or_else(|| missing(QUARANTINE_FILE))?,
        manifest: manifest.ok_or_else(|| missing(MANIFEST_FILE))?,
    })
}

/// Bytes as text, for readable failures.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Entries as raw LevelDB entries again: valid records as `to_value_bytes`, quarantined ones as kept.
fn raw_entries(entries: &[Entry]) -> SourceEntries {
    entries
        .iter()
        .map(|entry| match entry {
            Entry::Valid(record) => (entry.key_bytes(), record.to_value_bytes()),
            Entry::Quarantined(q) => (q.key.clone(), q.value.clone()),
        })
        .collect()
}

/// Files -> documents -> unmigrate -> raw entries.
fn entries_of_files(files: &[OutputFile]) -> Result<SourceEntries, TestCaseError> {
    let docs = read_back(files)?;
    let entries = unmigrate(&docs.chains, Some(&docs.quarantine)).map_err(|e| TestCaseError::fail(e.to_string()))?;
    Ok(raw_entries(&entries))
}

#[test]
fn unmigrate_inverts_migrate() {
    check(CASES, strategies::source(), |source| {
        let migration = migrate(&source.entries, &context());
        let expected = parse_entries(&source.entries);
        prop_assert_eq!(unmigrate(&migration.chains, Some(&migration.quarantine)), Ok(expected.clone()));
        let docs = read_back(&render_migration(&migration))?;
        prop_assert_eq!(unmigrate(&docs.chains, Some(&docs.quarantine)), Ok(expected), "through the rendered files");
        Ok(())
    });
}

#[test]
fn valid_records_write_back_byte_for_byte() {
    check(256, strategies::canonical_entry(), |generated| {
        let Entry::Valid(record) = parse_entry(&generated.key, &generated.value) else {
            return Err(TestCaseError::fail("a valid record was quarantined"));
        };
        prop_assert_eq!(record.key().to_string().into_bytes(), generated.key);
        prop_assert_eq!(text(&record.to_value_bytes()), text(&generated.value));
        Ok(())
    });
}

/// The whole pipeline on canonical valid records: files -> documents -> unmigrate -> `to_value_bytes` gives the
/// source back byte for byte, and the quarantine is empty.
#[test]
fn valid_sources_round_trip_byte_for_byte() {
    check(CASES, strategies::valid_source(), |source| {
        let files = migrated_files(&source.entries);
        prop_assert!(read_back(&files)?.quarantine.entries.is_empty());
        prop_assert_eq!(entries_of_files(&files)?, source.entries);
        Ok(())
    });
}

/// Known limitation (README): serde_json's `arbitrary_precision` rewrites exponents when it parses: a stored
/// `1e3` is written back as `1e+3` (`1E3` too, `2.5E-4` as `2.5e-4`). The deploy script's `JSON.stringify` never
/// writes such texts. Run it with `cargo test --test properties -- --ignored`.
#[test]
#[ignore = "known limitation (README): serde_json writes exponent texts like 1e3 as 1e+3; JSON.stringify never writes them"]
fn exponent_texts_write_back_byte_for_byte() {
    let strategy = (strategies::record_spec(), proptest::sample::select(&strategies::NORMALIZED_NUMBER_TEXTS[..]));
    check(CASES, strategy, |(mut spec, number)| {
        spec.deployment_args = Some(vec![number.to_string()]);
        let Entry::Valid(record) = parse_entry(&spec.key(), &spec.compact()) else {
            return Err(TestCaseError::fail("a valid record was quarantined"));
        };
        prop_assert_eq!(text(&record.to_value_bytes()), spec.compact_string());
        Ok(())
    });
}

#[test]
fn one_defect_yields_exactly_one_problem() {
    check(256, strategies::defects::defective_entry(), |generated| {
        let Form::Defect(code) = generated.form else { unreachable!("defective_entry makes defects") };
        let Entry::Quarantined(q) = parse_entry(&generated.key, &generated.value) else {
            return Err(TestCaseError::fail(format!("a record with one {} defect was valid", code.as_str())));
        };
        prop_assert_eq!(q.problems.iter().map(|p| p.code).collect::<Vec<_>>(), vec![code]);
        prop_assert_eq!((q.key, q.value), (generated.key, generated.value), "kept byte for byte");
        Ok(())
    });
}

/// The source with its pairs shuffled, and a permutation of its chain documents.
fn shuffled() -> impl Strategy<Value = (GenSource, Vec<(Bytes, Bytes)>, Vec<usize>)> {
    strategies::source().prop_flat_map(|source| {
        let pairs: Vec<_> = source.entries.iter().map(|(k, v)| (Bytes(k.clone()), Bytes(v.clone()))).collect();
        let chains = migrate(&source.entries, &context()).chains.len();
        (Just(source), Just(pairs).prop_shuffle(), Just((0..chains).collect::<Vec<_>>()).prop_shuffle())
    })
}

#[test]
fn migrate_is_order_independent() {
    check(CASES, shuffled(), |(source, pairs, permutation)| {
        let reordered: SourceEntries = pairs.into_iter().map(|(k, v)| (k.0, v.0)).collect();
        prop_assert_eq!(migrated_files(&reordered), migrated_files(&source.entries));
        let mut migration = migrate(&source.entries, &context());
        let expected = unmigrate(&migration.chains, Some(&migration.quarantine));
        migration.chains = permutation.iter().map(|&i| migration.chains[i].clone()).collect();
        migration.quarantine.entries.reverse();
        prop_assert_eq!(unmigrate(&migration.chains, Some(&migration.quarantine)), expected, "documents reordered");
        Ok(())
    });
}

/// A migration with its entry digests blanked: the only fields that depend on the stored bytes of valid records.
fn without_digests(mut migration: Migration) -> Migration {
    migration.source_records_sha256.clear();
    migration.chains.iter_mut().for_each(|c| c.migration.source_records_sha256.clear());
    migration
}

/// E1 = files(migrate(E)) read back, unmigrated and re-serialized. Then: E1 holds the keys of E, the bytes of every
/// invalid and every canonical entry of E, and for a reformatted record bytes parsing to the same record;
/// migrate(E1) equals migrate(E) but for the entry digests (all of it when no record was reformatted, down to the
/// files' bytes); and doing it again changes nothing (E2 == E1).
#[test]
fn migrate_is_idempotent() {
    check(CASES, strategies::source(), |source| {
        let first = migrate(&source.entries, &context());
        let e1 = entries_of_files(&render_migration(&first))?;
        prop_assert_eq!(e1.keys().collect::<Vec<_>>(), source.entries.keys().collect::<Vec<_>>());
        for (key, form) in &source.forms {
            if *form == Form::Reformatted {
                prop_assert_eq!(parse_entry(key, &e1[key]), parse_entry(key, &source.entries[key]));
            } else {
                prop_assert_eq!(&e1[key], &source.entries[key], "{:?} entry changed", form);
            }
        }
        let second = migrate(&e1, &context());
        prop_assert_eq!(without_digests(second.clone()), without_digests(first.clone()));
        if source.all_canonical_or_invalid() {
            prop_assert_eq!(render_migration(&second), render_migration(&first));
        }
        prop_assert_eq!(entries_of_files(&render_migration(&second))?, e1, "second round trip");
        Ok(())
    });
}

#[test]
fn no_entry_is_lost() {
    check(CASES, strategies::source(), |source| {
        let files = migrated_files(&source.entries);
        let docs = read_back(&files)?;
        let total = source.entries.len() as u64;
        prop_assert_eq!(docs.manifest.record_count, total);
        prop_assert_eq!(docs.manifest.files.iter().map(|f| f.record_count).sum::<u64>(), total);
        for chain in &docs.chains {
            prop_assert_eq!(chain.migration.record_count, chain.contracts.len() as u64);
        }
        let valid_keys: Vec<Vec<u8>> =
            source.forms.iter().filter(|(_, f)| f.is_valid()).map(|(k, _)| k.clone()).collect();
        let mut migrated_keys: Vec<Vec<u8>> = docs
            .chains
            .iter()
            .flat_map(|c| c.contracts.keys().map(move |name| format!("{}-{name}", c.chain_id).into_bytes()))
            .collect();
        migrated_keys.sort();
        prop_assert_eq!(migrated_keys, valid_keys, "chain documents hold exactly the valid records");
        let quarantined: SourceEntries = docs
            .quarantine
            .entries
            .iter()
            .map(|item| (item.key.to_bytes().unwrap_or_default(), item.value.to_bytes().unwrap_or_default()))
            .collect();
        prop_assert_eq!(docs.quarantine.migration.record_count, docs.quarantine.entries.len() as u64);
        prop_assert_eq!(quarantined, source.invalid(), "the quarantine holds exactly the invalid entries");
        prop_assert_eq!(&docs.quarantine.migration.source_records_sha256, &entry_digest(&source.invalid()));
        prop_assert_eq!(&docs.manifest.source_records_sha256, &entry_digest(&source.entries));
        for chain in &docs.chains {
            let prefix = format!("{}-", chain.chain_id).into_bytes();
            let held: SourceEntries = source
                .entries
                .iter()
                .filter(|(k, _)| source.forms[*k].is_valid() && k.starts_with(&prefix))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            prop_assert_eq!(&chain.migration.source_records_sha256, &entry_digest(&held), "chain {}", chain.chain_id);
        }
        Ok(())
    });
}

/// The entry digest as `core::digest` documents it, computed independently: for each entry in key order, the 8-byte
/// big-endian key length, the key, the 8-byte big-endian value length, the value.
fn entry_digest(entries: &SourceEntries) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for (key, value) in entries {
        hasher.update((key.len() as u64).to_be_bytes());
        hasher.update(key);
        hasher.update((value.len() as u64).to_be_bytes());
        hasher.update(value);
    }
    alloy_primitives::hex::encode(hasher.finalize())
}

/// serde_json's `preserve_order` Map is an IndexMap: equality ignores order, serialization keeps it. The inspect
/// properties below rely on both halves.
#[test]
fn preserve_order_map_equality_ignores_order() {
    let ab: Map<String, Value> = serde_json::from_str(r#"{"a":1,"b":2}"#).unwrap();
    let ba: Map<String, Value> = serde_json::from_str(r#"{"b":2,"a":1}"#).unwrap();
    assert_eq!(ab, ba);
    assert_ne!(serde_json::to_string(&ab).unwrap(), serde_json::to_string(&ba).unwrap());
}

fn inspect_both(entries: &SourceEntries) -> Result<(Value, Value), TestCaseError> {
    let docs = read_back(&migrated_files(entries))?;
    let back = unmigrate(&docs.chains, Some(&docs.quarantine)).map_err(|e| TestCaseError::fail(e.to_string()))?;
    Ok((rows_to_json(&rows_of_raw(entries)), rows_to_json(&rows_of_entries(back))))
}

/// When every valid record is stored canonically (as both writers stored them), inspecting the LevelDB and
/// inspecting its migration render to the same JSON text, field order included.
#[test]
fn inspect_of_leveldb_equals_inspect_of_migration() {
    check(CASES, strategies::canonical_source(), |source| {
        let (leveldb, migrated) = inspect_both(&source.entries)?;
        prop_assert_eq!(leveldb.to_string(), migrated.to_string());
        Ok(())
    });
}

/// For any source the two inspections hold the same rows with the same values, but a record stored in another
/// field order shows in stored order from LevelDB and in canonical order from the migration: equal as Maps
/// (order-insensitive), equal as text once every object's keys are sorted.
#[test]
fn inspect_of_leveldb_equals_inspect_of_migration_up_to_field_order() {
    check(CASES, strategies::source(), |source| {
        let (leveldb, migrated) = inspect_both(&source.entries)?;
        prop_assert_eq!(&leveldb, &migrated);
        prop_assert_eq!(sorted(leveldb).to_string(), sorted(migrated).to_string());
        Ok(())
    });
}

/// The value with every object's keys in byte order.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut fields: Vec<(String, Value)> = map.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            fields.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(fields.into_iter().collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}

#[test]
fn every_written_document_validates_against_the_schema() {
    check(CASES, strategies::source(), |source| {
        for file in migrated_files(&source.entries) {
            let document: Value =
                serde_json::from_slice(&file.bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let violations = lookcoin_state::core::schema::validate(&document);
            prop_assert!(violations.is_empty(), "{} violates the schema: {:?}", file.name, violations);
        }
        Ok(())
    });
}

/// Every file: one trailing newline, 2-space indentation, and exactly the bytes serde's pretty printer gives for
/// its own parsed value (keys in file order, numbers and strings as written).
#[test]
fn rendering_is_canonical() {
    check(CASES, strategies::source(), |source| {
        for file in migrated_files(&source.entries) {
            let text = String::from_utf8(file.bytes.clone()).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{}: not one trailing newline", file.name);
            let mut depth = 0;
            for line in text.lines() {
                let indent = line.len() - line.trim_start_matches(' ').len();
                prop_assert!(indent % 2 == 0 && indent <= depth + 2, "{}: bad indent in {:?}", file.name, line);
                depth = indent;
            }
            let value: Value = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let mut again = serde_json::to_vec_pretty(&value).map_err(|e| TestCaseError::fail(e.to_string()))?;
            again.push(b'\n');
            prop_assert_eq!(String::from_utf8_lossy(&again), text.as_str(), "{} is not canonical", file.name);
        }
        Ok(())
    });
}

/// The manifest comes last and lists every other file, in order, with its size and SHA-256.
#[test]
fn manifest_lists_every_file_with_its_digest() {
    use sha2::{Digest, Sha256};
    check(CASES, strategies::source(), |source| {
        let files = migrated_files(&source.entries);
        let (last, others) = files.split_last().ok_or_else(|| TestCaseError::fail("no files"))?;
        prop_assert_eq!(last.name.as_str(), MANIFEST_FILE);
        let listed = read_back(&files)?.manifest.files;
        let actual: Vec<(String, u64, String)> = others
            .iter()
            .map(|f| (f.name.clone(), f.bytes.len() as u64, alloy_primitives::hex::encode(Sha256::digest(&f.bytes))))
            .collect();
        prop_assert_eq!(listed.into_iter().map(|f| (f.name, f.bytes, f.sha256)).collect::<Vec<_>>(), actual);
        Ok(())
    });
}

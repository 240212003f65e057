//! `migrate` and its inverse `unmigrate` (pure).
//!
//! migrate: raw LevelDB entries -> one [`ChainDocument`] per chain id + one [`QuarantineDocument`].
//! unmigrate: those documents -> the entries again. `unmigrate(migrate(E)) == parse_entries(E)` for every `E`:
//! the property suite checks it. Time, tool version and the network table come in through [`MigrationContext`].

use super::category::{categorize, Category};
use super::digest::entries_sha256;
use super::document::{
    ChainDocument, ContractEntry, DocumentKind, MigrationInfo, NetworkInfo, ProblemEntry, QuarantineDocument,
    QuarantineItem, RawBytes, SourceInfo, SCHEMA_VERSION,
};
use super::network::NetworkTable;
use super::primitives::{AddressText, ChainId, ContractName, HashText, TimestampMs};
use super::record::{
    parse_entries, parse_entry, DeploymentRecord, Entry, Problem, ProblemCode, QuarantinedEntry, SourceEntries,
};
use std::collections::BTreeMap;

/// Everything migrate needs besides the entries.
#[derive(Debug, Clone)]
pub struct MigrationContext<'a> {
    pub networks: &'a NetworkTable,
    pub source: SourceInfo,
    pub tool_version: String,
    pub migrated_at: TimestampMs,
}

/// The documents of one migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// In chain id order.
    pub chains: Vec<ChainDocument>,
    pub quarantine: QuarantineDocument,
    /// Entry digest of the whole source.
    pub source_records_sha256: String,
    pub record_count: u64,
}

/// An entry's raw key and value bytes with what they parsed to.
type Parsed<'a, T> = (&'a [u8], &'a [u8], &'a T);

/// Migrates every entry: valid records into their chain's document, the rest into the quarantine.
pub fn migrate(entries: &SourceEntries, ctx: &MigrationContext<'_>) -> Migration {
    migrate_parsed(entries, &parse_entries(entries), ctx).with_source_digest(source_digest(entries))
}

/// The entry digest of a whole source, as the manifest records it.
pub fn source_digest(entries: &SourceEntries) -> String {
    entries_sha256(entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice())))
}

/// A migration still without the digest of its whole source: the shell hashes the source (46 MB at 100,000
/// records) on another core while the documents are assembled, and seals the result with it. The documents
/// cannot be had before the digest is given.
#[derive(Debug)]
pub struct WithoutSourceDigest(Migration);

impl WithoutSourceDigest {
    /// The finished migration; `digest` must be [`source_digest`] of the same entries.
    pub fn with_source_digest(self, digest: String) -> Migration {
        Migration { source_records_sha256: digest, ..self.0 }
    }
}

/// [`migrate`] for entries already parsed: `parsed` is `parse_entries(entries)`, computed once by a caller that
/// needs it again (the pre-write proof compares the files against it).
pub fn migrate_parsed(entries: &SourceEntries, parsed: &[Entry], ctx: &MigrationContext<'_>) -> WithoutSourceDigest {
    assert_eq!(entries.len(), parsed.len(), "`parsed` must be `parse_entries(entries)`");
    let mut valid: Vec<Parsed<'_, DeploymentRecord>> = Vec::new();
    let mut quarantined: Vec<Parsed<'_, QuarantinedEntry>> = Vec::new();
    for ((key, value), entry) in entries.iter().zip(parsed) {
        match entry {
            Entry::Valid(record) => valid.push((key, value, record)),
            Entry::Quarantined(q) => quarantined.push((key, value, q)),
        }
    }
    let categories: Vec<Category> = valid.iter().map(|(_, _, r)| categorize(&r.contract_name)).collect();
    WithoutSourceDigest(assemble(&valid, &categories, &quarantined, ctx, String::new(), entries.len()))
}

/// Documents for records that are already validated (a reconciled state), each with its category. Their value
/// bytes are the canonical compact JSON of [`DeploymentRecord::to_value_bytes`].
pub fn migrate_records(
    records: &[(DeploymentRecord, Category)],
    quarantined: &[QuarantinedEntry],
    ctx: &MigrationContext<'_>,
) -> Migration {
    let keys: Vec<(Vec<u8>, Vec<u8>)> =
        records.iter().map(|(r, _)| (r.key().to_string().into_bytes(), r.to_value_bytes())).collect();
    let mut order: Vec<usize> = (0..records.len()).collect();
    order.sort_by(|a, b| keys[*a].0.cmp(&keys[*b].0));
    let valid: Vec<Parsed<'_, DeploymentRecord>> =
        order.iter().map(|i| (keys[*i].0.as_slice(), keys[*i].1.as_slice(), &records[*i].0)).collect();
    let categories: Vec<Category> = order.iter().map(|i| records[*i].1).collect();
    let mut bad: Vec<Parsed<'_, QuarantinedEntry>> =
        quarantined.iter().map(|q| (q.key.as_slice(), q.value.as_slice(), q)).collect();
    bad.sort_by(|a, b| a.0.cmp(b.0));
    let mut all: Vec<(&[u8], &[u8])> =
        valid.iter().map(|(k, v, _)| (*k, *v)).chain(bad.iter().map(|(k, v, _)| (*k, *v))).collect();
    all.sort();
    let digest = entries_sha256(all.iter().copied());
    assemble(&valid, &categories, &bad, ctx, digest, all.len())
}

/// Builds the documents from parsed entries (in key order) and their categories.
fn assemble(
    valid: &[Parsed<'_, DeploymentRecord>],
    categories: &[Category],
    quarantined: &[Parsed<'_, QuarantinedEntry>],
    ctx: &MigrationContext<'_>,
    source_records_sha256: String,
    record_count: usize,
) -> Migration {
    let mut per_chain: BTreeMap<u64, Vec<(&Parsed<'_, DeploymentRecord>, Category)>> = BTreeMap::new();
    for (parsed, category) in valid.iter().zip(categories) {
        per_chain.entry(parsed.2.chain_id.0).or_default().push((parsed, *category));
    }
    let chains: Vec<ChainDocument> =
        per_chain.iter().map(|(chain_id, records)| chain_document(*chain_id, records, ctx)).collect();
    Migration {
        chains,
        quarantine: quarantine_document(quarantined, ctx),
        source_records_sha256,
        record_count: record_count as u64,
    }
}

fn migration_info<'a>(
    ctx: &MigrationContext<'_>,
    raw: impl Iterator<Item = (&'a [u8], &'a [u8])>,
    count: usize,
) -> MigrationInfo {
    MigrationInfo {
        source: ctx.source.clone(),
        tool_version: ctx.tool_version.clone(),
        migrated_at: ctx.migrated_at.to_rfc3339(),
        record_count: count as u64,
        source_records_sha256: entries_sha256(raw),
    }
}

fn chain_document(
    chain_id: u64,
    records: &[(&Parsed<'_, DeploymentRecord>, Category)],
    ctx: &MigrationContext<'_>,
) -> ChainDocument {
    let identity = ctx.networks.identify(chain_id);
    ChainDocument {
        schema_version: SCHEMA_VERSION.to_string(),
        kind: DocumentKind::Chain,
        chain_id,
        network: NetworkInfo { key: identity.key, tier: identity.tier, known: identity.known },
        migration: migration_info(ctx, records.iter().map(|((k, v, _), _)| (*k, *v)), records.len()),
        contracts: records.iter().map(|((_, _, r), c)| (r.contract_name.0.clone(), contract_entry(r, *c))).collect(),
    }
}

fn contract_entry(record: &DeploymentRecord, category: Category) -> ContractEntry {
    ContractEntry {
        category,
        network_name: record.network_name.clone(),
        address: record.address.text().to_string(),
        factory_byte_code_hash: record.factory_bytecode_hash.text().to_string(),
        implementation_hash: record.implementation_hash.as_ref().map(|h| h.text().to_string()),
        proxy_address: record.proxy_address.as_ref().map(|a| a.text().to_string()),
        deployment_args: record.deployment_args.clone(),
        timestamp: record.timestamp.0,
        extra_fields: record.extra_fields.clone(),
        recovered: BTreeMap::new(),
    }
}

fn quarantine_document(entries: &[Parsed<'_, QuarantinedEntry>], ctx: &MigrationContext<'_>) -> QuarantineDocument {
    QuarantineDocument {
        schema_version: SCHEMA_VERSION.to_string(),
        kind: DocumentKind::Quarantine,
        migration: migration_info(ctx, entries.iter().map(|(k, v, _)| (*k, *v)), entries.len()),
        entries: entries.iter().map(|(_, _, q)| quarantine_item(q)).collect(),
    }
}

fn quarantine_item(entry: &QuarantinedEntry) -> QuarantineItem {
    QuarantineItem {
        key: RawBytes::from_bytes(&entry.key),
        value: RawBytes::from_bytes(&entry.value),
        problems: entry
            .problems
            .iter()
            .map(|p| ProblemEntry {
                code: p.code.as_str().to_string(),
                field: p.field.clone(),
                detail: p.detail.clone(),
            })
            .collect(),
    }
}

/// Why documents could not be turned back into entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnmigrateError {
    /// `chain 56`, `quarantine`, ...
    pub document: String,
    /// The contract name or key concerned, if any.
    pub item: Option<String>,
    pub problem: String,
}

impl std::fmt::Display for UnmigrateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.item {
            Some(item) => write!(f, "{} `{}`: {}", self.document, item, self.problem),
            None => write!(f, "{}: {}", self.document, self.problem),
        }
    }
}

/// Turns documents back into entries, in key byte order. Fails on anything `migrate` could not have written:
/// malformed values, one key held twice (two documents claiming one chain, or a quarantined key that is also valid).
pub fn unmigrate(
    chains: &[ChainDocument],
    quarantine: Option<&QuarantineDocument>,
) -> Result<Vec<Entry>, UnmigrateError> {
    unmigrate_owned(chains.to_vec(), quarantine.cloned())
}

/// [`unmigrate`] taking the documents by value, so that their strings move into the records rather than being
/// copied (documents just read from files are not needed afterwards).
pub fn unmigrate_owned(
    chains: Vec<ChainDocument>,
    quarantine: Option<QuarantineDocument>,
) -> Result<Vec<Entry>, UnmigrateError> {
    let mut parts = chains.into_iter().map(chain_entries).collect::<Result<Vec<_>, _>>()?;
    if let Some(quarantine) = quarantine {
        parts.push(quarantine_entries(quarantine)?);
    }
    merge_entries(parts)
}

/// The entries one document holds, named for errors, in the document's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentEntries {
    /// `chain 56` or `quarantine`.
    pub document: String,
    pub entries: Vec<Entry>,
}

/// The records of one chain document (documents are independent: a reader may unmigrate them in parallel and
/// [`merge_entries`] the parts).
pub fn chain_entries(doc: ChainDocument) -> Result<DocumentEntries, UnmigrateError> {
    let chain_id = doc.chain_id;
    let entries = doc
        .contracts
        .into_iter()
        .map(|(name, contract)| record_from_entry_owned(chain_id, name, contract).map(Entry::Valid))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(DocumentEntries { document: format!("chain {chain_id}"), entries })
}

/// The entries of the quarantine document, each checked to be invalid for exactly the reasons it lists.
pub fn quarantine_entries(doc: QuarantineDocument) -> Result<DocumentEntries, UnmigrateError> {
    let entries =
        doc.entries.iter().map(|item| quarantined_from_item(item).map(Entry::Quarantined)).collect::<Result<_, _>>()?;
    Ok(DocumentEntries { document: "quarantine".to_string(), entries })
}

/// All the parts' entries in key byte order; an error if one key is held twice (two documents claiming one
/// chain, or a quarantined key that is also valid), naming the later part.
pub fn merge_entries(parts: Vec<DocumentEntries>) -> Result<Vec<Entry>, UnmigrateError> {
    let mut keyed: Vec<(Vec<u8>, Entry, usize)> = Vec::new();
    let mut names = Vec::with_capacity(parts.len());
    for (i, part) in parts.into_iter().enumerate() {
        keyed.extend(part.entries.into_iter().map(|entry| (entry.key_bytes(), entry, i)));
        names.push(part.document);
    }
    // Stable: of two entries with one key, the later part comes second and is the one named.
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(pair) = keyed.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(UnmigrateError {
            document: names[pair[1].2].clone(),
            item: Some(String::from_utf8_lossy(&pair[1].0).into_owned()),
            problem: "this key is held more than once across the documents".to_string(),
        });
    }
    Ok(keyed.into_iter().map(|(_, entry, _)| entry).collect())
}

/// Rebuilds a record from a chain document entry, validating it as strictly as `parse_entry` does.
pub fn record_from_entry(chain_id: u64, name: &str, entry: &ContractEntry) -> Result<DeploymentRecord, UnmigrateError> {
    record_from_entry_owned(chain_id, name.to_string(), entry.clone())
}

/// [`record_from_entry`] taking the entry by value (its strings move into the record).
pub fn record_from_entry_owned(
    chain_id: u64,
    name: String,
    entry: ContractEntry,
) -> Result<DeploymentRecord, UnmigrateError> {
    let fail =
        |problem: String| UnmigrateError { document: format!("chain {chain_id}"), item: Some(name.clone()), problem };
    if name.is_empty() {
        return Err(fail("empty contract name".into()));
    }
    if let Some(shadow) = entry.extra_fields.keys().find(|k| super::record::FIELD_ORDER.contains(&k.as_str())) {
        return Err(fail(format!("`extraFields` holds `{shadow}`, a record field: migrate never writes that")));
    }
    let address = |field: &str, text: String| {
        AddressText::from_text(text).map_err(|text| fail(format!("`{field}` is not an address: `{text}`")))
    };
    let hash = |field: &str, text: String| {
        HashText::from_text(text).map_err(|text| fail(format!("`{field}` is not a hash: `{text}`")))
    };
    let address_text = address("address", entry.address)?;
    let factory_bytecode_hash = hash("factoryByteCodeHash", entry.factory_byte_code_hash)?;
    let implementation_hash = entry.implementation_hash.map(|h| hash("implementationHash", h)).transpose()?;
    let proxy_address = entry.proxy_address.map(|a| address("proxyAddress", a)).transpose()?;
    Ok(DeploymentRecord {
        chain_id: ChainId(chain_id),
        contract_name: ContractName(name),
        network_name: entry.network_name,
        address: address_text,
        factory_bytecode_hash,
        implementation_hash,
        proxy_address,
        deployment_args: entry.deployment_args,
        timestamp: TimestampMs(entry.timestamp),
        extra_fields: entry.extra_fields,
    })
}

fn quarantined_from_item(item: &QuarantineItem) -> Result<QuarantinedEntry, UnmigrateError> {
    let fail = |problem: &str| UnmigrateError {
        document: "quarantine".to_string(),
        item: Some(format!("{:?}", item.key)),
        problem: problem.to_string(),
    };
    let key = item.key.to_bytes().ok_or_else(|| fail("key is not valid hex"))?;
    let value = item.value.to_bytes().ok_or_else(|| fail("value is not valid hex"))?;
    let problems = item
        .problems
        .iter()
        .map(|p| {
            let code = ProblemCode::parse(&p.code).ok_or_else(|| fail("unknown problem code"))?;
            Ok(Problem { code, field: p.field.clone(), detail: p.detail.clone() })
        })
        .collect::<Result<Vec<_>, UnmigrateError>>()?;
    // The quarantine may only hold what validation rejects, for exactly the reasons it gives: a valid record
    // hidden here would vanish from its chain document.
    match parse_entry(&key, &value) {
        Entry::Valid(_) => Err(fail("this entry is a valid record: it belongs in its chain document")),
        Entry::Quarantined(q) if q.problems != problems => {
            Err(fail("the problems listed are not the ones validation finds"))
        }
        Entry::Quarantined(q) => Ok(q),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::record::parse_entries;

    fn ctx(table: &NetworkTable) -> MigrationContext<'_> {
        MigrationContext {
            networks: table,
            source: SourceInfo { kind: "leveldb".into(), label: "test".into() },
            tool_version: "0.0.0".into(),
            migrated_at: TimestampMs(0),
        }
    }

    fn entries(items: &[(&str, &str)]) -> SourceEntries {
        items.iter().map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec())).collect()
    }

    const A: &str = r#"{"contractName":"A","chainId":56,"networkName":"bsc","address":"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed","factoryByteCodeHash":"","timestamp":1}"#;

    #[test]
    fn unknown_chain_is_migrated_not_dropped() {
        let table = NetworkTable::builtin();
        let source = entries(&[("777777-A", &A.replace(":56,", ":777777,"))]);
        let m = migrate(&source, &ctx(&table));
        assert_eq!(m.chains.len(), 1);
        assert_eq!(m.chains[0].network.key, "unknown-777777");
        assert_eq!(unmigrate(&m.chains, Some(&m.quarantine)).unwrap(), parse_entries(&source));
    }

    #[test]
    fn invalid_entries_go_to_quarantine_byte_for_byte() {
        let table = NetworkTable::builtin();
        let source = entries(&[("56-A", A), ("56-B", "[1]")]);
        let m = migrate(&source, &ctx(&table));
        assert_eq!(m.quarantine.entries.len(), 1);
        assert_eq!(m.quarantine.entries[0].value, RawBytes::Utf8("[1]".into()));
        assert_eq!(m.record_count, 2);
        assert_eq!(unmigrate(&m.chains, Some(&m.quarantine)).unwrap(), parse_entries(&source));
    }

    #[test]
    fn a_key_held_twice_is_an_error() {
        let table = NetworkTable::builtin();
        let m = migrate(&entries(&[("56-A", A)]), &ctx(&table));
        let twice = vec![m.chains[0].clone(), m.chains[0].clone()];
        let err = unmigrate(&twice, None).unwrap_err();
        assert_eq!(err.item.as_deref(), Some("56-A"));
    }
}

//! What a migration found, as data for the renderers (pure).

use super::migrate::Migration;
use super::network::NetworkTable;
use super::primitives::{AddressText, Checksum};

/// One chain document of a migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    pub chain_id: u64,
    pub network_key: String,
    pub known: bool,
    pub records: u64,
}

/// One quarantined entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuarantineSummary {
    pub key: String,
    /// `code: detail` per problem.
    pub problems: Vec<String>,
}

/// A mixed-case address whose EIP-55 checksum is wrong: migrated as written, reported as a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChecksumFinding {
    pub key: String,
    pub field: &'static str,
    pub address: String,
}

/// A record whose `networkName` the network table gives to another chain (the original tooling's Sapphire
/// confusion): migrated as written, reported as a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkNameFinding {
    pub key: String,
    pub network_name: String,
    /// The chain ids the table gives that name.
    pub named_chains: Vec<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationSummary {
    pub record_count: u64,
    pub migrated: u64,
    pub chains: Vec<ChainSummary>,
    pub quarantined: Vec<QuarantineSummary>,
    pub checksum_findings: Vec<ChecksumFinding>,
    pub network_name_findings: Vec<NetworkNameFinding>,
    pub source_records_sha256: String,
}

impl MigrationSummary {
    /// Findings make the run exit 1: quarantined entries, wrong checksums, network names of another chain.
    pub fn has_findings(&self) -> bool {
        !self.quarantined.is_empty() || !self.checksum_findings.is_empty() || !self.network_name_findings.is_empty()
    }
}

/// Records whose network name belongs to another chain per `table` (unknown names are not findings).
fn network_name_findings(migration: &Migration, table: &NetworkTable) -> Vec<NetworkNameFinding> {
    let mut out = Vec::new();
    for doc in &migration.chains {
        for (name, c) in &doc.contracts {
            let named = table.chain_ids_named(&c.network_name);
            if !named.is_empty() && !named.contains(&doc.chain_id) {
                out.push(NetworkNameFinding {
                    key: format!("{}-{}", doc.chain_id, name),
                    network_name: c.network_name.clone(),
                    named_chains: named,
                });
            }
        }
    }
    out
}

pub fn summarize(migration: &Migration, table: &NetworkTable) -> MigrationSummary {
    let chains: Vec<ChainSummary> = migration
        .chains
        .iter()
        .map(|d| ChainSummary {
            chain_id: d.chain_id,
            network_key: d.network.key.clone(),
            known: d.network.known,
            records: d.contracts.len() as u64,
        })
        .collect();
    let mut checksum_findings = Vec::new();
    for doc in &migration.chains {
        for (name, c) in &doc.contracts {
            let fields = [("address", Some(&c.address)), ("proxyAddress", c.proxy_address.as_ref())];
            for (field, text) in fields {
                let wrong = text.and_then(|t| AddressText::parse(t)).is_some_and(|a| a.checksum() == Checksum::Wrong);
                if wrong {
                    checksum_findings.push(ChecksumFinding {
                        key: format!("{}-{}", doc.chain_id, name),
                        field,
                        address: text.cloned().unwrap_or_default(),
                    });
                }
            }
        }
    }
    let quarantined = migration
        .quarantine
        .entries
        .iter()
        .map(|q| QuarantineSummary {
            key: match q.key.to_bytes() {
                Some(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                None => format!("{:?}", q.key),
            },
            problems: q.problems.iter().map(|p| format!("{}: {}", p.code, p.detail)).collect(),
        })
        .collect();
    MigrationSummary {
        record_count: migration.record_count,
        migrated: chains.iter().map(|c| c.records).sum(),
        chains,
        quarantined,
        checksum_findings,
        network_name_findings: network_name_findings(migration, table),
        source_records_sha256: migration.source_records_sha256.clone(),
    }
}

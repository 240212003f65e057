//! Writers of every input format, for the compare properties: the same records rendered as LevelDB entries, our
//! documents, legacy v1 files, v3 unified files and OpenZeppelin manifests, then read back with the real readers.
//! Test code: the tool itself only writes its own format.

use lookcoin_state::core::formats::hardhat_deploy::{self, DeploymentFolder};
use lookcoin_state::core::formats::{entries, foundry_broadcast, legacy_v1, openzeppelin, unified_v3, InputFile};
use lookcoin_state::core::migrate::migrate;
use lookcoin_state::core::network::NetworkTable;
use lookcoin_state::core::record::{parse_entries, DeploymentRecord, Entry, SourceEntries};
use lookcoin_state::core::state::{SourceFormat, SourceState};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The valid records of `entries`.
pub fn records(entries: &SourceEntries) -> Vec<DeploymentRecord> {
    parse_entries(entries)
        .into_iter()
        .filter_map(|e| match e {
            Entry::Valid(r) => Some(r),
            Entry::Quarantined(_) => None,
        })
        .collect()
}

fn by_chain(records: &[DeploymentRecord]) -> BTreeMap<u64, Vec<&DeploymentRecord>> {
    let mut map: BTreeMap<u64, Vec<&DeploymentRecord>> = BTreeMap::new();
    for r in records {
        map.entry(r.chain_id.0).or_default().push(r);
    }
    map
}

/// `entries` read in `format`.
pub fn state_in(format: SourceFormat, entries: &SourceEntries) -> SourceState {
    let table = NetworkTable::builtin();
    let recs = records(entries);
    match format {
        SourceFormat::LevelDb => entries::from_entries("leveldb", &parse_entries(entries)),
        SourceFormat::Enhanced => {
            let m = migrate(entries, &super::strategies::context());
            let chains: Vec<(String, _)> =
                m.chains.iter().map(|d| (format!("{}.json", d.network.key), d.clone())).collect();
            let quarantine = ("quarantine.json".to_string(), m.quarantine.clone());
            entries::from_documents("enhanced", &chains, Some(&quarantine), &table).expect("own documents read back")
        }
        SourceFormat::LegacyV1 => legacy_v1::parse("v1", &v1_files(&recs, &table), &table).expect("v1 reads"),
        SourceFormat::UnifiedV3 => unified_v3::parse("v3", &v3_files(&recs, &table), &table).expect("v3 reads"),
        SourceFormat::OpenZeppelin => openzeppelin::parse("oz", &oz_files(&recs)).expect("oz reads"),
        SourceFormat::HardhatDeploy => {
            hardhat_deploy::parse("hd", &hardhat_deploy_folders(&recs, &table), &table).expect("hardhat-deploy reads")
        }
        SourceFormat::FoundryBroadcast => {
            foundry_broadcast::parse("fb", &broadcast_files(&recs)).expect("broadcast reads")
        }
    }
}

fn file(origin: String, json: Value) -> InputFile {
    InputFile { origin, json }
}

/// v1: every record in `contracts` (proxy + implementation) and its hash in `implementationHashes`.
pub fn v1_files(records: &[DeploymentRecord], table: &NetworkTable) -> Vec<InputFile> {
    by_chain(records)
        .into_iter()
        .map(|(chain, recs)| {
            let mut contracts = Map::new();
            let mut hashes = Map::new();
            for r in recs {
                contracts.insert(
                    r.contract_name.0.clone(),
                    json!({"proxy": r.proxy_address.as_ref().map(|a| a.text()), "implementation": r.address.text()}),
                );
                if let Some(h) = &r.implementation_hash {
                    hashes.insert(r.contract_name.0.clone(), json!(h.text()));
                }
            }
            let network = table.identify(chain).key;
            file(
                format!("{network}.json"),
                json!({"network": network, "chainId": chain, "contracts": contracts, "implementationHashes": hashes}),
            )
        })
        .collect()
}

/// v3: records in the section of their category, the rest in `extended_<Name>` with ISO timestamps.
pub fn v3_files(records: &[DeploymentRecord], table: &NetworkTable) -> Vec<InputFile> {
    by_chain(records)
        .into_iter()
        .map(|(chain, recs)| {
            let mut root = Map::new();
            let network = table.identify(chain).key;
            root.insert("schemaVersion".into(), json!("3.0.0"));
            root.insert("network".into(), json!(network));
            root.insert("chainId".into(), json!(chain));
            let mut sections: BTreeMap<&str, Map<String, Value>> = BTreeMap::new();
            for r in recs {
                let section = match entries::derived_category(&r.contract_name.0).as_str() {
                    "core" => "core",
                    "protocol" => "protocol",
                    _ => "infrastructure",
                };
                let entry =
                    json!({"proxy": r.proxy_address.as_ref().map(|a| a.text()), "implementation": r.address.text()});
                sections.entry(section).or_default().insert(r.contract_name.0.clone(), entry);
                let mut ext = Map::new();
                ext.insert("factoryByteCodeHash".into(), json!(r.factory_bytecode_hash.text()));
                if let Some(h) = &r.implementation_hash {
                    ext.insert("implementationHash".into(), json!(h.text()));
                }
                if let Some(args) = &r.deployment_args {
                    ext.insert("deploymentArgs".into(), Value::Array(args.clone()));
                }
                // ISO where RFC 3339 can write the instant (v3 files mix ISO and ms), else milliseconds.
                let time = r.timestamp.try_to_rfc3339().map_or(json!(r.timestamp.0), |iso| json!(iso));
                ext.insert("timestamp".into(), time);
                root.insert(format!("extended_{}", r.contract_name.0), Value::Object(ext));
            }
            root.insert("contracts".into(), json!(sections));
            file(format!("{network}.unified.json"), Value::Object(root))
        })
        .collect()
}

/// OpenZeppelin: proxies listed unnamed, implementations named by their storage layout.
pub fn oz_files(records: &[DeploymentRecord]) -> Vec<InputFile> {
    by_chain(records)
        .into_iter()
        .map(|(chain, recs)| {
            let proxies: Vec<Value> = recs
                .iter()
                .filter_map(|r| r.proxy_address.as_ref())
                .map(|p| json!({"address": p.text(), "kind": "uups"}))
                .collect();
            let impls: Map<String, Value> = recs
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let layout = json!({"storage": [{"label": "x", "contract": r.contract_name.0}]});
                    (format!("{i:064x}"), json!({"address": r.address.text(), "layout": layout}))
                })
                .collect();
            let stem = openzeppelin::file_stem_of(chain);
            file(format!("oz/{stem}.json"), json!({"manifestVersion": "3.2", "proxies": proxies, "impls": impls}))
        })
        .collect()
}

/// hardhat-deploy: one folder per chain; a record with a proxy as `<Name>.json` (proxy address, `implementation`,
/// initializer arguments in `execute.args`) plus `<Name>_Implementation.json` and `<Name>_Proxy.json`, one
/// without as a plain deployment with `args`. No bytecode: the records' hashes are not derivable from code.
pub fn hardhat_deploy_folders(records: &[DeploymentRecord], table: &NetworkTable) -> Vec<DeploymentFolder> {
    by_chain(records)
        .into_iter()
        .map(|(chain, recs)| {
            let origin = format!("deployments/{}", table.identify(chain).key);
            let mut files = Vec::new();
            let deployment = |address: &str| json!({"address": address, "abi": [], "transactionHash": format!("0x{}", "11".repeat(32))});
            for r in recs {
                let name = &r.contract_name.0;
                let mut main = deployment(r.address.text());
                match &r.proxy_address {
                    Some(proxy) => {
                        main["address"] = json!(proxy.text());
                        main["implementation"] = json!(r.address.text());
                        if let Some(args) = &r.deployment_args {
                            main["execute"] = json!({"methodName": "initialize", "args": args});
                        }
                        files.push(file(format!("{origin}/{name}_Implementation.json"), deployment(r.address.text())));
                        files.push(file(format!("{origin}/{name}_Proxy.json"), deployment(proxy.text())));
                    }
                    None => {
                        if let Some(args) = &r.deployment_args {
                            main["args"] = json!(args);
                        }
                    }
                }
                files.push(file(format!("{origin}/{name}.json"), main));
            }
            DeploymentFolder { origin, chain_id: Some(format!("{chain}\n")), files }
        })
        .collect()
}

/// Foundry broadcast: one `run-latest.json` per chain, a CREATE per record and an `ERC1967Proxy` CREATE (its
/// implementation first in `arguments`) per proxy.
pub fn broadcast_files(records: &[DeploymentRecord]) -> Vec<InputFile> {
    by_chain(records)
        .into_iter()
        .map(|(chain, recs)| {
            let mut transactions = Vec::new();
            for r in recs {
                let args = match (&r.proxy_address, &r.deployment_args) {
                    (None, Some(args)) => json!(args),
                    _ => Value::Null,
                };
                transactions.push(json!({
                    "transactionType": "CREATE", "contractName": r.contract_name.0,
                    "contractAddress": r.address.text(), "arguments": args,
                }));
                if let Some(proxy) = &r.proxy_address {
                    transactions.push(json!({
                        "transactionType": "CREATE", "contractName": "ERC1967Proxy",
                        "contractAddress": proxy.text(), "arguments": [r.address.text(), "0x"],
                    }));
                }
            }
            let doc = json!({"transactions": transactions, "receipts": [], "chain": chain});
            file(format!("broadcast/Deploy.s.sol/{chain}/run-latest.json"), doc)
        })
        .collect()
}

//! The committed demo contracts (`fixtures/chain/artifacts/*.json`, compiled by `fixtures/chain/compile.mjs`),
//! embedded at compile time so the demo binary needs no fixture folder, plus the little ABI encoding the lab needs.
//!
//! Hashes are made with the project's own rule (`core::bytecode`): a record's implementation hash is
//! keccak(strip_metadata(zero immutables of the artifact's runtime bytecode)), the value the on-chain code
//! normalises to. A test checks it against the independently computed `hashes.json`.

use crate::core::bytecode::{keccak_hex, strip_metadata, zero_ranges, Range};
use alloy_primitives::{hex, Address, B256, U256};
use serde_json::Value;
use std::sync::OnceLock;

/// The contracts the lab can deploy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Contract {
    /// The EIP-1967 proxy: `constructor(address implementation, bytes data)`.
    DemoProxy,
    /// UUPS-style implementation v1 (immutable `__self`, `proxiableUUID()`).
    DemoToken,
    /// Same shape, other bytecode: the "someone upgraded the code" drift.
    DemoTokenV2,
    /// An implementation without `proxiableUUID()` (also the implementation behind transparent and beacon proxies).
    NotUups,
    /// EIP-1967 transparent proxy: `constructor(address implementation, address admin, bytes data)`.
    DemoTransparentProxy,
    /// The admin contract of transparent proxies.
    DemoProxyAdmin,
    /// An upgradeable beacon: `constructor(address implementation)`.
    DemoBeacon,
    /// EIP-1967 beacon proxy: `constructor(address beacon, bytes data)`.
    DemoBeaconProxy,
}

impl Contract {
    pub const ALL: [Contract; 8] = [
        Contract::DemoProxy,
        Contract::DemoToken,
        Contract::DemoTokenV2,
        Contract::NotUups,
        Contract::DemoTransparentProxy,
        Contract::DemoProxyAdmin,
        Contract::DemoBeacon,
        Contract::DemoBeaconProxy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Contract::DemoProxy => "DemoProxy",
            Contract::DemoToken => "DemoToken",
            Contract::DemoTokenV2 => "DemoTokenV2",
            Contract::NotUups => "NotUups",
            Contract::DemoTransparentProxy => "DemoTransparentProxy",
            Contract::DemoProxyAdmin => "DemoProxyAdmin",
            Contract::DemoBeacon => "DemoBeacon",
            Contract::DemoBeaconProxy => "DemoBeaconProxy",
        }
    }

    fn json(self) -> &'static str {
        match self {
            Contract::DemoProxy => include_str!("../../fixtures/chain/artifacts/DemoProxy.json"),
            Contract::DemoToken => include_str!("../../fixtures/chain/artifacts/DemoToken.json"),
            Contract::DemoTokenV2 => include_str!("../../fixtures/chain/artifacts/DemoTokenV2.json"),
            Contract::NotUups => include_str!("../../fixtures/chain/artifacts/NotUups.json"),
            Contract::DemoTransparentProxy => include_str!("../../fixtures/chain/artifacts/DemoTransparentProxy.json"),
            Contract::DemoProxyAdmin => include_str!("../../fixtures/chain/artifacts/DemoProxyAdmin.json"),
            Contract::DemoBeacon => include_str!("../../fixtures/chain/artifacts/DemoBeacon.json"),
            Contract::DemoBeaconProxy => include_str!("../../fixtures/chain/artifacts/DemoBeaconProxy.json"),
        }
    }

    /// The parsed artifact (parsed once per process).
    pub fn artifact(self) -> &'static Artifact {
        static PARSED: OnceLock<Vec<Artifact>> = OnceLock::new();
        let all = PARSED.get_or_init(|| Contract::ALL.iter().map(|c| Artifact::parse(c.json())).collect());
        &all[Contract::ALL.iter().position(|c| *c == self).expect("every contract is in ALL")]
    }
}

/// What the lab uses of a compiled artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub creation: Vec<u8>,
    /// The runtime code as compiled: immutables are zero here.
    pub runtime: Vec<u8>,
    pub immutable_ranges: Vec<Range>,
    /// `methodIdentifiers`: signature -> 4-byte selector.
    selectors: Vec<(String, [u8; 4])>,
}

impl Artifact {
    fn parse(text: &str) -> Artifact {
        let json: Value = serde_json::from_str(text).expect("a committed artifact is JSON");
        let code = |pointer: &str| {
            let text = json.pointer(pointer).and_then(Value::as_str).expect("an artifact has its bytecode");
            hex::decode(text.trim_start_matches("0x")).expect("artifact bytecode is hex")
        };
        let immutable_ranges = json
            .pointer("/deployedBytecode/immutableReferences")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|refs| refs.values().filter_map(Value::as_array).flatten())
            .map(|r| Range {
                start: r["start"].as_u64().unwrap_or(0) as usize,
                length: r["length"].as_u64().unwrap_or(0) as usize,
            })
            .collect();
        let selectors = json["methodIdentifiers"]
            .as_object()
            .into_iter()
            .flatten()
            .filter_map(|(sig, sel)| {
                let bytes: [u8; 4] = hex::decode(sel.as_str()?).ok()?.try_into().ok()?;
                Some((sig.clone(), bytes))
            })
            .collect();
        Artifact {
            creation: code("/bytecode/object"),
            runtime: code("/deployedBytecode/object"),
            immutable_ranges,
            selectors,
        }
    }

    /// The 4-byte selector of a function signature such as `initialize(string,uint256)`.
    pub fn selector(&self, signature: &str) -> Option<[u8; 4]> {
        self.selectors.iter().find(|(s, _)| s == signature).map(|(_, b)| *b)
    }

    /// The implementation hash of docs/DOMAIN.md §4 for this artifact: runtime code, immutables zeroed, metadata
    /// stripped, keccak-256. What a record written at deployment holds, and what on-chain code normalises to.
    pub fn runtime_hash(&self) -> String {
        keccak_hex(strip_metadata(&zero_ranges(&self.runtime, &self.immutable_ranges)))
    }

    /// The creation-bytecode hash (metadata stripped): the rule before 2025-07-24 and after the migration.
    pub fn creation_hash(&self) -> String {
        keccak_hex(strip_metadata(&self.creation))
    }

    /// The runtime code as the constructor would leave it at `address`: every immutable range holds the address
    /// left-padded to 32 bytes (the only immutable of these contracts is `__self = address(this)`).
    pub fn runtime_at(&self, address: Address) -> Vec<u8> {
        let word = B256::left_padding_from(address.as_slice());
        let mut code = self.runtime.clone();
        for r in &self.immutable_ranges {
            code[r.start..r.start + r.length].copy_from_slice(&word[32 - r.length..]);
        }
        code
    }
}

/// One 32-byte ABI word of a number.
fn word(n: U256) -> [u8; 32] {
    n.to_be_bytes::<32>()
}

/// `bytes`/`string` tail: length word, then the data right-padded to a multiple of 32 bytes.
fn dynamic_tail(data: &[u8]) -> Vec<u8> {
    let mut out = word(U256::from(data.len())).to_vec();
    out.extend_from_slice(data);
    out.resize(32 + data.len().div_ceil(32) * 32, 0);
    out
}

/// Calldata of `initialize(string name, uint256 supply)`.
pub fn initialize_call(name: &str, supply: U256) -> Vec<u8> {
    let selector = Contract::DemoToken.artifact().selector("initialize(string,uint256)").expect("DemoToken has it");
    let mut out = selector.to_vec();
    out.extend_from_slice(&word(U256::from(64))); // offset of the string, after the two head words
    out.extend_from_slice(&word(supply));
    out.extend(dynamic_tail(name.as_bytes()));
    out
}

/// Creation code of `contract` followed by ABI-encoded address arguments and one `bytes` argument.
pub fn creation_with(contract: Contract, addresses: &[Address], data: Option<&[u8]>) -> Vec<u8> {
    let mut out = contract.artifact().creation.clone();
    for a in addresses {
        out.extend_from_slice(B256::left_padding_from(a.as_slice()).as_slice());
    }
    if let Some(data) = data {
        out.extend_from_slice(&word(U256::from(32 * (addresses.len() + 1))));
        out.extend(dynamic_tail(data));
    }
    out
}

/// Creation code of `DemoProxy(implementation, data)`: the bytecode followed by the ABI-encoded arguments.
pub fn proxy_creation(implementation: Address, data: &[u8]) -> Vec<u8> {
    let mut out = Contract::DemoProxy.artifact().creation.clone();
    out.extend_from_slice(B256::left_padding_from(implementation.as_slice()).as_slice());
    out.extend_from_slice(&word(U256::from(64)));
    out.extend(dynamic_tail(data));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initialize_calldata_matches_the_abi() {
        let data = initialize_call("Ab", U256::from(7));
        assert_eq!(data.len(), 4 + 32 * 4);
        assert_eq!(hex::encode(&data[..4]), "8beaf7d7");
        assert_eq!(data[4 + 31], 64);
        assert_eq!(data[4 + 63], 7);
        assert_eq!(data[4 + 95], 2);
        assert_eq!(&data[4 + 96..4 + 98], b"Ab");
    }

    #[test]
    fn runtime_at_fills_exactly_the_immutables() {
        let a = Contract::DemoToken.artifact();
        let me = Address::repeat_byte(0x42);
        let filled = a.runtime_at(me);
        assert_eq!(zero_ranges(&filled, &a.immutable_ranges), a.runtime);
        assert_eq!(crate::core::bytecode::self_address_ranges(&filled, me), a.immutable_ranges);
    }
}

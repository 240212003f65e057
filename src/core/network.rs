//! The network table of docs/DOMAIN.md §2 as data (pure).
//!
//! Records are keyed by chain id; a network name is only ever looked up here, never guessed from a string.

use serde::{Deserialize, Serialize};

/// How much is at stake on a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tier {
    Mainnet,
    Testnet,
    Dev,
    Unknown,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub chain_id: u64,
    /// The canonical key, also the name of the migrated document.
    pub key: &'static str,
    pub tier: Tier,
    /// Other spellings seen in data for this chain; used only to read legacy names, never to pick a chain.
    pub aliases: &'static [&'static str],
}

/// What the tool knows about a chain id, including the ones it does not know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkIdentity {
    pub chain_id: u64,
    pub key: String,
    pub tier: Tier,
    pub known: bool,
}

/// The networks the tool knows. Passed into the core as an argument so tests can use their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkTable {
    networks: Vec<Network>,
}

const BUILTIN: &[Network] = &[
    Network { chain_id: 56, key: "bscmainnet", tier: Tier::Mainnet, aliases: &["bsc"] },
    Network { chain_id: 97, key: "bsctestnet", tier: Tier::Testnet, aliases: &["bscTestnet"] },
    Network { chain_id: 84532, key: "basesepolia", tier: Tier::Testnet, aliases: &["baseSepolia"] },
    Network { chain_id: 11155420, key: "optimismsepolia", tier: Tier::Testnet, aliases: &["opSepolia"] },
    // `sapphiremainnet` is also seen on 23295 records, wrongly: it is not an alias, it names chain 23294.
    Network { chain_id: 23295, key: "sapphiretestnet", tier: Tier::Testnet, aliases: &["sapphireTestnet"] },
    Network { chain_id: 23294, key: "sapphiremainnet", tier: Tier::Mainnet, aliases: &["sapphire"] },
    Network { chain_id: 31337, key: "hardhat", tier: Tier::Dev, aliases: &["test"] },
    Network { chain_id: 8453, key: "basemainnet", tier: Tier::Mainnet, aliases: &["base"] },
    Network { chain_id: 10, key: "optimismmainnet", tier: Tier::Mainnet, aliases: &["optimism"] },
    Network { chain_id: 9070, key: "akashicmainnet", tier: Tier::Mainnet, aliases: &["akashic"] },
];

impl NetworkTable {
    /// The table of docs/DOMAIN.md §2.
    pub fn builtin() -> Self {
        NetworkTable { networks: BUILTIN.to_vec() }
    }

    pub fn new(networks: Vec<Network>) -> Self {
        NetworkTable { networks }
    }

    pub fn by_chain_id(&self, chain_id: u64) -> Option<&Network> {
        self.networks.iter().find(|n| n.chain_id == chain_id)
    }

    /// Every chain id whose canonical key or alias is exactly `name` (case-sensitive: the data's spellings are exact).
    pub fn chain_ids_named(&self, name: &str) -> Vec<u64> {
        self.networks.iter().filter(|n| n.key == name || n.aliases.contains(&name)).map(|n| n.chain_id).collect()
    }

    /// The identity of any chain id. An unknown chain keeps its records and is named `unknown-{chainId}`,
    /// the same rule OpenZeppelin's manifests use, so that it can never collide with a known key.
    pub fn identify(&self, chain_id: u64) -> NetworkIdentity {
        match self.by_chain_id(chain_id) {
            Some(n) => NetworkIdentity { chain_id, key: n.key.to_string(), tier: n.tier, known: true },
            None => NetworkIdentity { chain_id, key: format!("unknown-{chain_id}"), tier: Tier::Unknown, known: false },
        }
    }

    pub fn networks(&self) -> &[Network] {
        &self.networks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_chain_ids_are_unique() {
        let table = NetworkTable::builtin();
        let mut ids: Vec<_> = table.networks().iter().map(|n| n.chain_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), table.networks().len());
        for n in table.networks() {
            assert_eq!(table.chain_ids_named(n.key), vec![n.chain_id], "{}", n.key);
            for alias in n.aliases {
                assert_eq!(table.chain_ids_named(alias), vec![n.chain_id], "{alias}");
            }
        }
    }

    #[test]
    fn sapphire_names_are_not_confused() {
        let table = NetworkTable::builtin();
        assert_eq!(table.identify(23295).key, "sapphiretestnet");
        assert_eq!(table.chain_ids_named("sapphiremainnet"), vec![23294]);
    }

    #[test]
    fn unknown_chain_is_kept_with_a_stable_name() {
        let id = NetworkTable::builtin().identify(777_777);
        assert_eq!(id.key, "unknown-777777");
        assert!(!id.known);
        assert_eq!(id.tier, Tier::Unknown);
    }
}

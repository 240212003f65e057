//! The local chain lab: real anvil nodes, the demo contracts deployed to them with real transactions, the records
//! a deploy script would have written, and drift planted afterwards. Used by `demo`, the tests and the benches, so
//! that on-chain verification is exercised against a real EVM node over real JSON-RPC rather than mocks.
//!
//! Shell code: it starts processes, opens sockets, reads `LOOKCOIN_ANVIL`/`PATH` and the clock (bounded polling,
//! deployment timestamps). It never talks to anything but the nodes it started on 127.0.0.1.

#![expect(clippy::disallowed_methods, reason = "the shell: starts processes, opens sockets, reads the env and clock")]

pub mod anvil;
pub mod contracts;
pub mod deploy;
pub mod http;
pub mod reaper;
pub mod rpc;

pub use anvil::{start_all, AnvilNode};
pub use contracts::Contract;
pub use deploy::{
    deploy_beacon, deploy_demo_set, deploy_pair, deploy_transparent, entries_of, plant, settle, Deployed, Drift,
};
pub use rpc::LabRpc;

use crate::error::ToolError;

/// The chains of the real deployment state (docs/DOMAIN.md §3), one local node each.
pub const DEMO_CHAINS: [u64; 5] = [56, 97, 84532, 11155420, 23295];

/// A running node per chain id; dropping it stops them all.
#[derive(Debug)]
pub struct Lab {
    pub nodes: Vec<AnvilNode>,
}

impl Lab {
    /// Starts one node per chain id, concurrently.
    pub fn start(chain_ids: &[u64]) -> Result<Lab, ToolError> {
        Ok(Lab { nodes: start_all(chain_ids)? })
    }

    /// The node of a chain.
    pub fn node(&self, chain_id: u64) -> &AnvilNode {
        self.nodes.iter().find(|n| n.chain_id() == chain_id).expect("the lab runs a node for every chain asked")
    }

    /// `--rpc CHAINID=URL` flags for every node.
    pub fn rpc_flags(&self) -> Vec<String> {
        self.nodes.iter().map(|n| format!("{}={}", n.chain_id(), n.url())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::contracts::Contract;

    /// The project's hash rule over the embedded artifacts gives the independently computed reference hashes.
    #[test]
    fn record_hashes_equal_the_reference_hashes() {
        let text = include_str!("../../fixtures/chain/artifacts/hashes.json");
        let reference: serde_json::Value = serde_json::from_str(text).unwrap();
        for c in Contract::ALL {
            let entry = &reference["contracts"][c.name()];
            assert_eq!(c.artifact().runtime_hash(), entry["runtime"]["strippedKeccak256"], "{}", c.name());
            assert_eq!(c.artifact().creation_hash(), entry["creation"]["strippedKeccak256"], "{}", c.name());
        }
    }
}

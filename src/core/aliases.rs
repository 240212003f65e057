//! The explicit table that joins contract names across formats (pure).
//!
//! Names are never guessed (no case folding, no suffix stripping): a name joins another only if this table says
//! so. Unknown names stand for themselves.

/// `(canonical name, every other spelling seen in a format)`.
pub const ALIAS_TABLE: &[(&str, &[&str])] = &[
    ("LookCoin", &["lookCoin"]),
    ("SupplyOracle", &["supplyOracle"]),
    ("LayerZeroModule", &["layerZeroModule"]),
    ("CelerIMModule", &["celerIMModule"]),
    ("HyperlaneModule", &["hyperlaneModule"]),
    ("CrossChainRouter", &["crossChainRouter", "contracts/xchain/CrossChainRouter.sol:CrossChainRouter"]),
    ("FeeManager", &["feeManager"]),
    ("SecurityManager", &["securityManager"]),
    ("ProtocolRegistry", &["protocolRegistry"]),
];

/// The canonical name a contract is compared under.
pub fn canonical(name: &str) -> &str {
    ALIAS_TABLE
        .iter()
        .find(|(canon, aliases)| *canon == name || aliases.contains(&name))
        .map_or(name, |(canon, _)| canon)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_three_spellings_of_the_router_join() {
        for name in ["CrossChainRouter", "crossChainRouter", "contracts/xchain/CrossChainRouter.sol:CrossChainRouter"] {
            assert_eq!(canonical(name), "CrossChainRouter");
        }
    }

    #[test]
    fn unknown_names_stand_for_themselves_and_nothing_is_guessed() {
        assert_eq!(canonical("contracts/Other.sol:CrossChainRouter"), "contracts/Other.sol:CrossChainRouter");
        assert_eq!(canonical("LOOKCOIN"), "LOOKCOIN");
    }

    #[test]
    fn no_spelling_belongs_to_two_contracts() {
        let mut all: Vec<&str> =
            ALIAS_TABLE.iter().flat_map(|(c, a)| std::iter::once(*c).chain(a.iter().copied())).collect();
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}

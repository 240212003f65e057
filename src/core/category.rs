//! Which part of the LookCoin system a contract belongs to, as data (pure).

use super::primitives::ContractName;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Core,
    Protocol,
    Infrastructure,
    Other,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Core => "core",
            Category::Protocol => "protocol",
            Category::Infrastructure => "infrastructure",
            Category::Other => "other",
        }
    }
}

/// Contract short names (the part after `:` of a fully qualified name) and their category.
pub const CATEGORY_TABLE: &[(&str, Category)] = &[
    ("LookCoin", Category::Core),
    ("SupplyOracle", Category::Core),
    ("LayerZeroModule", Category::Protocol),
    ("CelerIMModule", Category::Protocol),
    ("HyperlaneModule", Category::Protocol),
    ("CrossChainRouter", Category::Infrastructure),
    ("FeeManager", Category::Infrastructure),
    ("SecurityManager", Category::Infrastructure),
    ("ProtocolRegistry", Category::Infrastructure),
];

/// The category of a contract; names the table does not know are `Other`, never an error.
pub fn categorize(name: &ContractName) -> Category {
    CATEGORY_TABLE.iter().find(|(n, _)| *n == name.short()).map_or(Category::Other, |(_, c)| *c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fully_qualified_names_use_their_short_name() {
        let fq = ContractName("contracts/xchain/CrossChainRouter.sol:CrossChainRouter".into());
        assert_eq!(categorize(&fq), Category::Infrastructure);
        assert_eq!(categorize(&ContractName("LookCoin".into())), Category::Core);
        assert_eq!(categorize(&ContractName("Ünïcödé".into())), Category::Other);
    }
}

//! Newtypes for the values of a deployment record (pure).
//!
//! Each keeps the exact text it was read from where losslessness needs it, and validates on construction.

use alloy_primitives::Address;
use std::fmt;
use std::str::FromStr;

/// An EVM chain id, the only identity of a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChainId(pub u64);

impl ChainId {
    /// Parses canonical decimal text only (`56`, not `056`, `+56` or `5.6e1`), so that one chain id has one
    /// spelling and two different keys can never name the same record.
    pub fn parse_canonical(text: &str) -> Option<ChainId> {
        let canonical =
            !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) && (text == "0" || !text.starts_with('0'));
        if !canonical {
            return None;
        }
        text.parse().ok().map(ChainId)
    }
}

impl fmt::Display for ChainId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A contract name exactly as stored: may be a fully qualified Solidity name with `/` and `:`, or any unicode.
/// Never use it as a path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContractName(pub String);

impl ContractName {
    /// The part after the last `:` of a fully qualified name (`contracts/x/A.sol:A` -> `A`), else the name itself.
    pub fn short(&self) -> &str {
        self.0.rsplit(':').next().unwrap_or(&self.0)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContractName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The LevelDB key `"{chainId}-{contractName}"`, split at the FIRST `-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordKey {
    pub chain_id: ChainId,
    pub contract: ContractName,
}

/// Why a key is not a record key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyError {
    NoSeparator,
    ChainIdNotCanonical,
    EmptyContractName,
}

impl FromStr for RecordKey {
    type Err = KeyError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (prefix, name) = s.split_once('-').ok_or(KeyError::NoSeparator)?;
        let chain_id = ChainId::parse_canonical(prefix).ok_or(KeyError::ChainIdNotCanonical)?;
        if name.is_empty() {
            return Err(KeyError::EmptyContractName);
        }
        Ok(RecordKey { chain_id, contract: ContractName(name.to_string()) })
    }
}

impl fmt::Display for RecordKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.chain_id, self.contract)
    }
}

/// How an address text relates to its EIP-55 checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// Mixed case and correct.
    Valid,
    /// All one case: carries no checksum.
    Absent,
    /// Mixed case and wrong: very likely a typo.
    Wrong,
}

/// An address with its original text kept (its case is data: it carries the EIP-55 checksum).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddressText {
    text: String,
    address: Address,
}

impl AddressText {
    /// Accepts `0x` followed by exactly 40 hex digits, in any case.
    pub fn parse(text: &str) -> Option<AddressText> {
        Self::address_of(text).map(|address| AddressText { text: text.to_string(), address })
    }

    /// [`AddressText::parse`] keeping the given string (no copy); the string comes back when it is no address.
    pub fn from_text(text: String) -> Result<AddressText, String> {
        match Self::address_of(&text) {
            Some(address) => Ok(AddressText { text, address }),
            None => Err(text),
        }
    }

    fn address_of(text: &str) -> Option<Address> {
        let hex = text.strip_prefix("0x")?;
        if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Address::from_str(hex).ok()
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    pub fn address(&self) -> Address {
        self.address
    }

    pub fn checksum(&self) -> Checksum {
        let hex = &self.text[2..];
        let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
        let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
        if !(has_lower && has_upper) {
            Checksum::Absent
        } else if self.address.to_checksum(None) == self.text {
            Checksum::Valid
        } else {
            Checksum::Wrong
        }
    }
}

/// A bytecode hash: `0x` + 64 hex digits, or the empty string the deploy script wrote when it had none.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HashText(String);

impl HashText {
    pub fn parse(text: &str) -> Option<HashText> {
        Self::is_hash(text).then(|| HashText(text.to_string()))
    }

    /// [`HashText::parse`] keeping the given string (no copy); the string comes back when it is no hash.
    pub fn from_text(text: String) -> Result<HashText, String> {
        if Self::is_hash(&text) {
            Ok(HashText(text))
        } else {
            Err(text)
        }
    }

    fn is_hash(text: &str) -> bool {
        text.is_empty()
            || text.strip_prefix("0x").is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
    }

    pub fn text(&self) -> &str {
        &self.0
    }

    pub fn into_text(self) -> String {
        self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Milliseconds since the Unix epoch, as the LevelDB records store them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimestampMs(pub u64);

impl TimestampMs {
    /// The last instant RFC 3339 can write (9999-12-31T23:59:59.999Z).
    pub const MAX_RFC3339: TimestampMs = TimestampMs(253_402_300_799_999);

    /// RFC 3339 with milliseconds, UTC (`2025-07-25T11:11:18.006Z`); `None` after year 9999, which RFC 3339
    /// cannot write. Pure arithmetic: no clock is read.
    pub fn try_to_rfc3339(self) -> Option<String> {
        (self <= Self::MAX_RFC3339).then(|| {
            let time = std::time::UNIX_EPOCH + std::time::Duration::from_millis(self.0);
            humantime::format_rfc3339_millis(time).to_string()
        })
    }

    /// As [`TimestampMs::try_to_rfc3339`], for instants the caller has checked (a migration time); later
    /// instants are written as the last one RFC 3339 can hold rather than failing.
    pub fn to_rfc3339(self) -> String {
        self.min(Self::MAX_RFC3339).try_to_rfc3339().expect("clamped into range")
    }

    /// Parses RFC 3339 (`Z` or offset-free UTC) to milliseconds; `None` for anything else or sub-millisecond parts.
    pub fn parse_rfc3339(text: &str) -> Option<TimestampMs> {
        let time = humantime::parse_rfc3339(text).ok()?;
        let since = time.duration_since(std::time::UNIX_EPOCH).ok()?;
        if since.subsec_nanos() % 1_000_000 != 0 {
            return None;
        }
        u64::try_from(since.as_millis()).ok().map(TimestampMs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_splits_at_first_dash_only() {
        let key: RecordKey = "56-contracts/x-y/A.sol:A-B".parse().unwrap();
        assert_eq!(key.chain_id, ChainId(56));
        assert_eq!(key.contract.0, "contracts/x-y/A.sol:A-B");
        assert_eq!(key.contract.short(), "A-B");
        assert_eq!(key.to_string(), "56-contracts/x-y/A.sol:A-B");
    }

    #[test]
    fn key_rejects_non_canonical_chain_ids() {
        for bad in ["056-A", "+56-A", "-A", "5.6-A", "x-A"] {
            assert_eq!(bad.parse::<RecordKey>(), Err(KeyError::ChainIdNotCanonical), "{bad}");
        }
        assert_eq!("56".parse::<RecordKey>(), Err(KeyError::NoSeparator));
        assert_eq!("56-".parse::<RecordKey>(), Err(KeyError::EmptyContractName));
        assert_eq!("99999999999999999999999-A".parse::<RecordKey>(), Err(KeyError::ChainIdNotCanonical));
    }

    #[test]
    fn address_checksum_states() {
        let valid = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
        assert_eq!(AddressText::parse(valid).unwrap().checksum(), Checksum::Valid);
        assert_eq!(AddressText::parse(&valid.to_lowercase()).unwrap().checksum(), Checksum::Absent);
        let wrong = "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
        assert_eq!(AddressText::parse(wrong).unwrap().checksum(), Checksum::Wrong);
        assert!(AddressText::parse("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedAAAA").is_none());
        assert!(AddressText::parse("0xZZAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").is_none());
        assert!(AddressText::parse("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed").is_none());
    }

    #[test]
    fn hash_text_accepts_empty_and_full_only() {
        assert!(HashText::parse("").unwrap().is_empty());
        assert!(HashText::parse(&format!("0x{}", "ab".repeat(32))).is_some());
        assert!(HashText::parse(&format!("0x{}", "ab".repeat(31))).is_none());
        assert!(HashText::parse("0x").is_none());
    }

    #[test]
    fn timestamps_round_trip_through_rfc3339() {
        let t = TimestampMs(1_753_441_878_006);
        assert_eq!(t.to_rfc3339(), "2025-07-25T11:11:18.006Z");
        assert_eq!(TimestampMs::parse_rfc3339("2025-07-25T11:11:18.006Z"), Some(t));
        assert_eq!(TimestampMs::parse_rfc3339("2025-07-25T11:11:18.0061Z"), None);
    }
}

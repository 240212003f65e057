//! The bytecode hash rule of docs/DOMAIN.md §4 (pure): strip the trailing Solidity CBOR metadata, zero immutables,
//! keccak-256.

use alloy_primitives::{keccak256, Address, B256};

/// The code without its trailing CBOR metadata: the last 2 bytes are the big-endian length L of the CBOR blob
/// before them; the L+2 bytes are stripped only when those L bytes decode as exactly one CBOR map. Otherwise the
/// code is returned whole (a constructor's data may end the creation code, for instance).
pub fn strip_metadata(code: &[u8]) -> &[u8] {
    if code.len() < 2 {
        return code;
    }
    let len = u16::from_be_bytes([code[code.len() - 2], code[code.len() - 1]]) as usize;
    if len == 0 || len + 2 > code.len() {
        return code;
    }
    let start = code.len() - 2 - len;
    if is_one_cbor_map(&code[start..code.len() - 2]) {
        &code[..start]
    } else {
        code
    }
}

fn is_one_cbor_map(bytes: &[u8]) -> bool {
    let mut reader = bytes;
    match ciborium::de::from_reader::<ciborium::Value, _>(&mut reader) {
        Ok(ciborium::Value::Map(_)) => reader.is_empty(),
        _ => false,
    }
}

/// A byte range of code (an immutable's slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Range {
    pub start: usize,
    pub length: usize,
}

/// The code with the given ranges set to zero (ranges past the end are clipped).
pub fn zero_ranges(code: &[u8], ranges: &[Range]) -> Vec<u8> {
    let mut out = code.to_vec();
    for r in ranges {
        let end = r.start.saturating_add(r.length).min(out.len());
        if r.start < end {
            out[r.start..end].fill(0);
        }
    }
    out
}

/// The operands of `PUSH32` instructions that equal `address` left-padded to 32 bytes: where a UUPS
/// implementation keeps `address(this)` as an immutable. Walks the instructions, so data that only looks like an
/// operand inside another instruction's operand is not taken.
pub fn self_address_ranges(code: &[u8], address: Address) -> Vec<Range> {
    let word = B256::left_padding_from(address.as_slice());
    let mut ranges = Vec::new();
    let mut pc = 0;
    while pc < code.len() {
        let op = code[pc];
        if (0x60..=0x7f).contains(&op) {
            let n = (op - 0x5f) as usize;
            let operand = code.get(pc + 1..pc + 1 + n);
            if op == 0x7f && operand == Some(word.as_slice()) {
                ranges.push(Range { start: pc + 1, length: 32 });
            }
            pc += 1 + n;
        } else {
            pc += 1;
        }
    }
    ranges
}

/// keccak-256 as lowercase `0x` hex.
pub fn keccak_hex(bytes: &[u8]) -> String {
    format!("{:#x}", keccak256(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `a1 64 73 6f 6c 63 43 00 08 25` = {"solc": h'000825'}, length 0x000a.
    const META: [u8; 12] = [0xa1, 0x64, 0x73, 0x6f, 0x6c, 0x63, 0x43, 0x00, 0x08, 0x25, 0x00, 0x0a];

    #[test]
    fn strips_a_cbor_map_trailer_and_nothing_else() {
        let mut code = vec![0x60, 0x80, 0x60, 0x40];
        code.extend_from_slice(&META);
        assert_eq!(strip_metadata(&code), &[0x60, 0x80, 0x60, 0x40]);
        let mut not_map = code.clone();
        not_map[4] = 0x01; // an unsigned int, not a map, and then leftover bytes
        assert_eq!(strip_metadata(&not_map), not_map.as_slice());
        let too_long = [0x00, 0xff, 0xff];
        assert_eq!(strip_metadata(&too_long), &too_long);
    }

    #[test]
    fn finds_push32_of_own_address_only_at_instruction_boundaries() {
        let me = Address::repeat_byte(0x11);
        let word = B256::left_padding_from(me.as_slice());
        let mut code = vec![0x7f];
        code.extend_from_slice(word.as_slice());
        code.push(0x61); // PUSH2 whose operand starts a fake PUSH32
        code.extend_from_slice(&[0x7f, 0x00]);
        assert_eq!(self_address_ranges(&code, me), vec![Range { start: 1, length: 32 }]);
        assert_eq!(zero_ranges(&code, &self_address_ranges(&code, me))[1..33], [0u8; 32]);
    }
}

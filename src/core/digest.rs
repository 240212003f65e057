//! SHA-256 digests of raw entries and files (pure).
//!
//! The entry digest is defined once, here, and used by the migration metadata, the manifest and the fixtures'
//! expected files: for each entry in key byte order, the 8-byte big-endian key length, the key, the 8-byte
//! big-endian value length, the value. Lengths make the encoding unambiguous.

use sha2::{Digest, Sha256};

/// Lowercase hex SHA-256 of a byte string.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex_of(&Sha256::digest(bytes))
}

/// The entry digest over `(key, value)` pairs, which must already be in key byte order.
pub fn entries_sha256<'a>(entries: impl IntoIterator<Item = (&'a [u8], &'a [u8])>) -> String {
    let mut hasher = Sha256::new();
    for (key, value) in entries {
        hasher.update((key.len() as u64).to_be_bytes());
        hasher.update(key);
        hasher.update((value.len() as u64).to_be_bytes());
        hasher.update(value);
    }
    hex_of(&hasher.finalize())
}

fn hex_of(bytes: &[u8]) -> String {
    alloy_primitives::hex::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_digest_is_sha256_of_nothing() {
        assert_eq!(entries_sha256(std::iter::empty()), sha256_hex(b""));
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    #[test]
    fn length_prefixes_make_boundaries_unambiguous() {
        let a = entries_sha256([(&b"ab"[..], &b"c"[..])]);
        let b = entries_sha256([(&b"a"[..], &b"bc"[..])]);
        assert_ne!(a, b);
    }
}

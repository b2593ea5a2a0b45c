//! Text to field elements: `Poseidon10(tag; byte_length, chunk_0, chunk_1, …) mod 2^248`,
//! where each chunk packs 31 UTF-8 bytes little-endian. The byte length makes trailing
//! zero bytes significant; the tag keeps codes, issuers, scopes and lots apart.
//!
//! The output keeps the low 248 bits of the hash (124-bit collision resistance), so that
//! sorted sets of codes can be compared in a circuit with 248-bit range checks
//! (value-set non-membership).

use crate::field::{Fr, from_short_bytes, to_bytes};
use crate::poseidon::{Poseidon, Tag};

/// Bytes packed into one field element.
pub const CHUNK_BYTES: usize = 31;
/// Bits of a text value: every text value is below `2^TEXT_BITS`.
pub const TEXT_BITS: usize = 248;

/// Hashes `text` to a field element under `tag`.
pub fn hash_text(tag: Tag, text: &str) -> Fr {
    let bytes = text.as_bytes();
    let mut inputs = Vec::with_capacity(1 + bytes.len().div_ceil(CHUNK_BYTES));
    inputs.push(Fr::from(bytes.len() as u64));
    inputs.extend(bytes.chunks(CHUNK_BYTES).map(from_short_bytes));
    let digest = to_bytes(&Poseidon::t10().hash(tag, &inputs));
    from_short_bytes(&digest[..CHUNK_BYTES])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tags;

    #[test]
    fn distinguishes_tags_lengths_and_trailing_zeros() {
        assert_ne!(hash_text(tags::CODE, "a"), hash_text(tags::ISSUER, "a"));
        assert_ne!(hash_text(tags::CODE, "a"), hash_text(tags::CODE, "a\0"));
        assert_ne!(hash_text(tags::CODE, ""), hash_text(tags::CODE, "\0"));
        let long = "x".repeat(100);
        assert_ne!(hash_text(tags::CODE, &long), hash_text(tags::CODE, &long[..99]));
    }

    #[test]
    fn values_have_248_bits() {
        use ark_ff::{BigInteger, PrimeField};
        for s in ["", "a", "http://loinc.org|4548-4", "clinic:oslo-1"] {
            let v = hash_text(tags::CODE, s).into_bigint();
            assert!(v.num_bits() as usize <= TEXT_BITS);
        }
    }
}

//! Canonical encodings of BLS12-381 scalar field elements.
//!
//! Bytes are 32 little-endian bytes (arkworks' compressed form); text is `0x` followed by
//! 64 big-endian hex digits, the way hashes are usually printed. Both decoders reject
//! values at or above the modulus `r` instead of reducing them, so every field element
//! has exactly one encoding.

use ark_ff::{BigInteger, PrimeField};
use ark_serialize::CanonicalDeserialize;

pub use ark_bls12_381::Fr;

/// Number of bytes of an encoded field element.
pub const FR_BYTES: usize = 32;

/// Why bytes or text did not decode to a field element.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    /// The input does not have exactly 32 bytes.
    #[error("a field element takes 32 bytes, got {0}")]
    Length(usize),
    /// The value is at or above the field modulus.
    #[error("value is not below the BLS12-381 scalar field modulus")]
    NotCanonical,
    /// The text is not `0x` followed by 64 hex digits.
    #[error("expected 0x followed by 64 hex digits")]
    Hex,
}

/// Encodes `x` as 32 little-endian bytes.
pub fn to_bytes(x: &Fr) -> [u8; FR_BYTES] {
    let mut out = [0u8; FR_BYTES];
    let bytes = x.into_bigint().to_bytes_le();
    out.copy_from_slice(&bytes);
    out
}

/// Decodes 32 little-endian bytes, rejecting non-canonical values.
pub fn from_bytes(bytes: &[u8]) -> Result<Fr, FieldError> {
    if bytes.len() != FR_BYTES {
        return Err(FieldError::Length(bytes.len()));
    }
    // `deserialize_compressed` validates that the integer is below the modulus.
    Fr::deserialize_compressed(bytes).map_err(|_| FieldError::NotCanonical)
}

/// Formats `x` as `0x` + 64 big-endian hex digits.
pub fn to_hex(x: &Fr) -> String {
    let mut bytes = to_bytes(x);
    bytes.reverse();
    format!("0x{}", hex::encode(bytes))
}

/// Parses `0x` + 64 big-endian hex digits, rejecting non-canonical values.
pub fn from_hex(text: &str) -> Result<Fr, FieldError> {
    let digits = text.strip_prefix("0x").ok_or(FieldError::Hex)?;
    if digits.len() != 2 * FR_BYTES {
        return Err(FieldError::Hex);
    }
    let mut bytes = hex::decode(digits).map_err(|_| FieldError::Hex)?;
    bytes.reverse();
    from_bytes(&bytes)
}

/// Packs up to 31 bytes (little-endian) into a field element; always below the modulus.
pub fn from_short_bytes(bytes: &[u8]) -> Fr {
    assert!(bytes.len() < FR_BYTES, "at most 31 bytes fit below the modulus");
    let mut wide = [0u8; FR_BYTES];
    wide[..bytes.len()].copy_from_slice(bytes);
    from_bytes(&wide).expect("31 bytes are below the modulus")
}

/// The integer value of `x` if it is below 2^64.
pub fn to_u64(x: &Fr) -> Option<u64> {
    let big = x.into_bigint();
    if big.0[1..].iter().all(|limb| *limb == 0) { Some(big.0[0]) } else { None }
}

/// The integer value of `x` read as signed: `x` if below 2^63, `−(r − x)` if `r − x` is
/// below 2^63, otherwise `None`.
pub fn to_i64(x: &Fr) -> Option<i64> {
    if let Some(v) = to_u64(x).filter(|v| *v < 1 << 63) {
        return Some(v as i64);
    }
    to_u64(&-*x).filter(|v| *v <= 1 << 63).map(|v| (v as i64).wrapping_neg())
}

/// Serde adapter: a field element as its `0x…` hex text.
pub mod serde_hex {
    use super::{Fr, from_hex, to_hex};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    /// Serializes as hex text.
    pub fn serialize<S: Serializer>(x: &Fr, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&to_hex(x))
    }

    /// Deserializes from hex text, rejecting non-canonical values.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Fr, D::Error> {
        let text = String::deserialize(d)?;
        from_hex(&text).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field, One, Zero};

    #[test]
    fn bytes_and_hex_round_trip() {
        for x in [Fr::zero(), Fr::one(), -Fr::one(), Fr::from(0xdead_beef_u64).inverse().unwrap()] {
            assert_eq!(from_bytes(&to_bytes(&x)).unwrap(), x);
            assert_eq!(from_hex(&to_hex(&x)).unwrap(), x);
        }
        assert_eq!(to_hex(&Fr::one()), "0x0000000000000000000000000000000000000000000000000000000000000001");
    }

    #[test]
    fn rejects_modulus_and_above() {
        let modulus = Fr::MODULUS.to_bytes_le();
        assert_eq!(from_bytes(&modulus), Err(FieldError::NotCanonical));
        assert_eq!(from_bytes(&[0xff; 32]), Err(FieldError::NotCanonical));
        let mut be = modulus.clone();
        be.reverse();
        assert_eq!(from_hex(&format!("0x{}", hex::encode(be))), Err(FieldError::NotCanonical));
    }

    #[test]
    fn rejects_bad_lengths_and_text() {
        assert_eq!(from_bytes(&[0; 31]), Err(FieldError::Length(31)));
        assert_eq!(from_bytes(&[0; 33]), Err(FieldError::Length(33)));
        assert_eq!(from_hex("12"), Err(FieldError::Hex));
        assert_eq!(from_hex(&format!("0x{}", "g".repeat(64))), Err(FieldError::Hex));
        assert_eq!(from_hex(&format!("0x{}", "0".repeat(63))), Err(FieldError::Hex));
    }

    #[test]
    fn small_values() {
        assert_eq!(to_u64(&Fr::from(42u64)), Some(42));
        assert_eq!(to_u64(&-Fr::one()), None);
        assert_eq!(from_short_bytes(b"\x01"), Fr::one());
        assert_eq!(to_i64(&-Fr::from(5u64)), Some(-5));
        assert_eq!(to_i64(&Fr::from(5u64)), Some(5));
        assert_eq!(to_i64(&-Fr::from(1u64 << 63)), Some(i64::MIN));
        assert_eq!(to_i64(&Fr::from(1u64 << 63)), None);
    }
}

//! Header sizes and bit packing of the canonical encoding that the circuit hashes (the
//! encoding itself is [`super::Policy::encode`]).

use ark_ff::{AdditiveGroup, BigInteger, PrimeField};

use super::{CHECK_TYPES, TABLE_SIZE};
use crate::field::Fr;
use crate::statement::PolicyShape;

/// Bits of a clause header for `shape`.
pub fn clause_header_len(shape: PolicyShape) -> usize {
    shape.records as usize + 6 + CHECK_TYPES + shape.groups as usize + TABLE_SIZE
}

/// Bits of the policy header for `shape`.
pub fn policy_header_len(shape: PolicyShape) -> usize {
    let (k, g) = (shape.records as usize, shape.groups as usize);
    3 * k + g * k + g
}

/// The low `n` bits of `x`, little-endian.
pub fn unpack(x: Fr, n: usize) -> Vec<bool> {
    let bits = x.into_bigint().to_bits_le();
    (0..n).map(|i| bits[i]).collect()
}

/// Little-endian bits to a field element (fewer than 253 bits).
pub fn pack(bits: &[bool]) -> Fr {
    assert!(bits.len() < 253);
    bits.iter().rev().fold(Fr::ZERO, |acc, b| acc.double() + Fr::from(*b as u64))
}

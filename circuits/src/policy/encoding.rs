//! Header sizes and bit packing of the canonical encoding that the circuit hashes (the
//! encoding itself is [`super::Policy::encode`]).

use ark_ff::{AdditiveGroup, BigInteger, PrimeField};

use super::{CheckType, TABLE_SIZE, V1_CHECK_TYPES};
use crate::field::Fr;
use crate::statement::PolicyShape;

/// Bit positions in a clause header for one shape (K records, G groups):
///
/// | bits | meaning |
/// |---|---|
/// | K | record one-hot |
/// | 6 | slot one-hot |
/// | 8 | check type one-hot ([`CheckType::Relative`] is encoded as `Range`) |
/// | G | group one-hot |
/// | 16 | table mask |
/// | K | the other record of a relative check, one-hot |
///
/// The last field came with the relative check and sits after the others, so a policy
/// that has no relative check packs to the same field elements, and keeps its hash. A
/// relative check is a range check on `x − y` (`y` the other record's slot): the circuit
/// reads the clause's value as `Σ (record_k − other_k) · slot_k`, which is `x` for every
/// other clause.
#[derive(Clone, Copy, Debug)]
pub struct ClauseLayout {
    k: usize,
    g: usize,
}

impl ClauseLayout {
    /// The layout for `shape`.
    pub fn new(shape: PolicyShape) -> ClauseLayout {
        ClauseLayout { k: shape.records as usize, g: shape.groups as usize }
    }

    /// The bit of record `i`.
    pub fn record(&self, i: usize) -> usize {
        i
    }

    /// The bit of clause slot `i` ([`super::ClauseSlot::index`]).
    pub fn slot(&self, i: usize) -> usize {
        self.k + i
    }

    /// The bit of check type `t`.
    pub fn check_type(&self, t: CheckType) -> usize {
        self.k + 6 + t.encoded() as usize
    }

    /// The bit of group `i`.
    pub fn group(&self, i: usize) -> usize {
        self.k + 6 + V1_CHECK_TYPES + i
    }

    /// The bit of table entry `i` in the mask.
    pub fn mask(&self, i: usize) -> usize {
        self.k + 6 + V1_CHECK_TYPES + self.g + i
    }

    /// The bit of other record `i` (relative checks).
    pub fn other(&self, i: usize) -> usize {
        self.k + 6 + V1_CHECK_TYPES + self.g + TABLE_SIZE + i
    }

    /// Bits in all.
    pub fn bits(&self) -> usize {
        self.other(self.k)
    }
}

/// Bits of a clause header for `shape`.
pub fn clause_header_len(shape: PolicyShape) -> usize {
    ClauseLayout::new(shape).bits()
}

/// Bits of the policy header for `shape`.
pub fn policy_header_len(shape: PolicyShape) -> usize {
    let k = shape.records as usize;
    links_start(shape) + k * (k - 1)
}

/// Where the link bits start: after the kinds (3 per record), the groups' record bits and
/// the enabled bits.
fn links_start(shape: PolicyShape) -> usize {
    let (k, g) = (shape.records as usize, shape.groups as usize);
    3 * k + g * k + g
}

/// The header bit saying record `k` is the codes record of record `l` (`k ≠ l`), after
/// the kinds, the groups' record bits and the enabled bits: K·(K − 1) bits, last, so a
/// policy without codes records packs to the same field element and keeps its hash.
pub fn link_bit(shape: PolicyShape, k: usize, l: usize) -> usize {
    let n = shape.records as usize;
    debug_assert!(k != l && k < n && l < n);
    links_start(shape) + k * (n - 1) + if l < k { l } else { l - 1 }
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

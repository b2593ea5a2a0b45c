//! Small gadgets: bounded allocation, range checks, set membership.
//!
//! Soundness rule: every value that is compared is first proven to lie in a declared
//! range, so that differences of such values cannot wrap around the field. A value
//! `x` with `0 ≤ x < 2^k` is allocated as `Σ bᵢ·2ⁱ` from `k` boolean witnesses (k
//! constraints); a difference `a − b` is range-checked by decomposing it (k + 1).

use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField};
use ark_r1cs_std::{
    alloc::AllocVar,
    boolean::Boolean,
    eq::EqGadget,
    fields::{FieldVar, fp::FpVar},
};
use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

use crate::field::Fr;

/// Allocates a witness `x` known to satisfy `0 ≤ x + offset < 2^bits` (as integers) and
/// returns `x` as a linear combination of `bits` boolean witnesses minus `offset`.
/// Cost: `bits` constraints. A value outside the range has no satisfying assignment.
pub fn new_bounded_witness(
    cs: ConstraintSystemRef<Fr>,
    value: impl FnOnce() -> Result<Fr, SynthesisError>,
    bits: usize,
    offset: u64,
) -> Result<FpVar<Fr>, SynthesisError> {
    assert!(bits < 253, "range checks stay far below the modulus");
    let shifted = value().map(|v| (v + Fr::from(offset)).into_bigint());
    let mut sum = FpVar::Constant(-Fr::from(offset));
    let mut weight = Fr::ONE;
    for i in 0..bits {
        let bit =
            Boolean::new_witness(cs.clone(), || shifted.as_ref().map(|b| b.get_bit(i)).map_err(|e| *e))?;
        sum += FpVar::from(bit) * weight;
        weight.double_in_place();
    }
    Ok(sum)
}

/// Enforces `0 ≤ x < 2^bits` for an already allocated `x`. Cost: `bits + 1`.
pub fn enforce_range(x: &FpVar<Fr>, bits: usize) -> Result<(), SynthesisError> {
    assert!(bits < 253, "range checks stay far below the modulus");
    x.to_bits_le_with_top_bits_zero(bits).map(|_| ())
}

/// Enforces `lo ≤ x` given `x − lo < 2^bits` whenever the statement holds: decomposes
/// `x − lo` into `bits` bits. Cost: `bits + 1`.
pub fn enforce_ge(x: &FpVar<Fr>, lo: &FpVar<Fr>, bits: usize) -> Result<(), SynthesisError> {
    enforce_range(&(x - lo), bits)
}

/// Enforces `x ∈ set` as `Π (x − sᵢ) = 0`. Cost: `set.len() − 1` constraints.
pub fn enforce_member(x: &FpVar<Fr>, set: &[FpVar<Fr>]) -> Result<(), SynthesisError> {
    let (last, rest) = set.split_last().expect("a non-empty set");
    let mut product: Option<FpVar<Fr>> = None;
    for s in rest {
        product = Some(match product {
            None => x - s,
            Some(p) => p * (x - s),
        });
    }
    // The last factor is checked directly: product · (x − last) = 0.
    match product {
        Some(p) => p.mul_equals(&(x - last), &FpVar::Constant(Fr::ZERO)),
        None => x.enforce_equal(last),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::r1cs::R1cs;

    fn bounded(value: Fr, bits: usize, offset: u64) -> (bool, usize) {
        let r = R1cs::synthesize(|cs| {
            let x = new_bounded_witness(cs.clone(), || Ok(value), bits, offset)?;
            let claimed = FpVar::new_input(cs.clone(), || Ok(value))?;
            x.enforce_equal(&claimed)?;
            Ok(vec![])
        })
        .unwrap();
        (r.is_satisfied(), r.num_constraints())
    }

    #[test]
    fn bounded_witness_accepts_exactly_its_range() {
        assert_eq!(bounded(Fr::from(0u64), 8, 0), (true, 9));
        assert!(bounded(Fr::from(255u64), 8, 0).0);
        assert!(!bounded(Fr::from(256u64), 8, 0).0);
        assert!(!bounded(-Fr::from(1u64), 8, 0).0);
        // Signed range [-2^31, 2^31) via an offset.
        let off = 1u64 << 31;
        assert!(bounded(-Fr::from(off), 32, off).0);
        assert!(bounded(Fr::from(off - 1), 32, off).0);
        assert!(!bounded(Fr::from(off), 32, off).0);
        assert!(!bounded(-Fr::from(off + 1), 32, off).0);
        assert!(!bounded(-Fr::from(1u64) - Fr::from(off), 32, off).0);
    }

    fn ge(x: u64, lo: i64, bits: usize) -> bool {
        R1cs::synthesize(|cs| {
            let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(x)))?;
            let lo = FpVar::new_witness(cs.clone(), || Ok(Fr::from(lo)))?;
            enforce_ge(&x, &lo, bits)?;
            Ok(vec![])
        })
        .unwrap()
        .is_satisfied()
    }

    #[test]
    fn ge_at_its_boundaries() {
        assert!(ge(10, 10, 8));
        assert!(ge(11, 10, 8));
        assert!(!ge(9, 10, 8));
        assert!(ge(10 + 255, 10, 8));
        assert!(!ge(10 + 256, 10, 8));
    }

    fn member(x: u64, set: &[u64]) -> (bool, usize) {
        let r = R1cs::synthesize(|cs| {
            let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(x)))?;
            let set: Vec<FpVar<Fr>> = set
                .iter()
                .map(|s| FpVar::new_witness(cs.clone(), || Ok(Fr::from(*s))))
                .collect::<Result<_, _>>()?;
            enforce_member(&x, &set)?;
            Ok(vec![])
        })
        .unwrap();
        (r.is_satisfied(), r.num_constraints())
    }

    #[test]
    fn membership_is_exact_and_costs_one_per_member() {
        let set: Vec<u64> = (1..=16).map(|i| i * 7).collect();
        for s in &set {
            assert_eq!(member(*s, &set), (true, 15));
        }
        assert!(!member(8, &set).0);
        assert!(!member(0, &set).0);
        assert!(member(5, &[5]).0);
        assert!(!member(6, &[5]).0);
    }
}

//! Fixed-base scalar multiplication with precomputed windows, for the verifying key's
//! public-input bases (γ_abc), which never change: a 4-bit window table per base turns a
//! 255-bit multiplication into at most 64 mixed additions and no doublings.

use ark_bls12_381::{Fr, G1Affine, G1Projective};
use ark_ec::{AdditiveGroup, CurveGroup};
use ark_ff::{BigInteger, PrimeField, Zero};

const WINDOW: usize = 4;
const WINDOWS: usize = 255usize.div_ceil(WINDOW);

/// `table[j][d − 1] = d · 2^(4j) · P` for digits `d` in 1..16.
#[derive(Clone, Debug)]
pub struct FixedBase {
    table: Vec<G1Affine>,
}

impl FixedBase {
    /// Precomputes the windows of `base` (about 1,000 additions).
    pub fn new(base: G1Affine) -> FixedBase {
        let mut points = Vec::with_capacity(WINDOWS * 15);
        let mut window_base: G1Projective = base.into();
        for _ in 0..WINDOWS {
            let mut multiple = window_base;
            for _ in 1..16 {
                points.push(multiple);
                multiple += window_base;
            }
            for _ in 0..WINDOW {
                window_base.double_in_place();
            }
        }
        FixedBase { table: G1Projective::normalize_batch(&points) }
    }

    /// `scalar · P`.
    pub fn mul(&self, scalar: &Fr) -> G1Projective {
        let bits = scalar.into_bigint().to_bits_le();
        let mut acc = G1Projective::zero();
        for (j, chunk) in bits.chunks(WINDOW).enumerate().take(WINDOWS) {
            let digit = chunk.iter().rev().fold(0usize, |d, b| d << 1 | *b as usize);
            if digit != 0 {
                acc += self.table[j * 15 + digit - 1];
            }
        }
        acc
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ec::{AffineRepr, PrimeGroup};
    use ark_ff::UniformRand;
    use rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn matches_plain_multiplication() {
        let mut rng = StdRng::seed_from_u64(3);
        let p = (G1Projective::generator() * Fr::rand(&mut rng)).into_affine();
        let t = FixedBase::new(p);
        for s in [Fr::zero(), Fr::from(1u64), Fr::from(20_416u64), -Fr::from(1u64), Fr::rand(&mut rng)] {
            assert_eq!(t.mul(&s), p.mul_bigint(s.into_bigint()));
        }
    }
}

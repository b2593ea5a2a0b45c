//! Pairing products on blst: `Π e(Pᵢ, Qᵢ) = 1`, the check behind Groth16 verification.
//!
//! One multi-Miller loop over all pairs (blst's `miller_loop_n`, sharing the squarings),
//! then one final exponentiation. Single-threaded: a verification's few pairs are not
//! worth a thread pool. Pairs with a point at infinity contribute 1 and are skipped (as
//! arkworks skips them).

use ark_bls12_381::{G1Affine, G2Affine};
use ark_ec::AffineRepr;
use blst::{blst_fp12, blst_p1_affine, blst_p2_affine};

use crate::convert::{g1_affine, g2_affine};

/// An element of the target group, such as a verifying key's `e(α, β)` computed once.
#[derive(Clone, Copy)]
pub struct Gt(blst_fp12);

impl Gt {
    /// `e(p, q)`.
    pub fn pairing(p: &G1Affine, q: &G2Affine) -> Gt {
        Gt(product(&[*p], &[*q]))
    }
}

/// Whether `Π e(g1[i], g2[i])` is the identity of the target group (pairs beyond the
/// shorter list are ignored; an empty product is the identity).
pub fn product_is_one(g1: &[G1Affine], g2: &[G2Affine]) -> bool {
    let out = product(g1, g2);
    // SAFETY: `out` is a valid field element.
    unsafe { blst::blst_fp12_is_one(&out) }
}

/// Whether `Π e(g1[i], g2[i])` equals `target`: one pair fewer than checking
/// `Π e(g1[i], g2[i])·target⁻¹ = 1` when `target` is a fixed pairing computed once.
pub fn product_equals(g1: &[G1Affine], g2: &[G2Affine], target: &Gt) -> bool {
    let out = product(g1, g2);
    // SAFETY: both are valid field elements.
    unsafe { blst::blst_fp12_is_equal(&out, &target.0) }
}

/// `Π e(g1[i], g2[i])`: one multi-Miller loop and one final exponentiation.
fn product(g1: &[G1Affine], g2: &[G2Affine]) -> blst_fp12 {
    let (ps, qs): (Vec<blst_p1_affine>, Vec<blst_p2_affine>) = g1
        .iter()
        .zip(g2)
        .filter(|(p, q)| !p.is_zero() && !q.is_zero())
        .map(|(p, q)| (g1_affine(p), g2_affine(q)))
        .unzip();
    if ps.is_empty() {
        // SAFETY: returns a constant.
        return unsafe { *blst::blst_fp12_one() };
    }
    let qs_ptr: [*const blst_p2_affine; 2] = [qs.as_ptr(), std::ptr::null()];
    let ps_ptr: [*const blst_p1_affine; 2] = [ps.as_ptr(), std::ptr::null()];
    let mut loop_out = blst_fp12::default();
    let mut out = blst_fp12::default();
    // SAFETY: `[p, NULL]` tells blst that `p` points at `n` contiguous affine points; both
    // vectors hold `n` finite points (curve and subgroup membership are the caller's
    // arkworks points' own, checked where they were decoded) and outlive the calls.
    unsafe {
        blst::blst_miller_loop_n(&mut loop_out, qs_ptr.as_ptr(), ps_ptr.as_ptr(), ps.len());
        blst::blst_final_exp(&mut out, &loop_out);
    }
    out
}

#[cfg(test)]
mod tests {
    use ark_bls12_381::{Bls12_381, Fr, G1Projective, G2Projective};
    use ark_ec::pairing::Pairing;
    use ark_ec::{CurveGroup, PrimeGroup};
    use ark_ff::{One, UniformRand};
    use rand::SeedableRng;

    use super::*;

    fn arkworks(g1: &[G1Affine], g2: &[G2Affine]) -> bool {
        Bls12_381::multi_pairing(g1, g2).0.is_one()
    }

    /// Products that are one (e(a·G, b·H)·e(−ab·G, H)·…) and products one factor off, with
    /// points at infinity among them: the verdicts equal arkworks'.
    #[test]
    fn verdicts_equal_arkworks() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let (g, h) = (G1Projective::generator(), G2Projective::generator());
        for pairs in 1..6 {
            let mut g1 = Vec::new();
            let mut g2 = Vec::new();
            let mut sum = Fr::from(0u64);
            for _ in 0..pairs {
                let (a, b) = (Fr::rand(&mut rng), Fr::rand(&mut rng));
                g1.push((g * a).into_affine());
                g2.push((h * b).into_affine());
                sum += a * b;
            }
            g1.push((g * -sum).into_affine());
            g2.push(h.into_affine());
            assert!(product_is_one(&g1, &g2) && arkworks(&g1, &g2), "{pairs} pairs");
            g1.push(G1Affine::zero());
            g2.push((h * Fr::rand(&mut rng)).into_affine());
            assert!(product_is_one(&g1, &g2) && arkworks(&g1, &g2), "with infinity");
            let last = g1.len() - 2;
            g1[last] = (g1[last] + G1Affine::generator()).into_affine();
            assert!(!product_is_one(&g1, &g2) && !arkworks(&g1, &g2), "one off");
        }
        assert!(product_is_one(&[], &[]));
        // Against a fixed pairing: e(a·G, b·H)·e(c·G, H) = e(G, H)^(ab + c).
        let (a, b, c) = (Fr::rand(&mut rng), Fr::rand(&mut rng), Fr::rand(&mut rng));
        let target = Gt::pairing(&g.into_affine(), &(h * (a * b + c)).into_affine());
        let g1 = [(g * a).into_affine(), (g * c).into_affine()];
        let g2 = [(h * b).into_affine(), h.into_affine()];
        assert!(product_equals(&g1, &g2, &target));
        assert!(!product_equals(&g1[..1], &g2[..1], &target));
        assert!(!product_equals(
            &[(g * a).into_affine(), (g * (c + Fr::from(1u64))).into_affine()],
            &g2,
            &target
        ));
        assert!(product_is_one(&[G1Affine::zero()], &[G2Affine::generator()]));
        assert!(!product_is_one(&[G1Affine::generator()], &[G2Affine::generator()]));
    }
}

//! Points between arkworks and blst.
//!
//! Both store a base-field element as six 64-bit limbs in Montgomery form with
//! R = 2^384, and both use Jacobian coordinates (x = X/Z², y = Y/Z³), so a point converts
//! by copying limbs. The point at infinity is all zeros in blst's affine form and `Z = 0`
//! in both projective forms. Conversions do not check that a point is on the curve or in
//! its subgroup: they carry points that arkworks already holds (and has validated where
//! they came from outside), and blst's arithmetic on valid points returns valid points.

use ark_bls12_381::{Fq, Fq2, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, Field};
use blst::{blst_fp, blst_fp2, blst_p1, blst_p1_affine, blst_p2, blst_p2_affine};

fn fp(x: &Fq) -> blst_fp {
    blst_fp { l: x.0.0 }
}

pub(crate) fn fq(x: &blst_fp) -> Fq {
    // Unchecked on purpose: the limbs come from blst, either from its arithmetic on points
    // converted from arkworks or from its decoding (which refuses x ≥ p and computes y
    // mod p): reduced Montgomery form with the same R (module comment).
    Fq::new_unchecked(BigInt::new(x.l))
}

fn fp2(x: &Fq2) -> blst_fp2 {
    blst_fp2 { fp: [fp(&x.c0), fp(&x.c1)] }
}

pub(crate) fn fq2(x: &blst_fp2) -> Fq2 {
    Fq2::new(fq(&x.fp[0]), fq(&x.fp[1]))
}

/// A G1 point in blst's affine form.
pub fn g1_affine(p: &G1Affine) -> blst_p1_affine {
    if p.is_zero() {
        return blst_p1_affine::default();
    }
    blst_p1_affine { x: fp(&p.x), y: fp(&p.y) }
}

/// A G2 point in blst's affine form.
pub fn g2_affine(p: &G2Affine) -> blst_p2_affine {
    if p.is_zero() {
        return blst_p2_affine::default();
    }
    blst_p2_affine { x: fp2(&p.x), y: fp2(&p.y) }
}

/// A G1 point in blst's Jacobian form (`Z = 1`, or all zeros for the point at infinity).
pub fn g1_jacobian(p: &G1Affine) -> blst_p1 {
    if p.is_zero() {
        return blst_p1::default();
    }
    blst_p1 { x: fp(&p.x), y: fp(&p.y), z: fp(&Fq::ONE) }
}

/// A G2 point in blst's Jacobian form.
pub fn g2_jacobian(p: &G2Affine) -> blst_p2 {
    if p.is_zero() {
        return blst_p2::default();
    }
    blst_p2 { x: fp2(&p.x), y: fp2(&p.y), z: fp2(&Fq2::ONE) }
}

/// blst's Jacobian G1 point as arkworks'.
pub fn g1_projective(p: &blst_p1) -> G1Projective {
    // Unchecked on purpose: blst's group operations on curve points return curve points
    // (module comment).
    G1Projective::new_unchecked(fq(&p.x), fq(&p.y), fq(&p.z))
}

/// blst's Jacobian G2 point as arkworks'.
pub fn g2_projective(p: &blst_p2) -> G2Projective {
    // Unchecked on purpose: as in `g1_projective`.
    G2Projective::new_unchecked(fq2(&p.x), fq2(&p.y), fq2(&p.z))
}

/// A fixed set of G1 bases in blst's form (a proving key's query, converted once).
#[derive(Clone, Default)]
pub struct G1Bases(pub(crate) Vec<blst_p1_affine>);

/// A fixed set of G2 bases in blst's form.
#[derive(Clone, Default)]
pub struct G2Bases(pub(crate) Vec<blst_p2_affine>);

impl G1Bases {
    /// Converts `points`.
    pub fn new(points: &[G1Affine]) -> G1Bases {
        G1Bases(points.iter().map(g1_affine).collect())
    }

    /// Number of bases.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl G2Bases {
    /// Converts `points`.
    pub fn new(points: &[G2Affine]) -> G2Bases {
        G2Bases(points.iter().map(g2_affine).collect())
    }

    /// Number of bases.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Whether `p` is on the curve and in the prime-order subgroup (blst's checks, several
/// times faster than arkworks' in G2); the identity is.
pub fn g1_valid(p: &G1Affine) -> bool {
    if p.is_zero() {
        return true;
    }
    let a = g1_affine(p);
    // SAFETY: `a` is a valid value for the calls, which only read it.
    unsafe { blst::blst_p1_affine_on_curve(&a) && blst::blst_p1_affine_in_g1(&a) }
}

/// Whether `p` is on the curve and in the prime-order subgroup (blst's checks); the
/// identity is.
pub fn g2_valid(p: &G2Affine) -> bool {
    if p.is_zero() {
        return true;
    }
    let a = g2_affine(p);
    // SAFETY: `a` is a valid value for the calls, which only read it.
    unsafe { blst::blst_p2_affine_on_curve(&a) && blst::blst_p2_affine_in_g2(&a) }
}

#[cfg(test)]
mod tests {
    use ark_ec::CurveGroup;

    use super::*;

    #[test]
    fn conversions_match_blst_generators() {
        // SAFETY: blst returns pointers to its static generators.
        let (b1, b2) = unsafe { (*blst::blst_p1_generator(), *blst::blst_p2_generator()) };
        assert_eq!(g1_projective(&b1).into_affine(), G1Affine::generator());
        assert_eq!(g2_projective(&b2).into_affine(), G2Affine::generator());
        let a1 = g1_affine(&G1Affine::generator());
        let a2 = g2_affine(&G2Affine::generator());
        assert_eq!((a1.x, a1.y), (b1.x, b1.y));
        assert_eq!((a2.x, a2.y), (b2.x, b2.y));
        assert_eq!(g1_affine(&G1Affine::zero()), blst_p1_affine::default());
        assert_eq!(g2_affine(&G2Affine::zero()), blst_p2_affine::default());
        assert_eq!(g1_projective(&blst_p1::default()).into_affine(), G1Affine::zero());
        assert_eq!(g2_projective(&blst_p2::default()).into_affine(), G2Affine::zero());
        assert_eq!(g1_projective(&g1_jacobian(&G1Affine::generator())).into_affine(), G1Affine::generator());
        assert_eq!(g2_projective(&g2_jacobian(&G2Affine::generator())).into_affine(), G2Affine::generator());
        assert_eq!(g1_projective(&g1_jacobian(&G1Affine::zero())).into_affine(), G1Affine::zero());
        assert_eq!(g2_projective(&g2_jacobian(&G2Affine::zero())).into_affine(), G2Affine::zero());
    }
}

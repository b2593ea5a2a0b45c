//! The ceremony's bulk group arithmetic on `blst`: scaling every point of a vector by its
//! own scalar (contributions), and inverse FFTs over group elements (the Lagrange basis).
//! On the 2-core reference machine blst's scalar multiplication is about 2.6× faster in
//! G1 and 3× in G2 than arkworks' (BENCHMARKS.md); everything else stays on arkworks.
//!
//! Points convert between arkworks and blst by copying limbs (`medzk_blst::convert`, whose
//! tests check the conversion against blst's own generators); the tests here check the
//! results against arkworks' arithmetic.
#![allow(unsafe_code)]

use ark_bls12_381::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::CurveGroup;
use ark_ff::{BigInteger, Field, PrimeField};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use blst::{blst_p1, blst_p1_affine, blst_p2, blst_p2_affine};
use medzk_blst::convert::{
    g1_affine as affine1, g1_jacobian as p1, g1_projective as g1, g2_affine as affine2, g2_jacobian as p2,
    g2_projective as g2,
};
use rayon::prelude::*;

fn scalar_bytes(x: &Fr) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(x.into_bigint().0) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

/// `p·s` for a scalar of at most `bits` bits (little-endian bytes).
fn mul1_bits(p: &blst_p1, s: &[u8; 32], bits: usize) -> blst_p1 {
    let mut out = blst_p1::default();
    // SAFETY: `out`, `p` and the 32 scalar bytes are valid for the call; at most 255 bits
    // of the scalar are read, fewer than its 256.
    unsafe { blst::blst_p1_mult(&mut out, p, s.as_ptr(), bits.min(255)) };
    out
}

/// `p·s` for a scalar of at most `bits` bits (little-endian bytes).
fn mul2_bits(p: &blst_p2, s: &[u8; 32], bits: usize) -> blst_p2 {
    let mut out = blst_p2::default();
    // SAFETY: as in `mul1_bits`.
    unsafe { blst::blst_p2_mult(&mut out, p, s.as_ptr(), bits.min(255)) };
    out
}

fn mul1(p: &blst_p1, s: &[u8; 32]) -> blst_p1 {
    mul1_bits(p, s, 255)
}

fn mul2(p: &blst_p2, s: &[u8; 32]) -> blst_p2 {
    mul2_bits(p, s, 255)
}

fn add1(a: &blst_p1, b: &blst_p1) -> blst_p1 {
    let mut out = blst_p1::default();
    // SAFETY: all three are valid points for the call.
    unsafe { blst::blst_p1_add_or_double(&mut out, a, b) };
    out
}

fn add2(a: &blst_p2, b: &blst_p2) -> blst_p2 {
    let mut out = blst_p2::default();
    // SAFETY: all three are valid points for the call.
    unsafe { blst::blst_p2_add_or_double(&mut out, a, b) };
    out
}

fn neg1(mut p: blst_p1) -> blst_p1 {
    // SAFETY: `p` is a valid point.
    unsafe { blst::blst_p1_cneg(&mut p, true) };
    p
}

fn neg2(mut p: blst_p2) -> blst_p2 {
    // SAFETY: `p` is a valid point.
    unsafe { blst::blst_p2_cneg(&mut p, true) };
    p
}

/// `points[i]·scalars[i]`, in parallel.
pub(crate) fn scale_g1(points: &[G1Affine], scalars: &[Fr]) -> Vec<G1Affine> {
    let out: Vec<G1Projective> =
        points.par_iter().zip(scalars).map(|(p, x)| g1(&mul1(&p1(p), &scalar_bytes(x)))).collect();
    G1Projective::normalize_batch(&out)
}

/// `points[i]·scalars[i]`, in parallel.
pub(crate) fn scale_g2(points: &[G2Affine], scalars: &[Fr]) -> Vec<G2Affine> {
    let out: Vec<G2Projective> =
        points.par_iter().zip(scalars).map(|(p, x)| g2(&mul2(&p2(p), &scalar_bytes(x)))).collect();
    G2Projective::normalize_batch(&out)
}

/// Every point times the same scalar, in parallel.
pub(crate) fn scale_all_g1(points: &[G1Affine], x: &Fr) -> Vec<G1Affine> {
    let s = scalar_bytes(x);
    let out: Vec<G1Projective> = points.par_iter().map(|p| g1(&mul1(&p1(p), &s))).collect();
    G1Projective::normalize_batch(&out)
}

pub(crate) use medzk_blst::convert::{g1_valid as valid_g1, g2_valid as valid_g2};

/// The bits of `x` above its highest set bit are zero: its length.
fn bit_length(x: &Fr) -> usize {
    x.into_bigint().num_bits() as usize
}

/// Coefficients longer than this many bits go into one multi-scalar multiplication per
/// column; shorter ones are multiplied one by one.
const SHORT_BITS: usize = 64;

/// `Σ c·P[row]` over sparse (row, coefficient) terms. A coefficient of ±1 costs an
/// addition, and a short one (or the negation of a short one: the bit decompositions and
/// small constants most R1CS coefficients are) costs only as many doublings as its bits.
/// The long ones (Poseidon's matrix entries and round constants folded into linear
/// combinations: about 17 per column of the vaccination statement's B matrix) share their
/// doublings in one multi-scalar multiplication (blst's Straus method below 32 points,
/// Pippenger's above) instead of a scalar multiplication each.
fn combine<G: Group>(terms: &[(usize, Fr)], points: &[G::Affine]) -> G {
    let one = Fr::ONE;
    let mut acc = G::default();
    let mut long_points: Vec<&G::Affine> = Vec::new();
    let mut long_scalars: Vec<[u8; 32]> = Vec::new();
    for (row, c) in terms {
        let p = &points[*row];
        let term = if *c == one {
            G::from_affine(p)
        } else if *c == -one {
            G::from_affine(p).neg()
        } else {
            let negated = -*c;
            let (bits, neg) = (bit_length(c), bit_length(&negated));
            if bits.min(neg) > SHORT_BITS {
                long_points.push(p);
                long_scalars.push(scalar_bytes(c));
                continue;
            }
            if neg < bits {
                G::from_affine(p).mul_bits(&scalar_bytes(&negated), neg).neg()
            } else {
                G::from_affine(p).mul_bits(&scalar_bytes(c), bits)
            }
        };
        acc = acc.add(&term);
    }
    match long_points.len() {
        0 => acc,
        1 => acc.add(&G::from_affine(long_points[0]).mul(&long_scalars[0])),
        _ => acc.add(&G::msm(&long_points, &long_scalars)),
    }
}

/// Points of G1 in blst's affine form (the point at infinity all zeros, as blst reads it).
pub(crate) struct Points1(Vec<blst_p1_affine>);
/// Points of G2 in blst's affine form.
pub(crate) struct Points2(Vec<blst_p2_affine>);

impl Points1 {
    pub(crate) fn new(points: &[G1Affine]) -> Points1 {
        Points1(points.par_iter().map(affine1).collect())
    }
}

impl Points2 {
    pub(crate) fn new(points: &[G2Affine]) -> Points2 {
        Points2(points.par_iter().map(affine2).collect())
    }
}

/// For each column of sparse (row, coefficient) terms, `Σ c·P[row]`.
pub(crate) fn combine_g1(columns: &[Vec<(usize, Fr)>], points: &Points1) -> Vec<G1Projective> {
    columns.par_iter().map(|t| g1(&combine::<blst_p1>(t, &points.0))).collect()
}

/// For each column of sparse (row, coefficient) terms, `Σ c·P[row]`.
pub(crate) fn combine_g2(columns: &[Vec<(usize, Fr)>], points: &Points2) -> Vec<G2Projective> {
    columns.par_iter().map(|t| g2(&combine::<blst_p2>(t, &points.0))).collect()
}

trait Group: Copy + Default + Send + Sync {
    /// The group's affine points as blst stores them.
    type Affine: Sync;
    fn from_affine(p: &Self::Affine) -> Self;
    /// `Σ s_i·P_i` (at least two points; scalars little-endian, below the group order).
    fn msm(points: &[&Self::Affine], scalars: &[[u8; 32]]) -> Self;
    fn add(&self, other: &Self) -> Self;
    fn neg(self) -> Self;
    fn mul(&self, s: &[u8; 32]) -> Self {
        self.mul_bits(s, 255)
    }
    fn mul_bits(&self, s: &[u8; 32], bits: usize) -> Self;
}

impl Group for blst_p1 {
    type Affine = blst_p1_affine;
    fn from_affine(p: &blst_p1_affine) -> blst_p1 {
        let mut out = blst_p1::default();
        // SAFETY: both are valid values for the call.
        unsafe { blst::blst_p1_from_affine(&mut out, p) };
        out
    }
    fn msm(points: &[&blst_p1_affine], scalars: &[[u8; 32]]) -> blst_p1 {
        let (points, scalars, n) = msm_args(points, scalars);
        // SAFETY: the scratch has the size blst asks for, in whole limbs.
        let mut scratch = vec![0u64; unsafe { blst::blst_p1s_mult_pippenger_scratch_sizeof(n) }.div_ceil(8)];
        let mut out = blst_p1::default();
        // SAFETY: `n` pointers to affine points and `n` pointers to 32-byte scalars of at
        // most 255 bits, all alive for the call; the scratch is large enough.
        unsafe {
            blst::blst_p1s_mult_pippenger(
                &mut out,
                points.as_ptr(),
                n,
                scalars.as_ptr(),
                255,
                scratch.as_mut_ptr(),
            )
        };
        out
    }
    fn add(&self, other: &Self) -> Self {
        add1(self, other)
    }
    fn neg(self) -> Self {
        neg1(self)
    }
    fn mul_bits(&self, s: &[u8; 32], bits: usize) -> Self {
        mul1_bits(self, s, bits)
    }
}

impl Group for blst_p2 {
    type Affine = blst_p2_affine;
    fn from_affine(p: &blst_p2_affine) -> blst_p2 {
        let mut out = blst_p2::default();
        // SAFETY: both are valid values for the call.
        unsafe { blst::blst_p2_from_affine(&mut out, p) };
        out
    }
    fn msm(points: &[&blst_p2_affine], scalars: &[[u8; 32]]) -> blst_p2 {
        let (points, scalars, n) = msm_args(points, scalars);
        // SAFETY: the scratch has the size blst asks for, in whole limbs.
        let mut scratch = vec![0u64; unsafe { blst::blst_p2s_mult_pippenger_scratch_sizeof(n) }.div_ceil(8)];
        let mut out = blst_p2::default();
        // SAFETY: as for G1.
        unsafe {
            blst::blst_p2s_mult_pippenger(
                &mut out,
                points.as_ptr(),
                n,
                scalars.as_ptr(),
                255,
                scratch.as_mut_ptr(),
            )
        };
        out
    }
    fn add(&self, other: &Self) -> Self {
        add2(self, other)
    }
    fn neg(self) -> Self {
        neg2(self)
    }
    fn mul_bits(&self, s: &[u8; 32], bits: usize) -> Self {
        mul2_bits(self, s, bits)
    }
}

/// The pointer arrays blst's multi-scalar multiplication reads, and their length.
fn msm_args<'a, A>(points: &[&'a A], scalars: &'a [[u8; 32]]) -> (Vec<*const A>, Vec<*const u8>, usize) {
    assert_eq!(points.len(), scalars.len(), "one scalar per point");
    let p = points.iter().map(|p| *p as *const A).collect();
    let s = scalars.iter().map(|s| s.as_ptr()).collect();
    (p, s, points.len())
}

/// The inverse FFT of `a` over the radix-2 domain of its length: `(1/n)·Σ_i ω^{−ij}·a_i`
/// at each `j` (what arkworks' `ifft_in_place` computes).
fn ifft<G: Group>(a: &mut [G]) {
    let n = a.len();
    let domain = Radix2EvaluationDomain::<Fr>::new(n).expect("a power of two within the field's 2-adicity");
    assert_eq!(domain.size(), n, "the length is a power of two");
    let log = n.trailing_zeros();
    for i in 0..n {
        let j = i.reverse_bits() >> (usize::BITS - log);
        if i < j {
            a.swap(i, j);
        }
    }
    let root = domain.group_gen_inv();
    let mut len = 2;
    while len <= n {
        let w = root.pow([(n / len) as u64]);
        let half = len / 2;
        let mut twiddles = Vec::with_capacity(half);
        let mut t = Fr::ONE;
        for _ in 0..half {
            twiddles.push(scalar_bytes(&t));
            t *= w;
        }
        a.par_chunks_mut(len).for_each(|block| {
            let (lo, hi) = block.split_at_mut(half);
            lo.par_iter_mut().zip(hi.par_iter_mut()).zip(&twiddles).enumerate().for_each(
                |(j, ((u, v), w))| {
                    let t = if j == 0 { *v } else { v.mul(w) };
                    *v = u.add(&t.neg());
                    *u = u.add(&t);
                },
            );
        });
        len *= 2;
    }
    let inv = scalar_bytes(&domain.size_inv());
    a.par_iter_mut().for_each(|x| *x = x.mul(&inv));
}

/// The Lagrange basis `L_j(τ)·G1` of the domain of size `n` from `τ^i·G1`, `i < n`.
pub(crate) fn lagrange_g1(points: &[G1Affine], n: usize) -> Vec<G1Affine> {
    let mut a: Vec<blst_p1> = points[..n].par_iter().map(p1).collect();
    ifft(&mut a);
    let out: Vec<G1Projective> = a.par_iter().map(g1).collect();
    G1Projective::normalize_batch(&out)
}

/// The Lagrange basis `L_j(τ)·G2` from `τ^i·G2`, `i < n`.
pub(crate) fn lagrange_g2(points: &[G2Affine], n: usize) -> Vec<G2Affine> {
    let mut a: Vec<blst_p2> = points[..n].par_iter().map(p2).collect();
    ifft(&mut a);
    let out: Vec<G2Projective> = a.par_iter().map(g2).collect();
    G2Projective::normalize_batch(&out)
}

#[cfg(test)]
mod tests {
    use ark_ec::{AffineRepr, PrimeGroup};
    use ark_ff::UniformRand;
    use ark_poly::GeneralEvaluationDomain;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn scaling_and_ifft_equal_arkworks() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(3);
        let n = 16;
        let g1s: Vec<G1Affine> =
            (0..n).map(|_| (G1Projective::generator() * Fr::rand(&mut rng)).into_affine()).collect();
        let g2s: Vec<G2Affine> =
            (0..n).map(|_| (G2Projective::generator() * Fr::rand(&mut rng)).into_affine()).collect();
        let mut xs: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        xs[0] = Fr::from(0u64);
        let expect1: Vec<G1Affine> = g1s.iter().zip(&xs).map(|(p, x)| (*p * x).into_affine()).collect();
        let expect2: Vec<G2Affine> = g2s.iter().zip(&xs).map(|(p, x)| (*p * x).into_affine()).collect();
        assert_eq!(scale_g1(&g1s, &xs), expect1);
        assert_eq!(scale_g2(&g2s, &xs), expect2);
        assert_eq!(
            scale_all_g1(&g1s, &xs[1]),
            g1s.iter().map(|p| (*p * xs[1]).into_affine()).collect::<Vec<_>>()
        );
        let domain = GeneralEvaluationDomain::<Fr>::new(n).unwrap();
        let mut ark1: Vec<G1Projective> = g1s.iter().map(|p| p.into_group()).collect();
        domain.ifft_in_place(&mut ark1);
        assert_eq!(lagrange_g1(&g1s, n), G1Projective::normalize_batch(&ark1));
        let mut ark2: Vec<G2Projective> = g2s.iter().map(|p| p.into_group()).collect();
        domain.ifft_in_place(&mut ark2);
        assert_eq!(lagrange_g2(&g2s, n), G2Projective::normalize_batch(&ark2));
    }

    #[test]
    fn sparse_combinations_equal_arkworks_for_every_kind_of_coefficient() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(4);
        let n = 8;
        let g1s: Vec<G1Affine> =
            (0..n).map(|_| (G1Projective::generator() * Fr::rand(&mut rng)).into_affine()).collect();
        let g2s: Vec<G2Affine> =
            (0..n).map(|_| (G2Projective::generator() * Fr::rand(&mut rng)).into_affine()).collect();
        // ±1, short, negated short, one bit, 64 bits, full size.
        let coefficients = [
            Fr::ONE,
            -Fr::ONE,
            Fr::from(2u64),
            -Fr::from(3u64),
            Fr::from(1u64 << 40),
            -Fr::from(u64::MAX),
            Fr::from(u64::MAX),
            Fr::rand(&mut rng),
            -Fr::rand(&mut rng),
        ];
        let mut columns: Vec<Vec<(usize, Fr)>> = coefficients
            .iter()
            .enumerate()
            .map(|(k, c)| vec![(k % n, *c), ((k + 3) % n, *c + Fr::from(k as u64))])
            .collect();
        // Columns of many long coefficients (one multi-scalar multiplication: Straus below
        // 32 points, Pippenger above), mixed with short ones, a repeated row and the point
        // at infinity (row 0 below).
        for len in [2, 3, 17, 31, 32, 100] {
            let mut column: Vec<(usize, Fr)> = (0..len).map(|k| (k % n, Fr::rand(&mut rng))).collect();
            column.push((5, Fr::from(9u64)));
            column.push((6, -Fr::ONE));
            columns.push(column);
        }
        let mut g1s = g1s;
        let mut g2s = g2s;
        g1s[0] = G1Affine::zero();
        g2s[0] = G2Affine::zero();
        let got1 = combine_g1(&columns, &Points1::new(&g1s));
        let got2 = combine_g2(&columns, &Points2::new(&g2s));
        for (k, column) in columns.iter().enumerate() {
            let want1: G1Projective = column.iter().map(|(row, c)| g1s[*row] * c).sum();
            let want2: G2Projective = column.iter().map(|(row, c)| g2s[*row] * c).sum();
            assert_eq!(got1[k].into_affine(), want1.into_affine(), "G1, coefficient {k}");
            assert_eq!(got2[k].into_affine(), want2.into_affine(), "G2, coefficient {k}");
        }
    }
}

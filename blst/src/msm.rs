//! Multi-scalar multiplication on blst's Pippenger, split by windows across rayon's
//! threads.
//!
//! blst computes one window of Pippenger's method over all points at a time
//! (`blst_p1s_tile_pippenger`); the windows are independent, so each runs on its own
//! rayon task and the results are combined with the window's doublings:
//! `Σ_k tile_k·2^(k·c)`. Splitting by windows rather than by points keeps one bucket
//! reduction per window, as a single-threaded run has (blst's own threading does the same
//! on its own thread pool; medzk keeps one pool, rayon's, whose size the caller controls).
//!
//! Scalars are arkworks' canonical `BigInt<4>`: four little-endian 64-bit limbs, which on
//! a little-endian machine are the 32 little-endian bytes blst reads.

use ark_bls12_381::{G1Projective, G2Projective};
use ark_ff::BigInt;
use blst::{blst_p1, blst_p1_affine, blst_p2, blst_p2_affine};

use crate::convert::{G1Bases, G2Bases, g1_projective, g2_projective};

#[cfg(not(target_endian = "little"))]
compile_error!("medzk-blst passes arkworks' scalar limbs to blst as little-endian bytes");

/// A scalar in canonical (non-Montgomery) form, below the group order.
pub type Scalar = BigInt<4>;

/// Bits of a scalar (the BLS12-381 group order is below 2^255).
const NBITS: usize = 255;

/// blst's window width for `n` points (its `pippenger_window_size`).
fn window(n: usize) -> usize {
    let bits = usize::BITS as usize - 1 - n.max(1).leading_zeros() as usize;
    match bits {
        b if b > 12 => b - 3,
        b if b > 8 => b - 2,
        b if b > 4 => b - 1,
        0 => 1,
        _ => 2,
    }
}

/// The windows' lowest bits: every multiple of `c` below 255, and 255 itself when `c`
/// divides it (the top window's carry from the signed digits).
fn window_starts(c: usize) -> Vec<usize> {
    (0..=NBITS).step_by(c).filter(|b| *b < NBITS || NBITS % c == 0).collect()
}

/// The 32 little-endian bytes of a scalar.
fn scalar_bytes_of(s: &Scalar) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (chunk, limb) in out.chunks_exact_mut(8).zip(s.0) {
        chunk.copy_from_slice(&limb.to_le_bytes());
    }
    out
}

macro_rules! msm_impl {
    ($name:ident, $bases:ty, $point:ty, $affine:ty, $out:ty, $to_ark:path,
     $tile:path, $scratch:path, $dadd:path, $double:path, $from_affine:path, $mult:path) => {
        /// `Σ scalars[i]·bases[i]` over the first `scalars.len()` bases (`scalars` must not
        /// be longer than `bases`).
        pub fn $name(bases: &$bases, scalars: &[Scalar]) -> $out {
            let n = scalars.len();
            assert!(n <= bases.0.len(), "more scalars than bases");
            if n == 0 {
                return $to_ark(&<$point>::default());
            }
            if n == 1 {
                // blst's tiles read one point and scalar ahead: they need two at least.
                let mut p = <$point>::default();
                let bytes: [u8; 32] = scalar_bytes_of(&scalars[0]);
                // SAFETY: a valid affine point and a 32-byte scalar of at most 255 bits.
                unsafe {
                    $from_affine(&mut p, &bases.0[0]);
                    $mult(&mut p, &p, bytes.as_ptr(), NBITS);
                }
                return $to_ark(&p);
            }
            let c = window(n);
            let points: [*const $affine; 2] = [bases.0.as_ptr(), std::ptr::null()];
            let scalar_bytes: [*const u8; 2] = [scalars.as_ptr().cast::<u8>(), std::ptr::null()];
            let (points, scalar_bytes) = (SendPtrs(points), SendPtrs(scalar_bytes));
            let tile = |bit0: usize| -> $point {
                // SAFETY: blst's scratch size for `n` points is for its window for `n`, which
                // `window` computes; allocated in whole limbs.
                let words = unsafe { $scratch(n) }.div_ceil(8);
                let mut scratch = vec![0u64; words];
                let mut out = <$point>::default();
                // SAFETY: `[p, NULL]` tells blst that `p` points at `n` contiguous affine
                // points (the bases, which hold at least `n`) and likewise at `n` contiguous
                // 32-byte scalars (a `BigInt<4>` is 32 bytes, little-endian limbs, and below
                // 2^255); both outlive the call.
                unsafe {
                    $tile(
                        &mut out,
                        points.get(),
                        n,
                        scalar_bytes.get(),
                        NBITS,
                        scratch.as_mut_ptr().cast(),
                        bit0,
                        c,
                    )
                };
                out
            };
            let starts = window_starts(c);
            let tiles: Vec<$point> = map(&starts, tile);
            // Horner from the top window: acc = acc·2^c + tile.
            let mut acc = <$point>::default();
            for (k, t) in tiles.iter().enumerate().rev() {
                if k + 1 < tiles.len() {
                    for _ in 0..(starts[k + 1] - starts[k]) {
                        // SAFETY: valid points, output may alias the input.
                        unsafe { $double(&mut acc, &acc) };
                    }
                }
                // SAFETY: valid points; blst's `add_or_double` handles equal points and
                // the point at infinity.
                unsafe { $dadd(&mut acc, &acc, t) };
            }
            $to_ark(&acc)
        }
    };
}

msm_impl!(
    msm_g1,
    G1Bases,
    blst_p1,
    blst_p1_affine,
    G1Projective,
    g1_projective,
    blst::blst_p1s_tile_pippenger,
    blst::blst_p1s_mult_pippenger_scratch_sizeof,
    blst::blst_p1_add_or_double,
    blst::blst_p1_double,
    blst::blst_p1_from_affine,
    blst::blst_p1_mult
);

msm_impl!(
    msm_g2,
    G2Bases,
    blst_p2,
    blst_p2_affine,
    G2Projective,
    g2_projective,
    blst::blst_p2s_tile_pippenger,
    blst::blst_p2s_mult_pippenger_scratch_sizeof,
    blst::blst_p2_add_or_double,
    blst::blst_p2_double,
    blst::blst_p2_from_affine,
    blst::blst_p2_mult
);

/// `Σ scalars[i]·bases[i]` for a handful of points (a verifier's public inputs), on the
/// calling thread with blst's own Pippenger: no thread pool, no conversion kept.
pub fn msm_g1_small(bases: &[ark_bls12_381::G1Affine], scalars: &[Scalar]) -> G1Projective {
    assert_eq!(bases.len(), scalars.len(), "one scalar per base");
    let affine: Vec<blst_p1_affine> = bases.iter().map(crate::convert::g1_affine).collect();
    let mut out = blst_p1::default();
    match affine.len() {
        0 => {}
        1 => {
            let bytes = scalar_bytes_of(&scalars[0]);
            // SAFETY: a valid affine point and a 32-byte scalar of at most 255 bits.
            unsafe {
                blst::blst_p1_from_affine(&mut out, &affine[0]);
                blst::blst_p1_mult(&mut out, &out, bytes.as_ptr(), NBITS);
            }
        }
        n => {
            // SAFETY: blst's scratch size for `n` points, allocated in whole limbs.
            let words = unsafe { blst::blst_p1s_mult_pippenger_scratch_sizeof(n) }.div_ceil(8);
            let mut scratch = vec![0u64; words];
            let points: [*const blst_p1_affine; 2] = [affine.as_ptr(), std::ptr::null()];
            let scalar_bytes: [*const u8; 2] = [scalars.as_ptr().cast::<u8>(), std::ptr::null()];
            // SAFETY: `[p, NULL]` names `n` contiguous affine points and `n` contiguous
            // 32-byte scalars below 2^255 (as in `msm_g1`); both outlive the call.
            unsafe {
                blst::blst_p1s_mult_pippenger(
                    &mut out,
                    points.as_ptr(),
                    n,
                    scalar_bytes.as_ptr(),
                    NBITS,
                    scratch.as_mut_ptr().cast(),
                )
            };
        }
    }
    g1_projective(&out)
}

/// Raw pointers handed to blst from several threads: blst only reads through them, and
/// the data they point at outlives every task.
#[derive(Clone, Copy)]
struct SendPtrs<T>([*const T; 2]);

impl<T> SendPtrs<T> {
    /// The pointer array (a method, so closures capture the wrapper, not its field).
    fn get(&self) -> *const *const T {
        self.0.as_ptr()
    }
}
// SAFETY: see the type's comment: shared, read-only access for the duration of the call.
unsafe impl<T> Send for SendPtrs<T> {}
// SAFETY: as above.
unsafe impl<T> Sync for SendPtrs<T> {}

#[cfg(feature = "parallel")]
fn map<U: Send>(starts: &[usize], f: impl Fn(usize) -> U + Sync + Send) -> Vec<U> {
    use rayon::prelude::*;
    starts.par_iter().map(|b| f(*b)).collect()
}

#[cfg(not(feature = "parallel"))]
fn map<U>(starts: &[usize], f: impl Fn(usize) -> U) -> Vec<U> {
    starts.iter().map(|b| f(*b)).collect()
}

#[cfg(test)]
mod tests {
    use ark_bls12_381::{Fr, G1Affine, G2Affine};
    use ark_ec::{AffineRepr, CurveGroup, PrimeGroup, VariableBaseMSM};
    use ark_ff::{PrimeField, UniformRand};
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn window_sizes_are_blsts() {
        assert_eq!(window(1), 1);
        assert_eq!(window(2), 2);
        assert_eq!(window(31), 2);
        assert_eq!(window(32), 4);
        assert_eq!(window(512), 7);
        assert_eq!(window(8192), 10);
        assert_eq!(window(1 << 16), 13);
        assert_eq!(window_starts(5).last(), Some(&255));
        assert_eq!(window_starts(11).last(), Some(&253));
    }

    /// The small MSM against arkworks' for zero to eight points, with zero, one, −1 and
    /// random scalars and the identity among the bases.
    #[test]
    fn small_msm_equals_arkworks() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(5);
        for n in 0..=8 {
            let mut bases: Vec<G1Affine> =
                (0..n).map(|_| G1Projective::rand(&mut rng).into_affine()).collect();
            let mut scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            if n > 2 {
                bases[1] = G1Affine::zero();
                scalars[0] = Fr::from(0u64);
                scalars[2] = -Fr::from(1u64);
            }
            let big: Vec<Scalar> = scalars.iter().map(|s| s.into_bigint()).collect();
            let expected: G1Projective = bases.iter().zip(&scalars).map(|(b, s)| *b * s).sum();
            assert_eq!(msm_g1_small(&bases, &big), expected, "{n} points");
        }
    }

    /// Every size from one point to past the window-size steps, with zero scalars, the
    /// largest scalar, repeated bases and the point at infinity among the bases.
    #[test]
    fn equals_arkworks_msm() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for n in [1usize, 2, 3, 5, 17, 31, 32, 33, 100, 257, 600] {
            let mut g1: Vec<G1Affine> =
                (0..n).map(|_| (G1Projective::generator() * Fr::rand(&mut rng)).into_affine()).collect();
            let mut g2: Vec<G2Affine> =
                (0..n).map(|_| (G2Projective::generator() * Fr::rand(&mut rng)).into_affine()).collect();
            let mut s: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            if n > 3 {
                s[0] = Fr::from(0u64);
                s[1] = -Fr::from(1u64);
                g1[2] = G1Affine::zero();
                g2[2] = G2Affine::zero();
                g1[3] = g1[1];
                g2[3] = g2[1];
            }
            let big: Vec<Scalar> = s.iter().map(|x| x.into_bigint()).collect();
            let want1 = G1Projective::msm(&g1, &s).unwrap();
            let want2 = G2Projective::msm(&g2, &s).unwrap();
            assert_eq!(msm_g1(&G1Bases::new(&g1), &big).into_affine(), want1.into_affine(), "G1, {n}");
            assert_eq!(msm_g2(&G2Bases::new(&g2), &big).into_affine(), want2.into_affine(), "G2, {n}");
            // Fewer scalars than bases: the first ones.
            let half = n / 2;
            let want = G1Projective::msm(&g1[..half], &s[..half]).unwrap();
            assert_eq!(msm_g1(&G1Bases::new(&g1), &big[..half]).into_affine(), want.into_affine());
        }
    }
}

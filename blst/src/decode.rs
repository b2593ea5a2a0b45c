//! Compressed points decoded by blst: the encoding arkworks writes for BLS12-381 (the
//! zcash one: big-endian x, flags for compression, infinity and the sign of y in the top
//! three bits), checked to be on the curve and in the prime-order subgroup.
//!
//! blst's square roots and subgroup checks make this several times faster than arkworks'
//! decoding with validation, which matters for one-shot verification (a verifying key has
//! three G2 points).

use ark_bls12_381::{G1Affine, G2Affine};
use ark_ec::AffineRepr;
use blst::{BLST_ERROR, blst_p1_affine, blst_p2_affine};

use crate::convert::{fq, fq2};

/// Bytes of a compressed G1 point.
pub const G1_BYTES: usize = 48;
/// Bytes of a compressed G2 point.
pub const G2_BYTES: usize = 96;

/// Decodes a compressed G1 point; `None` unless it is a canonical encoding of a point in
/// G1 (the identity included).
pub fn g1_decompress(bytes: &[u8; G1_BYTES]) -> Option<G1Affine> {
    let mut a = blst_p1_affine::default();
    // SAFETY: `bytes` holds the 48 bytes blst reads; `a` is written only.
    let err = unsafe { blst::blst_p1_uncompress(&mut a, bytes.as_ptr()) };
    if err != BLST_ERROR::BLST_SUCCESS {
        return None;
    }
    // SAFETY: `a` is a point blst decoded (on the curve, or all zeros for the identity).
    if unsafe { blst::blst_p1_affine_is_inf(&a) } {
        return Some(G1Affine::zero());
    }
    // SAFETY: as above.
    if !unsafe { blst::blst_p1_affine_in_g1(&a) } {
        return None;
    }
    // Unchecked on purpose: blst's decoding checked the point is on the curve (and that
    // x < p), and the check above that it is in G1.
    Some(G1Affine::new_unchecked(fq(&a.x), fq(&a.y)))
}

/// Decodes a compressed G2 point; `None` unless it is a canonical encoding of a point in
/// G2 (the identity included).
pub fn g2_decompress(bytes: &[u8; G2_BYTES]) -> Option<G2Affine> {
    let mut a = blst_p2_affine::default();
    // SAFETY: `bytes` holds the 96 bytes blst reads; `a` is written only.
    let err = unsafe { blst::blst_p2_uncompress(&mut a, bytes.as_ptr()) };
    if err != BLST_ERROR::BLST_SUCCESS {
        return None;
    }
    // SAFETY: `a` is a point blst decoded.
    if unsafe { blst::blst_p2_affine_is_inf(&a) } {
        return Some(G2Affine::zero());
    }
    // SAFETY: as above.
    if !unsafe { blst::blst_p2_affine_in_g2(&a) } {
        return None;
    }
    // Unchecked on purpose: blst's decoding checked the point is on the curve (and that
    // x < p), and the check above that it is in G2.
    Some(G2Affine::new_unchecked(fq2(&a.x), fq2(&a.y)))
}

#[cfg(test)]
mod tests {
    use ark_bls12_381::{Fq, Fq2, G1Projective, G2Projective};
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
    use rand::{SeedableRng, rngs::StdRng};

    use super::*;

    fn encode<P: CanonicalSerialize>(p: &P) -> Vec<u8> {
        let mut out = Vec::new();
        p.serialize_compressed(&mut out).unwrap();
        out
    }

    /// Agrees with arkworks' validated decoding on valid points, the identity, points
    /// outside the subgroup, x off the curve, x ≥ p, and every single-bit change.
    #[test]
    fn agrees_with_arkworks() {
        let mut rng = StdRng::seed_from_u64(11);
        let mut g1: Vec<Vec<u8>> = vec![encode(&G1Affine::zero())];
        let mut g2: Vec<Vec<u8>> = vec![encode(&G2Affine::zero())];
        for _ in 0..6 {
            g1.push(encode(&G1Projective::rand(&mut rng).into_affine()));
            g2.push(encode(&G2Projective::rand(&mut rng).into_affine()));
            if let Some(p) = G1Affine::get_point_from_x_unchecked(Fq::rand(&mut rng), true) {
                g1.push(encode(&p));
            }
            if let Some(p) = G2Affine::get_point_from_x_unchecked(Fq2::rand(&mut rng), false) {
                g2.push(encode(&p));
            }
        }
        // x = p (not reduced), with the compression flag.
        let mut x_is_p = hex_p();
        x_is_p[0] |= 0x80;
        g1.push(x_is_p.clone());
        for (list, len) in [(&mut g1, G1_BYTES), (&mut g2, G2_BYTES)] {
            let originals: Vec<Vec<u8>> = list.iter().filter(|b| b.len() == len).cloned().collect();
            for b in originals.iter().take(3) {
                for bit in 0..len * 8 {
                    let mut c = b.clone();
                    c[bit / 8] ^= 1 << (bit % 8);
                    list.push(c);
                }
            }
        }
        let (mut ok, mut bad) = (0, 0);
        for b in &g1 {
            let ours = g1_decompress(b.as_slice().try_into().unwrap());
            let theirs = G1Affine::deserialize_compressed(b.as_slice()).ok();
            assert_eq!(ours, theirs, "{b:02x?}");
            if ours.is_some() { ok += 1 } else { bad += 1 }
        }
        for b in &g2 {
            let ours = g2_decompress(b.as_slice().try_into().unwrap());
            let theirs = G2Affine::deserialize_compressed(b.as_slice()).ok();
            assert_eq!(ours, theirs, "{b:02x?}");
            if ours.is_some() { ok += 1 } else { bad += 1 }
        }
        assert!(ok >= 14 && bad >= 1000, "{ok} decoded, {bad} refused");
    }

    /// The base field modulus, big-endian.
    fn hex_p() -> Vec<u8> {
        let p = "1a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab";
        (0..48).map(|i| u8::from_str_radix(&p[2 * i..2 * i + 2], 16).unwrap()).collect()
    }
}

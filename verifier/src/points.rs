//! Points of keys and proofs, decoded and validated: on the curve and in the prime-order
//! subgroup (the identity passes; the key and proof checks say where it may not appear).
//!
//! Natively blst decodes and checks (its square roots and G2 subgroup check are several
//! times faster than arkworks'), one point after another: arkworks' validation of a vector
//! of points would also start a thread pool, which cost a one-shot `medzk verify` more than
//! the checks themselves. In WebAssembly, arkworks'. Both read the same bytes (tested in
//! medzk-blst against arkworks on valid, invalid and bit-flipped encodings).

use ark_bls12_381::Bls12_381;
#[cfg(not(target_arch = "wasm32"))]
use ark_bls12_381::{G1Affine, G2Affine};
use ark_groth16::Proof;

use crate::key::Groth16VerifyingKey;

/// Reads a compressed Groth16 verifying key in arkworks' layout (α, β, γ, δ, then the
/// input bases: a little-endian u64 count and the points) from the front of `reader`,
/// validating every point; `None` if any is not a valid encoding of a point in its group.
pub(crate) fn read_verifying_key(reader: &mut &[u8]) -> Option<Groth16VerifyingKey> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let alpha_g1 = read_g1(reader)?;
        let beta_g2 = read_g2(reader)?;
        let gamma_g2 = read_g2(reader)?;
        let delta_g2 = read_g2(reader)?;
        let count = u64::from_le_bytes(take(reader)?);
        // The count is bounded by the bytes there are before anything is allocated.
        if count > (reader.len() / medzk_blst::decode::G1_BYTES) as u64 {
            return None;
        }
        let gamma_abc_g1 = (0..count).map(|_| read_g1(reader)).collect::<Option<Vec<_>>>()?;
        Some(Groth16VerifyingKey { alpha_g1, beta_g2, gamma_g2, delta_g2, gamma_abc_g1 })
    }
    #[cfg(target_arch = "wasm32")]
    {
        use ark_serialize::CanonicalDeserialize;
        Groth16VerifyingKey::deserialize_compressed(reader).ok()
    }
}

/// Reads a compressed proof (A, B, C), validating its points.
pub(crate) fn read_proof(mut bytes: &[u8]) -> Option<Proof<Bls12_381>> {
    #[cfg(not(target_arch = "wasm32"))]
    {
        let reader = &mut bytes;
        let proof = Proof { a: read_g1(reader)?, b: read_g2(reader)?, c: read_g1(reader)? };
        reader.is_empty().then_some(proof)
    }
    #[cfg(target_arch = "wasm32")]
    {
        use ark_serialize::CanonicalDeserialize;
        Proof::deserialize_compressed(&mut bytes).ok().filter(|_| bytes.is_empty())
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn take<const N: usize>(reader: &mut &[u8]) -> Option<[u8; N]> {
    let (head, rest) = reader.split_first_chunk::<N>()?;
    *reader = rest;
    Some(*head)
}

#[cfg(not(target_arch = "wasm32"))]
fn read_g1(reader: &mut &[u8]) -> Option<G1Affine> {
    medzk_blst::decode::g1_decompress(&take(reader)?)
}

#[cfg(not(target_arch = "wasm32"))]
fn read_g2(reader: &mut &[u8]) -> Option<G2Affine> {
    medzk_blst::decode::g2_decompress(&take(reader)?)
}

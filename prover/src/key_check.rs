//! Consistency checks of a proving key against the verifying key it must match.
//!
//! A proving key is handed to a wallet by someone else (a portal serving the wasm wallet,
//! a verifier). Whoever tampers with it can try to make the honest prover leak its
//! witness: with `δ₁ = 0` the blinding `r·δ₁` vanishes from `A`, and a rebuilt `a_query`
//! then reads witness values out of `A`. medzk therefore accepts a proving key only for a
//! verifying key whose hash the caller pins ([`crate::ProvingKey::from_bytes`]), checks the
//! pair here before use, and verifies every proof under the pinned key before releasing it
//! ([`crate::Prover`]).
//!
//! | check | catches | cost (vaccination key, 2 cores; `benches/benches/key_check.rs`) |
//! |---|---|---|
//! | [`check_pairings`] | `β₁`, `δ₁` not matching the pinned `β₂`, `δ₂`; identities in either key | one 2-pairing product |
//! | [`check_nonzero`] | an identity in the query entry of a wire the circuit uses, in `h_query`, or in `γ_abc` | one pass over the points |
//! | [`check_b_queries`] | `b_g1_query` and `b_g2_query` disagreeing on any wire | one G1 and one G2 MSM, 128-bit scalars |
//!
//! Why this suffices for the zero-knowledge of released proofs: with `δ₁` proven equal
//! to the pinned `δ₂` (non-identity) and fresh `r`, `s`, the proof's `A = … + r·δ₁` and
//! `B = … + s·δ₂` are uniform, and a proof that verifies under the pinned key has its `C`
//! fixed by `A`, `B` and the public inputs; so every released proof is distributed as an
//! honest one, whatever else the key holds. What these checks do not exclude (a key with
//! wrong `a`/`l`/`h` queries makes proofs that fail and are refused, and its matrices can
//! make the prover refuse for some witnesses and not others: one bit per attempt) is
//! excluded only by a key derived from a verified ceremony transcript (docs/SECURITY.md).

use ark_bls12_381::{Fr, G1Affine, G2Affine};
#[cfg(target_arch = "wasm32")]
use ark_bls12_381::{G1Projective, G2Projective};
#[cfg(target_arch = "wasm32")]
use ark_ec::VariableBaseMSM;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{BigInt, PrimeField};
use rand::{CryptoRng, RngCore};

use crate::key::Groth16ProvingKey;
use crate::shape::CircuitShape;

/// Why a proving key does not fit the verifying key it must match.
pub type Inconsistency = &'static str;

/// Runs every check (see the module docs).
pub fn check_all<R: RngCore + CryptoRng>(
    pk: &Groth16ProvingKey,
    shape: &CircuitShape,
    rng: &mut R,
) -> Result<(), Inconsistency> {
    check_pairings(pk)?;
    check_nonzero(pk, shape)?;
    check_b_queries(pk, rng)
}

/// `e(p, q) == e(p2, q2)`, as one two-pairing product `e(p, q)·e(−p2, q2) == 1`.
/// On blst natively, on arkworks in WebAssembly.
fn same_ratio(p: G1Affine, q: G2Affine, p2: G1Affine, q2: G2Affine) -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    {
        medzk_blst::pairing::product_is_one(&[p, -p2], &[q, q2])
    }
    #[cfg(target_arch = "wasm32")]
    {
        use ark_ec::pairing::Pairing;
        use ark_ff::Zero;
        ark_bls12_381::Bls12_381::multi_pairing([p, -p2], [q, q2]).is_zero()
    }
}

/// `β` and `δ` in G1 agree with the verifying key's `β`, `δ` in G2 (`e(δ₁, β₂) = e(β₁, δ₂)`),
/// and none of `α`, `β`, `γ`, `δ` is the identity.
///
/// arkworks' setup draws its own random generators `g ∈ G1`, `h ∈ G2` and publishes
/// neither, so a key fixes its G1 points only up to the choice of `g`: the pairings check
/// that `(β₁, δ₁)` and, in [`check_b_queries`], the `b` queries are the same multiples of
/// one `g` as `(β₂, δ₂)` and `b_g2_query` are of `h`. A key whose G1 points share another
/// scaling makes proofs that fail, and those are never released.
pub fn check_pairings(pk: &Groth16ProvingKey) -> Result<(), Inconsistency> {
    let vk = &pk.vk;
    if vk.alpha_g1.is_zero() || vk.beta_g2.is_zero() || vk.gamma_g2.is_zero() || vk.delta_g2.is_zero() {
        return Err("the verifying key has the identity for α, β, γ or δ");
    }
    if pk.delta_g1.is_zero() {
        return Err("δ in G1 is the identity (proofs would not be blinded)");
    }
    if pk.beta_g1.is_zero() {
        return Err("β in G1 is the identity");
    }
    if !same_ratio(pk.delta_g1, vk.beta_g2, pk.beta_g1, vk.delta_g2) {
        return Err("β and δ in G1 do not match the verifying key's β and δ in G2");
    }
    Ok(())
}

/// No identity where the relation forbids one: the `a`, `b` query entries of every wire
/// the circuit's A and B matrices use, the `l` entries of every witness wire the circuit
/// uses, the `γ_abc` entries of the public inputs, and every `h` entry.
pub fn check_nonzero(pk: &Groth16ProvingKey, shape: &CircuitShape) -> Result<(), Inconsistency> {
    let n = shape.num_variables();
    let ni = shape.num_instance();
    let [a, b, c] = shape.matrices();
    let mut in_a = vec![false; n];
    let mut in_b = vec![false; n];
    let mut used = vec![false; n];
    for (matrix, mark) in [(a, Some(&mut in_a)), (b, Some(&mut in_b)), (c, None)] {
        let mut mark = mark;
        for &(_, col) in matrix.iter().flatten() {
            used[col] = true;
            if let Some(m) = mark.as_deref_mut() {
                m[col] = true;
            }
        }
    }
    for i in 0..n {
        if in_a[i] && pk.a_query[i].is_zero() {
            return Err("an a_query entry of a wire the circuit uses is the identity");
        }
        if in_b[i] && (pk.b_g1_query[i].is_zero() || pk.b_g2_query[i].is_zero()) {
            return Err("a b_query entry of a wire the circuit uses is the identity");
        }
    }
    if (ni..n).any(|j| used[j] && pk.l_query[j - ni].is_zero()) {
        return Err("an l_query entry of a witness wire the circuit uses is the identity");
    }
    if (1..ni).any(|i| pk.vk.gamma_abc_g1[i].is_zero()) {
        return Err("a public-input point of the verifying key is the identity");
    }
    if pk.h_query.iter().any(|h| h.is_zero()) {
        return Err("an h_query entry is the identity");
    }
    Ok(())
}

/// `b_g1_query[i]` and `b_g2_query[i]` are the same multiple of the key's two generators
/// for every wire `i`, checked at once against `β`: `e(Σ ρᵢ·b1ᵢ, β₂) = e(β₁, Σ ρᵢ·b2ᵢ)` for
/// random 128-bit `ρᵢ` (a disagreeing key passes with probability about 2⁻¹²⁸).
pub fn check_b_queries<R: RngCore + CryptoRng>(
    pk: &Groth16ProvingKey,
    rng: &mut R,
) -> Result<(), Inconsistency> {
    if pk.b_g1_query.len() != pk.b_g2_query.len() {
        return Err("b_g1_query and b_g2_query differ in length");
    }
    let rho: Vec<<Fr as PrimeField>::BigInt> =
        (0..pk.b_g1_query.len()).map(|_| BigInt::new([rng.next_u64(), rng.next_u64(), 0, 0])).collect();
    // blst's MSMs natively (the bases converted for this check alone: a copy of limbs).
    #[cfg(not(target_arch = "wasm32"))]
    let (s1, s2) = join(
        || medzk_blst::msm::msm_g1(&medzk_blst::G1Bases::new(&pk.b_g1_query), &rho),
        || medzk_blst::msm::msm_g2(&medzk_blst::G2Bases::new(&pk.b_g2_query), &rho),
    );
    #[cfg(target_arch = "wasm32")]
    let (s1, s2) = join(
        || G1Projective::msm_bigint(&pk.b_g1_query, &rho),
        || G2Projective::msm_bigint(&pk.b_g2_query, &rho),
    );
    if !same_ratio(s1.into_affine(), pk.vk.beta_g2, pk.beta_g1, s2.into_affine()) {
        return Err("b_g1_query and b_g2_query disagree");
    }
    Ok(())
}

fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(feature = "pool")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "pool"))]
    {
        (a(), b())
    }
}

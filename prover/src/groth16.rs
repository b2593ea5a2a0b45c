//! Groth16 proof creation from a full assignment and cached matrices.
//!
//! The same proof as arkworks' `create_proof_with_reduction_and_matrices` for the same
//! `(r, s)` (tests compare them), with its five MSMs on the backend the prover chose
//! ([`crate::backend`]: blst by default, medzk's window tables for a long-running prover,
//! arkworks as the reference).
//!
//! ```text
//! A  = α + Σ zᵢ·aᵢ + r·δ                      (G1)
//! B  = β + Σ zᵢ·bᵢ + s·δ                      (G2, and in G1 for C)
//! C  = s·A + r·B₁ − r·s·δ + Σ wⱼ·lⱼ + Σ hₖ·Hₖ  (G1; w the witness part of z, h the QAP quotient)
//! ```

use ark_bls12_381::{Fr, G1Affine, G1Projective};
use ark_ec::CurveGroup;
use ark_ff::{PrimeField, Zero};
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_poly::GeneralEvaluationDomain;

use crate::ProveError;
use crate::backend::Msms;
use crate::key::Groth16ProvingKey;
use crate::msm::Scalar;
use crate::shape::CircuitShape;
use medzk_verifier::presentation::Proof;

pub use crate::backend::ProverTables;

/// A Groth16 proof of the full assignment `z` (`z[0] = 1`, then the instance, then the
/// witness) with blinding `(r, s)`, its MSMs computed by `msms`. `z` must satisfy
/// `shape`; the caller checks it.
pub fn create_proof(
    pk: &Groth16ProvingKey,
    shape: &CircuitShape,
    msms: Msms<'_>,
    z: &[Fr],
    r: Fr,
    s: Fr,
) -> Result<Proof, ProveError> {
    if z.len() != shape.num_variables() {
        return Err(ProveError::Synthesis("assignment size differs from the key's".into()));
    }
    let ni = shape.num_instance();
    let h = LibsnarkReduction::witness_map_from_matrices::<Fr, GeneralEvaluationDomain<Fr>>(
        shape.matrices(),
        ni,
        shape.num_constraints(),
        z,
    )
    .map_err(ProveError::synthesis)?;
    let h: Vec<Scalar> = h.iter().take(pk.h_query.len()).map(|x| x.into_bigint()).collect();
    let zb: Vec<Scalar> = z.iter().map(|x| x.into_bigint()).collect();
    let sums = msms.sums(pk, &zb[1..], &zb[ni..], &h);

    let first = |q: &[G1Affine]| q.first().copied().unwrap_or_default();
    let delta = pk.delta_g1;
    let g_a = sums.a + first(&pk.a_query) + pk.vk.alpha_g1 + delta * r;
    let g1_b = if r.is_zero() {
        G1Projective::zero()
    } else {
        sums.b_g1 + first(&pk.b_g1_query) + pk.beta_g1 + delta * s
    };
    let g2_b =
        sums.b_g2 + pk.b_g2_query.first().copied().unwrap_or_default() + pk.vk.beta_g2 + pk.vk.delta_g2 * s;
    let g_c = g_a * s + g1_b * r - delta * (r * s) + sums.lh;
    let ac = G1Projective::normalize_batch(&[g_a, g_c]);
    Ok(Proof { a: ac[0], b: g2_b.into_affine(), c: ac[1] })
}

//! Groth16 proof creation from a full assignment and cached matrices.
//!
//! The same proof as arkworks' `create_proof_with_reduction_and_matrices` for the same
//! `(r, s)` (tests compare them), with medzk's own MSMs ([`crate::msm`]) where they pay:
//! precomputed window tables of the key's bases when the prover has them
//! ([`ProverTables`]), and batch-affine bucket accumulation for the G2 query.
//!
//! ```text
//! A  = α + Σ zᵢ·aᵢ + r·δ                      (G1)
//! B  = β + Σ zᵢ·bᵢ + s·δ                      (G2, and in G1 for C)
//! C  = s·A + r·B₁ − r·s·δ + Σ wⱼ·lⱼ + Σ hₖ·Hₖ  (G1; w the witness part of z, h the QAP quotient)
//! ```

use ark_bls12_381::{Fr, G1Affine, G1Projective, G2Projective};
use ark_ec::{CurveGroup, VariableBaseMSM};
use ark_ff::{PrimeField, Zero};
use ark_groth16::r1cs_to_qap::{LibsnarkReduction, R1CSToQAP};
use ark_poly::GeneralEvaluationDomain;

use crate::ProveError;
use crate::key::Groth16ProvingKey;
use crate::msm::{self, Scalar, WindowTables};
use crate::shape::CircuitShape;
use medzk_verifier::presentation::Proof;

/// Largest G2 query for which medzk's batch-affine MSM is used without tables.
const PLAIN_G2_MAX: usize = 1 << 13;

/// Precomputed window tables of every fixed base set of a proving key.
///
/// About 20 affine points per base (for the vaccination statement at depth 32, 65 MB):
/// worth it for a long-running prover that makes many proofs, built once (2 s for the
/// vaccination key on 2 cores, `phase_timings`).
pub struct ProverTables {
    a: WindowTables<ark_bls12_381::g1::Config>,
    b_g1: WindowTables<ark_bls12_381::g1::Config>,
    b_g2: WindowTables<ark_bls12_381::g2::Config>,
    l: WindowTables<ark_bls12_381::g1::Config>,
    h: WindowTables<ark_bls12_381::g1::Config>,
}

impl ProverTables {
    /// Precomputes the tables of `pk`'s queries.
    pub fn new(pk: &Groth16ProvingKey) -> ProverTables {
        let (a, b_g1) =
            join(|| WindowTables::new(tail(&pk.a_query)), || WindowTables::new(tail(&pk.b_g1_query)));
        let (b_g2, (l, h)) = join(
            || WindowTables::new(tail(&pk.b_g2_query)),
            || join(|| WindowTables::new(&pk.l_query), || WindowTables::new(&pk.h_query)),
        );
        ProverTables { a, b_g1, b_g2, l, h }
    }

    /// Bytes of memory the tables hold.
    pub fn memory(&self) -> usize {
        let g1 = |t: &WindowTables<ark_bls12_381::g1::Config>| size_of_val(t.parts().2);
        g1(&self.a) + g1(&self.b_g1) + g1(&self.l) + g1(&self.h) + size_of_val(self.b_g2.parts().2)
    }
}

fn tail<T>(q: &[T]) -> &[T] {
    q.get(1..).unwrap_or_default()
}

/// Checks that `pk`'s query lengths fit `shape` (so proving never indexes out of range).
pub fn check_sizes(pk: &Groth16ProvingKey, shape: &CircuitShape) -> Result<(), &'static str> {
    let n = shape.num_variables();
    let domain = (shape.num_constraints() + shape.num_instance()).next_power_of_two();
    let ok = pk.a_query.len() == n
        && pk.b_g1_query.len() == n
        && pk.b_g2_query.len() == n
        && pk.l_query.len() == shape.num_witness()
        && pk.vk.gamma_abc_g1.len() == shape.num_instance()
        && pk.h_query.len() + 1 == domain;
    ok.then_some(()).ok_or("proving key sizes do not match its circuit shape")
}

/// A Groth16 proof of the full assignment `z` (`z[0] = 1`, then the instance, then the
/// witness) with blinding `(r, s)`. `z` must satisfy `shape`; the caller checks it.
pub fn create_proof(
    pk: &Groth16ProvingKey,
    shape: &CircuitShape,
    tables: Option<&ProverTables>,
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
    let vars = &zb[1..];
    let witness = &zb[ni..];

    let g1 = |t: Option<&WindowTables<_>>, bases: &[G1Affine], scalars: &[Scalar]| -> G1Projective {
        match t {
            Some(t) => t.msm(scalars),
            // Without tables, arkworks' G1 MSM is as fast as batch-affine (within 7%,
            // `benches/benches/msm.rs`); batch-affine pays in G2, where additions cost more.
            None => G1Projective::msm_bigint(bases, scalars),
        }
    };
    let ((a, b1), (b2, (l, hh))) = join(
        || {
            join(
                || g1(tables.map(|t| &t.a), tail(&pk.a_query), vars),
                || g1(tables.map(|t| &t.b_g1), tail(&pk.b_g1_query), vars),
            )
        },
        || {
            join(
                || -> G2Projective {
                    match tables {
                        Some(t) => t.b_g2.msm(vars),
                        // Batch-affine wins in G2 up to about 2^13 bases (vaccination:
                        // 101 vs 129 ms); past that, measured on the policy shape, arkworks'.
                        None if pk.b_g2_query.len() <= PLAIN_G2_MAX => msm::msm(tail(&pk.b_g2_query), vars),
                        None => G2Projective::msm_bigint(tail(&pk.b_g2_query), vars),
                    }
                },
                || {
                    join(
                        || g1(tables.map(|t| &t.l), &pk.l_query, witness),
                        || g1(tables.map(|t| &t.h), &pk.h_query, &h),
                    )
                },
            )
        },
    );

    let first = |q: &[G1Affine]| q.first().copied().unwrap_or_default();
    let delta = pk.delta_g1;
    let g_a = a + first(&pk.a_query) + pk.vk.alpha_g1 + delta * r;
    let g1_b =
        if r.is_zero() { G1Projective::zero() } else { b1 + first(&pk.b_g1_query) + pk.beta_g1 + delta * s };
    let g2_b = b2 + pk.b_g2_query.first().copied().unwrap_or_default() + pk.vk.beta_g2 + pk.vk.delta_g2 * s;
    let g_c = g_a * s + g1_b * r - delta * (r * s) + l + hh;
    let ac = G1Projective::normalize_batch(&[g_a, g_c]);
    Ok(Proof { a: ac[0], b: g2_b.into_affine(), c: ac[1] })
}

fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(feature = "parallel")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "parallel"))]
    {
        (a(), b())
    }
}

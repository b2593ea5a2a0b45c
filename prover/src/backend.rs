//! The five multi-scalar multiplications of a proof (A, B in G1 and G2, L, H) and the
//! code that computes them:
//!
//! - [`BlstBases`]: blst's Pippenger over the key's bases converted once to blst's form
//!   (the default on native targets: 1.2–1.5× arkworks', BENCHMARKS.md);
//! - [`ProverTables`]: medzk's own bucket method over precomputed window tables
//!   ([`crate::msm`]), for a long-running prover;
//! - arkworks' MSM (and medzk's batch-affine one for small G2 queries), the reference the
//!   others are tested against.
//!
//! Every backend computes the same group elements, so a proof is the same whichever
//! computed it (`tests/groth16_agreement.rs`).

use ark_bls12_381::{G1Affine, G1Projective, G2Projective};
use ark_ec::VariableBaseMSM;
#[cfg(not(target_arch = "wasm32"))]
use medzk_blst::{G1Bases, G2Bases};

use crate::key::Groth16ProvingKey;
use crate::msm::{self, Scalar, WindowTables};

/// Largest G2 query for which medzk's batch-affine MSM is used on the arkworks path.
const PLAIN_G2_MAX: usize = 1 << 13;

/// Which code computes a proof's MSMs when the prover has no window tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MsmBackend {
    /// blst's Pippenger (the default on native targets; blst is C and assembly, so the
    /// WebAssembly build has only arkworks).
    #[cfg(not(target_arch = "wasm32"))]
    #[default]
    Blst,
    /// arkworks' (and medzk's batch-affine MSM for G2 queries up to 2^13 bases).
    #[cfg_attr(target_arch = "wasm32", default)]
    Arkworks,
}

/// The key's query bases in blst's form (the first base of A and B, the constant one's,
/// is added separately, as in [`crate::groth16`]).
#[cfg(not(target_arch = "wasm32"))]
pub struct BlstBases {
    a: G1Bases,
    b_g1: G1Bases,
    b_g2: G2Bases,
    /// The L query followed by the H query: C's two sums as one MSM (14 % faster than two
    /// on the vaccination key, `benches/benches/msm.rs`).
    lh: G1Bases,
    /// Length of the L query.
    l_len: usize,
}

#[cfg(not(target_arch = "wasm32"))]
impl BlstBases {
    /// Converts `pk`'s queries (a copy of limbs: about a millisecond for the vaccination
    /// key).
    pub fn new(pk: &Groth16ProvingKey) -> BlstBases {
        BlstBases {
            a: G1Bases::new(tail(&pk.a_query)),
            b_g1: G1Bases::new(tail(&pk.b_g1_query)),
            b_g2: G2Bases::new(tail(&pk.b_g2_query)),
            lh: G1Bases::new(&[pk.l_query.as_slice(), pk.h_query.as_slice()].concat()),
            l_len: pk.l_query.len(),
        }
    }
}

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

/// The code that computes one proof's MSMs.
#[derive(Clone, Copy)]
pub enum Msms<'a> {
    /// arkworks' MSMs over the key's bases.
    Arkworks,
    /// blst's over converted bases.
    #[cfg(not(target_arch = "wasm32"))]
    Blst(&'a BlstBases),
    /// medzk's over window tables.
    Tables(&'a ProverTables),
}

/// The five sums of a proof (without the constant one's terms).
pub struct Sums {
    /// Σ zᵢ·aᵢ (i ≥ 1).
    pub a: G1Projective,
    /// Σ zᵢ·bᵢ in G1 (i ≥ 1).
    pub b_g1: G1Projective,
    /// Σ zᵢ·bᵢ in G2 (i ≥ 1).
    pub b_g2: G2Projective,
    /// `Σ wⱼ·lⱼ + Σ hₖ·Hₖ`: the witness over the L query and the QAP quotient over the
    /// H query, C's two sums (one MSM on blst).
    pub lh: G1Projective,
}

impl Msms<'_> {
    /// The five MSMs of a proof under `pk`: `vars` is the assignment without the constant
    /// one, `witness` its witness part, `h` the QAP quotient's coefficients.
    pub fn sums(&self, pk: &Groth16ProvingKey, vars: &[Scalar], witness: &[Scalar], h: &[Scalar]) -> Sums {
        let ((a, b_g1), (b_g2, lh)) = match *self {
            #[cfg(not(target_arch = "wasm32"))]
            Msms::Blst(bases) => join(
                || {
                    join(
                        || medzk_blst::msm::msm_g1(&bases.a, vars),
                        || medzk_blst::msm::msm_g1(&bases.b_g1, vars),
                    )
                },
                || {
                    join(
                        || medzk_blst::msm::msm_g2(&bases.b_g2, vars),
                        || {
                            if witness.len() == bases.l_len {
                                let scalars = [witness, h].concat();
                                medzk_blst::msm::msm_g1(&bases.lh, &scalars)
                            } else {
                                // Not the key's witness length: the sizes check refuses
                                // this before any MSM; computed apart all the same.
                                let l = G1Bases::new(&pk.l_query);
                                medzk_blst::msm::msm_g1(&l, witness)
                                    + G1Projective::msm_bigint(&pk.h_query, h)
                            }
                        },
                    )
                },
            ),
            Msms::Tables(t) => join(
                || join(|| t.a.msm(vars), || t.b_g1.msm(vars)),
                || join(|| t.b_g2.msm(vars), || sum(join(|| t.l.msm(witness), || t.h.msm(h)))),
            ),
            Msms::Arkworks => {
                let g1 = |bases: &[G1Affine], scalars: &[Scalar]| G1Projective::msm_bigint(bases, scalars);
                join(
                    || join(|| g1(tail(&pk.a_query), vars), || g1(tail(&pk.b_g1_query), vars)),
                    || {
                        join(
                            || -> G2Projective {
                                // Batch-affine wins in G2 up to about 2^13 bases (vaccination:
                                // 101 vs 129 ms); past that, measured on the policy shape,
                                // arkworks'.
                                if pk.b_g2_query.len() <= PLAIN_G2_MAX {
                                    msm::msm(tail(&pk.b_g2_query), vars)
                                } else {
                                    G2Projective::msm_bigint(tail(&pk.b_g2_query), vars)
                                }
                            },
                            || sum(join(|| g1(&pk.l_query, witness), || g1(&pk.h_query, h))),
                        )
                    },
                )
            }
        };
        Sums { a, b_g1, b_g2, lh }
    }
}

fn sum((l, h): (G1Projective, G1Projective)) -> G1Projective {
    l + h
}

/// A query without its first base (the constant one's).
pub(crate) fn tail<T>(q: &[T]) -> &[T] {
    q.get(1..).unwrap_or_default()
}

pub(crate) fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(feature = "pool")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "pool"))]
    {
        (a(), b())
    }
}

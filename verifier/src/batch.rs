//! Batch verification: many presentations checked with one multi-pairing.
//!
//! Each presentation `j` must satisfy `e(Aⱼ, Bⱼ) = e(α, β)·e(ICⱼ, γ)·e(Cⱼ, δ)`. With
//! random 128-bit `rⱼ` unknown to the provers, the batch checks the single equation
//!
//! `Πⱼ e(rⱼ·Aⱼ, Bⱼ) · e(−Σ rⱼ·ICⱼ, γ) · e(−Σ rⱼ·Cⱼ, δ) · e(−(Σ rⱼ)·α, β) = 1`
//!
//! — one Miller loop of N + 3 pairs and one final exponentiation; a false presentation
//! passes with probability about 2^−128. If the batch fails, it is split in halves and
//! each half checked again, down to single presentations, so every bad presentation is
//! identified and the verdicts equal those of verifying one by one.

use ark_bls12_381::{Fr, G1Affine, G1Projective, G2Affine};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::BigInt;
use medzk_circuits::clock::Clock;
use medzk_circuits::context::Session;
use merlin::Transcript;
use rand::{CryptoRng, RngCore};

use crate::presentation::{Presentation, Proof};
use crate::verify::{Verified, Verifier, VerifyError};

/// One presentation of a batch with the session it answers.
pub struct BatchItem<'a> {
    /// A fresh transcript, started as for a single verification.
    pub transcript: Transcript,
    /// The verifier id and this presentation's nonce.
    pub session: Session<'a>,
    /// The presentation bytes.
    pub bytes: &'a [u8],
}

/// What the batch equation needs of one presentation, computed once (in parallel).
struct Candidate {
    verified: Verified,
    /// The randomizer rⱼ.
    r: Fr,
    /// rⱼ·Aⱼ.
    scaled_a: G1Affine,
    /// Bⱼ.
    b: G2Affine,
    c: G1Affine,
    /// The public inputs that vary per presentation: today, context, nullifier.
    varying: [Fr; 3],
    /// The statement's policy hash (the same for every item: one clock).
    policy_hash: Fr,
}

/// A nonzero 128-bit randomizer, as limbs (for a half-length scalar multiplication)
/// and as a field element (exact: 128 bits are below r).
fn randomizer<R: RngCore + CryptoRng>(rng: &mut R) -> ([u64; 2], Fr) {
    let limbs = [rng.next_u64() | 1, rng.next_u64()];
    (limbs, Fr::from(BigInt::new([limbs[0], limbs[1], 0, 0])))
}

impl Verifier {
    /// Verifies presentations together; the result for each is what
    /// [`Verifier::verify`] would return for it alone. `rng` must be a CSPRNG: the
    /// randomizers are drawn after the presentations are fixed.
    pub fn verify_batch<R: RngCore + CryptoRng>(
        &self,
        items: Vec<BatchItem<'_>>,
        clock: impl Into<Clock>,
        rng: &mut R,
    ) -> Vec<Result<Verified, VerifyError>> {
        let clock = clock.into();
        // One presentation: the single check is cheaper than a batch of one (which
        // pays the randomizer's multiplications and a larger multi-pairing).
        if let [_] = items.as_slice() {
            return items
                .into_iter()
                .map(|mut i| self.verify(&mut i.transcript, &i.session, clock, i.bytes))
                .collect();
        }
        let items: Vec<(BatchItem<'_>, ([u64; 2], Fr))> =
            items.into_iter().map(|i| (i, randomizer(rng))).collect();
        let prepared: Vec<Result<Candidate, VerifyError>> = map_items(items, |(mut item, (limbs, r))| {
            let presentation = Presentation::from_bytes(item.bytes)?;
            let inputs = self.public_inputs(&mut item.transcript, &item.session, clock, &presentation)?;
            let proof: &Proof = &presentation.proof;
            Ok(Candidate {
                verified: Verified {
                    statement: presentation.statement,
                    root: presentation.root,
                    today: presentation.today,
                    nullifier: presentation.nullifier,
                },
                r,
                scaled_a: proof.a.mul_bigint(limbs).into_affine(),
                b: proof.b,
                c: proof.c,
                varying: [inputs.today.to_field(), inputs.context, inputs.nullifier],
                policy_hash: inputs.policy_hash,
            })
        });
        let candidates: Vec<(usize, &Candidate)> =
            prepared.iter().enumerate().filter_map(|(i, c)| c.as_ref().ok().map(|c| (i, c))).collect();
        let mut rejected = vec![false; prepared.len()];
        self.bisect(&candidates, &mut rejected);
        prepared
            .into_iter()
            .zip(rejected)
            .map(|(c, bad)| match c {
                Ok(_) if bad => Err(VerifyError::Rejected),
                Ok(c) => Ok(c.verified),
                Err(e) => Err(e),
            })
            .collect()
    }

    fn bisect(&self, items: &[(usize, &Candidate)], rejected: &mut [bool]) {
        if items.is_empty() || self.batch_holds(items) {
            return;
        }
        if items.len() == 1 {
            rejected[items[0].0] = true;
            return;
        }
        let mid = items.len() / 2;
        self.bisect(&items[..mid], rejected);
        self.bisect(&items[mid..], rejected);
    }

    /// The randomized batch equation for `items`.
    fn batch_holds(&self, items: &[(usize, &Candidate)]) -> bool {
        let vk = self.key().inner();
        let r: Vec<Fr> = items.iter().map(|(_, c)| c.r).collect();
        let sum_r: Fr = r.iter().sum();
        // Σ rⱼ·ICⱼ, aggregated on the field side: the constant and root terms scale by
        // Σ rⱼ (per root), the varying inputs by their r-weighted sums.
        let mut varying = [Fr::from(0u64); 3];
        for (_, c) in items {
            for (acc, x) in varying.iter_mut().zip(c.varying) {
                *acc += c.r * x;
            }
        }
        let mut per_root: Vec<(Fr, Fr)> = Vec::new();
        for (_, c) in items {
            match per_root.iter_mut().find(|(root, _)| *root == c.verified.root) {
                Some((_, w)) => *w += c.r,
                None => per_root.push((c.verified.root, c.r)),
            }
        }
        let Some(sum_inputs) = self.aggregate_inputs(sum_r, &per_root, &varying, items[0].1.policy_hash)
        else {
            return false;
        };
        let cs: Vec<G1Affine> = items.iter().map(|(_, c)| c.c).collect();
        let sum_c = G1Projective::msm(&cs, &r).expect("equal lengths");
        let tail = G1Projective::normalize_batch(&[sum_inputs, sum_c, vk.alpha_g1 * sum_r]);
        let mut g1: Vec<G1Affine> = items.iter().map(|(_, c)| c.scaled_a).collect();
        g1.extend(tail);
        let mut g2: Vec<G2Affine> = items.iter().map(|(_, c)| c.b).collect();
        g2.extend(self.negated());
        crate::pairing::product_is_one(&g1, &g2)
    }
}
#[cfg(feature = "parallel")]
fn map_items<T: Send, U: Send>(items: Vec<T>, f: impl Fn(T) -> U + Sync + Send) -> Vec<U> {
    use rayon::prelude::*;
    items.into_par_iter().map(f).collect()
}

#[cfg(not(feature = "parallel"))]
fn map_items<T, U>(items: Vec<T>, f: impl Fn(T) -> U) -> Vec<U> {
    items.into_iter().map(f).collect()
}

//! Verification: the verifier computes every public input from its own policy, clock,
//! session and trusted roots, and reads only the root, the day and the nullifier from
//! the presentation — each checked before the proof is.

use std::collections::{HashMap, HashSet};

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

use ark_bls12_381::{Bls12_381, G1Projective, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_groth16::Groth16;
use medzk_circuits::clock::Clock;
use medzk_circuits::context::{Session, SessionError, TranscriptProtocol};
use medzk_circuits::date::Day;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::policy::Policy;
use medzk_circuits::statement::{PublicInputs, StatementId, StatementKind, StatementPolicy};
use merlin::Transcript;

use crate::envelope::DecodeError;
use crate::fixed_base::FixedBase;
use crate::key::VerifyingKey;
use crate::pairing::{self, Backend};
use crate::presentation::{Presentation, Proof};

/// Days a presentation's date may differ from the verifier's: none. Every date and age
/// bound of a policy is evaluated on `today`, so accepting another day would widen each
/// bound by that much (a dose 13 days old passing "at least 14 days"). The verifier's
/// request carries its date and the prover proves for exactly that date.
pub const DATE_TOLERANCE_DAYS: i32 = 0;

/// Why a presentation is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The bytes are not a well-formed presentation.
    #[error("malformed presentation: {0}")]
    Malformed(#[from] DecodeError),
    /// A presentation of another statement or shape.
    #[error("presentation is for {found}, this verifier checks {expected}")]
    WrongStatement {
        /// The verifier's statement.
        expected: StatementId,
        /// The presentation's statement.
        found: StatementId,
    },
    /// Made for another verifying key (another setup or version).
    #[error("presentation was made for another verifying key")]
    WrongKey,
    /// The root is not among the verifier's trusted roots.
    #[error("the registry root is not one this verifier trusts")]
    UntrustedRoot,
    /// The presentation was made for another day than the verifier's.
    #[error(
        "presentation is dated {presented}, the verifier's date is {today}: prove again for the date in the verifier's request"
    )]
    StaleDate {
        /// The presentation's day.
        presented: Day,
        /// The verifier's day.
        today: Day,
    },
    /// The verifier's clock does not serve its policy (a policy with hour windows needs
    /// the time of day, not only the date).
    #[error("the verifier's clock: {0}")]
    Clock(String),
    /// The verifier's own session is invalid.
    #[error("invalid session: {0}")]
    Session(#[from] SessionError),
    /// The nullifier was already presented in this scope.
    #[error("this holder already presented in this scope (nullifier seen before)")]
    Replayed,
    /// The proof does not verify for the verifier's public inputs (wrong nonce, verifier,
    /// policy, or a forged or tampered proof).
    #[error("the proof does not verify for this verifier, session and policy")]
    Rejected,
}

/// A rejection, or a failure of the nullifier store.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyOnceError<E> {
    /// The presentation is rejected.
    #[error(transparent)]
    Rejected(VerifyError),
    /// The nullifier store failed; the presentation is neither accepted nor recorded.
    #[error("nullifier store: {0}")]
    Store(E),
}

impl VerifyError {
    /// A stable machine-readable code for the rejection (shared by the native and wasm
    /// verifiers and the golden test corpus).
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::Malformed(_) => "malformed",
            VerifyError::WrongStatement { .. } => "wrong_statement",
            VerifyError::WrongKey => "wrong_key",
            VerifyError::UntrustedRoot => "untrusted_root",
            VerifyError::StaleDate { .. } => "stale_date",
            VerifyError::Clock(_) => "clock",
            VerifyError::Session(_) => "invalid_session",
            VerifyError::Replayed => "replayed",
            VerifyError::Rejected => "rejected",
        }
    }
}

/// The configuration is inconsistent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the policy is for the {policy:?} statement but the key verifies {key}")]
pub struct PolicyKeyMismatch {
    /// The policy's statement kind.
    pub policy: StatementKind,
    /// The key's statement.
    pub key: StatementId,
}

/// An accepted presentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The statement proven.
    pub statement: StatementId,
    /// The registry root the proof refers to.
    pub root: Fr,
    /// The presentation's day.
    pub today: Day,
    /// The holder's nullifier in the policy's scope.
    pub nullifier: Fr,
}

/// Where a verifier remembers nullifiers, to turn away a second presentation by the same
/// holder in the same scope (a second enrolment in one trial).
pub trait NullifierStore {
    /// Storage error.
    type Error: std::fmt::Display;
    /// Records `nullifier` in `scope`; `Ok(false)` if it was already there.
    fn insert(&mut self, scope: &Fr, nullifier: &Fr) -> Result<bool, Self::Error>;
}

/// An in-memory [`NullifierStore`].
#[derive(Debug, Clone, Default)]
pub struct MemoryNullifiers(HashSet<([u8; 32], [u8; 32])>);

impl NullifierStore for MemoryNullifiers {
    type Error = std::convert::Infallible;
    fn insert(&mut self, scope: &Fr, nullifier: &Fr) -> Result<bool, Self::Error> {
        Ok(self.0.insert((field::to_bytes(scope), field::to_bytes(nullifier))))
    }
}

/// A verifier: key, policy and trusted roots.
///
/// The prepared public-input point `IC = γ₀ + Σ xᵢ·γᵢ` is computed from parts made once:
/// the policy hash's term is folded into the constant, each trusted root's term is
/// precomputed, and today, the context and the nullifier use fixed-base window tables
/// from the second verification on (a one-shot verification multiplies directly, which
/// costs less than building the tables).
///
/// The proof check is `e(A, B)·e(IC, −γ)·e(C, −δ)·e(α, −β) = 1`, one four-pair product
/// ([`crate::pairing`]: blst natively). Under the arkworks backend it is arkworks'
/// `verify_proof_with_prepared_inputs` (three pairs against a precomputed `e(α, β)`).
#[derive(Clone)]
pub struct Verifier {
    key: VerifyingKey,
    policy_hash: Fr,
    /// A policy with hour windows, set to each verification's minute (its statement's
    /// policy hash changes with the minute; `policy_hash` is then the template's).
    hour_windows: Option<std::sync::Arc<Policy>>,
    scope: Fr,
    /// Trusted roots with their terms `root · γ₁`, each computed when a presentation
    /// first names its root (a one-shot verifier trusting many roots needs one).
    trusted_roots: HashMap<[u8; 32], (Fr, OnceLock<G1Projective>)>,
    /// `γ₀ + policy_hash · γ₂`.
    constant: G1Projective,
    /// Tables for γ₃ (today), γ₄ (context), γ₅ (nullifier), built on second use.
    tables: OnceLock<[FixedBase; 3]>,
    /// Whether a verification has run (the next one builds the tables).
    used: std::sync::Arc<AtomicBool>,
    /// −γ, −δ and −β: the fixed second arguments of the pairing product.
    negated: [G2Affine; 3],
    /// `e(α, β)` on blst, computed on second use: from then on a check is three pairs
    /// against it instead of four.
    #[cfg(not(target_arch = "wasm32"))]
    alpha_beta: OnceLock<medzk_blst::pairing::Gt>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Verifier({:?}, {} trusted roots)", self.key, self.trusted_roots.len())
    }
}

impl Verifier {
    /// A verifier checking `policy` with `key`, accepting proofs against `trusted_roots`.
    pub fn new(
        key: VerifyingKey,
        policy: &(impl StatementPolicy + ?Sized),
        trusted_roots: impl IntoIterator<Item = Fr>,
    ) -> Result<Verifier, PolicyKeyMismatch> {
        if !policy.fits(key.statement()) {
            return Err(PolicyKeyMismatch { policy: policy.statement_kind(), key: key.statement() });
        }
        let gamma = &key.inner().gamma_abc_g1;
        let policy_hash = policy.policy_hash();
        let constant = gamma[0].into_group() + small_msm(&gamma[2..3], &[policy_hash]);
        let vk = key.inner();
        let negated = [-vk.gamma_g2, -vk.delta_g2, -vk.beta_g2];
        let mut verifier = Verifier {
            key,
            policy_hash,
            hour_windows: policy.hour_windows().map(std::sync::Arc::new),
            scope: policy.scope_field(),
            trusted_roots: HashMap::new(),
            constant,
            tables: OnceLock::new(),
            used: std::sync::Arc::new(AtomicBool::new(false)),
            negated,
            #[cfg(not(target_arch = "wasm32"))]
            alpha_beta: OnceLock::new(),
        };
        for root in trusted_roots {
            verifier.trust_root(root);
        }
        Ok(verifier)
    }

    /// `Σ_R w_R·(root term of R) + s·constant + Σ vᵢ·γᵢ` for batch verification: the
    /// r-weighted sum of prepared inputs, from `s = Σ rⱼ`, per-root weights and the
    /// r-weighted sums of today, context and nullifier.
    pub(crate) fn aggregate_inputs(
        &self,
        s: Fr,
        per_root: &[(Fr, Fr)],
        varying: &[Fr; 3],
        policy_hash: Fr,
    ) -> Option<G1Projective> {
        let mut acc = self.constant * s + self.policy_term((policy_hash - self.policy_hash) * s);
        for (root, weight) in per_root {
            acc += self.root_term(root)? * weight;
        }
        for (table, v) in self.tables().iter().zip(varying) {
            acc += table.mul(v);
        }
        Some(acc)
    }

    /// The fixed-base tables of γ₃, γ₄, γ₅ (built on first call).
    fn tables(&self) -> &[FixedBase; 3] {
        self.tables.get_or_init(|| {
            let gamma = &self.key.inner().gamma_abc_g1;
            [FixedBase::new(gamma[3]), FixedBase::new(gamma[4]), FixedBase::new(gamma[5])]
        })
    }

    /// −γ, −δ and −β.
    pub(crate) fn negated(&self) -> &[G2Affine; 3] {
        &self.negated
    }

    /// `x · γ₂` (zero for `x = 0`): the correction of the constant for a policy hash
    /// other than the one folded into it (a policy with hour windows, set to a minute).
    fn policy_term(&self, x: Fr) -> G1Projective {
        if x == <Fr as ark_ff::AdditiveGroup>::ZERO {
            return G1Projective::default();
        }
        small_msm(&self.key.inner().gamma_abc_g1[2..3], &[x])
    }

    /// The prepared public-input point for `inputs` (whose root must be trusted).
    fn prepared_inputs(&self, inputs: &PublicInputs, first_use: bool) -> Option<G1Projective> {
        let root_term = self.root_term(&inputs.root)?;
        let varying = [inputs.today.to_field(), inputs.context, inputs.nullifier];
        let terms: G1Projective = if first_use && self.tables.get().is_none() {
            small_msm(&self.key.inner().gamma_abc_g1[3..6], &varying)
        } else {
            self.tables().iter().zip(&varying).map(|(t, x)| t.mul(x)).sum()
        };
        Some(self.constant + self.policy_term(inputs.policy_hash - self.policy_hash) + root_term + terms)
    }

    /// Whether `proof` holds for the prepared public-input point `ic`.
    fn proof_holds(&self, proof: &Proof, ic: G1Projective, first_use: bool) -> bool {
        if pairing::backend() == Backend::Arkworks {
            return Groth16::<Bls12_381>::verify_proof_with_prepared_inputs(self.key.prepared(), proof, &ic)
                .unwrap_or(false);
        }
        let [gamma, delta, beta] = self.negated;
        #[cfg(not(target_arch = "wasm32"))]
        if !first_use {
            let vk = self.key.inner();
            let alpha_beta =
                self.alpha_beta.get_or_init(|| medzk_blst::pairing::Gt::pairing(&vk.alpha_g1, &vk.beta_g2));
            return medzk_blst::pairing::product_equals(
                &[proof.a, ic.into_affine(), proof.c],
                &[proof.b, gamma, delta],
                alpha_beta,
            );
        }
        let _ = first_use;
        pairing::product_is_one(
            &[proof.a, ic.into_affine(), proof.c, self.key.inner().alpha_g1],
            &[proof.b, gamma, delta, beta],
        )
    }

    /// The verifying key.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// The hash of the verifier's policy.
    pub fn policy_hash(&self) -> Fr {
        self.policy_hash
    }

    /// Adds a trusted root (for example a new registry checkpoint).
    pub fn trust_root(&mut self, root: Fr) {
        self.trusted_roots.entry(field::to_bytes(&root)).or_insert_with(|| (root, OnceLock::new()));
    }

    /// `root · γ₁` for a trusted root (`None` for any other), computed on first use.
    fn root_term(&self, root: &Fr) -> Option<G1Projective> {
        let (root, term) = self.trusted_roots.get(&field::to_bytes(root))?;
        Some(*term.get_or_init(|| small_msm(&self.key.inner().gamma_abc_g1[1..2], &[*root])))
    }

    /// Verifies, then records the nullifier: a holder who already presented in this
    /// scope is rejected with [`VerifyError::Replayed`] (nothing is recorded for a
    /// rejected presentation).
    pub fn verify_once<S: NullifierStore>(
        &self,
        store: &mut S,
        transcript: &mut Transcript,
        session: &Session<'_>,
        clock: impl Into<Clock>,
        bytes: &[u8],
    ) -> Result<Verified, VerifyOnceError<S::Error>> {
        let verified = self.verify(transcript, session, clock, bytes).map_err(VerifyOnceError::Rejected)?;
        match store.insert(&self.scope, &verified.nullifier) {
            Ok(true) => Ok(verified),
            Ok(false) => Err(VerifyOnceError::Rejected(VerifyError::Replayed)),
            Err(e) => Err(VerifyOnceError::Store(e)),
        }
    }

    /// The statement's policy hash at `clock`: the policy's, or for a policy with hour
    /// windows that of the policy set to the clock's minute.
    pub fn policy_hash_at(&self, clock: Clock) -> Result<Fr, VerifyError> {
        match &self.hour_windows {
            None => Ok(self.policy_hash),
            Some(p) => p.at(clock).map(|p| p.hash()).map_err(|e| VerifyError::Clock(e.to_string())),
        }
    }

    /// Whether the policy has hour windows: verification needs a clock with the minute.
    pub fn needs_minute(&self) -> bool {
        self.hour_windows.is_some()
    }

    /// The clock a request of this verifier states: with the minute where the policy has
    /// hour windows (refused without one), else the day alone (a shorter request).
    pub fn request_clock(&self, clock: impl Into<Clock>) -> Result<Clock, VerifyError> {
        let clock = clock.into();
        if !self.needs_minute() {
            return Ok(Clock::Day(clock.day()));
        }
        self.policy_hash_at(clock)?;
        Ok(clock)
    }

    /// Checks everything but the proof and returns the public inputs to verify against
    /// (the day from the verifier's `clock`, and its minute for a policy with hour
    /// windows).
    pub fn public_inputs(
        &self,
        transcript: &mut Transcript,
        session: &Session<'_>,
        clock: impl Into<Clock>,
        presentation: &Presentation,
    ) -> Result<PublicInputs, VerifyError> {
        let clock = clock.into();
        let today = clock.day();
        session.validate()?;
        let expected = self.key.statement();
        if presentation.statement != expected {
            return Err(VerifyError::WrongStatement { expected, found: presentation.statement });
        }
        if presentation.key_hash != self.key.hash() {
            return Err(VerifyError::WrongKey);
        }
        if !self.trusted_roots.contains_key(&field::to_bytes(&presentation.root)) {
            return Err(VerifyError::UntrustedRoot);
        }
        if (presentation.today.0 as i64 - today.0 as i64).abs() > DATE_TOLERANCE_DAYS as i64 {
            return Err(VerifyError::StaleDate { presented: presentation.today, today });
        }
        let policy_hash = self.policy_hash_at(clock)?;
        let context = transcript.medzk_context(session, expected, &policy_hash, presentation.today);
        Ok(PublicInputs {
            root: presentation.root,
            policy_hash,
            today: presentation.today,
            context,
            nullifier: presentation.nullifier,
        })
    }

    /// Verifies presentation bytes for `session` at the verifier's `clock` (a [`Day`], or
    /// a [`Minute`](medzk_circuits::clock::Minute) where the policy has hour windows).
    pub fn verify(
        &self,
        transcript: &mut Transcript,
        session: &Session<'_>,
        clock: impl Into<Clock>,
        bytes: &[u8],
    ) -> Result<Verified, VerifyError> {
        let presentation = Presentation::from_bytes(bytes)?;
        self.verify_presentation(transcript, session, clock, &presentation)
    }

    /// Verifies a decoded presentation.
    pub fn verify_presentation(
        &self,
        transcript: &mut Transcript,
        session: &Session<'_>,
        clock: impl Into<Clock>,
        presentation: &Presentation,
    ) -> Result<Verified, VerifyError> {
        let inputs = self.public_inputs(transcript, session, clock, presentation)?;
        // A one-shot verifier builds nothing it would use once (tables, e(α, β)).
        let first_use = !self.used.swap(true, Ordering::Relaxed);
        let prepared = self.prepared_inputs(&inputs, first_use).ok_or(VerifyError::UntrustedRoot)?;
        if !self.proof_holds(&presentation.proof, prepared, first_use) {
            return Err(VerifyError::Rejected);
        }
        Ok(Verified {
            statement: presentation.statement,
            root: presentation.root,
            today: presentation.today,
            nullifier: presentation.nullifier,
        })
    }
}

/// `Σ xᵢ·gᵢ` for a few public-input bases, on the calling thread: blst's Pippenger
/// natively, arkworks' GLV multiplication in WebAssembly (about twice as fast as its
/// affine double-and-add, `g * x`).
fn small_msm(bases: &[ark_bls12_381::G1Affine], scalars: &[Fr]) -> G1Projective {
    #[cfg(not(target_arch = "wasm32"))]
    {
        use ark_ff::PrimeField;
        let scalars: Vec<_> = scalars.iter().map(|x| x.into_bigint()).collect();
        medzk_blst::msm::msm_g1_small(bases, &scalars)
    }
    #[cfg(target_arch = "wasm32")]
    {
        bases.iter().zip(scalars).map(|(g, x)| g.into_group() * x).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use rand::{SeedableRng, rngs::StdRng};

    /// The precomputed preparation equals arkworks' `prepare_inputs`.
    #[test]
    fn prepared_inputs_match_arkworks() {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
        let key = VerifyingKey::from_bytes(&std::fs::read(dir.join("vaccination.vk")).unwrap()).unwrap();
        let policy = medzk_circuits::vaccination::VaccinationPolicy::from_json(
            &std::fs::read_to_string(dir.join("policy.json")).unwrap(),
        )
        .unwrap();
        let mut rng = StdRng::seed_from_u64(8);
        let root = Fr::rand(&mut rng);
        let v = Verifier::new(key.clone(), &policy, [root]).unwrap();
        for today in [Day(0), Day(20_416), Day(-3)] {
            let inputs = PublicInputs {
                root,
                policy_hash: policy.policy_hash(),
                today,
                context: Fr::rand(&mut rng),
                nullifier: Fr::rand(&mut rng),
            };
            let expected =
                Groth16::<Bls12_381>::prepare_inputs(key.prepared(), &inputs.to_field_elements()).unwrap();
            // Without tables (a first use), then with them.
            for first_use in [true, false] {
                assert_eq!(v.prepared_inputs(&inputs, first_use), Some(expected));
            }
        }
        let other = PublicInputs {
            root: root + Fr::from(1u64),
            ..PublicInputs {
                root,
                policy_hash: Fr::from(0u64),
                today: Day(0),
                context: Fr::from(0u64),
                nullifier: Fr::from(0u64),
            }
        };
        assert_eq!(v.prepared_inputs(&other, false), None);
    }
}

//! Proving with cached constraint matrices.
//!
//! The proving key carries the statement's finalized matrices ([`CircuitShape`]). Each
//! proof only computes the witness (no matrices, no inlining of linear combinations),
//! checks every constraint against the cached matrices — a proof is never made from an
//! unsatisfied witness, whatever the build mode — and runs the Groth16 prover
//! ([`crate::groth16`]: rayon-parallel MSMs and FFTs, optional window tables).

use std::sync::Arc;

use ark_bls12_381::Bls12_381;
use ark_ff::UniformRand;
use ark_groth16::Groth16;
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, OptimizationGoal, SynthesisMode};
use medzk_circuits::any_policy::AnyPolicy;
use medzk_circuits::context::{Session, TranscriptProtocol};
use medzk_circuits::date::Day;
use medzk_circuits::field::Fr;
use medzk_circuits::holder::{HolderSecret, Scope};
use medzk_circuits::policy::Policy;
use medzk_circuits::policy::circuit::PolicyCircuit;
use medzk_circuits::policy::eval::{EvalContext, PolicyWitness};
use medzk_circuits::record::Record;
use medzk_circuits::statement::StatementPolicy;
use medzk_circuits::statement::{PublicInputs, StatementKind};
use medzk_circuits::tree::MerklePath;
use medzk_circuits::vaccination::circuit::VaccinationCircuit;
use medzk_circuits::vaccination::{Unmet, VaccinationPolicy, VaccinationWitness};
use medzk_circuits::valueset::ValueSet;
use medzk_verifier::presentation::{Presentation, Proof};
use merlin::Transcript;
use rand::{CryptoRng, RngCore};

use crate::ProveError;
use crate::backend::{MsmBackend, Msms, ProverTables};
use crate::circuit::AnyCircuit;
use crate::groth16::create_proof;
use crate::key::ProvingKey;
use crate::shape::CircuitShape;

/// The inputs of a vaccination proof.
#[derive(Clone, Copy, Debug)]
pub struct VaccinationRequest<'a> {
    /// The verifier's policy.
    pub policy: &'a VaccinationPolicy,
    /// The holder's record, secret and inclusion path.
    pub witness: &'a VaccinationWitness,
    /// The registry root the path leads to (one the verifier trusts).
    pub root: Fr,
    /// The verifier's id and nonce.
    pub session: Session<'a>,
    /// The presentation day.
    pub today: Day,
}

/// The inputs of a general policy proof.
#[derive(Clone, Copy, Debug)]
pub struct PolicyRequest<'a> {
    /// The verifier's policy.
    pub policy: &'a Policy,
    /// The holder's records (all under `root`) with their inclusion paths.
    pub records: &'a [(Record, MerklePath)],
    /// The holder's secret.
    pub secret: &'a HolderSecret,
    /// Value sets the policy names (the prover needs their contents).
    pub value_sets: &'a [ValueSet],
    /// The registry root the paths lead to.
    pub root: Fr,
    /// The verifier's id and nonce.
    pub session: Session<'a>,
    /// The presentation day.
    pub today: Day,
}

/// The inputs of a proof for a policy of either statement.
#[derive(Clone, Copy, Debug)]
pub struct AnyRequest<'a> {
    /// The verifier's policy.
    pub policy: &'a AnyPolicy,
    /// The holder's records (all under `root`) with their inclusion paths.
    pub records: &'a [(Record, MerklePath)],
    /// The holder's secret.
    pub secret: &'a HolderSecret,
    /// Value sets the policy names.
    pub value_sets: &'a [ValueSet],
    /// The registry root the paths lead to.
    pub root: Fr,
    /// The verifier's id and nonce.
    pub session: Session<'a>,
    /// The presentation day.
    pub today: Day,
}

/// Refuses a pseudonym in a scope bound to another verifier than the session's.
fn check_scope(scope: &Scope, session: &Session<'_>) -> Result<(), ProveError> {
    if scope.permits(session.verifier_id) {
        Ok(())
    } else {
        Err(ProveError::ScopeNotForVerifier {
            scope: scope.name().to_string(),
            verifier: session.verifier_id.to_string(),
        })
    }
}

/// A prover for one statement: its key (with the cached circuit shape), the MSM backend
/// ([`crate::backend`]) and, optionally, precomputed window tables of the key's bases.
#[derive(Clone)]
pub struct Prover {
    key: ProvingKey,
    tables: Option<Arc<ProverTables>>,
    backend: MsmBackend,
    /// The key's bases in blst's form, converted on the first proof that needs them.
    #[cfg(not(target_arch = "wasm32"))]
    blst: Arc<std::sync::OnceLock<crate::backend::BlstBases>>,
}

impl Prover {
    /// A prover for `key`'s statement. Whatever way the key was made, its `β` and `δ` are
    /// checked against its verifying key (a 2-pairing product, about 1 ms; already done for
    /// a key from [`ProvingKey::from_bytes`]), so that no key can switch off the blinding
    /// of proofs ([`crate::key_check::check_pairings`]).
    pub fn new(key: ProvingKey) -> Result<Prover, ProveError> {
        if !key.is_checked() {
            crate::key_check::check_pairings(key.inner()).map_err(ProveError::InconsistentKey)?;
        }
        Ok(Prover {
            key,
            tables: None,
            backend: MsmBackend::default(),
            #[cfg(not(target_arch = "wasm32"))]
            blst: Arc::default(),
        })
    }

    /// The same prover with its MSMs on `backend` (when it has no window tables). Every
    /// backend makes the same proof for the same randomness.
    pub fn with_msm_backend(mut self, backend: MsmBackend) -> Prover {
        self.backend = backend;
        self
    }

    /// The code that computes this prover's MSMs.
    pub fn msms(&self) -> Msms<'_> {
        if let Some(t) = self.tables() {
            return Msms::Tables(t);
        }
        match self.backend {
            #[cfg(not(target_arch = "wasm32"))]
            MsmBackend::Blst => {
                Msms::Blst(self.blst.get_or_init(|| crate::backend::BlstBases::new(self.key.inner())))
            }
            MsmBackend::Arkworks => Msms::Arkworks,
        }
    }

    /// Precomputes window tables of the key's bases (2 s and 65 MB for the vaccination
    /// key: 20 points per base) so that each later proof's MSMs run faster: worth it for a
    /// prover that makes many proofs.
    pub fn with_tables(mut self) -> Prover {
        self.tables = Some(Arc::new(ProverTables::new(self.key.inner())));
        self
    }

    /// The precomputed tables, if any.
    pub fn tables(&self) -> Option<&ProverTables> {
        self.tables.as_deref()
    }

    /// The proving key.
    pub fn key(&self) -> &ProvingKey {
        &self.key
    }

    /// The circuit shape.
    pub fn shape(&self) -> &CircuitShape {
        self.key.shape()
    }

    /// Checks the request natively (a failure names the condition in words), then proves.
    pub fn prove_vaccination<R: RngCore + CryptoRng>(
        &self,
        request: VaccinationRequest<'_>,
        transcript: &mut Transcript,
        rng: &mut R,
    ) -> Result<Presentation, ProveError> {
        let statement = self.key.statement();
        if statement.kind != StatementKind::Vaccination {
            return Err(ProveError::WrongStatement(statement));
        }
        request.session.validate()?;
        check_scope(request.policy.scope(), &request.session)?;
        request
            .witness
            .check(request.policy, statement.depth, &request.root, request.today)
            .map_err(ProveError::Unmet)?;
        let public = PublicInputs {
            root: request.root,
            policy_hash: request.policy.hash(),
            today: request.today,
            context: transcript.medzk_context(
                &request.session,
                statement,
                &request.policy.hash(),
                request.today,
            ),
            nullifier: request.witness.nullifier(request.policy),
        };
        let circuit = AnyCircuit::Vaccination(Box::new(VaccinationCircuit::new(
            statement.depth,
            request.policy.clone(),
            public,
            request.witness.clone(),
        )));
        let proof = self.prove_circuit(circuit, rng)?;
        Ok(Presentation {
            statement,
            key_hash: self.key.verifying_key().hash(),
            proof,
            root: public.root,
            today: public.today,
            nullifier: public.nullifier,
        })
    }

    /// Proves `request.policy` from the holder's records: for a vaccination policy, the
    /// first record that meets it; for a general policy, the first group that holds.
    pub fn prove<R: RngCore + CryptoRng>(
        &self,
        request: AnyRequest<'_>,
        transcript: &mut Transcript,
        rng: &mut R,
    ) -> Result<Presentation, ProveError> {
        let statement = self.key.statement();
        if request.policy.statement(statement.depth) != statement {
            return Err(ProveError::WrongStatement(statement));
        }
        match request.policy {
            AnyPolicy::Vaccination(policy) => {
                let mut first = None;
                for (record, path) in request.records {
                    let witness = VaccinationWitness {
                        record: record.clone(),
                        secret: request.secret.clone(),
                        path: path.clone(),
                    };
                    match witness.check(policy, statement.depth, &request.root, request.today) {
                        Ok(()) => {
                            let req = VaccinationRequest {
                                policy,
                                witness: &witness,
                                root: request.root,
                                session: request.session,
                                today: request.today,
                            };
                            return self.prove_vaccination(req, transcript, rng);
                        }
                        Err(e) => {
                            first.get_or_insert(e);
                        }
                    }
                }
                Err(ProveError::Unmet(first.unwrap_or(Unmet::NotImmunization)))
            }
            AnyPolicy::General(policy) => self.prove_policy(
                PolicyRequest {
                    policy,
                    records: request.records,
                    secret: request.secret,
                    value_sets: request.value_sets,
                    root: request.root,
                    session: request.session,
                    today: request.today,
                },
                transcript,
                rng,
            ),
        }
    }

    /// Finds a group of the policy that the holder's records meet (a failure gives each
    /// group's reasons in words), checks the witness natively, then proves.
    pub fn prove_policy<R: RngCore + CryptoRng>(
        &self,
        request: PolicyRequest<'_>,
        transcript: &mut Transcript,
        rng: &mut R,
    ) -> Result<Presentation, ProveError> {
        let statement = self.key.statement();
        let policy = request.policy;
        if !policy.fits(statement) {
            return Err(ProveError::WrongStatement(statement));
        }
        request.session.validate()?;
        check_scope(policy.scope(), &request.session)?;
        if policy.is_template() {
            return Err(ProveError::Clock(format!(
                "the policy's hour windows need the verifier's time of day: prove at a clock such as {}T12:00Z (Policy::at)",
                request.today
            )));
        }
        if let Some(minute) = policy.minute().filter(|m| m.day() != request.today) {
            return Err(ProveError::Clock(format!(
                "the policy is set to {minute}, the presentation's day is {}",
                request.today
            )));
        }
        let ctx = EvalContext { today: request.today, value_sets: request.value_sets };
        let witness = PolicyWitness::build(policy, request.secret.clone(), request.records, &ctx)
            .map_err(ProveError::PolicyUnmet)?;
        witness.check(policy, statement.depth, &request.root, &ctx).map_err(ProveError::PolicyUnmet)?;
        let hash = policy.hash();
        let public = PublicInputs {
            root: request.root,
            policy_hash: hash,
            today: request.today,
            context: transcript.medzk_context(&request.session, statement, &hash, request.today),
            nullifier: witness.nullifier(policy),
        };
        let circuit = AnyCircuit::Policy(Box::new(PolicyCircuit::new(
            statement.depth,
            policy.clone(),
            public,
            witness,
        )));
        let proof = self.prove_circuit(circuit, rng)?;
        Ok(Presentation {
            statement,
            key_hash: self.key.verifying_key().hash(),
            proof,
            root: public.root,
            today: public.today,
            nullifier: public.nullifier,
        })
    }

    /// Computes the witness, checks every constraint, runs Groth16, and verifies the
    /// proof under the key's verifying key before releasing it (a proof that fails is
    /// never returned: [`ProveError::KeyRejected`]).
    pub fn prove_circuit<R: RngCore + CryptoRng>(
        &self,
        circuit: AnyCircuit,
        rng: &mut R,
    ) -> Result<Proof, ProveError> {
        let z = self.assignment(circuit)?;
        if let Some(row) = self.shape().first_unsatisfied(&z) {
            return Err(ProveError::Unsatisfied { region: self.shape().region_of(row) });
        }
        let proof = self.groth16(&z, rng)?;
        self.check_release(&proof, &z)?;
        Ok(proof)
    }

    /// Checks `proof` before release: its points on the curve and in the prime-order
    /// subgroups (the key's points are read unvalidated, so a tampered key could carry
    /// small-order components into the proof), and the proof valid for the instance part
    /// of `z` under the key's verifying key.
    pub fn check_release(&self, proof: &Proof, z: &[Fr]) -> Result<(), ProveError> {
        let g1_ok =
            |p: &ark_bls12_381::G1Affine| p.is_on_curve() && p.is_in_correct_subgroup_assuming_on_curve();
        let b_ok = proof.b.is_on_curve() && proof.b.is_in_correct_subgroup_assuming_on_curve();
        if !(g1_ok(&proof.a) && b_ok && g1_ok(&proof.c)) {
            return Err(ProveError::KeyRejected);
        }
        let inputs = z.get(1..self.shape().num_instance()).ok_or(ProveError::KeyRejected)?;
        match Groth16::<Bls12_381>::verify_proof(self.key.verifying_key().prepared(), proof, inputs) {
            Ok(true) => Ok(()),
            _ => Err(ProveError::KeyRejected),
        }
    }

    /// The full assignment `(1, instance…, witness…)` of `circuit`.
    pub fn assignment(&self, circuit: AnyCircuit) -> Result<Vec<Fr>, ProveError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove { construct_matrices: false, generate_lc_assignments: false });
        circuit.generate_constraints(cs.clone()).map_err(ProveError::synthesis)?;
        let instance = cs.instance_assignment().map_err(ProveError::synthesis)?;
        let witness = cs.witness_assignment().map_err(ProveError::synthesis)?;
        if instance.len() != self.shape().num_instance() || witness.len() != self.shape().num_witness() {
            return Err(ProveError::Synthesis("assignment size differs from the key's".into()));
        }
        Ok([instance, witness].concat())
    }

    /// Groth16 over a full assignment, without checking it (see [`Prover::prove_circuit`]).
    pub fn groth16<R: RngCore + CryptoRng>(&self, z: &[Fr], rng: &mut R) -> Result<Proof, ProveError> {
        let (r, s) = (Fr::rand(rng), Fr::rand(rng));
        create_proof(self.key.inner(), self.shape(), self.msms(), z, r, s)
    }
}

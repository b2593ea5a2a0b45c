//! The vaccination circuit; the relation and its cost are in the [module docs](super).

use ark_ff::{AdditiveGroup, Field};
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, eq::EqGadget, fields::fp::FpVar};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::{DOSE_BITS, MAX_VACCINES, VaccinationPolicy, VaccinationWitness, WINDOW_BITS};
use crate::date::{DATE_BIAS, DATE_BITS, Day};
use crate::field::Fr;
use crate::fixtures::border_policy;
use crate::gadgets::{enforce_ge, enforce_member, new_bounded_witness};
use crate::holder::HolderSecret;
use crate::poseidon::Poseidon;
use crate::r1cs::{Region, Regions};
use crate::record::{Record, RecordKind, SLOTS, Slot};
use crate::statement::{PublicInputs, PublicInputsVar, StatementId};
use crate::tags;
use crate::tree::{ARITY, Depth, MerklePath, constraints::MerklePathVar};

/// Constraints of the vaccination circuit at depth 32.
pub const CONSTRAINTS_DEPTH_32: usize = 6_768;

/// The vaccination statement for one proof.
#[derive(Clone, Debug)]
pub struct VaccinationCircuit {
    depth: Depth,
    policy: VaccinationPolicy,
    public: PublicInputs,
    witness: VaccinationWitness,
}

impl VaccinationCircuit {
    /// A circuit for proving.
    pub fn new(
        depth: Depth,
        policy: VaccinationPolicy,
        public: PublicInputs,
        witness: VaccinationWitness,
    ) -> VaccinationCircuit {
        VaccinationCircuit { depth, policy, public, witness }
    }

    /// A circuit of the right shape with placeholder values, for key generation.
    pub fn blank(depth: Depth) -> VaccinationCircuit {
        let zero = Fr::ZERO;
        VaccinationCircuit {
            depth,
            policy: border_policy(),
            public: PublicInputs {
                root: zero,
                policy_hash: zero,
                today: Day(0),
                context: zero,
                nullifier: zero,
            },
            witness: VaccinationWitness {
                record: Record::from_slots([zero; SLOTS]),
                secret: HolderSecret::from_bytes(&[0; 32]).expect("zero is canonical"),
                path: MerklePath { index: 0, siblings: vec![[zero; ARITY - 1]; depth.levels()] },
            },
        }
    }

    /// The statement this circuit proves.
    pub fn statement(&self) -> StatementId {
        StatementId::vaccination(self.depth)
    }

    /// The public inputs.
    pub fn public_inputs(&self) -> &PublicInputs {
        &self.public
    }

    /// Generates the constraints and returns the named regions.
    pub fn synthesize(&self, cs: ConstraintSystemRef<Fr>) -> Result<Vec<Region>, SynthesisError> {
        if self.witness.path.siblings.len() != self.depth.levels() {
            return Err(SynthesisError::Unsatisfiable);
        }
        let mut regions = Regions::new(cs.clone());
        let public = PublicInputsVar::new_input(cs.clone(), &self.public)?;
        let w = &self.witness;
        let slot = |s: Slot| w.record.slot(s);
        let witness = |x: Fr| FpVar::new_witness(cs.clone(), || Ok(x));

        let [secret, code, date, dose, series, ext, issuer, salt] =
            regions.region("record witness", || {
                Ok([
                    witness(w.secret.expose())?,
                    witness(slot(Slot::Code))?,
                    new_bounded_witness(cs.clone(), || Ok(slot(Slot::Date)), DATE_BITS, DATE_BIAS)?,
                    new_bounded_witness(cs.clone(), || Ok(slot(Slot::Value)), DOSE_BITS, 0)?,
                    new_bounded_witness(cs.clone(), || Ok(slot(Slot::Aux)), DOSE_BITS, 0)?,
                    witness(slot(Slot::Ext))?,
                    witness(slot(Slot::Issuer))?,
                    witness(slot(Slot::Salt))?,
                ])
            })?;

        let policy = &self.policy;
        let (scope, min_days, max_days, min_dose, complete, vaccines) =
            regions.region("policy witness", || {
                let bounded = |x: u64, bits| new_bounded_witness(cs.clone(), || Ok(Fr::from(x)), bits, 0);
                let scope = witness(policy.scope().to_field())?;
                let min_days = bounded(policy.window().min as u64, WINDOW_BITS)?;
                let max_days = bounded(policy.window().max as u64, WINDOW_BITS)?;
                let min_dose = bounded(policy.min_dose() as u64, DOSE_BITS)?;
                let complete = Boolean::new_witness(cs.clone(), || Ok(policy.complete_series()))?;
                let vaccines: Vec<FpVar<Fr>> =
                    policy.vaccine_fields().iter().map(|v| witness(*v)).collect::<Result<_, _>>()?;
                Ok((scope, min_days, max_days, min_dose, complete, vaccines))
            })?;

        let path =
            regions.region("path witness", || MerklePathVar::new_witness(cs.clone(), || Ok(&w.path)))?;

        let holder = regions
            .region("holder id", || Poseidon::t3().hash_var(tags::HOLDER, std::slice::from_ref(&secret)))?;

        let commitment = regions.region("record commitment", || {
            let kind = FpVar::Constant(RecordKind::Immunization.to_field());
            let slots =
                [kind, holder, code.clone(), date.clone(), dose.clone(), series.clone(), ext, issuer, salt];
            Poseidon::t10().hash_var(tags::COMMITMENT, &slots)
        })?;

        regions.region("registry membership", || path.root(&commitment)?.enforce_equal(&public.root))?;

        regions.region("nullifier", || {
            Poseidon::t3()
                .hash_var(tags::NULLIFIER, &[secret, scope.clone()])?
                .enforce_equal(&public.nullifier)
        })?;

        regions.region("policy hash", || {
            let two = Fr::from(2u64);
            let packed = &min_days
                + &max_days * two.pow([16])
                + &min_dose * two.pow([32])
                + FpVar::from(complete.clone()) * two.pow([40]);
            let mut encoding = vec![scope, packed];
            encoding.extend(vaccines.iter().cloned());
            debug_assert_eq!(encoding.len(), 2 + MAX_VACCINES);
            Poseidon::t10().hash_var(tags::POLICY_VACCINATION, &encoding)?.enforce_equal(&public.policy_hash)
        })?;

        regions.region("approved vaccine", || enforce_member(&code, &vaccines))?;

        regions.region("dose rule", || {
            enforce_ge(&dose, &min_dose, DOSE_BITS)?;
            let required = FpVar::from(complete) * &series;
            enforce_ge(&dose, &required, DOSE_BITS)
        })?;

        regions.region("date window", || {
            let elapsed = &public.today - &date;
            enforce_ge(&elapsed, &min_days, WINDOW_BITS)?;
            enforce_ge(&max_days, &elapsed, WINDOW_BITS)
        })?;

        Ok(regions.into_list())
    }
}

impl ConstraintSynthesizer<Fr> for VaccinationCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(cs).map(|_| ())
    }
}

#[cfg(test)]
mod tests;

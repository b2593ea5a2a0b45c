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
        let record = regions.region("record witness", || record_vars(&cs, w.secret.expose(), &w.record))?;
        let policy = regions.region("policy witness", || policy_vars(&cs, &self.policy))?;
        let path =
            regions.region("path witness", || MerklePathVar::new_witness(cs.clone(), || Ok(&w.path)))?;

        let holder = regions.region("holder id", || {
            Poseidon::t3().hash_var(tags::HOLDER, std::slice::from_ref(&record.secret))
        })?;

        let commitment = regions.region("record commitment", || {
            let kind = FpVar::Constant(RecordKind::Immunization.to_field());
            let r = &record;
            let slots = [kind, holder, r.code.clone(), r.date.clone(), r.dose.clone(), r.series.clone()];
            let slots = [&slots[..], &[r.ext.clone(), r.issuer.clone(), r.salt.clone()]].concat();
            Poseidon::t10().hash_var(tags::COMMITMENT, &slots)
        })?;

        regions.region("registry membership", || path.root(&commitment)?.enforce_equal(&public.root))?;

        regions.region("nullifier", || {
            Poseidon::t3()
                .hash_var(tags::NULLIFIER, &[record.secret.clone(), policy.scope.clone()])?
                .enforce_equal(&public.nullifier)
        })?;

        regions.region("policy hash", || {
            let two = Fr::from(2u64);
            let p = &policy;
            let packed = &p.min_days
                + &p.max_days * two.pow([16])
                + &p.min_dose * two.pow([32])
                + FpVar::from(p.complete.clone()) * two.pow([40]);
            let mut encoding = vec![p.scope.clone(), packed];
            encoding.extend(p.vaccines.iter().cloned());
            debug_assert_eq!(encoding.len(), 2 + MAX_VACCINES);
            Poseidon::t10().hash_var(tags::POLICY_VACCINATION, &encoding)?.enforce_equal(&public.policy_hash)
        })?;

        enforce_conditions(&mut regions, &record, &policy, &public.today)?;

        Ok(regions.into_list())
    }
}

/// The record's allocated slots (date, dose and series range-checked by allocation).
pub(crate) struct RecordVars {
    pub secret: FpVar<Fr>,
    pub code: FpVar<Fr>,
    pub date: FpVar<Fr>,
    pub dose: FpVar<Fr>,
    pub series: FpVar<Fr>,
    pub ext: FpVar<Fr>,
    pub issuer: FpVar<Fr>,
    pub salt: FpVar<Fr>,
}

/// Allocates the holder secret and the record's slots.
pub(crate) fn record_vars(
    cs: &ConstraintSystemRef<Fr>,
    secret: Fr,
    record: &Record,
) -> Result<RecordVars, SynthesisError> {
    let witness = |x: Fr| FpVar::new_witness(cs.clone(), || Ok(x));
    let slot = |s: Slot| record.slot(s);
    Ok(RecordVars {
        secret: witness(secret)?,
        code: witness(slot(Slot::Code))?,
        date: new_bounded_witness(cs.clone(), || Ok(slot(Slot::Date)), DATE_BITS, DATE_BIAS)?,
        dose: new_bounded_witness(cs.clone(), || Ok(slot(Slot::Value)), DOSE_BITS, 0)?,
        series: new_bounded_witness(cs.clone(), || Ok(slot(Slot::Aux)), DOSE_BITS, 0)?,
        ext: witness(slot(Slot::Ext))?,
        issuer: witness(slot(Slot::Issuer))?,
        salt: witness(slot(Slot::Salt))?,
    })
}

/// The policy's allocated parameters (bounds range-checked by allocation).
pub(crate) struct PolicyVars {
    pub scope: FpVar<Fr>,
    pub min_days: FpVar<Fr>,
    pub max_days: FpVar<Fr>,
    pub min_dose: FpVar<Fr>,
    pub complete: Boolean<Fr>,
    pub vaccines: Vec<FpVar<Fr>>,
}

/// Allocates the policy's parameters.
pub(crate) fn policy_vars(
    cs: &ConstraintSystemRef<Fr>,
    policy: &VaccinationPolicy,
) -> Result<PolicyVars, SynthesisError> {
    let bounded = |x: u64, bits| new_bounded_witness(cs.clone(), || Ok(Fr::from(x)), bits, 0);
    Ok(PolicyVars {
        scope: FpVar::new_witness(cs.clone(), || Ok(policy.scope().to_field()))?,
        min_days: bounded(policy.window().min as u64, WINDOW_BITS)?,
        max_days: bounded(policy.window().max as u64, WINDOW_BITS)?,
        min_dose: bounded(policy.min_dose() as u64, DOSE_BITS)?,
        complete: Boolean::new_witness(cs.clone(), || Ok(policy.complete_series()))?,
        vaccines: policy
            .vaccine_fields()
            .iter()
            .map(|v| FpVar::new_witness(cs.clone(), || Ok(*v)))
            .collect::<Result<_, _>>()?,
    })
}

/// The policy's conditions on the record: approved vaccine, dose rule, date window.
pub(crate) fn enforce_conditions(
    regions: &mut Regions,
    record: &RecordVars,
    policy: &PolicyVars,
    today: &FpVar<Fr>,
) -> Result<(), SynthesisError> {
    regions.region("approved vaccine", || enforce_member(&record.code, &policy.vaccines))?;
    regions.region("dose rule", || {
        enforce_ge(&record.dose, &policy.min_dose, DOSE_BITS)?;
        let required = FpVar::from(policy.complete.clone()) * &record.series;
        enforce_ge(&record.dose, &required, DOSE_BITS)
    })?;
    regions.region("date window", || {
        let elapsed = today - &record.date;
        enforce_ge(&elapsed, &policy.min_days, WINDOW_BITS)?;
        enforce_ge(&policy.max_days, &elapsed, WINDOW_BITS)
    })
}

impl ConstraintSynthesizer<Fr> for VaccinationCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(cs).map(|_| ())
    }
}

#[cfg(test)]
mod tests;

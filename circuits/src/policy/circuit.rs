//! The general policy circuit for one shape (K records, M clauses, G groups).
//!
//! **Relation.** Public: root `R`, policy hash `H`, day `T`, context, nullifier `N`.
//! Witness: holder secret `s`; the canonical policy encoding; a selected group; K
//! records with inclusion paths; one value-set leaf with its path. Enforced:
//!
//! * `H = Poseidon10(POLICY; encoding)`, with every header bit boolean;
//! * the selected group is one-hot and enabled; record slot `k` is *used* iff the
//!   selected group reads it (from the hashed header);
//! * for each record slot `k`: `Cₖ = Poseidon10(COMMITMENT; kindₖ, holder, slots…)` with
//!   `holder = Poseidon3(HOLDER; s)` and `kindₖ` from the policy; if used, its path leads
//!   from `Cₖ` to `R`; used records have pairwise different commitments;
//! * a codes record `k` of record `l` (a header bit) has `saltₖ = saltₗ + 1`;
//! * `N = Poseidon3(NULLIFIER; s, scope)`;
//! * `cal(T)`: the calendar number of `T` (for ages);
//! * every clause of the selected group holds (inactive clauses are multiplied by 0):
//!   interval checks `lo ≤ t ≤ hi` proven by 64-bit range checks of `t − lo` and `hi − t`,
//!   where `t` is the slot (biased), `today − x`, `cal(today) − x`, `value − aux` of the
//!   record, or `x − y + 2^31` with `y` the same slot of the clause's other record (an
//!   age's upper bound is checked on `t + value`: a partial birth date's width);
//!   inline sets by a masked product over the shared table; value sets by one
//!   membership or non-membership path (248-bit comparisons).

use ark_ff::{AdditiveGroup, Field};
use ark_r1cs_std::{
    GR1CSVar,
    alloc::AllocVar,
    boolean::Boolean,
    eq::EqGadget,
    fields::{FieldVar, fp::FpVar},
};
use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};

use super::eval::PolicyWitness;
use super::{
    CheckType, ClauseLayout, ClauseSlot, Policy, PolicyDoc, RANGE_BITS, SIGNED_BIAS, TABLE_SIZE,
    policy_header_len,
};
use crate::calendar::{CivilWitness, calendar_number_var};
use crate::date::Day;
use crate::field::Fr;
use crate::gadgets::enforce_range;
use crate::holder::HolderSecret;
use crate::poseidon::Poseidon;
use crate::r1cs::{Region, Regions};
use crate::record::{Record, SLOTS, Slot};
use crate::statement::{PolicyShape, PublicInputs, PublicInputsVar, StatementId};
use crate::tags;
use crate::text::TEXT_BITS;
use crate::tree::{ARITY, Depth, MerklePath, constraints::MerklePathVar};
use crate::valueset::{VALUE_SET_DEPTH, ValueSetProof, upper_sentinel};

/// The general policy statement for one proof.
#[derive(Clone, Debug)]
pub struct PolicyCircuit {
    depth: Depth,
    policy: Policy,
    public: PublicInputs,
    witness: PolicyWitness,
}

fn empty_path(depth: Depth) -> MerklePath {
    MerklePath { index: 0, siblings: vec![[Fr::ZERO; ARITY - 1]; depth.levels()] }
}

/// A valid placeholder policy of `shape` (one record, one group, one clause).
pub fn placeholder_policy(shape: PolicyShape) -> Policy {
    let doc: PolicyDoc = serde_json::from_value(serde_json::json!({
        "statement": "policy",
        "version": 1,
        "scope": "placeholder",
        "shape": shape,
        "records": [{"name": "r", "kind": "demographics"}],
        "groups": [{"name": "g", "clauses": [{"record": "r", "op": "age_between", "min": 0, "max": 200}]}]
    }))
    .expect("placeholder document");
    Policy::try_from(doc).expect("placeholder policy is valid")
}

impl PolicyCircuit {
    /// A circuit for proving.
    pub fn new(depth: Depth, policy: Policy, public: PublicInputs, witness: PolicyWitness) -> PolicyCircuit {
        PolicyCircuit { depth, policy, public, witness }
    }

    /// A circuit of `statement`'s shape with placeholder values, for key generation.
    pub fn blank(statement: StatementId) -> PolicyCircuit {
        let policy = placeholder_policy(statement.shape);
        let zero = Fr::ZERO;
        PolicyCircuit {
            depth: statement.depth,
            public: PublicInputs {
                root: zero,
                policy_hash: zero,
                today: Day(0),
                context: zero,
                nullifier: zero,
            },
            witness: PolicyWitness {
                secret: HolderSecret::from_bytes(&[0; 32]).expect("zero is canonical"),
                group: 0,
                records: vec![None; statement.shape.records as usize],
                value_set: None,
            },
            policy,
        }
    }

    /// The statement this circuit proves.
    pub fn statement(&self) -> StatementId {
        self.policy.statement(self.depth)
    }

    /// The public inputs.
    pub fn public_inputs(&self) -> &PublicInputs {
        &self.public
    }

    /// Generates the constraints and returns the named regions.
    pub fn synthesize(&self, cs: ConstraintSystemRef<Fr>) -> Result<Vec<Region>, SynthesisError> {
        let shape = self.policy.shape();
        let (k_n, m_n, g_n) = (shape.records as usize, shape.clauses as usize, shape.groups as usize);
        if self.witness.records.len() != k_n {
            return Err(SynthesisError::Unsatisfiable);
        }
        let mut regions = Regions::new(cs.clone());
        let public = PublicInputsVar::new_input(cs.clone(), &self.public)?;
        let witness = |x: Fr| FpVar::new_witness(cs.clone(), || Ok(x));
        let bits = |values: Vec<bool>| -> Result<Vec<FpVar<Fr>>, SynthesisError> {
            values.into_iter().map(|b| Boolean::new_witness(cs.clone(), || Ok(b)).map(FpVar::from)).collect()
        };
        let pack = |bits: &[FpVar<Fr>]| -> FpVar<Fr> {
            let mut weight = Fr::ONE;
            let mut sum = FpVar::Constant(Fr::ZERO);
            for b in bits {
                sum += b * weight;
                weight.double_in_place();
            }
            sum
        };
        let policy = &self.policy;
        let slots = policy.clause_slots();

        // The policy encoding, bit-decomposed where the circuit reads bits.
        let (scope, header, table, clauses) = regions.region("policy witness", || {
            let scope = witness(policy.scope().to_field())?;
            let header = bits(super::unpack(policy.header(), policy_header_len(shape)))?;
            let mut table = Vec::with_capacity(TABLE_SIZE);
            for i in 0..TABLE_SIZE {
                table.push(witness(policy.table().get(i).copied().unwrap_or(Fr::ZERO))?);
            }
            let mut clauses = Vec::with_capacity(m_n);
            for slot in &slots {
                let (lo, hi) = slot.map_or((Fr::ZERO, Fr::ZERO), |(_, c)| c.check.bounds());
                clauses.push((bits(policy.clause_header_bits(*slot))?, witness(lo)?, witness(hi)?));
            }
            Ok((scope, header, table, clauses))
        })?;
        regions.region("policy hash", || {
            let mut encoding = vec![scope.clone(), pack(&header)];
            encoding.extend(table.iter().cloned());
            for (b, lo, hi) in &clauses {
                encoding.extend([pack(b), lo.clone(), hi.clone()]);
            }
            Poseidon::t10().hash_var(tags::POLICY, &encoding)?.enforce_equal(&public.policy_hash)
        })?;
        let kind = |k: usize| {
            &header[3 * k] + &header[3 * k + 1] * Fr::from(2u64) + &header[3 * k + 2] * Fr::from(4u64)
        };
        let uses = |g: usize, k: usize| &header[3 * k_n + g * k_n + k];
        let enabled = |g: usize| &header[3 * k_n + g_n * k_n + g];

        // The selected group and the record slots it reads.
        let (select, used) = regions.region("group selection", || {
            let select = bits((0..g_n).map(|g| g == self.witness.group).collect())?;
            select
                .iter()
                .fold(FpVar::Constant(Fr::ZERO), |a, s| a + s)
                .enforce_equal(&FpVar::Constant(Fr::ONE))?;
            for (g, s) in select.iter().enumerate() {
                (s * (FpVar::Constant(Fr::ONE) - enabled(g))).enforce_equal(&FpVar::Constant(Fr::ZERO))?;
            }
            let mut used = Vec::with_capacity(k_n);
            for k in 0..k_n {
                let mut u = FpVar::Constant(Fr::ZERO);
                for (g, s) in select.iter().enumerate() {
                    u += s * uses(g, k);
                }
                used.push(u);
            }
            Ok((select, used))
        })?;

        let secret = regions.region("holder witness", || witness(self.witness.secret.expose()))?;
        let holder = regions
            .region("holder id", || Poseidon::t3().hash_var(tags::HOLDER, std::slice::from_ref(&secret)))?;

        // Records: commitment, and membership when used. A slot the group does not read
        // holds a placeholder, whose salt follows its record's where it is a codes record
        // (the link below holds for every slot, read or not).
        let placeholder = |k: usize| {
            let mut slots = [Fr::ZERO; SLOTS];
            if let Some(l) = policy.codes_of(k) {
                let main = self.witness.records.get(l).and_then(|r| r.as_ref());
                slots[Slot::Salt.index()] = main.map_or(Fr::ZERO, |(r, _)| r.slot(Slot::Salt)) + Fr::ONE;
            }
            Record::from_slots(slots)
        };
        // Each record's witnessed slots: the six clause slots, then the salt.
        const SALT: usize = 6;
        let mut record_slots: Vec<[FpVar<Fr>; 7]> = Vec::with_capacity(k_n);
        let mut commitments = Vec::with_capacity(k_n);
        for (k, used_k) in used.iter().enumerate() {
            let (record, path) = match &self.witness.records[k] {
                Some((r, p)) => (r.clone(), p.clone()),
                None => (placeholder(k), empty_path(self.depth)),
            };
            if path.siblings.len() != self.depth.levels() {
                return Err(SynthesisError::Unsatisfiable);
            }
            let values = regions.region("record witness", || {
                let mut v = Vec::with_capacity(7);
                for s in [Slot::Code, Slot::Date, Slot::Value, Slot::Aux, Slot::Ext, Slot::Issuer, Slot::Salt]
                {
                    v.push(witness(record.slot(s))?);
                }
                Ok(v)
            })?;
            let commitment = regions.region("record commitment", || {
                let mut inputs = vec![kind(k), holder.clone()];
                inputs.extend(values.iter().cloned());
                Poseidon::t10().hash_var(tags::COMMITMENT, &inputs)
            })?;
            let path =
                regions.region("path witness", || MerklePathVar::new_witness(cs.clone(), || Ok(&path)))?;
            regions.region("registry membership", || {
                (path.root(&commitment)? - &public.root).mul_equals(used_k, &FpVar::Constant(Fr::ZERO))
            })?;
            record_slots.push(std::array::from_fn(|i| values[i].clone()));
            commitments.push(commitment);
        }
        regions.region("codes records", || {
            // A codes record's salt is its record's plus one (`salt_k − salt_l − 1 = 0`
            // where the hashed header links k to l).
            for k in 0..k_n {
                for l in (0..k_n).filter(|l| *l != k) {
                    let link = &header[super::link_bit(shape, k, l)];
                    let gap = &record_slots[k][SALT] - &record_slots[l][SALT] - Fr::ONE;
                    gap.mul_equals(link, &FpVar::Constant(Fr::ZERO))?;
                }
            }
            Ok(())
        })?;
        regions.region("distinct records", || {
            for k in 0..k_n {
                for l in k + 1..k_n {
                    let both = &used[k] * &used[l];
                    let diff = &commitments[k] - &commitments[l];
                    let inverse = FpVar::new_witness(cs.clone(), || {
                        let d = diff.value()?;
                        Ok(if both.value()? == Fr::ONE { d.inverse().unwrap_or(Fr::ZERO) } else { Fr::ZERO })
                    })?;
                    diff.mul_equals(&inverse, &both)?;
                    inverse.mul_equals(&(FpVar::Constant(Fr::ONE) - &both), &FpVar::Constant(Fr::ZERO))?;
                }
            }
            Ok(())
        })?;

        regions.region("nullifier", || {
            Poseidon::t3()
                .hash_var(tags::NULLIFIER, &[secret.clone(), scope.clone()])?
                .enforce_equal(&public.nullifier)
        })?;

        let today_cal = regions.region("today's calendar date", || {
            let civil = CivilWitness::of(self.public.today).unwrap_or_default();
            calendar_number_var(cs.clone(), &public.today, civil)
        })?;

        let logic = Logic {
            select: &select,
            records: &record_slots,
            today: &public.today,
            today_cal: &today_cal,
            table: &table,
        };
        let lane = logic.clauses(&cs, &mut regions, &clauses, ClauseLayout::new(shape))?;
        regions.region("value set", || {
            let proof = self.witness.value_set.clone().unwrap_or_else(placeholder_value_set_proof);
            value_set_lane(&cs, &lane, &proof, true)
        })?;
        Ok(regions.into_list())
    }
}

/// A placeholder lane proof (for setup and groups without a value-set clause).
pub fn placeholder_value_set_proof() -> ValueSetProof {
    ValueSetProof { low: Fr::ZERO, next: upper_sentinel(), path: empty_path(VALUE_SET_DEPTH) }
}

/// The value and root routed to the value-set lane, and whether membership or
/// non-membership is asked (at most one active clause sets them).
pub(crate) struct Lane {
    pub x: FpVar<Fr>,
    pub root: FpVar<Fr>,
    pub member: FpVar<Fr>,
    pub outside: FpVar<Fr>,
}

/// What the clauses read.
pub(crate) struct Logic<'a> {
    pub select: &'a [FpVar<Fr>],
    pub records: &'a [[FpVar<Fr>; 7]],
    pub today: &'a FpVar<Fr>,
    pub today_cal: &'a FpVar<Fr>,
    pub table: &'a [FpVar<Fr>],
}

/// One clause slot of the encoding: header bits, `lo`, `hi`.
pub(crate) type ClauseVars = (Vec<FpVar<Fr>>, FpVar<Fr>, FpVar<Fr>);

impl Logic<'_> {
    /// Whether a clause of group one-hot `grp` is active (its group is the selected one):
    /// `Σ select_g · grp_g` (one constraint per group) for up to three groups; beyond, one
    /// equality test of the group numbers `Σ (g + 1) · select_g = Σ (g + 1) · grp_g` (three
    /// constraints; a padding clause's number is 0, never selected).
    fn active(&self, cs: &ConstraintSystemRef<Fr>, grp: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
        let zero = FpVar::Constant(Fr::ZERO);
        if self.select.len() <= 3 {
            let mut active = zero;
            for (s, g) in self.select.iter().zip(grp) {
                active += s * g;
            }
            return Ok(active);
        }
        let number = |bits: &[FpVar<Fr>]| {
            bits.iter().enumerate().fold(zero.clone(), |a, (g, b)| a + b * Fr::from(g as u64 + 1))
        };
        let diff = number(self.select) - number(grp);
        let equal = FpVar::new_witness(cs.clone(), || Ok(Fr::from((diff.value()? == Fr::ZERO) as u64)))?;
        let inverse = FpVar::new_witness(cs.clone(), || Ok(diff.value()?.inverse().unwrap_or(Fr::ZERO)))?;
        // diff · inverse = 1 − equal and diff · equal = 0: equal is 1 iff diff is 0; the
        // inverse is pinned to 0 when they are equal, so no witness is left free.
        diff.mul_equals(&inverse, &(FpVar::Constant(Fr::ONE) - &equal))?;
        diff.mul_equals(&equal, &zero)?;
        inverse.mul_equals(&equal, &zero)?;
        Ok(equal)
    }

    /// Every clause of the selected group holds; returns the value-set lane's inputs.
    pub fn clauses(
        &self,
        cs: &ConstraintSystemRef<Fr>,
        regions: &mut Regions,
        clauses: &[ClauseVars],
        layout: ClauseLayout,
    ) -> Result<Lane, SynthesisError> {
        let one = FpVar::Constant(Fr::ONE);
        let zero = FpVar::Constant(Fr::ZERO);
        let mut lane =
            Lane { x: zero.clone(), root: zero.clone(), member: zero.clone(), outside: zero.clone() };
        let k_n = self.records.len();
        for (b, lo, hi) in clauses {
            let rec = &b[layout.record(0)..layout.record(k_n)];
            let slot = &b[layout.slot(0)..layout.slot(6)];
            let ty = |t: CheckType| &b[layout.check_type(t)];
            let grp = &b[layout.group(0)..layout.group(self.select.len())];
            let mask = &b[layout.mask(0)..layout.mask(TABLE_SIZE)];
            let others = &b[layout.other(0)..layout.other(k_n)];
            regions.region("clause", || {
                let active = self.active(cs, grp)?;
                // x: the selected slot of the selected record, less the same slot of the
                // other record for a relative check (`Σ (record_k − other_k) · slot_k`,
                // one product per record either way); aux and value of the record.
                let mut x = zero.clone();
                let mut aux = zero.clone();
                let mut value = zero.clone();
                for (k, (r, o)) in rec.iter().zip(others).enumerate() {
                    let mut v = zero.clone();
                    for (s, slot_value) in slot.iter().zip(&self.records[k][..6]) {
                        v += s * slot_value;
                    }
                    x += (r - o) * &v;
                    aux += r * &self.records[k][ClauseSlot::Aux.index()];
                    value += r * &self.records[k][ClauseSlot::Value.index()];
                }
                let signed = &slot[ClauseSlot::Date.index()] + &slot[ClauseSlot::Aux.index()];
                let bias = Fr::from(SIGNED_BIAS as u64);
                // The interval term of whichever interval check the clause makes (a
                // relative check is a range check on x − y).
                let t = ty(CheckType::Range) * (&x + signed * bias)
                    + ty(CheckType::DateWithin) * (self.today - &x)
                    + ty(CheckType::Age) * (self.today_cal - &x)
                    + ty(CheckType::Series) * (&x - &aux + bias);
                let interval = ty(CheckType::Range)
                    + ty(CheckType::DateWithin)
                    + ty(CheckType::Age)
                    + ty(CheckType::Series);
                // An age's upper bound reads the earliest possible birth: a partial birth
                // date's width (`value`, 0 for a full date) added to the age term.
                let t_hi = &t + ty(CheckType::Age) * &value;
                let on = &active * interval;
                enforce_range(&((&t - lo) * &on), RANGE_BITS)?;
                enforce_range(&((hi - &t_hi) * &on), RANGE_BITS)?;
                // Inline sets: the product of (x − table_i) over the clause's mask.
                let mut product = one.clone();
                for (m, v) in mask.iter().zip(self.table) {
                    product *= &one + m * (&x - v - Fr::ONE);
                }
                let on_in = &active * ty(CheckType::In);
                (&product * &on_in).enforce_equal(&zero)?;
                let on_out = &active * ty(CheckType::NotIn);
                let inverse = FpVar::new_witness(cs.clone(), || {
                    let p = product.value()?;
                    Ok(if on_out.value()? == Fr::ONE { p.inverse().unwrap_or(Fr::ZERO) } else { Fr::ZERO })
                })?;
                product.mul_equals(&inverse, &on_out)?;
                // Pin the inverse when the check is off, so no witness is left free.
                inverse.mul_equals(&(&one - &on_out), &zero)?;
                // Value sets: route the value and root to the lane.
                let vs_in = &active * ty(CheckType::InValueSet);
                let vs_out = &active * ty(CheckType::NotInValueSet);
                let vs = &vs_in + &vs_out;
                lane.x += &vs * &x;
                lane.root += &vs * lo;
                lane.member += vs_in;
                lane.outside += vs_out;
                Ok(())
            })?;
        }
        Ok(lane)
    }
}

/// The value-set lane: the leaf `(low, next)` lies under the routed root (checked when
/// `with_path`), and `x = low ≠ 0` (member; 0 is the lower sentinel, never a member) or
/// `low < x < next` (not a member).
pub(crate) fn value_set_lane(
    cs: &ConstraintSystemRef<Fr>,
    lane: &Lane,
    proof: &ValueSetProof,
    with_path: bool,
) -> Result<(), SynthesisError> {
    let zero = FpVar::Constant(Fr::ZERO);
    let low = FpVar::new_witness(cs.clone(), || Ok(proof.low))?;
    let next = FpVar::new_witness(cs.clone(), || Ok(proof.next))?;
    if with_path {
        let path = MerklePathVar::new_witness(cs.clone(), || Ok(&proof.path))?;
        let leaf = Poseidon::t3().hash_var(tags::VALUE_SET, &[low.clone(), next.clone()])?;
        (path.root(&leaf)? - &lane.root).mul_equals(&(&lane.member + &lane.outside), &zero)?;
    }
    (&lane.x - &low).mul_equals(&lane.member, &zero)?;
    // A member is not the sentinel 0: x · x⁻¹ = member.
    let inverse = FpVar::new_witness(cs.clone(), || {
        let x = lane.x.value()?;
        Ok(if lane.member.value()? == Fr::ONE { x.inverse().unwrap_or(Fr::ZERO) } else { Fr::ZERO })
    })?;
    lane.x.mul_equals(&inverse, &lane.member)?;
    inverse.mul_equals(&(FpVar::Constant(Fr::ONE) - &lane.member), &zero)?;
    enforce_range(&((&lane.x - &low - Fr::ONE) * &lane.outside), TEXT_BITS)?;
    enforce_range(&((&next - &lane.x - Fr::ONE) * &lane.outside), TEXT_BITS)?;
    Ok(())
}

impl ConstraintSynthesizer<Fr> for PolicyCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(cs).map(|_| ())
    }
}

//! The Poseidon permutation and sponge in R1CS, the twin of the native code.
//!
//! Cost: three constraints per S-box applied to a variable (`x²`, `x⁴`, `x⁵`); S-boxes
//! on constants (the capacity lane and zero padding in the first round) are free, and
//! the linear layer is free (one linear combination per lane and round).

use ark_ff::{AdditiveGroup, Zero};
use ark_r1cs_std::fields::{
    FieldVar,
    fp::{AllocatedFp, FpVar},
};
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, SynthesisError, Variable};

use super::{Poseidon, Tag};
use crate::field::Fr;

impl Poseidon {
    /// Applies the permutation to allocated lanes; `state.len()` must equal the width.
    pub fn permute_var(&self, state: &mut [FpVar<Fr>]) -> Result<(), SynthesisError> {
        assert_eq!(state.len(), self.width, "state length must equal the width");
        for round in 0..self.rounds() {
            for (lane, c) in state.iter_mut().zip(&self.ark[round]) {
                *lane += *c;
            }
            if self.is_full_round(round) {
                for lane in state.iter_mut() {
                    *lane = sbox_var(lane)?;
                }
            } else {
                state[0] = sbox_var(&state[0])?;
            }
            let next: Vec<FpVar<Fr>> =
                self.mds.iter().map(|row| linear_combination(row, state)).collect::<Result<_, _>>()?;
            state.clone_from_slice(&next);
        }
        Ok(())
    }

    /// Hashes allocated `inputs` under `tag`; equals [`Poseidon::hash`] on their values.
    pub fn hash_var(&self, tag: Tag, inputs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
        let mut state = vec![FpVar::Constant(Fr::ZERO); self.width];
        state[0] = FpVar::Constant(tag.capacity(inputs.len()));
        if inputs.is_empty() {
            self.permute_var(&mut state)?;
        }
        for block in inputs.chunks(self.rate()) {
            for (lane, x) in state[1..].iter_mut().zip(block) {
                *lane += x;
            }
            self.permute_var(&mut state)?;
        }
        Ok(state[1].clone())
    }
}

/// `x⁵` in three constraints (none when `x` is a constant).
fn sbox_var(x: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
    let x2 = x.square()?;
    let x4 = x2.square()?;
    Ok(x4 * x)
}

/// `Σ coeffs[i]·xs[i]` as one linear combination (constants folded into its `1` term).
pub(crate) fn linear_combination(coeffs: &[Fr], xs: &[FpVar<Fr>]) -> Result<FpVar<Fr>, SynthesisError> {
    let mut constant = Fr::ZERO;
    let mut terms: Vec<(Fr, &AllocatedFp<Fr>)> = Vec::with_capacity(xs.len());
    let mut cs = ConstraintSystemRef::None;
    for (c, x) in coeffs.iter().zip(xs) {
        match x {
            FpVar::Constant(k) => constant += *c * k,
            FpVar::Var(v) => {
                cs = cs.or(v.cs.clone());
                terms.push((*c, v));
            }
        }
    }
    if terms.is_empty() {
        return Ok(FpVar::Constant(constant));
    }
    let value = terms.iter().try_fold(constant, |acc, (c, v)| v.value().ok().map(|x| acc + *c * x));
    let variable = cs.new_lc(|| {
        let mut lc: Vec<(Fr, Variable)> = terms.iter().map(|(c, v)| (*c, v.variable)).collect();
        if !constant.is_zero() {
            lc.push((constant, Variable::One));
        }
        let mut lc = LinearCombination(lc);
        lc.compactify();
        lc
    })?;
    Ok(FpVar::Var(AllocatedFp::new(value, variable, cs)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_r1cs_std::{GR1CSVar, alloc::AllocVar, eq::EqGadget};
    use ark_relations::gr1cs::ConstraintSystem;
    use proptest::prelude::*;

    const TAG: Tag = Tag::new("medzk/test");

    fn check_hash(p: &Poseidon, inputs: &[Fr]) -> usize {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let vars: Vec<FpVar<Fr>> =
            inputs.iter().map(|x| FpVar::new_witness(cs.clone(), || Ok(*x)).unwrap()).collect();
        let out = p.hash_var(TAG, &vars).unwrap();
        assert_eq!(out.value().unwrap(), p.hash(TAG, inputs));
        assert!(crate::r1cs::holds(&cs));
        cs.num_constraints()
    }

    #[test]
    fn gadget_equals_native_and_costs_are_pinned() {
        let xs: Vec<Fr> = (1..=18u64).map(Fr::from).collect();
        // A full first block: only the capacity lane's first S-box is free.
        assert_eq!(check_hash(Poseidon::t3(), &xs[..2]), 243 - 3);
        assert_eq!(check_hash(Poseidon::t5(), &xs[..4]), 300 - 3);
        assert_eq!(check_hash(Poseidon::t10(), &xs[..9]), 420 - 3);
        // Two blocks: the second permutation has no constant lane left.
        assert_eq!(check_hash(Poseidon::t10(), &xs[..18]), 2 * 420 - 3);
        // A partial block leaves zero lanes whose first S-boxes are free as well.
        assert_eq!(check_hash(Poseidon::t3(), &xs[..1]), 243 - 6);
    }

    #[test]
    fn permutation_gadget_equals_native_on_reference_input() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let mut lanes: Vec<FpVar<Fr>> =
            (0..3u64).map(|i| FpVar::new_witness(cs.clone(), || Ok(Fr::from(i))).unwrap()).collect();
        Poseidon::t3().permute_var(&mut lanes).unwrap();
        let mut native: Vec<Fr> = (0..3u64).map(Fr::from).collect();
        Poseidon::t3().permute(&mut native);
        assert_eq!(lanes.iter().map(|l| l.value().unwrap()).collect::<Vec<_>>(), native);
        assert!(crate::r1cs::holds(&cs));
        assert_eq!(cs.num_constraints(), 243);
    }

    #[test]
    fn wrong_output_is_unsatisfied() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = FpVar::new_witness(cs.clone(), || Ok(Fr::from(7u64))).unwrap();
        let out = Poseidon::t3().hash_var(TAG, &[x]).unwrap();
        let claimed =
            FpVar::new_input(cs.clone(), || Ok(Poseidon::t3().hash(TAG, &[Fr::from(8u64)]))).unwrap();
        out.enforce_equal(&claimed).unwrap();
        assert!(!crate::r1cs::holds(&cs));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn gadget_equals_native(seed in any::<[u64; 9]>(), len in 0usize..=12) {
            let inputs: Vec<Fr> = seed.iter().cycle().take(len).map(|x| Fr::from(*x)).collect();
            for p in [Poseidon::t3(), Poseidon::t5(), Poseidon::t10()] {
                check_hash(p, &inputs);
            }
        }
    }
}

//! A finalized R1CS with its assignment, for soundness tests and diagnostics.
//!
//! arkworks caches the values of linear combinations while synthesizing, so changing a
//! witness afterwards does not re-evaluate them. [`R1cs`] instead keeps the finalized
//! matrices and the full assignment `z = (1, instance…, witness…)` and evaluates
//! `⟨A_i, z⟩·⟨B_i, z⟩ = ⟨C_i, z⟩` row by row, so a test can set any witness variable to
//! any value and learn exactly which constraint (and which named [`Region`]) fails.

use std::ops::Range;

use ark_ff::Zero;
use ark_relations::gr1cs::{
    ConstraintSystem, ConstraintSystemRef, Matrix, OptimizationGoal, R1CS_PREDICATE_LABEL, SynthesisError,
    SynthesisMode,
};

use crate::field::Fr;

/// A named range of constraints, recorded during synthesis.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    /// What the constraints enforce.
    pub name: &'static str,
    /// Constraint indices.
    pub constraints: Range<usize>,
}

/// Records named regions while a circuit is synthesized.
#[derive(Debug)]
pub struct Regions {
    cs: ConstraintSystemRef<Fr>,
    list: Vec<Region>,
}

impl Regions {
    /// A recorder for `cs`.
    pub fn new(cs: ConstraintSystemRef<Fr>) -> Regions {
        Regions { cs, list: Vec::new() }
    }

    /// Runs `f`, recording the constraints it adds under `name`.
    pub fn region<T>(
        &mut self,
        name: &'static str,
        f: impl FnOnce() -> Result<T, SynthesisError>,
    ) -> Result<T, SynthesisError> {
        let start = self.cs.num_constraints();
        let out = f()?;
        self.list.push(Region { name, constraints: start..self.cs.num_constraints() });
        Ok(out)
    }

    /// The recorded regions.
    pub fn into_list(self) -> Vec<Region> {
        self.list
    }
}

/// A witness variable that can change without breaking any constraint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unconstrained {
    /// Witness index.
    pub witness: usize,
    /// The change that went unnoticed: `"+1"` or `"=2"` (a bit set to 2).
    pub mutation: &'static str,
    /// The region of the variable's first constraint (`None` if it is in none).
    pub region: Option<&'static str>,
}

/// A finalized constraint system and its assignment.
#[derive(Clone)]
pub struct R1cs {
    a: Matrix<Fr>,
    b: Matrix<Fr>,
    c: Matrix<Fr>,
    /// `(1, instance…, witness…)`.
    z: Vec<Fr>,
    num_instance: usize,
    /// Named constraint ranges, if the circuit records them.
    pub regions: Vec<Region>,
}

impl R1cs {
    /// Synthesizes with `f` (which returns the circuit's regions) and finalizes the
    /// system as the Groth16 prover would.
    pub fn synthesize(
        f: impl FnOnce(ConstraintSystemRef<Fr>) -> Result<Vec<Region>, SynthesisError>,
    ) -> Result<R1cs, SynthesisError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Prove { construct_matrices: true, generate_lc_assignments: true });
        let regions = f(cs.clone())?;
        R1cs::finalized(&cs, regions)
    }

    /// Finalizes `cs` and takes its matrices and assignment.
    fn finalized(cs: &ConstraintSystemRef<Fr>, regions: Vec<Region>) -> Result<R1cs, SynthesisError> {
        cs.finalize();
        let mut matrices = cs.to_matrices()?;
        let mut r1cs = matrices.remove(R1CS_PREDICATE_LABEL).ok_or(SynthesisError::MissingCS)?;
        let (c, b, a) = (r1cs.pop(), r1cs.pop(), r1cs.pop());
        let (Some(a), Some(b), Some(c)) = (a, b, c) else {
            return Err(SynthesisError::MissingCS);
        };
        let z = [cs.instance_assignment()?, cs.witness_assignment()?].concat();
        Ok(R1cs { a, b, c, z, num_instance: cs.num_instance_variables(), regions })
    }

    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.a.len()
    }

    /// Number of public inputs (without the constant one).
    pub fn num_public_inputs(&self) -> usize {
        self.num_instance - 1
    }

    /// Number of witness variables.
    pub fn num_witnesses(&self) -> usize {
        self.z.len() - self.num_instance
    }

    /// The public inputs, in allocation order.
    pub fn public_inputs(&self) -> &[Fr] {
        &self.z[1..self.num_instance]
    }

    /// The value of witness variable `i`.
    pub fn witness(&self, i: usize) -> Fr {
        self.z[self.num_instance + i]
    }

    /// Sets witness variable `i`.
    pub fn set_witness(&mut self, i: usize, value: Fr) {
        self.z[self.num_instance + i] = value;
    }

    /// Sets public input `i` (0-based, without the constant one).
    pub fn set_public_input(&mut self, i: usize, value: Fr) {
        self.z[1 + i] = value;
    }

    fn dot(row: &[(Fr, usize)], z: &[Fr]) -> Fr {
        row.iter().map(|(coeff, col)| *coeff * z[*col]).sum()
    }

    fn row_holds(&self, i: usize) -> bool {
        Self::dot(&self.a[i], &self.z) * Self::dot(&self.b[i], &self.z) == Self::dot(&self.c[i], &self.z)
    }

    /// Index of the first unsatisfied constraint.
    pub fn first_unsatisfied(&self) -> Option<usize> {
        (0..self.num_constraints()).find(|i| !self.row_holds(*i))
    }

    /// Whether every constraint holds.
    pub fn is_satisfied(&self) -> bool {
        self.first_unsatisfied().is_none()
    }

    /// The region containing constraint `i`.
    pub fn region_of(&self, i: usize) -> Option<&'static str> {
        self.regions.iter().find(|r| r.constraints.contains(&i)).map(|r| r.name)
    }

    /// The region of the first unsatisfied constraint, `None` if satisfied.
    pub fn failing_region(&self) -> Option<&'static str> {
        self.first_unsatisfied().map(|i| self.region_of(i).unwrap_or("<unnamed>"))
    }

    /// For each witness variable, the constraints it appears in.
    pub fn witness_uses(&self) -> Vec<Vec<usize>> {
        let mut uses = vec![Vec::new(); self.num_witnesses()];
        for m in [&self.a, &self.b, &self.c] {
            for (i, row) in m.iter().enumerate() {
                for (coeff, col) in row {
                    if *col >= self.num_instance && !coeff.is_zero() {
                        let w = &mut uses[*col - self.num_instance];
                        if w.last() != Some(&i) {
                            w.push(i);
                        }
                    }
                }
            }
        }
        for w in &mut uses {
            w.sort_unstable();
            w.dedup();
        }
        uses
    }

    /// Whether the constraints in `rows` all hold.
    pub fn rows_hold(&self, rows: &[usize]) -> bool {
        rows.iter().all(|i| self.row_holds(*i))
    }

    /// The witness-mutation sweep: changes every witness variable in turn (adds one; sets
    /// each 0/1 variable to 2) and reports those whose change leaves every constraint
    /// satisfied. A sound circuit reports none except documented don't-care values.
    /// The assignment is restored afterwards.
    pub fn mutation_sweep(&mut self) -> Vec<Unconstrained> {
        use ark_ff::{AdditiveGroup, Field};
        let uses = self.witness_uses();
        let mut free = Vec::new();
        for (w, rows) in uses.iter().enumerate() {
            let old = self.witness(w);
            let mut mutations = vec![("+1", old + Fr::ONE)];
            if old == Fr::ZERO || old == Fr::ONE {
                mutations.push(("=2", Fr::from(2u64)));
            }
            for (name, value) in mutations {
                self.set_witness(w, value);
                if self.rows_hold(rows) {
                    let region = rows.first().and_then(|r| self.region_of(*r));
                    free.push(Unconstrained { witness: w, mutation: name, region });
                }
            }
            self.set_witness(w, old);
        }
        free
    }

    /// A fingerprint of the constraint matrices (for pinning a circuit's shape).
    pub fn matrix_digest(&self) -> String {
        use ark_ff::{BigInteger, PrimeField};
        // FNV-1a over (matrix, row, column, coefficient): stable and dependency-free.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for b in bytes {
                h ^= *b as u64;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        };
        for (m, matrix) in [&self.a, &self.b, &self.c].into_iter().enumerate() {
            for (i, row) in matrix.iter().enumerate() {
                feed(&[m as u8]);
                feed(&(i as u64).to_le_bytes());
                for (coeff, col) in row {
                    feed(&(*col as u64).to_le_bytes());
                    feed(&coeff.into_bigint().to_bytes_le());
                }
            }
        }
        format!("{h:016x}")
    }
}

/// Whether every constraint of `cs` holds, evaluated natively on its finalized matrices.
/// arkworks' `is_satisfied` evaluates each constraint's polynomial with rayon when
/// ark-poly's `parallel` feature is on (the prover turns it on): for constraints of three
/// terms the hand-offs between threads cost several times the arithmetic, and a property
/// test ran five times slower in the workspace build than on its own.
#[cfg(test)]
pub(crate) fn holds(cs: &ConstraintSystemRef<Fr>) -> bool {
    R1cs::finalized(cs, Vec::new()).expect("a constraint system in prove mode").is_satisfied()
}

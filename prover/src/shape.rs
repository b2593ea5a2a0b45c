//! A statement's finalized R1CS: the matrices A, B, C that setup produced.
//!
//! The shape is computed once, at setup, and stored in the proving key, so a prover
//! never synthesizes the blank circuit or inlines its linear combinations (about 120 ms
//! for the vaccination statement, a quarter of a one-shot `medzk prove`).
//!
//! Encoding (all integers little-endian):
//!
//! ```text
//! u32 num_instance (the constant one included)   u32 num_witness   u32 num_constraints
//! u32 k, then k distinct non-zero coefficients (32-byte canonical Fr each)
//! for each matrix A, B, C; for each of num_constraints rows:
//!     u32 entries; per entry: u32 column, u32 coefficient index (< k)
//! ```
//!
//! Poseidon's matrix entries and round constants repeat across rounds and levels: the
//! dictionary keeps the shape of the vaccination statement near 1.5 MB instead of 6.6.

use std::collections::HashMap;
use std::sync::OnceLock;

use ark_ff::Zero;
use ark_relations::gr1cs::{ConstraintSystem, Matrix, OptimizationGoal, R1CS_PREDICATE_LABEL, SynthesisMode};
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use medzk_circuits::field::Fr;
use medzk_circuits::r1cs::Region;
use medzk_circuits::statement::StatementId;
use medzk_verifier::envelope::DecodeError;

use crate::ProveError;
use crate::circuit::{AnyCircuit, blank_circuit};

/// Largest number of variables or constraints a stored shape may declare.
const MAX_DIMENSION: usize = 1 << 24;

/// A statement's finalized R1CS shape.
pub struct CircuitShape {
    statement: StatementId,
    matrices: [Matrix<Fr>; 3],
    num_instance: usize,
    num_witness: usize,
    num_constraints: usize,
    /// Named regions, synthesized only to explain an unsatisfied constraint.
    regions: OnceLock<Vec<Region>>,
}

impl CircuitShape {
    /// Synthesizes `statement`'s blank circuit in setup mode and keeps its matrices.
    pub fn of(statement: StatementId) -> Result<CircuitShape, ProveError> {
        let (shape, regions) = Self::synthesize(statement, &blank_circuit(statement)?)?;
        let _ = shape.regions.set(regions);
        Ok(shape)
    }

    fn synthesize(
        statement: StatementId,
        circuit: &AnyCircuit,
    ) -> Result<(CircuitShape, Vec<Region>), ProveError> {
        let cs = ConstraintSystem::<Fr>::new_ref();
        cs.set_optimization_goal(OptimizationGoal::Constraints);
        cs.set_mode(SynthesisMode::Setup);
        let regions = circuit.synthesize(cs.clone()).map_err(ProveError::synthesis)?;
        cs.finalize();
        let mut all = cs.to_matrices().map_err(ProveError::synthesis)?;
        let mut r1cs = all.remove(R1CS_PREDICATE_LABEL).ok_or(ProveError::Synthesis("no R1CS".into()))?;
        let (Some(c), Some(b), Some(a)) = (r1cs.pop(), r1cs.pop(), r1cs.pop()) else {
            return Err(ProveError::Synthesis("R1CS matrices missing".into()));
        };
        let shape = CircuitShape {
            statement,
            matrices: [a, b, c],
            num_instance: cs.num_instance_variables(),
            num_witness: cs.num_witness_variables(),
            num_constraints: cs.num_constraints(),
            regions: OnceLock::new(),
        };
        Ok((shape, regions))
    }

    /// The statement.
    pub fn statement(&self) -> StatementId {
        self.statement
    }

    /// Number of constraints.
    pub fn num_constraints(&self) -> usize {
        self.num_constraints
    }

    /// Number of instance variables, the constant one included.
    pub fn num_instance(&self) -> usize {
        self.num_instance
    }

    /// Number of witness variables.
    pub fn num_witness(&self) -> usize {
        self.num_witness
    }

    /// Number of variables, `num_instance + num_witness`.
    pub fn num_variables(&self) -> usize {
        self.num_instance + self.num_witness
    }

    /// The matrices A, B, C.
    pub fn matrices(&self) -> &[Matrix<Fr>; 3] {
        &self.matrices
    }

    /// The named regions (synthesizes the blank circuit on first use).
    pub fn regions(&self) -> &[Region] {
        self.regions.get_or_init(|| {
            blank_circuit(self.statement)
                .and_then(|c| Self::synthesize(self.statement, &c))
                .map(|(_, regions)| regions)
                .unwrap_or_default()
        })
    }

    /// The first constraint the full assignment `z` does not satisfy.
    pub fn first_unsatisfied(&self, z: &[Fr]) -> Option<usize> {
        let dot = |row: &[(Fr, usize)]| -> Fr { row.iter().map(|(c, i)| *c * z[*i]).sum() };
        let [a, b, c] = &self.matrices;
        (0..self.num_constraints).find(|i| dot(&a[*i]) * dot(&b[*i]) != dot(&c[*i]))
    }

    /// The name of the region holding constraint `row`.
    pub fn region_of(&self, row: usize) -> &'static str {
        self.regions().iter().find(|r| r.constraints.contains(&row)).map_or("<unnamed>", |r| r.name)
    }

    /// Appends the encoding (see the module docs).
    pub fn encode(&self, out: &mut Vec<u8>) {
        for n in [self.num_instance, self.num_witness, self.num_constraints] {
            out.extend_from_slice(&(n as u32).to_le_bytes());
        }
        let mut index = HashMap::new();
        let mut coeffs = Vec::new();
        for (coeff, _) in self.matrices.iter().flatten().flatten() {
            index.entry(*coeff).or_insert_with(|| {
                coeffs.push(*coeff);
                coeffs.len() as u32 - 1
            });
        }
        out.extend_from_slice(&(coeffs.len() as u32).to_le_bytes());
        for c in &coeffs {
            c.serialize_uncompressed(&mut *out).expect("serializing to memory succeeds");
        }
        for matrix in &self.matrices {
            for row in matrix {
                out.extend_from_slice(&(row.len() as u32).to_le_bytes());
                for (coeff, col) in row {
                    out.extend_from_slice(&(*col as u32).to_le_bytes());
                    out.extend_from_slice(&index[coeff].to_le_bytes());
                }
            }
        }
    }

    /// Decodes a shape from the front of `input`, advancing it. Every column is checked
    /// against the number of variables and every coefficient for canonical form.
    pub fn decode(statement: StatementId, input: &mut &[u8]) -> Result<CircuitShape, DecodeError> {
        const WHAT: &str = "circuit shape";
        let num_instance = read_len(input)?;
        let num_witness = read_len(input)?;
        let num_constraints = read_len(input)?;
        if num_instance == 0 {
            return Err(DecodeError::Malformed(WHAT));
        }
        let num_variables = num_instance + num_witness;
        let k = read_len(input)?;
        if input.len() < k * 32 {
            return Err(DecodeError::Truncated);
        }
        let mut coeffs = Vec::with_capacity(k);
        for _ in 0..k {
            let c = Fr::deserialize_uncompressed(&mut *input).map_err(|_| DecodeError::Malformed(WHAT))?;
            if c.is_zero() {
                return Err(DecodeError::Malformed(WHAT));
            }
            coeffs.push(c);
        }
        let mut matrices: [Matrix<Fr>; 3] = Default::default();
        for matrix in &mut matrices {
            // Each row takes at least 4 bytes: no allocation beyond what the input holds.
            if input.len() < num_constraints * 4 {
                return Err(DecodeError::Truncated);
            }
            matrix.reserve_exact(num_constraints);
            for _ in 0..num_constraints {
                let len = read_len(input)?;
                if input.len() < len * 8 {
                    return Err(DecodeError::Truncated);
                }
                let mut row = Vec::with_capacity(len);
                for _ in 0..len {
                    let col = read_len(input)?;
                    if col >= num_variables {
                        return Err(DecodeError::Malformed(WHAT));
                    }
                    let coeff = *coeffs.get(read_len(input)?).ok_or(DecodeError::Malformed(WHAT))?;
                    row.push((coeff, col));
                }
                matrix.push(row);
            }
        }
        Ok(CircuitShape {
            statement,
            matrices,
            num_instance,
            num_witness,
            num_constraints,
            regions: OnceLock::new(),
        })
    }
}

impl PartialEq for CircuitShape {
    fn eq(&self, other: &Self) -> bool {
        (self.statement, self.num_instance, self.num_witness, self.num_constraints)
            == (other.statement, other.num_instance, other.num_witness, other.num_constraints)
            && self.matrices == other.matrices
    }
}

impl std::fmt::Debug for CircuitShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "CircuitShape({}, {} constraints, {} instance, {} witness)",
            self.statement, self.num_constraints, self.num_instance, self.num_witness
        )
    }
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Result<&'a [u8], DecodeError> {
    if input.len() < n {
        return Err(DecodeError::Truncated);
    }
    let (head, tail) = input.split_at(n);
    *input = tail;
    Ok(head)
}

fn read_len(input: &mut &[u8]) -> Result<usize, DecodeError> {
    let bytes = take(input, 4)?;
    let n = u32::from_le_bytes(bytes.try_into().expect("four bytes")) as usize;
    if n > MAX_DIMENSION {
        return Err(DecodeError::Malformed("circuit shape"));
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use medzk_circuits::tree::Depth;

    #[test]
    fn shape_round_trips_and_rejects_damage() {
        let statement = StatementId::vaccination(Depth::new(4).unwrap());
        let shape = CircuitShape::of(statement).unwrap();
        let mut bytes = Vec::new();
        shape.encode(&mut bytes);
        let mut input = bytes.as_slice();
        let back = CircuitShape::decode(statement, &mut input).unwrap();
        assert!(input.is_empty());
        assert_eq!(back, shape);
        assert_eq!(back.regions().len(), shape.regions().len());
        for cut in [0, 5, 12, 13, bytes.len() / 2, bytes.len() - 1] {
            assert!(CircuitShape::decode(statement, &mut &bytes[..cut]).is_err(), "cut at {cut}");
        }
        // A column past the last variable, a coefficient index past the dictionary.
        let k = u32::from_le_bytes(bytes[12..16].try_into().unwrap()) as usize;
        let first_entry = 16 + 32 * k + 4;
        for offset in [first_entry, first_entry + 4] {
            let mut bad = bytes.clone();
            bad[offset..offset + 4].copy_from_slice(&1_000_000u32.to_le_bytes());
            assert!(CircuitShape::decode(statement, &mut bad.as_slice()).is_err());
        }
        // A zero coefficient in the dictionary.
        let mut bad = bytes.clone();
        bad[16..48].fill(0);
        assert!(CircuitShape::decode(statement, &mut bad.as_slice()).is_err());
    }
}

//! The circuit of each statement.

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use medzk_circuits::field::Fr;
use medzk_circuits::policy::circuit::PolicyCircuit;
use medzk_circuits::r1cs::Region;
use medzk_circuits::statement::{StatementId, StatementKind};
use medzk_circuits::vaccination::circuit::VaccinationCircuit;

use crate::ProveError;

/// A circuit of any statement.
#[derive(Clone, Debug)]
pub enum AnyCircuit {
    /// The vaccination statement.
    Vaccination(Box<VaccinationCircuit>),
    /// A general policy.
    Policy(Box<PolicyCircuit>),
}

impl AnyCircuit {
    /// Synthesizes and returns the named regions.
    pub fn synthesize(&self, cs: ConstraintSystemRef<Fr>) -> Result<Vec<Region>, SynthesisError> {
        match self {
            AnyCircuit::Vaccination(c) => c.synthesize(cs),
            AnyCircuit::Policy(c) => c.synthesize(cs),
        }
    }
}

impl ConstraintSynthesizer<Fr> for AnyCircuit {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(cs).map(|_| ())
    }
}

/// The circuit of `statement` with placeholder values, for setup and matrix caching.
pub fn blank_circuit(statement: StatementId) -> Result<AnyCircuit, ProveError> {
    match statement.kind {
        StatementKind::Vaccination => {
            Ok(AnyCircuit::Vaccination(Box::new(VaccinationCircuit::blank(statement.depth))))
        }
        StatementKind::Policy => Ok(AnyCircuit::Policy(Box::new(PolicyCircuit::blank(statement)))),
    }
}

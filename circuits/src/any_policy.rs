//! A policy file of either statement, recognised by its `"statement"` field.

use crate::field::Fr;
use crate::policy::{Policy, PolicyError};
use crate::statement::{StatementId, StatementPolicy};
use crate::tree::Depth;
use crate::vaccination::{PolicyError as VaccinationPolicyError, VaccinationPolicy};

/// A vaccination policy or a general policy.
#[derive(Clone, Debug, PartialEq)]
pub enum AnyPolicy {
    /// `"statement": "vaccination"`.
    Vaccination(VaccinationPolicy),
    /// `"statement": "policy"`.
    General(Policy),
}

/// Why a policy file is not a valid policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnyPolicyError {
    /// Not JSON, or no known `statement`.
    #[error("{0}")]
    Format(String),
    /// An invalid vaccination policy.
    #[error(transparent)]
    Vaccination(#[from] VaccinationPolicyError),
    /// An invalid general policy.
    #[error(transparent)]
    General(#[from] PolicyError),
}

impl AnyPolicy {
    /// Parses and validates a policy document of either statement.
    pub fn from_json(text: &str) -> Result<AnyPolicy, AnyPolicyError> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| AnyPolicyError::Format(format!("invalid policy JSON: {e}")))?;
        match value.get("statement").and_then(|s| s.as_str()) {
            Some("vaccination") => Ok(AnyPolicy::Vaccination(VaccinationPolicy::from_json(text)?)),
            Some("policy") => Ok(AnyPolicy::General(Policy::from_json(text)?)),
            _ => Err(AnyPolicyError::Format(
                "a policy document has \"statement\": \"vaccination\" or \"policy\"".into(),
            )),
        }
    }

    /// The policy as a verifier sees it.
    pub fn as_statement(&self) -> &dyn StatementPolicy {
        match self {
            AnyPolicy::Vaccination(p) => p,
            AnyPolicy::General(p) => p,
        }
    }

    /// The statement of this policy at `depth`.
    pub fn statement(&self, depth: Depth) -> StatementId {
        match self {
            AnyPolicy::Vaccination(_) => StatementId::vaccination(depth),
            AnyPolicy::General(p) => p.statement(depth),
        }
    }

    /// The policy hash.
    pub fn hash(&self) -> Fr {
        self.as_statement().policy_hash()
    }

    /// The policy as proven at `clock` ([`Policy::at`](crate::policy::Policy::at): hour
    /// windows set to its minute; every other policy is the same at every clock).
    pub fn at(&self, clock: crate::clock::Clock) -> Result<AnyPolicy, crate::policy::PolicyError> {
        match self {
            AnyPolicy::Vaccination(_) => Ok(self.clone()),
            AnyPolicy::General(p) => p.at(clock).map(AnyPolicy::General),
        }
    }

    /// The nullifier scope.
    pub fn scope(&self) -> &crate::holder::Scope {
        match self {
            AnyPolicy::Vaccination(p) => p.scope(),
            AnyPolicy::General(p) => p.scope(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatches_on_the_statement() {
        let vax = include_str!("../../examples/policies/border-vaccination.json");
        let trial = include_str!("../../examples/policies/trial-t2d.json");
        assert!(matches!(AnyPolicy::from_json(vax), Ok(AnyPolicy::Vaccination(_))));
        assert!(matches!(AnyPolicy::from_json(trial), Ok(AnyPolicy::General(_))));
        assert!(matches!(AnyPolicy::from_json("{}"), Err(AnyPolicyError::Format(_))));
        assert!(matches!(AnyPolicy::from_json("nope"), Err(AnyPolicyError::Format(_))));
        let bad = trial.replace("\"between\"", "\"about\"");
        assert!(AnyPolicy::from_json(&bad).unwrap_err().to_string().contains("unknown operator \"about\""));
    }
}

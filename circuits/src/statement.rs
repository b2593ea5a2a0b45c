//! Statement identities and the public-input layout shared by every statement.
//!
//! Public inputs are exactly, in this order: the registry **root**, the **policy hash**,
//! **today** (a day number), the **context** (binds verifier, nonce, policy and day) and
//! the **nullifier**. The verifier computes all of them itself except the nullifier,
//! which it reads from the presentation and checks for reuse in its scope.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::date::Day;
use crate::field::Fr;
use crate::tree::{Depth, DepthError};

/// The statements medzk proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatementKind {
    /// One immunization record against a vaccination policy.
    Vaccination = 1,
    /// Several records against a general policy.
    Policy = 2,
}

/// Size parameters of the general policy circuit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PolicyShape {
    /// Record slots.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 8)))]
    pub records: u8,
    /// Clause slots.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 32)))]
    pub clauses: u8,
    /// Any-of groups.
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 8)))]
    pub groups: u8,
}

/// A statement and its shape; a proving or verifying key serves exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatementId {
    /// Which statement.
    pub kind: StatementKind,
    /// Circuit version; bumped on any change to the relation.
    pub version: u8,
    /// Registry depth in bits.
    pub depth: Depth,
    /// Policy circuit shape (zero for the vaccination statement).
    pub shape: PolicyShape,
}

/// Bytes of an encoded [`StatementId`].
pub const STATEMENT_ID_BYTES: usize = 6;

/// Bytes that do not name a known statement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementIdError {
    /// Unknown statement kind byte.
    #[error("unknown statement kind {0}")]
    Kind(u8),
    /// Unsupported circuit version.
    #[error("unsupported version {version} of statement {kind:?}")]
    Version {
        /// The statement.
        kind: StatementKind,
        /// The version found.
        version: u8,
    },
    /// Bad depth.
    #[error(transparent)]
    Depth(#[from] DepthError),
    /// Shape bytes inconsistent with the statement.
    #[error("invalid shape for statement {0:?}")]
    Shape(StatementKind),
}

/// Current version of the vaccination circuit.
pub const VACCINATION_VERSION: u8 = 1;
/// Current version of the policy circuit.
pub const POLICY_VERSION: u8 = 3;

impl StatementId {
    /// The vaccination statement at `depth`.
    pub fn vaccination(depth: Depth) -> StatementId {
        StatementId {
            kind: StatementKind::Vaccination,
            version: VACCINATION_VERSION,
            depth,
            shape: PolicyShape::default(),
        }
    }

    /// The policy statement of `shape` at `depth`.
    pub fn policy(depth: Depth, shape: PolicyShape) -> StatementId {
        StatementId { kind: StatementKind::Policy, version: POLICY_VERSION, depth, shape }
    }

    /// Six bytes: kind, version, depth, records, clauses, groups.
    pub fn to_bytes(&self) -> [u8; STATEMENT_ID_BYTES] {
        [
            self.kind as u8,
            self.version,
            self.depth.bits(),
            self.shape.records,
            self.shape.clauses,
            self.shape.groups,
        ]
    }

    /// Decodes and validates six bytes.
    pub fn from_bytes(bytes: [u8; STATEMENT_ID_BYTES]) -> Result<StatementId, StatementIdError> {
        let [kind, version, depth, records, clauses, groups] = bytes;
        let kind = match kind {
            1 => StatementKind::Vaccination,
            2 => StatementKind::Policy,
            k => return Err(StatementIdError::Kind(k)),
        };
        let supported = match kind {
            StatementKind::Vaccination => VACCINATION_VERSION,
            StatementKind::Policy => POLICY_VERSION,
        };
        if version != supported {
            return Err(StatementIdError::Version { kind, version });
        }
        let depth = Depth::new(depth)?;
        let shape = PolicyShape { records, clauses, groups };
        let valid_shape = match kind {
            StatementKind::Vaccination => shape == PolicyShape::default(),
            StatementKind::Policy => {
                (1..=8).contains(&records) && (1..=32).contains(&clauses) && (1..=8).contains(&groups)
            }
        };
        if !valid_shape {
            return Err(StatementIdError::Shape(kind));
        }
        Ok(StatementId { kind, version, depth, shape })
    }
}

impl fmt::Display for StatementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            StatementKind::Vaccination => {
                write!(f, "vaccination/v{}/depth{}", self.version, self.depth.bits())
            }
            StatementKind::Policy => write!(
                f,
                "policy/v{}/depth{}/k{}-m{}-g{}",
                self.version,
                self.depth.bits(),
                self.shape.records,
                self.shape.clauses,
                self.shape.groups
            ),
        }
    }
}

/// A verifier's policy for one statement kind: what the verifier hashes into the
/// policy-hash public input.
pub trait StatementPolicy {
    /// The statement kind the policy is written for.
    fn statement_kind(&self) -> StatementKind;
    /// Whether a key for `statement` can check this policy (kind and shape).
    fn fits(&self, statement: StatementId) -> bool {
        statement.kind == self.statement_kind()
    }
    /// The policy hash.
    fn policy_hash(&self) -> Fr;
    /// The nullifier scope (as its field element).
    fn scope_field(&self) -> Fr;
    /// A policy with hour windows (its statement's policy hash depends on the verifier's
    /// minute, [`Policy::at`](crate::policy::Policy::at)); `None` for every other policy.
    fn hour_windows(&self) -> Option<crate::policy::Policy> {
        None
    }
}

/// Names of the public inputs, in order.
pub const PUBLIC_INPUT_NAMES: [&str; 5] = ["root", "policy_hash", "today", "context", "nullifier"];

/// The public inputs of a presentation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicInputs {
    /// A registry root the verifier trusts.
    pub root: Fr,
    /// Hash of the verifier's policy.
    pub policy_hash: Fr,
    /// The day of the presentation.
    pub today: Day,
    /// Binds verifier, nonce, statement, policy and day (see [`crate::context`]).
    pub context: Fr,
    /// The holder's nullifier in the policy's scope.
    pub nullifier: Fr,
}

impl PublicInputs {
    /// The inputs as field elements, in [`PUBLIC_INPUT_NAMES`] order.
    pub fn to_field_elements(&self) -> [Fr; 5] {
        [self.root, self.policy_hash, self.today.to_field(), self.context, self.nullifier]
    }
}

#[cfg(feature = "r1cs")]
pub use self::constraints::PublicInputsVar;

#[cfg(feature = "r1cs")]
mod constraints {
    use ark_r1cs_std::{alloc::AllocVar, fields::fp::FpVar};
    use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

    use super::PublicInputs;
    use crate::field::Fr;

    /// The allocated public inputs. Allocation order is the order of
    /// [`PublicInputs::to_field_elements`]; a test asserts it for every statement.
    pub struct PublicInputsVar {
        /// Registry root.
        pub root: FpVar<Fr>,
        /// Policy hash.
        pub policy_hash: FpVar<Fr>,
        /// Today.
        pub today: FpVar<Fr>,
        /// Context; bound by the proof although no constraint reads it.
        pub context: FpVar<Fr>,
        /// Nullifier.
        pub nullifier: FpVar<Fr>,
    }

    impl PublicInputsVar {
        /// Allocates the five public inputs in order.
        pub fn new_input(
            cs: ConstraintSystemRef<Fr>,
            inputs: &PublicInputs,
        ) -> Result<PublicInputsVar, SynthesisError> {
            let [root, policy_hash, today, context, nullifier] = inputs.to_field_elements();
            let alloc = |x: Fr| FpVar::new_input(cs.clone(), || Ok(x));
            Ok(PublicInputsVar {
                root: alloc(root)?,
                policy_hash: alloc(policy_hash)?,
                today: alloc(today)?,
                context: alloc(context)?,
                nullifier: alloc(nullifier)?,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_reject_garbage() {
        let v = StatementId::vaccination(Depth::default());
        assert_eq!(StatementId::from_bytes(v.to_bytes()).unwrap(), v);
        assert_eq!(v.to_string(), "vaccination/v1/depth32");
        let p = StatementId::policy(Depth::default(), PolicyShape { records: 4, clauses: 16, groups: 4 });
        assert_eq!(StatementId::from_bytes(p.to_bytes()).unwrap(), p);
        assert_eq!(p.to_string(), "policy/v3/depth32/k4-m16-g4");
        // Keys and proofs of earlier policy circuits (before relative checks; before codes
        // records) are refused.
        for old in [1, 2] {
            assert!(matches!(
                StatementId::from_bytes([2, old, 32, 4, 16, 4]),
                Err(StatementIdError::Version { version, .. }) if version == old
            ));
        }
        assert!(matches!(StatementId::from_bytes([9, 1, 32, 0, 0, 0]), Err(StatementIdError::Kind(9))));
        assert!(matches!(
            StatementId::from_bytes([1, 2, 32, 0, 0, 0]),
            Err(StatementIdError::Version { .. })
        ));
        assert!(matches!(StatementId::from_bytes([1, 1, 33, 0, 0, 0]), Err(StatementIdError::Depth(_))));
        assert!(matches!(StatementId::from_bytes([1, 1, 32, 4, 0, 0]), Err(StatementIdError::Shape(_))));
        assert!(matches!(StatementId::from_bytes([2, 3, 32, 0, 16, 4]), Err(StatementIdError::Shape(_))));
    }
}

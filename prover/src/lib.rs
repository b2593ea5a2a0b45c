//! medzk prover: key generation, typed proving keys and parallel Groth16 proving.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod backend;
pub mod circuit;
pub mod groth16;
pub mod key;
pub mod key_check;
pub mod msm;
pub mod prove;
pub mod setup;
pub mod shape;

use medzk_circuits::context::SessionError;
use medzk_circuits::policy::eval::PolicyUnmet;
use medzk_circuits::statement::StatementId;
use medzk_circuits::vaccination::Unmet;

pub use key::{KeyError, ProvingKey};
pub use prove::{AnyRequest, PolicyRequest, Prover, VaccinationRequest};
pub use setup::insecure_dev_setup;

/// Why no proof was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProveError {
    /// The holder's data does not meet the statement; nothing was proven.
    #[error("cannot prove: {0}")]
    Unmet(Unmet),
    /// The holder's records do not meet the policy; nothing was proven.
    #[error("cannot prove: {0}")]
    PolicyUnmet(PolicyUnmet),
    /// The key is for another statement.
    #[error("this key proves {0}, not the requested statement")]
    WrongStatement(StatementId),
    /// No circuit for this statement in this build.
    #[error("statement {0} is not supported")]
    Unsupported(StatementId),
    /// The policy's nullifier scope belongs to another verifier than the one asking: a
    /// presentation would give that verifier the holder's pseudonym in the other's scope.
    #[error("the policy's scope {scope:?} belongs to another verifier than {verifier:?}; refusing to prove")]
    ScopeNotForVerifier {
        /// The policy's scope.
        scope: String,
        /// The session's verifier id.
        verifier: String,
    },
    /// Invalid verifier id or nonce.
    #[error("invalid session: {0}")]
    Session(#[from] SessionError),
    /// A policy with hour windows not set to the verifier's minute, or set to another
    /// day's minute than the presentation's.
    #[error("{0}")]
    Clock(String),
    /// The witness violates a constraint the native checks did not catch.
    #[error("internal error: the witness does not satisfy the circuit ({region})")]
    Unsatisfied {
        /// The failing region.
        region: &'static str,
    },
    /// The proving key does not match its verifying key (tampered with or damaged).
    #[error("the proving key does not match its verifying key ({0}): refusing to use it")]
    InconsistentKey(&'static str),
    /// The proof made with the proving key does not verify under its (pinned) verifying
    /// key: the key is damaged or tampered with, and the proof is not released.
    #[error(
        "the proof does not verify under the pinned verifying key: the proving key is damaged or tampered with; no proof released"
    )]
    KeyRejected,
    /// Constraint synthesis or the prover failed.
    #[error("internal error: {0}")]
    Synthesis(String),
}

impl ProveError {
    pub(crate) fn synthesis(e: impl std::fmt::Display) -> ProveError {
        ProveError::Synthesis(e.to_string())
    }
}

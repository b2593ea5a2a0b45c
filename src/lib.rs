//! medzk: zero-knowledge proofs of facts about committed medical records.
//!
//! This facade re-exports the workspace's crates:
//! [`circuits`] (records, hashing, registry tree, policies, statements),
//! [`prover`], [`verifier`] and [`registry`].
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use medzk_circuits as circuits;
pub use medzk_prover as prover;
pub use medzk_registry as registry;
pub use medzk_verifier as verifier;

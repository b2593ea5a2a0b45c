//! medzk: zero-knowledge proofs of facts about committed medical records.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub use medzk_circuits as circuits;

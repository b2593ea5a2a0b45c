//! medzk circuits: records, Poseidon, the registry tree, policies and statements.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod field;
pub mod poseidon;

pub use field::Fr;

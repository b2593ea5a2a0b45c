//! medzk circuits: records, Poseidon, the registry tree, policies and statements.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod any_policy;
pub mod calendar;
pub mod clock;
pub mod code;
pub mod context;
pub mod credential;
pub mod date;
pub mod field;
pub mod fixtures;
#[cfg(feature = "r1cs")]
pub mod gadgets;
pub mod holder;
pub mod issuance;
pub mod poseidon;
#[cfg(feature = "r1cs")]
pub mod r1cs;
pub mod record;
#[cfg(feature = "schema")]
pub mod schema;
pub mod statement;
pub mod tags;
pub mod text;
pub mod tree;
pub mod units;

pub use field::Fr;
pub mod policy;
pub mod vaccination;
pub mod valueset;

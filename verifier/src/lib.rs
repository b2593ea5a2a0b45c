//! medzk verifier: the presentation format, verifying keys and verification.
//!
//! Builds without the prover, ark-r1cs-std or rayon, for native targets and wasm32;
//! natively, pairing products run on blst ([`pairing`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod batch;
pub mod envelope;
pub mod fixed_base;
pub mod key;
pub mod pairing;
pub mod points;
pub mod presentation;
pub mod request;
pub mod signed_head;
pub mod subtree;
pub mod verify;

pub use batch::BatchItem;
pub use envelope::DecodeError;
pub use key::{KeyHash, VerifyingKey};
pub use presentation::Presentation;
pub use verify::{MemoryNullifiers, NullifierStore, Verified, Verifier, VerifyError, VerifyOnceError};

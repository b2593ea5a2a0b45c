//! Health credentials in: SMART Health Cards, EU Digital COVID Certificates and FHIR R4
//! resources, with the issuer's signature checked, mapped to medzk records.
//!
//! Every decoder is bounded (input size, decompressed size) and returns a typed
//! [`FormatError`] naming the step that failed; nothing here panics on input. The crate
//! does not depend on the prover and builds for wasm32, so a wallet can import too.
//! docs/import.md states the mapping field by field.

pub mod bytes;
pub mod error;
pub mod fhir;
pub mod map;
pub mod qr_image;

pub use error::{FormatError, Step};
pub mod dcc;
pub mod shc;

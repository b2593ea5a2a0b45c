//! medzk's registry as a service: `medzk serve` runs it, the [`client::Client`] calls it.
//!
//! Issuers are enrolled by the operator with an Ed25519 public key and sign every write
//! ([`auth`]: body hash, timestamp, nonce; replays refused); an issuer revokes only the
//! leaves it appended. Every head a verifier fetches is signed by the operator's key
//! ([`medzk_registry::SignedHead`]), so a verifier that pins that key trusts no root the
//! service (or anyone between) could invent. Holders fetch their inclusion paths by index,
//! or privately as a subtree of `4^k` leaves. Every write request, accepted or refused,
//! is in the registry's audit log, which the operator reads with a signed request; issuers
//! are rate-limited; `/metrics` serves Prometheus text. An operator may let the service import
//! SMART Health Cards for wallets ([`import`]).
#![forbid(unsafe_code)]

pub mod auth;
pub mod client;
pub mod import;
pub mod limits;
pub mod metrics;
mod routes;
pub mod server;

pub use client::{Client, ClientError};
pub use import::ShcImport;
pub use limits::Limits;
pub use server::{Running, Service, ServiceConfig};

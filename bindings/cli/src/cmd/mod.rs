//! The subcommands.

pub mod demo;
pub mod holder;
pub mod inspect;
pub mod issue;
pub mod policy;
pub mod prove;
pub mod registry;
pub mod setup;
pub mod verify;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use medzk_circuits::context::NONCE_BYTES;
use medzk_circuits::date::Day;
use medzk_circuits::policy::Policy;
use medzk_circuits::statement::{StatementId, StatementPolicy};
use medzk_circuits::tree::Depth;
use medzk_circuits::vaccination::VaccinationPolicy;
use rand::RngCore;

use crate::io::{self, CliError, CliResult};

/// Seconds since the Unix epoch, from the system clock.
pub fn now_unix() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// `--today` if given, else the system clock's day (UTC).
pub fn today(given: Option<Day>) -> Day {
    given.unwrap_or_else(|| Day::from_unix_seconds(now_unix()))
}

/// 16 random bytes from the OS generator, as hex.
pub fn fresh_nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Parses a hex nonce of 8 to 64 bytes.
pub fn parse_nonce(text: &str) -> CliResult<Vec<u8>> {
    let bytes = hex::decode(text).map_err(|_| CliError::Input("the nonce must be hex".into()))?;
    if !NONCE_BYTES.contains(&bytes.len()) {
        return Err(CliError::Input("the nonce must have 8 to 64 bytes (16 to 128 hex digits)".into()));
    }
    Ok(bytes)
}

/// A policy file of either statement.
#[derive(Clone, Debug)]
pub enum AnyPolicy {
    /// `"statement": "vaccination"`.
    Vaccination(VaccinationPolicy),
    /// `"statement": "policy"`.
    General(Policy),
}

impl AnyPolicy {
    /// The policy as the verifier sees it.
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
}

/// Loads and validates a policy file (vaccination or general, by its `statement`).
pub fn load_policy(path: &Path) -> CliResult<AnyPolicy> {
    let text = io::read_text(path)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| CliError::file(path, format!("invalid policy JSON: {e}")))?;
    match value.get("statement").and_then(|s| s.as_str()) {
        Some("vaccination") => VaccinationPolicy::from_json(&text)
            .map(AnyPolicy::Vaccination)
            .map_err(|e| CliError::file(path, e)),
        Some("policy") => {
            Policy::from_json(&text).map(AnyPolicy::General).map_err(|e| CliError::file(path, e))
        }
        _ => Err(CliError::file(path, "a policy file has \"statement\": \"vaccination\" or \"policy\"")),
    }
}

/// Shortens a `0x…` hex string for display.
pub fn short(hex: &str) -> String {
    if hex.len() > 14 { format!("{}…{}", &hex[..8], &hex[hex.len() - 4..]) } else { hex.to_string() }
}

//! The subcommands.

pub mod ceremony;
pub mod demo;
pub mod holder;
pub mod import;
pub mod inspect;
pub mod issue;
pub mod man;
pub mod policy;
pub mod prove;
pub mod qr;
pub mod registry;
pub mod serve;
pub mod setup;
pub mod verify;

use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

use medzk_circuits::clock::Clock;
use medzk_circuits::context::NONCE_BYTES;
use medzk_circuits::date::Day;
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

/// `--today` if given (a day, or a day and UTC time), else the system clock's minute.
pub fn clock(given: Option<Clock>) -> Clock {
    given.unwrap_or_else(|| Clock::from_unix_seconds(now_unix()))
}

/// 16 random bytes from the OS generator, as hex.
pub fn fresh_nonce() -> String {
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Parses hex text, `0x` or bare; anything else (empty, odd length, a non-hex
/// character) is an error that names `what`.
pub fn parse_hex(text: &str, what: &str) -> CliResult<Vec<u8>> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    if digits.is_empty() {
        return Err(CliError::Input(format!("{what} is empty; give hex digits")));
    }
    if let Some(c) = digits.chars().find(|c| !c.is_ascii_hexdigit()) {
        return Err(CliError::Input(format!("{what}: {c:?} is not a hex digit")));
    }
    if digits.len() % 2 != 0 {
        return Err(CliError::Input(format!("{what}: odd number of hex digits ({})", digits.len())));
    }
    hex::decode(digits).map_err(|_| CliError::Input(format!("{what} must be hex")))
}

/// Parses a hex nonce of 8 to 64 bytes (`0x` or bare).
pub fn parse_nonce(text: &str) -> CliResult<Vec<u8>> {
    let bytes = parse_hex(text, "the nonce")?;
    if !NONCE_BYTES.contains(&bytes.len()) {
        return Err(CliError::Input("the nonce must have 8 to 64 bytes (16 to 128 hex digits)".into()));
    }
    Ok(bytes)
}

/// Parses a field element written as 64 hex digits, `0x` or bare.
pub fn parse_field(text: &str, what: &str) -> CliResult<medzk_circuits::field::Fr> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    parse_hex(digits, what)?;
    medzk_circuits::field::from_hex(&format!("0x{digits}"))
        .map_err(|e| CliError::Input(format!("{what}: {e} (64 hex digits)")))
}

pub use medzk_circuits::any_policy::AnyPolicy;

/// Loads and validates a policy file (vaccination or general, by its `statement`).
pub fn load_policy(path: &Path) -> CliResult<AnyPolicy> {
    AnyPolicy::from_json(&io::read_text(path)?).map_err(|e| CliError::file(path, e))
}

/// Shortens a `0x…` hex string for display.
pub fn short(hex: &str) -> String {
    if hex.len() > 14 { format!("{}…{}", &hex[..8], &hex[hex.len() - 4..]) } else { hex.to_string() }
}

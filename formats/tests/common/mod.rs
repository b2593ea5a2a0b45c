//! Shared test helpers: the reference data folder and the project's own test issuer.

#![allow(dead_code)]

use std::path::PathBuf;

use medzk_circuits::date::Day;
use medzk_circuits::field::Fr;
use medzk_circuits::holder::HolderId;
use medzk_formats::map::{Options, VaccineCodes};
use p256::ecdsa::SigningKey;

/// `../shared/realworld/<sub>`, or `None` (with a message saying the test is skipped)
/// where the folder is absent.
pub fn realworld(sub: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/realworld").join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: reference data {} is absent (see the project README)", dir.display());
        None
    }
}

/// Mapping options for a test holder.
pub fn options(today: &str) -> Options {
    Options {
        holder: HolderId(Fr::from(42u64)),
        issuer: "test".into(),
        vaccine_codes: VaccineCodes::AsIssued,
        today: today.parse::<Day>().unwrap(),
    }
}

/// The project's own test issuer key (a fixed scalar: test-only, never a real issuer's).
pub fn test_issuer_key() -> SigningKey {
    SigningKey::from_bytes(&[0x5a; 32].into()).unwrap()
}

/// Another key, for wrong-key tests.
pub fn other_key() -> SigningKey {
    SigningKey::from_bytes(&[0x3c; 32].into()).unwrap()
}

/// Unix seconds of a date at noon UTC.
pub fn unix(date: &str) -> i64 {
    date.parse::<Day>().unwrap().0 as i64 * 86_400 + 43_200
}

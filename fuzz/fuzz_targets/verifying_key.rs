//! Verifying-key bytes: a typed error or a key that re-encodes identically.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medzk_verifier::VerifyingKey;

fuzz_target!(|data: &[u8]| {
    if let Ok(key) = VerifyingKey::from_bytes(data) {
        assert_eq!(key.to_bytes(), data);
    }
});

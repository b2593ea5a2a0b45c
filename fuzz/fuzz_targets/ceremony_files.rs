//! Ceremony transcripts (`MZKC` phase-1 and phase-2 files): a typed error or a transcript
//! that re-encodes identically. The input is wrapped in a valid header and digest, so the
//! fuzzer reaches the body decoder rather than stopping at the digest check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medzk_ceremony::{Phase1, Phase2};
use sha2::{Digest, Sha256};

fn wrap(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = b"MZKC".to_vec();
    out.push(1);
    out.push(kind);
    out.extend_from_slice(body);
    let digest = Sha256::digest(&out);
    out.extend_from_slice(&digest);
    out
}

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = Phase1::from_bytes(data) {
        assert_eq!(p.to_bytes(), data);
    }
    let file = wrap(1, data);
    if let Ok(p) = Phase1::from_bytes(&file) {
        assert_eq!(p.to_bytes(), file);
    }
    let file = wrap(2, data);
    if let Ok(p) = Phase2::from_bytes(&file) {
        assert_eq!(p.to_bytes(), file);
    }
});

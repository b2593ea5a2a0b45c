//! Proving-key bytes, both as they come and wrapped with a correct digest so that the
//! fast (unchecked) point decoding behind the digest is exercised: never a panic, and
//! no allocation driven by an unchecked length.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medzk_circuits::statement::StatementId;
use medzk_circuits::tree::Depth;
use medzk_prover::ProvingKey;
use medzk_verifier::envelope::{self, ObjectKind};
use medzk_verifier::key::KeyHash;
use sha2::{Digest, Sha256};

fuzz_target!(|data: &[u8]| {
    let _ = ProvingKey::from_bytes(data, &KeyHash([0; 32]));
    let _ = ProvingKey::decode_own(data);
    let mut body = Sha256::digest(data).to_vec();
    body.extend_from_slice(data);
    let wrapped = envelope::encode(ObjectKind::ProvingKey, StatementId::vaccination(Depth::new(4).unwrap()), &body);
    let _ = ProvingKey::decode_own(&wrapped);
});

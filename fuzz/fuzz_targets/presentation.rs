//! Presentation bytes through decoding and full verification against the golden corpus's
//! key, policy and root: any verdict, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use medzk_circuits::any_policy::AnyPolicy;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::field;
use medzk_verifier::{Presentation, Verifier, VerifyingKey};
use merlin::Transcript;

fn verifier() -> &'static Verifier {
    static V: OnceLock<Verifier> = OnceLock::new();
    V.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/");
        let key = VerifyingKey::from_bytes(&std::fs::read(format!("{dir}vaccination.vk")).unwrap()).unwrap();
        let policy = AnyPolicy::from_json(&std::fs::read_to_string(format!("{dir}policy.json")).unwrap()).unwrap();
        let manifest = std::fs::read_to_string(format!("{dir}manifest.json")).unwrap();
        let at = manifest.find("\"trusted_roots\"").unwrap();
        let start = at + manifest[at..].find("0x").unwrap();
        let root = field::from_hex(&manifest[start..start + 66]).unwrap();
        Verifier::new(key, policy.as_statement(), [root]).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(p) = Presentation::from_bytes(data) {
        // Decoding is canonical: what decodes re-encodes to the same bytes.
        assert_eq!(p.to_bytes(), data);
    }
    let session = Session { verifier_id: "border:NO:OSL-gate-7", nonce: b"golden-nonce-001" };
    let _ = verifier().verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, "2026-11-24".parse().unwrap(), data);
});

//! The golden corpus in `tests/vectors/`: the native verifier gives every case the verdict
//! recorded in the manifest, on both pairing backends (blst and arkworks). The wasm
//! verifier is held to the same manifest by the Node tests, so none can disagree.

use std::path::PathBuf;

use medzk_circuits::any_policy::AnyPolicy;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::date::Day;
use medzk_circuits::field;
use medzk_verifier::pairing::{Backend, with_backend};
use medzk_verifier::{Verifier, VerifyingKey};
use merlin::Transcript;
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn native_verdicts_match_the_manifest() {
    let d = dir();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("manifest.json")).unwrap()).unwrap();
    let session = &manifest["session"];
    let key = VerifyingKey::from_bytes(&std::fs::read(d.join("vaccination.vk")).unwrap()).unwrap();
    assert_eq!(key.hash().to_string(), session["key_hash"].as_str().unwrap());
    let policy = AnyPolicy::from_json(&std::fs::read_to_string(d.join("policy.json")).unwrap()).unwrap();
    let roots = session["trusted_roots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| field::from_hex(r.as_str().unwrap()).unwrap())
        .collect::<Vec<_>>();
    let make = || Verifier::new(key.clone(), policy.as_statement(), roots.clone()).unwrap();
    let shared = make();
    let cases = manifest["cases"].as_array().unwrap();
    let invalid = cases.iter().filter(|c| c["expected"] != "accepted").count();
    assert!(invalid >= 10, "{invalid} invalid cases");
    // One verifier for every case (its first check is a one-shot's, the later ones use
    // its tables and, on blst, e(α, β)), on both backends; and a new verifier per case.
    for (backend, fresh) in [(Backend::DEFAULT, false), (Backend::Arkworks, false), (Backend::DEFAULT, true)]
    {
        with_backend(backend, || {
            for case in cases {
                let get = |k: &str| {
                    case.get(k).or_else(|| session.get(k)).and_then(Value::as_str).unwrap().to_string()
                };
                let nonce = hex(&get("nonce"));
                let verifier_id = get("verifier_id");
                let today: Day = get("today").parse().unwrap();
                let bytes = std::fs::read(d.join(case["file"].as_str().unwrap())).unwrap();
                let s = Session { verifier_id: &verifier_id, nonce: &nonce };
                let new_one;
                let verifier = if fresh {
                    new_one = make();
                    &new_one
                } else {
                    &shared
                };
                let verdict = match verifier.verify(&mut Transcript::new(TRANSCRIPT_LABEL), &s, today, &bytes)
                {
                    Ok(_) => "accepted",
                    Err(e) => e.code(),
                };
                assert_eq!(verdict, case["expected"].as_str().unwrap(), "{} ({backend:?})", case["name"]);
            }
        });
    }
}

//! Writes the golden corpus in `tests/vectors/` (valid and invalid presentations with
//! their expected verdicts), which the native tests (`verifier/tests/golden.rs`) and the
//! wasm tests (`bindings/wasm/tests/`) both check. Run only to regenerate, after a change
//! to the circuit or the formats:
//!
//! `cargo test --release -p medzk-prover --test golden_vectors -- --ignored`

use std::path::PathBuf;

use ark_bls12_381::{Fq, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{One, UniformRand};
use ark_serialize::CanonicalSerialize;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::field::{self, Fr};
use medzk_circuits::fixtures::VaccinationFixture;
use medzk_circuits::statement::{PolicyShape, StatementId};
use medzk_circuits::tree::Depth;
use medzk_prover::{Prover, VaccinationRequest, insecure_dev_setup};
use medzk_verifier::Presentation;
use merlin::Transcript;
use rand::{RngCore, SeedableRng, rngs::StdRng};
use serde_json::json;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

/// A compressed G1 point on the curve but outside the prime-order subgroup.
fn point_outside_subgroup(rng: &mut StdRng) -> [u8; 48] {
    loop {
        let x = Fq::rand(rng);
        if let Some(p) = G1Affine::get_point_from_x_unchecked(x, true) {
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                let mut out = [0u8; 48];
                p.serialize_compressed(&mut out[..]).unwrap();
                return out;
            }
        }
    }
}

#[test]
#[ignore]
fn regenerate_corpus() {
    let depth = Depth::default();
    let seed = b"medzk golden vectors (insecure)";
    let (pk, vk) = insecure_dev_setup(StatementId::vaccination(depth), seed).unwrap();
    let prover = Prover::new(pk).unwrap();
    let f = VaccinationFixture::new(depth, 30, 40, 2026);
    let (verifier_id, nonce) = ("border:NO:OSL-gate-7", *b"golden-nonce-001");
    let mut rng = StdRng::seed_from_u64(7);
    let prove = |f: &VaccinationFixture, rng: &mut StdRng| -> Presentation {
        let witness = f.witness();
        let request = VaccinationRequest {
            policy: &f.policy,
            witness: &witness,
            root: f.root(),
            session: Session { verifier_id, nonce: &nonce },
            today: f.today,
        };
        prover.prove_vaccination(request, &mut Transcript::new(TRANSCRIPT_LABEL), rng).unwrap()
    };
    let valid = prove(&f, &mut rng);
    let bytes = valid.to_bytes();
    let d = dir();
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("vaccination.vk"), vk.to_bytes()).unwrap();
    std::fs::write(d.join("policy.json"), serde_json::to_string_pretty(&f.policy).unwrap() + "\n").unwrap();

    let mut cases: Vec<(String, Vec<u8>, serde_json::Value)> = Vec::new();
    let mut case = |name: &str, b: Vec<u8>, extra: serde_json::Value| cases.push((name.into(), b, extra));
    case("valid", bytes.clone(), json!({}));
    // A flipped bit in C's x coordinate: still a valid encoding of some point or not —
    // either way rejected; the expected code below is the native verdict.
    let mut tampered = bytes.clone();
    tampered[16 + 32 + 48 + 96 + 10] ^= 0x01;
    case("tampered_proof_byte", tampered, json!({}));
    // A proof point replaced by another valid point: decodes, then fails the pairing check.
    let mut moved = valid.clone();
    moved.proof.c = (moved.proof.c + G1Affine::generator()).into();
    case("tampered_proof_point", moved.to_bytes(), json!({}));
    case("wrong_nonce", bytes.clone(), json!({"nonce": hex(b"golden-nonce-002")}));
    case("wrong_verifier", bytes.clone(), json!({"verifier_id": "border:SE:ARN"}));
    case("stale_date", bytes.clone(), json!({"today": medzk_circuits::date::Day(f.today.0 + 2).to_string()}));
    case("truncated", bytes[..bytes.len() - 1].to_vec(), json!({}));
    case("trailing_bytes", [bytes.clone(), vec![0]].concat(), json!({}));
    let mut other_statement = valid.clone();
    other_statement.statement =
        StatementId::policy(depth, PolicyShape { records: 4, clauses: 16, groups: 4 });
    case("wrong_statement", other_statement.to_bytes(), json!({}));
    let mut subgroup = bytes.clone();
    subgroup[16 + 32..16 + 32 + 48].copy_from_slice(&point_outside_subgroup(&mut rng));
    case("point_not_in_subgroup", subgroup, json!({}));
    let mut random = vec![0u8; bytes.len()];
    rng.fill_bytes(&mut random);
    case("random_bytes", random, json!({}));
    let mut random_header = bytes.clone();
    rng.fill_bytes(&mut random_header[16..]);
    case("random_body", random_header, json!({}));
    // Proven against a registry root the verifier does not trust.
    let g = VaccinationFixture::new(depth, 31, 40, 2026);
    case("untrusted_root", prove(&g, &mut rng).to_bytes(), json!({}));
    // Made with another setup.
    let (other_pk, _) = insecure_dev_setup(StatementId::vaccination(depth), b"another setup").unwrap();
    let other = Prover::new(other_pk).unwrap();
    let witness = f.witness();
    let request = VaccinationRequest {
        policy: &f.policy,
        witness: &witness,
        root: f.root(),
        session: Session { verifier_id, nonce: &nonce },
        today: f.today,
    };
    let foreign = other.prove_vaccination(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut rng).unwrap();
    case("wrong_key", foreign.to_bytes(), json!({}));
    let mut forged_key = foreign.clone();
    forged_key.key_hash = vk.hash();
    case("another_setup_claiming_this_key", forged_key.to_bytes(), json!({}));
    let mut identity = valid.clone();
    identity.proof.a = G1Affine::zero();
    identity.proof.b = G2Affine::zero();
    identity.proof.c = G1Affine::zero();
    case("identity_proof", identity.to_bytes(), json!({}));
    let mut big = bytes.clone();
    let n = big.len();
    big[n - 32..].copy_from_slice(&[0xff; 32]);
    case("nullifier_not_canonical", big, json!({}));
    let mut flipped_nullifier = valid.clone();
    flipped_nullifier.nullifier += Fr::one();
    case("other_nullifier", flipped_nullifier.to_bytes(), json!({}));
    case("verifying_key_as_presentation", vk.to_bytes().to_vec(), json!({}));
    case("empty", vec![], json!({}));

    // Expected verdicts: the native verifier's, written down once.
    let verifier = medzk_verifier::Verifier::new(vk.clone(), &f.policy, [f.root()]).unwrap();
    let mut manifest = Vec::new();
    for (name, b, extra) in &cases {
        let file = format!("{name}.bin");
        std::fs::write(d.join(&file), b).unwrap();
        let vid = extra.get("verifier_id").and_then(|v| v.as_str()).unwrap_or(verifier_id).to_string();
        let n = extra.get("nonce").and_then(|v| v.as_str()).map(hex_decode).unwrap_or(nonce.to_vec());
        let today =
            extra.get("today").and_then(|v| v.as_str()).map(|t| t.parse().unwrap()).unwrap_or(f.today);
        let session = Session { verifier_id: &vid, nonce: &n };
        let verdict = match verifier.verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, today, b) {
            Ok(_) => "accepted",
            Err(e) => e.code(),
        };
        assert_eq!(verdict == "accepted", name == "valid", "{name}: {verdict}");
        let mut entry = json!({"name": name, "file": file, "expected": verdict});
        for (k, v) in extra.as_object().unwrap() {
            entry[k] = v.clone();
        }
        manifest.push(entry);
    }
    let session = json!({
        "verifier_id": verifier_id,
        "nonce": hex(&nonce),
        "today": f.today.to_string(),
        "trusted_roots": [field::to_hex(&f.root())],
        "key_hash": vk.hash().to_string(),
        "policy_hash": field::to_hex(&f.policy.hash()),
    });
    let doc = json!({"session": session, "cases": manifest});
    std::fs::write(d.join("manifest.json"), serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

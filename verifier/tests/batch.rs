//! Batch verification: all valid → accepted; one invalid among 64 → rejected and that one
//! identified; results identical to verifying one by one.

use std::path::PathBuf;

use ark_bls12_381::{Bls12_381, G1Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_groth16::Groth16;
use medzk_circuits::any_policy::AnyPolicy;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::date::Day;
use medzk_circuits::field;
use medzk_verifier::pairing::{Backend, with_backend};
use medzk_verifier::{BatchItem, Presentation, Verifier, VerifyError, VerifyingKey};
use merlin::Transcript;
use rand::{SeedableRng, rngs::StdRng};
use serde_json::Value;

struct Corpus {
    verifier: Verifier,
    key: VerifyingKey,
    verifier_id: String,
    nonce: Vec<u8>,
    today: Day,
    dir: PathBuf,
}

fn corpus() -> Corpus {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let m: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
    let s = &m["session"];
    let key = VerifyingKey::from_bytes(&std::fs::read(dir.join("vaccination.vk")).unwrap()).unwrap();
    let policy = AnyPolicy::from_json(&std::fs::read_to_string(dir.join("policy.json")).unwrap()).unwrap();
    let root = field::from_hex(s["trusted_roots"][0].as_str().unwrap()).unwrap();
    let nonce_hex = s["nonce"].as_str().unwrap();
    let nonce = (0..nonce_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&nonce_hex[i..i + 2], 16).unwrap())
        .collect();
    Corpus {
        verifier: Verifier::new(key.clone(), policy.as_statement(), [root]).unwrap(),
        key,
        verifier_id: s["verifier_id"].as_str().unwrap().into(),
        nonce,
        today: s["today"].as_str().unwrap().parse().unwrap(),
        dir,
    }
}

impl Corpus {
    fn file(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.dir.join(name)).unwrap()
    }

    /// `n` distinct valid presentations: re-randomizations of the corpus's valid one.
    fn valid(&self, n: usize, seed: u64) -> Vec<Vec<u8>> {
        let base = Presentation::from_bytes(&self.file("valid.bin")).unwrap();
        let mut rng = StdRng::seed_from_u64(seed);
        (0..n)
            .map(|_| {
                let mut p = base.clone();
                p.proof = Groth16::<Bls12_381>::rerandomize_proof(self.key.inner(), &base.proof, &mut rng);
                p.to_bytes()
            })
            .collect()
    }

    fn batch(&self, presentations: &[Vec<u8>]) -> Vec<Result<(), VerifyError>> {
        let session = Session { verifier_id: &self.verifier_id, nonce: &self.nonce };
        let items = presentations
            .iter()
            .map(|b| BatchItem { transcript: Transcript::new(TRANSCRIPT_LABEL), session, bytes: b })
            .collect();
        let mut rng = StdRng::seed_from_u64(99);
        self.verifier.verify_batch(items, self.today, &mut rng).into_iter().map(|r| r.map(|_| ())).collect()
    }

    fn one_by_one(&self, presentations: &[Vec<u8>]) -> Vec<Result<(), VerifyError>> {
        let session = Session { verifier_id: &self.verifier_id, nonce: &self.nonce };
        presentations
            .iter()
            .map(|b| {
                self.verifier
                    .verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, self.today, b)
                    .map(|_| ())
            })
            .collect()
    }
}

#[test]
fn all_valid_is_accepted() {
    let c = corpus();
    for n in [1, 8, 64] {
        let batch = c.valid(n, n as u64);
        assert!(c.batch(&batch).iter().all(Result::is_ok), "batch of {n}");
    }
    assert!(c.batch(&[]).is_empty());
}

#[test]
fn one_invalid_among_64_is_identified() {
    let c = corpus();
    let mut batch = c.valid(64, 7);
    // Replace C by C + G in presentation 41: well-formed, but the proof is false.
    let mut p = Presentation::from_bytes(&batch[41]).unwrap();
    p.proof.c = (p.proof.c + G1Affine::generator()).into_affine();
    batch[41] = p.to_bytes();
    let results = c.batch(&batch);
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.is_ok(), i != 41, "presentation {i}");
    }
    assert_eq!(results[41], Err(VerifyError::Rejected));
    assert_eq!(results, c.one_by_one(&batch));
    assert_eq!(with_backend(Backend::Arkworks, || c.batch(&batch)), results);
}

#[test]
fn results_equal_one_by_one_for_every_corpus_case() {
    let c = corpus();
    let mut batch = c.valid(20, 11);
    for name in [
        "tampered_proof_point",
        "tampered_proof_byte",
        "untrusted_root",
        "wrong_key",
        "identity_proof",
        "other_nullifier",
        "another_setup_claiming_this_key",
        "truncated",
        "random_bytes",
        "wrong_statement",
        "empty",
    ] {
        batch.insert(batch.len() / 2, c.file(&format!("{name}.bin")));
    }
    batch.extend(c.valid(5, 12));
    let batched = c.batch(&batch);
    assert_eq!(batched, c.one_by_one(&batch));
    assert_eq!(batched.iter().filter(|r| r.is_ok()).count(), 25);
    // The same verdicts with arkworks' pairings (blst's are the native default).
    with_backend(Backend::Arkworks, || {
        assert_eq!(c.batch(&batch), batched);
        assert_eq!(c.one_by_one(&batch), batched);
    });
}

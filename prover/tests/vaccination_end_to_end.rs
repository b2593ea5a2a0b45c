//! End to end: setup, prove, verify, and every way a presentation must be rejected.

use std::sync::OnceLock;

use ark_bls12_381::{Bls12_381, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{AdditiveGroup, Field};
use ark_groth16::Groth16;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::date::Day;
use medzk_circuits::field::Fr;
use medzk_circuits::fixtures::VaccinationFixture;
use medzk_circuits::statement::{PUBLIC_INPUT_NAMES, StatementId};
use medzk_circuits::tree::{Depth, EMPTY_LEAF};
use medzk_circuits::vaccination::{DayWindow, Unmet, VaccinationPolicy};
use medzk_prover::{KeyError, ProveError, Prover, ProvingKey, VaccinationRequest, insecure_dev_setup};
use medzk_verifier::presentation::Presentation;
use medzk_verifier::{DecodeError, KeyHash, Verifier, VerifyError, VerifyingKey};
use merlin::Transcript;
use rand::{SeedableRng, rngs::StdRng};

const NONCE: &[u8] = b"nonce-0000000001";
const VERIFIER: &str = "border:NO:OSL";

struct Keys {
    prover: Prover,
    vk: VerifyingKey,
}

fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (pk, vk) =
            insecure_dev_setup(StatementId::vaccination(Depth::default()), b"medzk tests").unwrap();
        Keys { prover: Prover::new(pk).unwrap(), vk }
    })
}

fn fixture() -> VaccinationFixture {
    VaccinationFixture::new(Depth::default(), 20, 40, 11)
}

fn session() -> Session<'static> {
    Session { verifier_id: VERIFIER, nonce: NONCE }
}

fn prove(f: &VaccinationFixture, session: Session<'_>) -> Result<Presentation, ProveError> {
    let witness = f.witness();
    let request =
        VaccinationRequest { policy: &f.policy, witness: &witness, root: f.root(), session, today: f.today };
    let mut rng = StdRng::seed_from_u64(99);
    keys().prover.prove_vaccination(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut rng)
}

fn verifier(f: &VaccinationFixture) -> Verifier {
    Verifier::new(keys().vk.clone(), &f.policy, [f.root()]).unwrap()
}

fn verify(v: &Verifier, session: Session<'_>, today: Day, bytes: &[u8]) -> Result<(), VerifyError> {
    v.verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, today, bytes).map(|_| ())
}

#[test]
fn a_valid_presentation_verifies() {
    let f = fixture();
    let p = prove(&f, session()).unwrap();
    let bytes = p.to_bytes();
    assert_eq!(bytes.len(), medzk_verifier::presentation::PRESENTATION_BYTES);
    let verified =
        verifier(&f).verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session(), f.today, &bytes).unwrap();
    assert_eq!(verified.nullifier, f.secret.nullifier(f.policy.scope()));
    assert_eq!(verified.root, f.root());
    // Only on the verifier's own day: one day either way is stale.
    for other in [Day(f.today.0 + 1), Day(f.today.0 - 1)] {
        assert!(matches!(
            verify(&verifier(&f), session(), other, &bytes),
            Err(VerifyError::StaleDate { .. })
        ));
    }
}

/// Finding 3 of the hardening review: the prover chose `today` within a day of the
/// verifier's clock, so every date bound was one day wider than written. A dose 13 days
/// old must not pass "at least 14 days" however the prover picks its day.
#[test]
fn date_bounds_hold_exactly_against_the_verifier_date() {
    let f = VaccinationFixture::new(Depth::default(), 20, 13, 11);
    let witness = f.witness();
    let prove_on = |today: Day| {
        let request = VaccinationRequest {
            policy: &f.policy,
            witness: &witness,
            root: f.root(),
            session: session(),
            today,
        };
        keys().prover.prove_vaccination(
            request,
            &mut Transcript::new(TRANSCRIPT_LABEL),
            &mut StdRng::seed_from_u64(1),
        )
    };
    // On the verifier's day the dose is 13 days old: nothing to prove.
    assert!(matches!(prove_on(f.today), Err(ProveError::Unmet(_))));
    // A prover that picks tomorrow makes a proof, which the verifier refuses.
    let tomorrow = prove_on(Day(f.today.0 + 1)).unwrap().to_bytes();
    assert_eq!(
        verify(&verifier(&f), session(), f.today, &tomorrow),
        Err(VerifyError::StaleDate { presented: Day(f.today.0 + 1), today: f.today })
    );
    // Exactly at the bound: 14 days on the verifier's day.
    let g = VaccinationFixture::new(Depth::default(), 20, 14, 11);
    let witness = g.witness();
    let request = VaccinationRequest {
        policy: &g.policy,
        witness: &witness,
        root: g.root(),
        session: session(),
        today: g.today,
    };
    let ok = keys().prover.prove_vaccination(
        request,
        &mut Transcript::new(TRANSCRIPT_LABEL),
        &mut StdRng::seed_from_u64(2),
    );
    let v = Verifier::new(keys().vk.clone(), &g.policy, [g.root()]).unwrap();
    assert_eq!(verify(&v, session(), g.today, &ok.unwrap().to_bytes()), Ok(()));
}

#[test]
fn flipping_each_public_input_fails() {
    let f = fixture();
    let p = prove(&f, session()).unwrap();
    let v = verifier(&f);
    let inputs = v.public_inputs(&mut Transcript::new(TRANSCRIPT_LABEL), &session(), f.today, &p).unwrap();
    let good = inputs.to_field_elements();
    let pvk = keys().vk.prepared();
    assert!(Groth16::<Bls12_381>::verify_proof(pvk, &p.proof, &good).unwrap());
    for (i, name) in PUBLIC_INPUT_NAMES.iter().enumerate() {
        let mut bad = good;
        bad[i] += Fr::ONE;
        assert!(!Groth16::<Bls12_381>::verify_proof(pvk, &p.proof, &bad).unwrap(), "{name}");
    }
}

#[test]
fn another_nonce_or_verifier_fails() {
    let f = fixture();
    let bytes = prove(&f, session()).unwrap().to_bytes();
    let v = verifier(&f);
    let replay = Session { verifier_id: VERIFIER, nonce: b"nonce-0000000002" };
    assert_eq!(verify(&v, replay, f.today, &bytes), Err(VerifyError::Rejected));
    let elsewhere = Session { verifier_id: "border:SE:ARN", nonce: NONCE };
    assert_eq!(verify(&v, elsewhere, f.today, &bytes), Err(VerifyError::Rejected));
    // Another transcript label (another application) too.
    let r = v.verify(&mut Transcript::new(b"other app"), &session(), f.today, &bytes);
    assert_eq!(r.unwrap_err(), VerifyError::Rejected);
}

#[test]
fn untrusted_root_and_stale_date_fail() {
    let f = fixture();
    let bytes = prove(&f, session()).unwrap().to_bytes();
    let other = Verifier::new(keys().vk.clone(), &f.policy, [f.root() + Fr::ONE]).unwrap();
    assert_eq!(verify(&other, session(), f.today, &bytes), Err(VerifyError::UntrustedRoot));
    let later = Day(f.today.0 + 2);
    assert_eq!(
        verify(&verifier(&f), session(), later, &bytes),
        Err(VerifyError::StaleDate { presented: f.today, today: later })
    );
}

#[test]
fn a_revoked_record_cannot_prove_against_the_new_root() {
    let mut f = fixture();
    let old_root = f.root();
    let old_witness = f.witness();
    f.tree.insert(f.index, EMPTY_LEAF);
    let new_root = f.root();
    assert_ne!(old_root, new_root);
    // The native check refuses, naming the reason.
    assert_eq!(prove(&f, session()).unwrap_err(), ProveError::Unmet(Unmet::NotInRegistry));
    // Forcing the stale path against the new root leaves the circuit unsatisfied.
    let public = medzk_circuits::statement::PublicInputs {
        root: new_root,
        policy_hash: f.policy.hash(),
        today: f.today,
        context: Fr::ONE,
        nullifier: old_witness.nullifier(&f.policy),
    };
    let circuit = medzk_prover::circuit::AnyCircuit::Vaccination(Box::new(
        medzk_circuits::vaccination::circuit::VaccinationCircuit::new(
            Depth::default(),
            f.policy.clone(),
            public,
            old_witness,
        ),
    ));
    let mut rng = StdRng::seed_from_u64(1);
    assert_eq!(
        keys().prover.prove_circuit(circuit, &mut rng).unwrap_err(),
        ProveError::Unsatisfied { region: "registry membership" }
    );
}

#[test]
fn a_proof_for_one_policy_fails_under_another() {
    let f = fixture();
    let bytes = prove(&f, session()).unwrap().to_bytes();
    let p = &f.policy;
    let stricter = VaccinationPolicy::new(
        p.scope().clone(),
        p.vaccines().to_vec(),
        DayWindow { min: 14, max: 180 },
        1,
        true,
    )
    .unwrap();
    let v = Verifier::new(keys().vk.clone(), &stricter, [f.root()]).unwrap();
    assert_eq!(verify(&v, session(), f.today, &bytes), Err(VerifyError::Rejected));
}

#[test]
fn another_key_fails() {
    let f = fixture();
    let bytes = prove(&f, session()).unwrap().to_bytes();
    let (_, other_vk) =
        insecure_dev_setup(StatementId::vaccination(Depth::default()), b"another setup").unwrap();
    let v = Verifier::new(other_vk.clone(), &f.policy, [f.root()]).unwrap();
    assert_eq!(verify(&v, session(), f.today, &bytes), Err(VerifyError::WrongKey));
    // Claiming the other key's hash does not help: the pairing check fails.
    let mut p = Presentation::from_bytes(&bytes).unwrap();
    p.key_hash = other_vk.hash();
    assert_eq!(verify(&v, session(), f.today, &p.to_bytes()), Err(VerifyError::Rejected));
    // A key of another statement shape.
    let mut p = Presentation::from_bytes(&bytes).unwrap();
    p.statement = StatementId::vaccination(Depth::new(30).unwrap());
    assert!(matches!(
        verify(&verifier(&f), session(), f.today, &p.to_bytes()),
        Err(VerifyError::WrongStatement { .. })
    ));
}

#[test]
fn the_development_key_is_pinned() {
    let k = keys();
    assert_eq!(k.vk.statement(), StatementId::vaccination(Depth::default()));
    assert_eq!(k.vk.hash().to_string(), "37bac50d1e1c54102dd9f7fe76e737011d81c32a4ae140bf63b300cd08ec0d6c");
}

#[test]
fn keys_round_trip() {
    let k = keys();
    let vk = VerifyingKey::from_bytes(k.vk.to_bytes()).unwrap();
    assert_eq!(vk.hash(), k.vk.hash());
    let pk_bytes = k.prover.key().to_bytes();
    let pk = ProvingKey::from_bytes(&pk_bytes, &k.vk.hash()).unwrap();
    assert_eq!(pk.verifying_key().hash(), k.vk.hash());
    assert_eq!(pk.to_bytes(), pk_bytes);
    // A flipped byte anywhere in the payload fails the digest.
    let mut bad = pk_bytes.clone();
    let n = bad.len();
    bad[n - 7] ^= 1;
    let pin = k.vk.hash();
    assert_eq!(ProvingKey::from_bytes(&bad, &pin).unwrap_err(), KeyError::Decode(DecodeError::Integrity));
    assert_eq!(
        ProvingKey::from_bytes(&pk_bytes[..n - 1], &pin).unwrap_err(),
        KeyError::Decode(DecodeError::Truncated)
    );
    // The verifying key is a different object kind.
    assert!(matches!(
        ProvingKey::from_bytes(k.vk.to_bytes(), &pin),
        Err(KeyError::Decode(DecodeError::WrongKind { .. }))
    ));
    // Pinned to another verifying key: refused.
    let other = KeyHash([7; 32]);
    assert!(matches!(ProvingKey::from_bytes(&pk_bytes, &other), Err(KeyError::NotPinned { .. })));
}

#[test]
fn rerandomized_proofs_verify_and_fresh_proofs_differ() {
    let f = fixture();
    let p = prove(&f, session()).unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    let mut q = p.clone();
    q.proof = Groth16::<Bls12_381>::rerandomize_proof(keys().vk.inner(), &p.proof, &mut rng);
    assert_ne!(q.proof, p.proof);
    assert_eq!(verify(&verifier(&f), session(), f.today, &q.to_bytes()), Ok(()));
    // Same nullifier: replay protection keys on (nullifier, nonce), never on proof bytes.
    assert_eq!(q.nullifier, p.nullifier);
    let witness = f.witness();
    let request = VaccinationRequest {
        policy: &f.policy,
        witness: &witness,
        root: f.root(),
        session: session(),
        today: f.today,
    };
    let r = keys()
        .prover
        .prove_vaccination(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut StdRng::seed_from_u64(100))
        .unwrap();
    assert_ne!(r.proof, p.proof);
}

#[test]
fn an_identity_proof_is_rejected() {
    let f = fixture();
    let mut p = prove(&f, session()).unwrap();
    p.proof.a = G1Affine::zero();
    p.proof.b = G2Affine::zero();
    p.proof.c = G1Affine::zero();
    assert_eq!(verify(&verifier(&f), session(), f.today, &p.to_bytes()), Err(VerifyError::Rejected));
}

#[test]
fn a_proof_of_an_unsatisfied_witness_fails_verification() {
    // Bypass every check: run Groth16 on an assignment with a wrong date.
    let f = fixture();
    let k = keys();
    let witness = f.witness();
    let p = prove(&f, session()).unwrap();
    let v = verifier(&f);
    let inputs = v.public_inputs(&mut Transcript::new(TRANSCRIPT_LABEL), &session(), f.today, &p).unwrap();
    let circuit = medzk_prover::circuit::AnyCircuit::Vaccination(Box::new(
        medzk_circuits::vaccination::circuit::VaccinationCircuit::new(
            Depth::default(),
            f.policy.clone(),
            inputs,
            witness,
        ),
    ));
    let mut z = k.prover.assignment(circuit).unwrap();
    let n = z.len();
    z[n - 1] += Fr::ONE;
    let mut forged = p.clone();
    forged.proof = k.prover.groth16(&z, &mut StdRng::seed_from_u64(3)).unwrap();
    assert_eq!(verify(&v, session(), f.today, &forged.to_bytes()), Err(VerifyError::Rejected));
}

#[test]
fn malformed_presentations_are_typed_errors() {
    let f = fixture();
    let bytes = prove(&f, session()).unwrap().to_bytes();
    let v = verifier(&f);
    let malformed = |b: &[u8]| matches!(verify(&v, session(), f.today, b), Err(VerifyError::Malformed(_)));
    assert!(malformed(&bytes[..bytes.len() - 1]));
    assert!(malformed(&[bytes.clone(), vec![0]].concat()));
    assert!(malformed(&[]));
    assert!(malformed(b"not a presentation at all, just some text"));
    // A proof byte flipped: either an invalid point or a rejected proof, never a panic.
    for i in (16 + 32..16 + 32 + 192).step_by(7) {
        let mut b = bytes.clone();
        b[i] ^= 0x04;
        let r = verify(&v, session(), f.today, &b);
        assert!(
            matches!(
                r,
                Err(VerifyError::Malformed(DecodeError::InvalidPoint(_))) | Err(VerifyError::Rejected)
            ),
            "byte {i}: {r:?}"
        );
    }
    // A nullifier ≥ r: nullifier + r is not a fresh nullifier.
    let mut p = Presentation::from_bytes(&bytes).unwrap();
    p.nullifier = -Fr::ONE;
    let mut b = p.to_bytes();
    let at = b.len() - 32;
    b[at..].copy_from_slice(&[0xff; 32]);
    assert_eq!(
        verify(&v, session(), f.today, &b),
        Err(VerifyError::Malformed(DecodeError::NonCanonicalField("nullifier")))
    );
    let _ = Fr::ZERO;
}

#[test]
fn unmet_conditions_are_reported_in_words_before_proving() {
    let f = VaccinationFixture::new(Depth::default(), 3, 5, 12);
    let err = prove(&f, session()).unwrap_err();
    assert_eq!(err, ProveError::Unmet(Unmet::TooRecent { days: 5, min: 14 }));
    assert_eq!(err.to_string(), "cannot prove: the dose was given 5 day(s) ago; at least 14 are required");
    let bad_session = Session { verifier_id: "", nonce: NONCE };
    assert!(matches!(prove(&fixture(), bad_session), Err(ProveError::Session(_))));
}

//! Finding 1 of the hardening review: a tampered proving key must never make the honest
//! prover release a proof, let alone one that leaks its witness.
//!
//! Two keys of the review are rebuilt here: (1) `δ₁` set to the identity and `a_query`
//! rebuilt from chosen multiples of the generator on the witness wires, so that `A` would
//! carry the witness unblinded; (2) `δ₁ = β₁ = 0` and an emptied `b_g1_query`, so that
//! proofs no longer depend on the prover's randomness. Both are refused at load; keys that
//! pass the load checks but still make bad proofs are refused at release.

use std::sync::OnceLock;

use ark_bls12_381::{G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::field::Fr;
use medzk_circuits::fixtures::VaccinationFixture;
use medzk_circuits::statement::StatementId;
use medzk_circuits::tree::Depth;
use medzk_prover::key::Groth16ProvingKey;
use medzk_prover::{KeyError, ProveError, Prover, ProvingKey, VaccinationRequest, insecure_dev_setup};
use medzk_verifier::{KeyHash, Verifier, VerifyingKey};
use merlin::Transcript;
use rand::{SeedableRng, rngs::StdRng};

struct Honest {
    pk: ProvingKey,
    vk: VerifyingKey,
}

fn depth() -> Depth {
    Depth::new(8).unwrap()
}

fn honest() -> &'static Honest {
    static KEYS: OnceLock<Honest> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (pk, vk) = insecure_dev_setup(StatementId::vaccination(depth()), b"tamper tests").unwrap();
        Honest { pk, vk }
    })
}

/// The bytes of the honest key with `tamper` applied to its arkworks key (the file a
/// malicious portal would serve: a valid digest over the tampered payload).
fn tampered(tamper: impl FnOnce(&mut Groth16ProvingKey)) -> Vec<u8> {
    let h = honest();
    let mut inner = h.pk.inner().clone();
    tamper(&mut inner);
    let shape = medzk_prover::shape::CircuitShape::of(h.pk.statement()).unwrap();
    ProvingKey::with_shape(h.pk.statement(), inner, shape).unwrap().to_bytes()
}

fn pin() -> KeyHash {
    honest().vk.hash()
}

fn prove_with(prover: &Prover) -> Result<medzk_verifier::Presentation, ProveError> {
    let f = VaccinationFixture::new(depth(), 20, 40, 3);
    let witness = f.witness();
    let session = Session { verifier_id: "border:test", nonce: b"nonce-0000000001" };
    let request =
        VaccinationRequest { policy: &f.policy, witness: &witness, root: f.root(), session, today: f.today };
    prover.prove_vaccination(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut StdRng::seed_from_u64(5))
}

/// Review key 1: no blinding in `A`, and `a_query` reading out the witness wires.
fn leaking_key() -> Vec<u8> {
    tampered(|pk| {
        pk.delta_g1 = G1Affine::zero();
        let g = G1Affine::generator();
        let first_witness = pk.vk.gamma_abc_g1.len();
        for (i, a) in pk.a_query.iter_mut().enumerate().skip(first_witness) {
            // 2^i·G on witness wire i: A then encodes the witness values in chosen places.
            *a = (g * Fr::from(1u64 << (i % 60))).into_affine();
        }
    })
}

/// Review key 2: `δ₁ = β₁ = 0` and an emptied `b_g1_query`.
fn derandomized_key() -> Vec<u8> {
    tampered(|pk| {
        pk.delta_g1 = G1Affine::zero();
        pk.beta_g1 = G1Affine::zero();
        pk.b_g1_query.iter_mut().for_each(|b| *b = G1Affine::zero());
    })
}

fn refusal(bytes: &[u8]) -> String {
    match ProvingKey::from_bytes(bytes, &pin()) {
        Err(KeyError::Inconsistent(why)) => why.to_string(),
        Err(other) => panic!("refused for another reason: {other}"),
        Ok(_) => panic!("a tampered proving key was accepted"),
    }
}

#[test]
fn tampered_proving_key_leaking_the_witness_is_refused() {
    assert!(refusal(&leaking_key()).contains("δ in G1 is the identity"));
}

#[test]
fn tampered_proving_key_without_randomness_is_refused() {
    assert!(refusal(&derandomized_key()).contains("δ in G1 is the identity"));
}

#[test]
fn the_honest_key_loads_proves_and_verifies() {
    let key = ProvingKey::from_bytes(&honest().pk.to_bytes(), &pin()).unwrap();
    let presentation = prove_with(&Prover::new(key).unwrap()).unwrap();
    let f = VaccinationFixture::new(depth(), 20, 40, 3);
    let verifier = Verifier::new(honest().vk.clone(), &f.policy, [f.root()]).unwrap();
    let session = Session { verifier_id: "border:test", nonce: b"nonce-0000000001" };
    verifier
        .verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, f.today, &presentation.to_bytes())
        .unwrap();
}

#[test]
fn each_consistency_check_names_what_it_caught() {
    // δ₁ replaced by another non-identity point: the pairing check.
    let other_delta = tampered(|pk| pk.delta_g1 = (pk.delta_g1 + G1Affine::generator()).into_affine());
    assert!(refusal(&other_delta).contains("β and δ in G1 do not match"));
    let other_beta = tampered(|pk| pk.beta_g1 = (pk.beta_g1 + G1Affine::generator()).into_affine());
    assert!(refusal(&other_beta).contains("β and δ in G1 do not match"));
    // A used wire's query entry set to the identity.
    let zero_a = tampered(|pk| {
        let used = pk.a_query.iter().rposition(|a| !a.is_zero()).unwrap();
        pk.a_query[used] = G1Affine::zero();
    });
    assert!(refusal(&zero_a).contains("a_query entry"));
    let zero_h = tampered(|pk| pk.h_query[0] = G1Affine::zero());
    assert!(refusal(&zero_h).contains("h_query"));
    // One wire's B entry in G2 disagreeing with its G1 twin.
    let skewed_b = tampered(|pk| {
        let i = pk.b_g2_query.iter().position(|b| !b.is_zero()).unwrap();
        pk.b_g2_query[i] = (pk.b_g2_query[i] + G2Affine::generator()).into_affine();
    });
    assert!(refusal(&skewed_b).contains("b_g1_query and b_g2_query disagree"));
}

#[test]
fn a_key_for_another_verifying_key_is_refused() {
    // The attacker's own verifying key inside the proving key: not the pinned one.
    let (other, _) = insecure_dev_setup(StatementId::vaccination(depth()), b"attacker").unwrap();
    match ProvingKey::from_bytes(&other.to_bytes(), &pin()) {
        Err(KeyError::NotPinned { pinned, found }) => {
            assert_eq!(pinned, pin());
            assert_eq!(found, other.verifying_key().hash());
        }
        other => panic!("expected NotPinned, got {other:?}"),
    }
}

#[test]
fn a_proof_that_fails_the_pinned_key_is_never_released() {
    // Keys that slip past the load checks (here: loaded without them, as a key the
    // process made itself) still cannot release a bad proof: each is verified first.
    // Without blinding (the review's two keys): no prover is even made from them.
    for bytes in [leaking_key(), derandomized_key()] {
        let key = ProvingKey::decode_own(&bytes).unwrap();
        assert!(matches!(Prover::new(key), Err(ProveError::InconsistentKey(_))));
    }
    // Queries that make proofs fail (here two l_query entries swapped, the a_query of the
    // leaking key with its δ restored): the proof is made, checked, and withheld.
    let swapped_l = tampered(|pk| {
        let (i, j) = (pk.l_query.len() / 3, pk.l_query.len() / 2);
        pk.l_query.swap(i, j);
    });
    let leaking_a = {
        let mut pk = ProvingKey::decode_own(&leaking_key()).unwrap().inner().clone();
        pk.delta_g1 = honest().pk.inner().delta_g1;
        let shape = medzk_prover::shape::CircuitShape::of(honest().pk.statement()).unwrap();
        ProvingKey::with_shape(honest().pk.statement(), pk, shape).unwrap().to_bytes()
    };
    // A used wire's a_query entry on the curve but outside the prime-order subgroup: the
    // proof's A would carry a small-order component, so it is withheld.
    let off_subgroup = tampered(|pk| {
        let p = (1u64..)
            .find_map(|x| {
                G1Affine::get_point_from_x_unchecked(ark_bls12_381::Fq::from(x), false)
                    .filter(|p| !p.is_in_correct_subgroup_assuming_on_curve())
            })
            .unwrap();
        // The constant wire's entry: its value is 1 in every witness.
        pk.a_query[0] = (pk.a_query[0] + p).into_affine();
    });
    for bytes in [swapped_l, leaking_a, off_subgroup] {
        let key = ProvingKey::decode_own(&bytes).unwrap();
        assert_eq!(prove_with(&Prover::new(key).unwrap()).unwrap_err(), ProveError::KeyRejected);
    }
}

/// The byte layout the wasm tests tamper with (bindings/wasm/tests/node/tampered.test.mjs):
/// `β₁` and `δ₁` at fixed offsets of the envelope, after the 16-byte header, the 32-byte
/// digest and the verifying key.
#[test]
fn proving_key_layout_of_beta_and_delta() {
    use ark_serialize::CanonicalSerialize;
    let bytes = honest().pk.to_bytes();
    let point = |p: &G1Affine| {
        let mut out = Vec::new();
        p.serialize_uncompressed(&mut out).unwrap();
        out
    };
    let at = |offset: usize| &bytes[16 + 32 + offset..16 + 32 + offset + 96];
    assert_eq!(at(1256), point(&honest().pk.inner().beta_g1).as_slice());
    assert_eq!(at(1352), point(&honest().pk.inner().delta_g1).as_slice());
    let identity = point(&G1Affine::zero());
    assert_eq!(identity[0], 0x40);
    assert!(identity[1..].iter().all(|b| *b == 0));
}

//! A whole ceremony at a small size: three participants in phase 1, three in phase 2 for a
//! policy shape; the keys prove and verify, and pass `verify_keys` against the
//! transcripts. Then every tampering the transcript must catch. (The vaccination statement
//! goes through the same steps from the command line: `bindings/cli/tests/ceremony.rs`.)

use std::sync::OnceLock;

use ark_bls12_381::{G1Affine, G1Projective, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use medzk_ceremony::{Beacon, CeremonyError, Phase1, Phase2, Phase2Report, keys_match, verify_keys};
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::date::Day;
use medzk_circuits::fixtures::PolicyFixture;
use medzk_circuits::holder::HolderSecret;
use medzk_circuits::policy::Policy;
use medzk_circuits::record::RecordData;
use medzk_circuits::statement::{PolicyShape, StatementId};
use medzk_circuits::tree::Depth;
use medzk_prover::{PolicyRequest, Prover, ProvingKey};
use medzk_verifier::{Verifier, VerifyingKey};
use merlin::Transcript;
use rand::SeedableRng;
use rand::rngs::StdRng;

fn depth() -> Depth {
    Depth::new(8).unwrap()
}

fn small_policy() -> StatementId {
    StatementId::policy(depth(), PolicyShape { records: 1, clauses: 1, groups: 1 })
}

/// Phase 1 at 2^13 (the policy shape needs 8,192 domain elements), one participant, read
/// back from its bytes as the next participant would (chains of participants are checked on
/// the small transcript: the checks do not depend on the size).
fn phase1() -> &'static Phase1 {
    static P: OnceLock<Phase1> = OnceLock::new();
    P.get_or_init(|| {
        let mut p = Phase1::from_bytes(&Phase1::new(13).unwrap().to_bytes()).unwrap();
        p.contribute("Oslo University Hospital", b"dice 4 1 6").unwrap();
        Phase1::from_bytes(&p.to_bytes()).unwrap()
    })
}

/// Phase 1 at 2^7 with three participants, each file read back from its bytes: what the
/// naming and tampering checks run on (each check verifies a whole transcript; nothing in
/// them needs the policy's size).
fn small_phase1() -> &'static Phase1 {
    static P: OnceLock<Phase1> = OnceLock::new();
    P.get_or_init(|| {
        let mut p = Phase1::from_bytes(&Phase1::new(7).unwrap().to_bytes()).unwrap();
        for (name, entropy) in
            [("Oslo University Hospital", "dice 4 1 6"), ("Folkehelseinstituttet", ""), ("Helse Nord", "x")]
        {
            p.contribute(name, entropy.as_bytes()).unwrap();
            p = Phase1::from_bytes(&p.to_bytes()).unwrap();
        }
        p
    })
}

fn phase2(statement: StatementId) -> Phase2 {
    let mut p = Phase2::new(phase1(), statement).unwrap();
    for name in ["Helsedirektoratet", "Norsk Helsenett"] {
        p.contribute(name, b"").unwrap();
        p = Phase2::from_bytes(&p.to_bytes()).unwrap();
    }
    p
}

/// The policy shape's phase 2, its keys, and its verification report (each test that
/// needs a verified transcript shares this one verification).
fn policy_phase2() -> &'static (Phase2, ProvingKey, VerifyingKey, Phase2Report) {
    static P: OnceLock<(Phase2, ProvingKey, VerifyingKey, Phase2Report)> = OnceLock::new();
    P.get_or_init(|| {
        let p = phase2(small_policy());
        let (pk, vk) = p.finalize().unwrap();
        let report = p.verify(phase1()).unwrap();
        (p, pk, vk, report)
    })
}

#[test]
fn phase1_verifies_and_names_its_contributions() {
    let report = small_phase1().verify().unwrap();
    assert_eq!(report.power, 7);
    let names: Vec<&str> = report.contributions.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["Oslo University Hospital", "Folkehelseinstituttet", "Helse Nord"]);
    assert_eq!(report.contributions[2].1, small_phase1().transcript_hash());
    // Hashes differ per contribution.
    assert_ne!(report.contributions[0].1, report.contributions[1].1);
}

const SMALL_POLICY: &str = r#"{
  "statement": "policy", "version": 1, "scope": {"shared": "study:ceremony"},
  "shape": { "records": 1, "clauses": 1, "groups": 1 },
  "records": [ { "name": "dose", "kind": "immunization" } ],
  "groups": [ { "name": "vaccinated", "clauses": [
    { "record": "dose", "slot": "code", "op": "eq", "value": "cvx|208" } ] } ]
}"#;

#[test]
fn policy_keys_from_the_ceremony_prove_and_verify() {
    let (p, pk, vk, report) = policy_phase2();
    assert_eq!(report.contributions.len(), 2);
    assert_eq!(pk.transcript(), Some(report.transcript_hash));
    assert_eq!(keys_match(pk, vk, p, report).unwrap(), report.transcript_hash);
    // A wallet loads the key for the pinned verifying-key hash: every consistency check.
    let pk = ProvingKey::from_bytes(&pk.to_bytes(), &vk.hash()).unwrap();
    let vk = VerifyingKey::from_bytes(vk.to_bytes()).unwrap();
    assert_eq!(vk.transcript(), Some(report.transcript_hash));
    let policy = Policy::from_json(SMALL_POLICY).unwrap();
    let today = Day::from_ymd(2026, 12, 1).unwrap();
    let secret = HolderSecret::generate(&mut StdRng::seed_from_u64(8));
    let record = RecordData::immunization(
        secret.id(),
        "cvx|208".parse().unwrap(),
        Day(today.0 - 30),
        2,
        2,
        "EW0182",
        "clinic:oslo-1",
    );
    let f = PolicyFixture::new(depth(), secret, &[record], 5, today, 3);
    let records = f.credentials();
    let session = Session { verifier_id: "sponsor:acme", nonce: b"nonce-0000000002" };
    let request = PolicyRequest {
        policy: &policy,
        records: &records,
        secret: &f.secret,
        value_sets: &[],
        root: f.root(),
        session,
        today,
    };
    let presentation = Prover::new(pk)
        .unwrap()
        .prove_policy(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut StdRng::seed_from_u64(2))
        .unwrap();
    Verifier::new(vk, &policy, [f.root()])
        .unwrap()
        .verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, today, &presentation.to_bytes())
        .unwrap();
}

fn contribution_error(e: CeremonyError) -> (u8, usize, String) {
    match e {
        CeremonyError::Contribution { phase, index, check, .. } => (phase, index, check),
        other => panic!("expected a contribution's failure, got {other}"),
    }
}

#[test]
fn phase1_tampering_is_named() {
    let good = small_phase1();
    good.verify().unwrap();
    // One point of a contribution's record changed.
    let mut p = good.clone();
    p.contributions[1].heads.alpha_g1 =
        (p.contributions[1].heads.alpha_g1 + G1Affine::generator()).into_affine();
    let (phase, index, check) = contribution_error(p.verify().unwrap_err());
    assert_eq!((phase, index), (1, 2));
    assert!(check.contains("α·G1"), "{check}");
    // One point of the accumulator changed.
    let mut p = good.clone();
    p.accumulator.tau_g1[100] = (p.accumulator.tau_g1[100] + G1Affine::generator()).into_affine();
    assert!(matches!(p.verify().unwrap_err(), CeremonyError::Accumulator(m) if m.contains("τ·G1 powers")));
    let mut p = good.clone();
    p.accumulator.tau_g2[7] = G2Affine::generator();
    assert!(matches!(p.verify().unwrap_err(), CeremonyError::Accumulator(m) if m.contains("τ·G2")));
    let mut p = good.clone();
    p.accumulator.beta_tau_g1[3] = G1Affine::generator();
    assert!(matches!(p.verify().unwrap_err(), CeremonyError::Accumulator(m) if m.contains("β·τ^i")));
    // A proof of knowledge copied from another contribution.
    let mut p = good.clone();
    p.contributions[2].keys[0] = p.contributions[1].keys[0];
    let (_, index, check) = contribution_error(p.verify().unwrap_err());
    assert_eq!(index, 3);
    assert!(check.contains("proof of knowledge of τ"), "{check}");
    // A file changed by one byte: its digest.
    let mut bytes = good.to_bytes();
    let at = bytes.len() / 2;
    bytes[at] ^= 1;
    assert!(matches!(Phase1::from_bytes(&bytes), Err(CeremonyError::Format(_))));
}

#[test]
fn a_contribution_built_on_the_one_before_the_previous_is_refused() {
    // Participants 1 and 2 contribute; participant 3 builds on 1's file, not 2's, and the
    // coordinator appends that contribution after 2's.
    let mut base = Phase1::new(4).unwrap();
    base.contribute("one", b"").unwrap();
    let mut two = base.clone();
    two.contribute("two", b"").unwrap();
    let mut skipped = base.clone();
    skipped.contribute("three", b"").unwrap();
    let mut spliced = two.clone();
    spliced.contributions.push(skipped.contributions[1].clone());
    spliced.accumulator = skipped.accumulator.clone();
    let (_, index, check) = contribution_error(spliced.verify().unwrap_err());
    assert_eq!(index, 3);
    assert!(check.contains("proof of knowledge"), "{check}");
    two.verify().unwrap();
}

#[test]
fn a_reused_secret_is_refused() {
    use medzk_ceremony::pok::PublicKey;
    // A contribution whose τ equals an earlier one's: detected from the public keys alone.
    let mut p = Phase1::new(3).unwrap();
    p.contribute("one", b"").unwrap();
    p.contribute("two", b"").unwrap();
    let earlier: PublicKey = p.contributions[0].keys[0];
    let before = p.contributions[0].hash;
    let r = earlier.r(&Phase1::new(3).unwrap().transcript_hash(), medzk_ceremony::phase1::LABELS[0]);
    let later = p.contributions[1].keys[0];
    assert!(!later.same_secret_as(&earlier, r));
    let _ = before;
    // Rebuild "two" with the secret of "one" through the beacon: a beacon contribution
    // repeated with the same value derives the same secrets.
    let beacon = Beacon::new(&"ab".repeat(32), 2).unwrap();
    let mut q = Phase1::new(3).unwrap();
    q.contribute_beacon("beacon 1", beacon).unwrap();
    q.contribute_beacon("beacon 2", beacon).unwrap();
    let (_, index, check) = contribution_error(q.verify().unwrap_err());
    assert_eq!(index, 2);
    assert!(check.contains("reuses the τ of contribution 1"), "{check}");
}

#[test]
fn beacons_verify_and_a_forged_beacon_does_not() {
    let beacon = Beacon::new(&"0f".repeat(32), 4).unwrap();
    let mut p = Phase1::new(3).unwrap();
    p.contribute("someone", b"").unwrap();
    p.contribute_beacon("beacon", beacon).unwrap();
    let report = p.verify().unwrap();
    assert_eq!(report.contributions[1].2, Some(beacon));
    // A contribution that claims the beacon but used other secrets.
    let mut forged = Phase1::new(3).unwrap();
    forged.contribute("someone", b"").unwrap();
    forged.contribute("beacon", b"").unwrap();
    let last = forged.contributions.len() - 1;
    forged.contributions[last].beacon = Some(beacon);
    let (_, index, _) = contribution_error(forged.verify().unwrap_err());
    assert_eq!(index, 2);
}

#[test]
fn phase2_tampering_and_keys_not_from_the_transcript_are_named() {
    let (p, pk, vk, report) = policy_phase2();
    // A phase 2 for another circuit, checked as this one.
    let mut other = p.clone();
    other.statement = StatementId::policy(depth(), PolicyShape { records: 1, clauses: 2, groups: 1 });
    assert!(
        matches!(other.verify(phase1()).unwrap_err(), CeremonyError::Circuit(m) if m.contains("another circuit"))
    );
    // A contribution's δ changed.
    let mut q = p.clone();
    q.contributions[1].delta_g1 = (q.contributions[1].delta_g1 + G1Affine::generator()).into_affine();
    let (phase, index, check) = contribution_error(q.verify(phase1()).unwrap_err());
    assert_eq!((phase, index), (2, 2));
    assert!(check.contains("δ·G1"), "{check}");
    // A fixed query changed, or L not scaled by δ.
    let mut q = p.clone();
    q.params.a_query[5] = G1Affine::generator();
    assert!(
        matches!(q.verify(phase1()).unwrap_err(), CeremonyError::Accumulator(m) if m.contains("A query"))
    );
    let mut q = p.clone();
    q.params.l_query[9] = G1Affine::generator();
    assert!(
        matches!(q.verify(phase1()).unwrap_err(), CeremonyError::Accumulator(m) if m.contains("L query"))
    );
    // Keys whose queries were altered, including the two tampered keys of the hardening
    // review (δ₁ the identity with a rebuilt A query; δ₁ = β₁ = 0 with an empty B query).
    let altered = |change: &dyn Fn(&mut medzk_prover::key::Groth16ProvingKey)| {
        let mut inner = pk.inner().clone();
        change(&mut inner);
        ProvingKey::with_shape(
            pk.statement(),
            inner,
            medzk_prover::shape::CircuitShape::of(pk.statement()).unwrap(),
        )
        .unwrap()
        .with_transcript(pk.transcript().unwrap())
        .unwrap()
    };
    let review1 = altered(&|k| {
        k.delta_g1 = G1Affine::zero();
        k.a_query[10] =
            (G1Projective::from(G1Affine::generator()) * medzk_circuits::field::Fr::from(7u64)).into_affine();
    });
    let review2 = altered(&|k| {
        k.delta_g1 = G1Affine::zero();
        k.beta_g1 = G1Affine::zero();
        k.b_g1_query.iter_mut().for_each(|p| *p = G1Affine::zero());
    });
    let h_changed = altered(&|k| k.h_query[3] = G1Affine::generator());
    for (bad, field) in [(review1, "δ·G1"), (review2, "β·G1"), (h_changed, "H query")] {
        let err = keys_match(&bad, bad.verifying_key(), p, report).unwrap_err();
        assert!(matches!(&err, CeremonyError::Key(m) if m.contains(field)), "{err}");
    }
    // A development key, and the keys of another transcript.
    let (dev_pk, dev_vk) = medzk_prover::insecure_dev_setup(small_policy(), b"dev").unwrap();
    assert!(
        matches!(keys_match(&dev_pk, &dev_vk, p, report).unwrap_err(), CeremonyError::Key(m) if m.contains("no transcript"))
    );
    let mut again = p.clone();
    again.contribute("late", b"").unwrap();
    let err = verify_keys(pk, vk, phase1(), &again).unwrap_err();
    assert!(matches!(&err, CeremonyError::Key(m) if m.contains("records transcript")), "{err}");
    // A report is only good for the transcript it was made for.
    let err = keys_match(pk, vk, &again, report).unwrap_err();
    assert!(matches!(&err, CeremonyError::Key(m) if m.contains("another transcript")), "{err}");
}

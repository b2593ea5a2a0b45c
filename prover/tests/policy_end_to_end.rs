//! General policies end to end: one setup, several policies, nullifiers per scope.

use std::sync::OnceLock;

use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::date::Day;
use medzk_circuits::field::Fr;
use medzk_circuits::fixtures::{PolicyFixture, TrialPatient, border_dcc_policy, codes, trial_policy};
use medzk_circuits::holder::HolderSecret;
use medzk_circuits::policy::{DEFAULT_SHAPE, Policy};
use medzk_circuits::record::RecordData;
use medzk_circuits::statement::StatementId;
use medzk_circuits::tree::Depth;
use medzk_prover::{PolicyRequest, ProveError, Prover, insecure_dev_setup};
use medzk_verifier::{MemoryNullifiers, Presentation, Verifier, VerifyError, VerifyOnceError, VerifyingKey};
use merlin::Transcript;
use rand::{SeedableRng, rngs::StdRng};

fn depth() -> Depth {
    Depth::new(8).unwrap()
}

fn keys() -> &'static (Prover, VerifyingKey) {
    static KEYS: OnceLock<(Prover, VerifyingKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (pk, vk) =
            insecure_dev_setup(StatementId::policy(depth(), DEFAULT_SHAPE), b"policy tests").unwrap();
        (Prover::new(pk).unwrap(), vk)
    })
}

fn today() -> Day {
    Day::from_ymd(2026, 11, 24).unwrap()
}

fn session(nonce: &[u8; 16]) -> Session<'_> {
    Session { verifier_id: "sponsor:acme", nonce }
}

/// The verifier id asking for `policy`: one of the scope's own verifiers for a scope
/// bound to a verifier (the border policies), the sponsor for a shared one.
fn session_for<'a>(policy: &Policy, nonce: &'a [u8; 16]) -> Session<'a> {
    match policy.scope() {
        medzk_circuits::holder::Scope::Bound(name) => {
            Session { verifier_id: Box::leak(format!("{name}:gate-1").into_boxed_str()), nonce }
        }
        medzk_circuits::holder::Scope::Shared(_) => session(nonce),
    }
}

fn prove(policy: &Policy, f: &PolicyFixture, nonce: &[u8; 16]) -> Result<Presentation, ProveError> {
    let records = f.credentials();
    let request = PolicyRequest {
        policy,
        records: &records,
        secret: &f.secret,
        value_sets: &[],
        root: f.root(),
        session: session_for(policy, nonce),
        today: f.today,
    };
    keys().0.prove_policy(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut StdRng::seed_from_u64(1))
}

fn verify(policy: &Policy, f: &PolicyFixture, nonce: &[u8; 16], p: &Presentation) -> Result<Fr, VerifyError> {
    let v = Verifier::new(keys().1.clone(), policy, [f.root()]).unwrap();
    v.verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session_for(policy, nonce), today(), &p.to_bytes())
        .map(|v| v.nullifier)
}

fn trial_fixture(secret: HolderSecret, patient: &TrialPatient) -> PolicyFixture {
    let records = patient.records(&secret, today());
    PolicyFixture::new(depth(), secret, &records, 5, today(), 3)
}

fn negative_test_policy() -> Policy {
    Policy::from_json(
        &serde_json::json!({
            "statement": "policy", "version": 1, "scope": "event:concert-2026-11",
            "records": [{"name": "test", "kind": "observation"}],
            "groups": [{"name": "tested", "clauses": [
                {"record": "test", "slot": "code", "op": "eq", "value": "loinc|94500-6"},
                {"record": "test", "slot": "ext", "op": "eq", "value": {"code": "sct|260415000"}},
                {"record": "test", "slot": "date", "op": "date_within", "min": 0, "max": 1}
            ]}]
        })
        .to_string(),
    )
    .unwrap()
}

#[test]
fn one_setup_serves_three_policies_and_binds_each() {
    let nonce = *b"nonce-policy-001";
    let secret = HolderSecret::from_bytes(&[21; 32]).unwrap();
    let id = secret.id();
    let mut records = TrialPatient::eligible().records(&secret, today());
    records.push(RecordData::immunization(
        id,
        "cvx|208".parse().unwrap(),
        Day(today().0 - 40),
        2,
        2,
        "L",
        "c",
    ));
    records.push(RecordData::observation(id, codes::pcr(), today(), 0, Some(codes::not_detected()), "lab"));
    let f = PolicyFixture::new(depth(), secret, &records, 7, today(), 4);
    let policies = [trial_policy(), border_dcc_policy(), negative_test_policy()];
    let presentations: Vec<Presentation> = policies.iter().map(|p| prove(p, &f, &nonce).unwrap()).collect();
    for (i, (policy, presentation)) in policies.iter().zip(&presentations).enumerate() {
        assert!(verify(policy, &f, &nonce, presentation).is_ok(), "policy {i}");
        // A proof for policy A fails under policy B.
        let other = &policies[(i + 1) % policies.len()];
        assert_eq!(
            verify(other, &f, &nonce, presentation),
            Err(VerifyError::Rejected),
            "policy {i} under another"
        );
    }
    // The vaccination key does not verify policy presentations.
    let vk = insecure_dev_setup(StatementId::vaccination(depth()), b"policy tests").unwrap().1;
    assert!(Verifier::new(vk, &policies[0], [f.root()]).is_err());
}

#[test]
fn nullifiers_are_per_holder_and_scope_and_enrolment_happens_once() {
    let alice = trial_fixture(HolderSecret::from_bytes(&[22; 32]).unwrap(), &TrialPatient::eligible());
    let bob = trial_fixture(HolderSecret::from_bytes(&[23; 32]).unwrap(), &TrialPatient::eligible());
    let trial = trial_policy();
    let (n1, n2) = (*b"nonce-enrol-0001", *b"nonce-enrol-0002");
    let a1 = prove(&trial, &alice, &n1).unwrap();
    let a2 = prove(&trial, &alice, &n2).unwrap();
    let b1 = prove(&trial, &bob, &n1).unwrap();
    assert_eq!(a1.nullifier, a2.nullifier, "same holder, same scope");
    assert_ne!(a1.nullifier, b1.nullifier, "another holder");
    // Another scope gives an unrelated nullifier.
    let mut doc = trial.doc().clone();
    doc.scope = medzk_circuits::holder::Scope::shared("trial:another-study").unwrap();
    let other_trial = Policy::try_from(doc).unwrap();
    let c = prove(&other_trial, &alice, &n1).unwrap();
    assert_ne!(c.nullifier, a1.nullifier);
    // The sponsor's store: Alice enrols once; her second presentation is turned away.
    let v = Verifier::new(keys().1.clone(), &trial, [alice.root()]).unwrap();
    let mut store = MemoryNullifiers::default();
    let run = |store: &mut MemoryNullifiers, nonce: &[u8; 16], p: &Presentation| {
        v.verify_once(store, &mut Transcript::new(TRANSCRIPT_LABEL), &session(nonce), today(), &p.to_bytes())
    };
    assert!(run(&mut store, &n1, &a1).is_ok());
    assert_eq!(run(&mut store, &n2, &a2).unwrap_err(), VerifyOnceError::Rejected(VerifyError::Replayed));
    // A rejected presentation records nothing.
    let vb = Verifier::new(keys().1.clone(), &trial, [bob.root()]).unwrap();
    let wrong = vb.verify_once(
        &mut store,
        &mut Transcript::new(TRANSCRIPT_LABEL),
        &session(&n2),
        today(),
        &b1.to_bytes(),
    );
    assert_eq!(wrong.unwrap_err(), VerifyOnceError::Rejected(VerifyError::Rejected));
    assert!(
        vb.verify_once(
            &mut store,
            &mut Transcript::new(TRANSCRIPT_LABEL),
            &session(&n1),
            today(),
            &b1.to_bytes()
        )
        .is_ok()
    );
}

#[test]
fn an_ineligible_patient_learns_why_before_proving() {
    let f = trial_fixture(
        HolderSecret::from_bytes(&[24; 32]).unwrap(),
        &TrialPatient { egfr: 30, ..TrialPatient::eligible() },
    );
    let err = prove(&trial_policy(), &f, b"nonce-policy-003").unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot prove: no group of the policy holds: group \"eligible\": egfr.value ge 45 mL/min/{1.73_m2}: the value is 30 mL/min/{1.73_m2}"
    );
}

#[test]
fn flipping_each_public_input_fails_and_the_key_is_pinned() {
    use ark_ff::Field;
    use medzk_circuits::statement::PUBLIC_INPUT_NAMES;
    let f = trial_fixture(HolderSecret::from_bytes(&[25; 32]).unwrap(), &TrialPatient::eligible());
    let policy = trial_policy();
    let nonce = *b"nonce-policy-004";
    let p = prove(&policy, &f, &nonce).unwrap();
    let v = Verifier::new(keys().1.clone(), &policy, [f.root()]).unwrap();
    let inputs =
        v.public_inputs(&mut Transcript::new(TRANSCRIPT_LABEL), &session(&nonce), today(), &p).unwrap();
    let good = inputs.to_field_elements();
    let pvk = keys().1.prepared();
    use ark_groth16::Groth16;
    assert!(Groth16::<ark_bls12_381::Bls12_381>::verify_proof(pvk, &p.proof, &good).unwrap());
    for (i, name) in PUBLIC_INPUT_NAMES.iter().enumerate() {
        let mut bad = good;
        bad[i] += Fr::ONE;
        assert!(!Groth16::<ark_bls12_381::Bls12_381>::verify_proof(pvk, &p.proof, &bad).unwrap(), "{name}");
    }
    assert_eq!(
        keys().1.hash().to_string(),
        "c18bd034a082faea22407472dca8764c2aebfe933f5f7b3ba57e2cfd433077e0"
    );
}

/// Two presentations by one holder to two verifiers (different scopes, nonces) share no
/// holder-specific public value: only the registry root and the day, which are the same
/// for every holder, coincide.
#[test]
fn presentations_to_two_verifiers_share_no_holder_specific_value() {
    let secret = HolderSecret::from_bytes(&[26; 32]).unwrap();
    let f = trial_fixture(secret, &TrialPatient::eligible());
    let trial = trial_policy();
    let mut doc = trial.doc().clone();
    doc.scope = medzk_circuits::holder::Scope::shared("trial:registry-study").unwrap();
    let other = Policy::try_from(doc).unwrap();
    let (n1, n2) = (*b"nonce-verifier-1", *b"nonce-verifier-2");
    let a = prove(&trial, &f, &n1).unwrap();
    let b = prove(&other, &f, &n2).unwrap();
    let va = Verifier::new(keys().1.clone(), &trial, [f.root()]).unwrap();
    let vb = Verifier::new(keys().1.clone(), &other, [f.root()]).unwrap();
    let ia = va.public_inputs(&mut Transcript::new(TRANSCRIPT_LABEL), &session(&n1), today(), &a).unwrap();
    let ib = vb.public_inputs(&mut Transcript::new(TRANSCRIPT_LABEL), &session(&n2), today(), &b).unwrap();
    assert_ne!(ia.nullifier, ib.nullifier);
    assert_ne!(ia.context, ib.context);
    assert_ne!(ia.policy_hash, ib.policy_hash);
    assert_eq!((ia.root, ia.today), (ib.root, ib.today), "global values, the same for every holder");
    assert_ne!(a.proof, b.proof);
}

/// `examples/policies/diabetes-hba1c-twice.json`: the diagnostic criterion "HbA1c ≥ 6.5 %
/// on two separate tests" (a counted record, a quantity with its unit, a date relative to
/// the other test), proven and verified with the default shape's key; one test, two on one
/// day, or a second result below the bound cannot be proven, and the reason names the
/// clause with its unit.
#[test]
fn two_separate_hba1c_results_prove_a_diabetes_criterion() {
    let policy =
        Policy::from_json(include_str!("../../examples/policies/diabetes-hba1c-twice.json")).unwrap();
    assert_eq!(policy.shape(), DEFAULT_SHAPE);
    let nonce = *b"nonce-policy-hba";
    let secret = HolderSecret::from_bytes(&[31; 32]).unwrap();
    let result = |days_ago: i32, tenths: u64| {
        RecordData::observation(secret.id(), codes::hba1c(), Day(today().0 - days_ago), tenths, None, "lab:x")
    };
    let f = PolicyFixture::new(depth(), secret.clone(), &[result(200, 66), result(20, 71)], 3, today(), 5);
    let p = prove(&policy, &f, &nonce).unwrap();
    assert!(verify(&policy, &f, &nonce, &p).is_ok());
    for (records, why) in [
        (vec![result(20, 71)], "needs 2 Observation record(s)"),
        (vec![result(20, 71), result(20, 80)], "between 1 and 365: the difference is 0 day(s)"),
        (vec![result(200, 66), result(20, 64)], "value ge 6.5 %: the value is 6.4 %"),
    ] {
        let f = PolicyFixture::new(depth(), secret.clone(), &records, 3, today(), 5);
        let e = prove(&policy, &f, &nonce).unwrap_err().to_string();
        assert!(e.contains(why), "{e}");
    }
}

#[test]
fn a_vaccination_with_its_codes_record_proves_its_manufacturer() {
    // The dose and its codes record (manufacturer, vaccine type), as `medzk import dcc`
    // writes a DCC vaccination; the policy reads both, and the proof ties them.
    const BIONTECH: &str = "https://spor.ema.europa.eu/v1/organisations|ORG-100030215";
    let policy = Policy::from_json(
        &serde_json::json!({
            "statement": "policy", "version": 1, "scope": "border:XX",
            "records": [{"name": "v", "kind": "immunization"}, {"name": "v_codes", "kind": "codes", "of": "v"}],
            "groups": [{"name": "comirnaty by biontech", "clauses": [
                {"record": "v", "slot": "code", "op": "eq", "value": "cvx|208"},
                {"record": "v", "slot": "date", "op": "date_within", "min": 14, "max": 365},
                {"record": "v_codes", "slot": "code", "op": "eq", "value": BIONTECH}
            ]}]
        })
        .to_string(),
    )
    .unwrap();
    let nonce = *b"nonce-policy-cod";
    let secret = HolderSecret::from_bytes(&[33; 32]).unwrap();
    let dose = |product: &str| {
        RecordData::immunization(
            secret.id(),
            product.parse().unwrap(),
            Day(today().0 - 40),
            2,
            2,
            "L",
            "dcc:XX",
        )
    };
    let codes = |of: &RecordData, ma: &str| RecordData::codes_of(of, ma.parse().unwrap(), None);
    let (comirnaty, spikevax) = (dose("cvx|208"), dose("cvx|207"));
    let f = PolicyFixture::new(
        depth(),
        secret.clone(),
        &[comirnaty.clone(), codes(&comirnaty, BIONTECH)],
        3,
        today(),
        6,
    );
    let p = prove(&policy, &f, &nonce).unwrap();
    assert!(verify(&policy, &f, &nonce, &p).is_ok());
    // A Comirnaty dose beside another dose's codes record naming BioNTech: no proof.
    let f = PolicyFixture::new(
        depth(),
        secret.clone(),
        &[spikevax.clone(), codes(&spikevax, BIONTECH), comirnaty.clone()],
        3,
        today(),
        6,
    );
    let e = prove(&policy, &f, &nonce).unwrap_err().to_string();
    assert!(e.contains("not the codes record of the v record shown") || e.contains("eq cvx|208"), "{e}");
}

//! A country's whole DCC acceptance rule as one policy, end to end: Germany's eleven
//! acceptance rules (vaccination, test, recovery; ../shared/realworld/dcc/rules) as the
//! seven groups of `examples/policies/border-de.json`, in the shape for whole rules
//! (3 records, 32 clauses, 8 groups). Travellers at each rule's boundaries: the ones the
//! rule accepts are proven and verified, the others cannot be proven. The test windows
//! are hours, to the minute: the verifier states its minute and the policy is set to it.
//! The mapping is in docs/policies.md "Germany's acceptance rule".

use std::sync::OnceLock;

use medzk_circuits::clock::{Clock, Minute};
use medzk_circuits::code::Code;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::date::Day;
use medzk_circuits::fixtures::PolicyFixture;
use medzk_circuits::holder::HolderSecret;
use medzk_circuits::policy::Policy;
use medzk_circuits::record::RecordData;
use medzk_circuits::statement::PolicyShape;
use medzk_circuits::tree::Depth;
use medzk_prover::{PolicyRequest, ProveError, Prover, insecure_dev_setup};
use medzk_verifier::{Verifier, VerifyError, VerifyingKey};
use merlin::Transcript;
use rand::{SeedableRng, rngs::StdRng};

const NONCE: &[u8; 16] = b"nonce-border-de1";
const EU: &str = "https://ec.europa.eu/health/documents/community-register/html/";

fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| Policy::from_json(include_str!("../../examples/policies/border-de.json")).unwrap())
}

fn keys() -> &'static (Prover, VerifyingKey) {
    static KEYS: OnceLock<(Prover, VerifyingKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let (pk, vk) = insecure_dev_setup(policy().statement(Depth::new(8).unwrap()), b"border-de").unwrap();
        (Prover::new(pk).unwrap(), vk)
    })
}

/// The verifier's clock (its request's minute).
fn now() -> Minute {
    "2026-12-03T10:30Z".parse().unwrap()
}

fn today() -> Day {
    now().day()
}

fn code(text: &str) -> Code {
    text.parse().unwrap()
}

fn days_ago(n: i32) -> Day {
    Day(today().0 - n)
}

/// A traveller's one certificate entry, as `medzk import dcc` records it.
enum Entry {
    /// Product (as issued or its CVX equivalent), dose number, series doses, days ago.
    Vaccination(&'static str, u64, i32, i32),
    /// Test type's observation, result, minutes since the sample.
    Test(&'static str, &'static str, i64),
}

fn record(secret: &HolderSecret, entry: &Entry) -> RecordData {
    match *entry {
        Entry::Vaccination(product, dn, sd, ago) => {
            let product =
                if product.starts_with("EU/") { code(&format!("{EU}|{product}")) } else { code(product) };
            RecordData::immunization(secret.id(), product, days_ago(ago), dn, sd, "", "dcc:DE")
        }
        Entry::Test(test, result, ago) => {
            let sampled = Minute(now().0 - ago);
            RecordData::observation_at(secret.id(), code(test), sampled, 0, Some(code(result)), "dcc:DE")
                .unwrap()
        }
    }
}

/// Proves the German rule for a traveller with `entry`, then verifies the presentation.
fn check(entry: Entry) -> Result<(), ProveError> {
    let secret = HolderSecret::generate(&mut StdRng::seed_from_u64(5));
    let records = [record(&secret, &entry)];
    let f = PolicyFixture::new(Depth::new(8).unwrap(), secret, &records, 3, today(), 4);
    let records = f.credentials();
    let session = Session { verifier_id: "border:DE:FRA-T1", nonce: NONCE };
    let at = policy().at(now().into()).unwrap();
    let request = PolicyRequest {
        policy: &at,
        records: &records,
        secret: &f.secret,
        value_sets: &[],
        root: f.root(),
        session,
        today: today(),
    };
    let (prover, vk) = keys();
    let p = prover.prove_policy(
        request,
        &mut Transcript::new(TRANSCRIPT_LABEL),
        &mut StdRng::seed_from_u64(6),
    )?;
    // The verifier holds the policy as published and sets it to its own minute.
    let verifier = Verifier::new(vk.clone(), policy(), [f.root()]).unwrap();
    let verify = |clock: Clock| {
        verifier.verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, clock, &p.to_bytes())
    };
    verify(now().into()).expect("a proof of the German rule verifies");
    // At another minute the statement is another one; without a minute there is none.
    assert_eq!(verify(Minute(now().0 + 1).into()), Err(VerifyError::Rejected));
    assert!(matches!(verify(today().into()), Err(VerifyError::Clock(_))));
    Ok(())
}

fn refused(entry: Entry) -> String {
    match check(entry) {
        Err(ProveError::PolicyUnmet(why)) => why.to_string(),
        other => panic!("expected the rule to refuse, got {other:?}"),
    }
}

const NEGATIVE: &str = "sct|260415000";
const DETECTED: &str = "sct|260373001";
const RAT: &str = "loinc|94558-4";
const NAAT: &str = "loinc|94500-6";

#[test]
fn the_whole_rule_is_one_policy_in_the_shape_for_whole_rules() {
    let p = policy();
    assert_eq!(p.shape(), PolicyShape { records: 3, clauses: 32, groups: 8 });
    assert_eq!(p.groups().len(), 7);
    // One key for every whole rule of this shape: under 2^15 constraints at depth 32
    // (docs/policies.md "Circuit cost").
    assert_eq!(p.statement(Depth::default()).to_string(), "policy/v3/depth32/k3-m32-g8");
}

#[test]
fn vaccinations_at_the_rules_boundaries() {
    // VR-DE-0003: 15 days after completing the primary course (not before).
    check(Entry::Vaccination("EU/1/20/1528", 2, 2, 15)).unwrap();
    let why = refused(Entry::Vaccination("EU/1/20/1528", 2, 2, 14));
    assert!(why.contains("vaccinated"), "{why}");
    // VR-DE-0004: no more than a year (365 days) after the dose: day 364 yes, 365 no.
    check(Entry::Vaccination("cvx|208", 2, 2, 364)).unwrap();
    refused(Entry::Vaccination("cvx|208", 2, 2, 365));
    // VR-DE-0001: the schedule must be complete.
    refused(Entry::Vaccination("EU/1/20/1528", 1, 2, 40));
    // VR-DE-0002: only the four accepted vaccines (here Nuvaxovid, EU/1/21/1618).
    refused(Entry::Vaccination("EU/1/21/1618", 2, 2, 40));
    // VR-DE-0003's exceptions, valid at once: a booster, Janssen's second dose, and a
    // single dose after recovery (1/1) of the other three vaccines, but not Janssen's 1/1.
    check(Entry::Vaccination("EU/1/20/1507", 3, 3, 1)).unwrap();
    check(Entry::Vaccination("EU/1/20/1525", 2, 1, 1)).unwrap();
    check(Entry::Vaccination("cvx|210", 1, 1, 2)).unwrap();
    refused(Entry::Vaccination("EU/1/20/1525", 1, 1, 2));
}

#[test]
fn tests_and_recoveries_at_the_rules_boundaries() {
    // TR-DE-0002/0003 to the minute: an antigen test sampled up to 47 h 59 min before the
    // verifier's minute (every instant of which is then within 48 h of the sample), a PCR
    // up to 71 h 59 min; not older, and never a positive result (TR-DE-0004).
    let hours = |h: i64| 60 * h;
    check(Entry::Test(RAT, NEGATIVE, hours(48) - 1)).unwrap();
    let why = refused(Entry::Test(RAT, NEGATIVE, hours(48)));
    assert!(why.contains("48 h old"), "{why}");
    check(Entry::Test(NAAT, NEGATIVE, hours(72) - 1)).unwrap();
    refused(Entry::Test(NAAT, NEGATIVE, hours(72)));
    check(Entry::Test(NAAT, NEGATIVE, 0)).unwrap();
    refused(Entry::Test(NAAT, DETECTED, 0));
    // A sample taken after the verifier's minute is refused.
    refused(Entry::Test(NAAT, NEGATIVE, -1));
    // RR-DE-0001/0002: a positive NAA test 28 to 179 days ago (180 days is past the limit).
    let days = |d: i64| 1_440 * d;
    refused(Entry::Test(NAAT, DETECTED, days(27)));
    check(Entry::Test(NAAT, DETECTED, days(28))).unwrap();
    check(Entry::Test(NAAT, DETECTED, days(179))).unwrap();
    refused(Entry::Test(NAAT, DETECTED, days(180)));
    // A positive antigen test is no recovery.
    refused(Entry::Test(RAT, DETECTED, days(40)));
}

#[test]
fn a_batch_of_presentations_verifies_at_the_verifiers_minute() {
    // Three travellers tested 10 h, 47 h and 70 h before the verifier's minute: in a batch
    // the policy hash's term is the one of the policy set to the batch's clock.
    let (prover, vk) = keys();
    let nonces: [&[u8; 16]; 3] = [b"nonce-batch-0001", b"nonce-batch-0002", b"nonce-batch-0003"];
    let session = |nonce: &'static [u8; 16]| Session { verifier_id: "border:DE:FRA-T1", nonce };
    let mut presented = Vec::new();
    let mut roots = Vec::new();
    for (i, ago) in [600, 47 * 60, 70 * 60].into_iter().enumerate() {
        let secret = HolderSecret::generate(&mut StdRng::seed_from_u64(20 + i as u64));
        let records = [record(&secret, &Entry::Test(NAAT, NEGATIVE, ago))];
        let f = PolicyFixture::new(Depth::new(8).unwrap(), secret, &records, 3, today(), 4 + i as u64);
        let credentials = f.credentials();
        let at = policy().at(now().into()).unwrap();
        let request = PolicyRequest {
            policy: &at,
            records: &credentials,
            secret: &f.secret,
            value_sets: &[],
            root: f.root(),
            session: session(nonces[i]),
            today: today(),
        };
        let p = prover
            .prove_policy(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut StdRng::seed_from_u64(9))
            .unwrap();
        presented.push(p.to_bytes());
        roots.push(f.root());
    }
    let verifier = Verifier::new(vk.clone(), policy(), roots).unwrap();
    let batch = |clock: Clock| {
        let items = presented
            .iter()
            .zip(nonces)
            .map(|(bytes, nonce)| medzk_verifier::BatchItem {
                transcript: Transcript::new(TRANSCRIPT_LABEL),
                session: session(nonce),
                bytes,
            })
            .collect();
        verifier.verify_batch(items, clock, &mut StdRng::seed_from_u64(3))
    };
    assert!(batch(now().into()).iter().all(Result::is_ok));
    assert!(batch(Minute(now().0 - 1).into()).iter().all(|r| *r == Err(VerifyError::Rejected)));
    assert!(batch(today().into()).iter().all(|r| matches!(r, Err(VerifyError::Clock(_)))));
}

//! A country's whole DCC acceptance rule as one policy, end to end: Germany's eleven
//! acceptance rules (vaccination, test, recovery; ../shared/realworld/dcc/rules) as the
//! seven groups of `examples/policies/border-de.json`, in the shape for whole rules
//! (3 records, 32 clauses, 8 groups). Travellers at each rule's boundaries: the ones the
//! rule accepts are proven and verified, the others cannot be proven. The mapping, and
//! where days stand in for hours, is in docs/policies.md "Germany's acceptance rule".

use std::sync::OnceLock;

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
use medzk_verifier::{Verifier, VerifyingKey};
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

fn today() -> Day {
    Day::from_ymd(2026, 12, 3).unwrap()
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
    /// Test type's observation, result, days since the sample.
    Test(&'static str, &'static str, i32),
}

fn record(secret: &HolderSecret, entry: &Entry) -> RecordData {
    match *entry {
        Entry::Vaccination(product, dn, sd, ago) => {
            let product =
                if product.starts_with("EU/") { code(&format!("{EU}|{product}")) } else { code(product) };
            RecordData::immunization(secret.id(), product, days_ago(ago), dn, sd, "", "dcc:DE")
        }
        Entry::Test(test, result, ago) => {
            RecordData::observation(secret.id(), code(test), days_ago(ago), 0, Some(code(result)), "dcc:DE")
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
    let request = PolicyRequest {
        policy: policy(),
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
    let verifier = Verifier::new(vk.clone(), policy(), [f.root()]).unwrap();
    verifier
        .verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, today(), &p.to_bytes())
        .expect("a proof of the German rule verifies");
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
    assert_eq!(p.statement(Depth::default()).to_string(), "policy/v2/depth32/k3-m32-g8");
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
    // TR-DE-0002/0003, in days (records v1): an antigen test from yesterday, a PCR from
    // two days ago; not older, and never a positive result (TR-DE-0004).
    check(Entry::Test(RAT, NEGATIVE, 1)).unwrap();
    refused(Entry::Test(RAT, NEGATIVE, 2));
    check(Entry::Test(NAAT, NEGATIVE, 2)).unwrap();
    refused(Entry::Test(NAAT, NEGATIVE, 3));
    refused(Entry::Test(NAAT, DETECTED, 0));
    // A sample taken after the validation day is refused.
    refused(Entry::Test(NAAT, NEGATIVE, -1));
    // RR-DE-0001/0002: a positive NAA test 28 to 179 days ago (180 days is past the limit).
    refused(Entry::Test(NAAT, DETECTED, 27));
    check(Entry::Test(NAAT, DETECTED, 28)).unwrap();
    check(Entry::Test(NAAT, DETECTED, 179)).unwrap();
    refused(Entry::Test(NAAT, DETECTED, 180));
    // A positive antigen test is no recovery.
    refused(Entry::Test(RAT, DETECTED, 40));
}

//! A clinical-trial sponsor screens candidates with the rule "age 18-65, type 2 diabetes
//! (ICD-10 E11.*) active, HbA1c 6.5-10.0 % measured in the last 90 days, eGFR ≥ 45".
//!
//! Clinics and labs commit records to a registry; each candidate proves eligibility from
//! their own records without revealing them; the sponsor verifies with its own policy,
//! nonce and trusted roots, and keeps nullifiers so nobody enrols twice.
//!
//! `cargo run --release --example trial_eligibility`

use medzk::circuits::code::Code;
use medzk::circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk::circuits::date::Day;
use medzk::circuits::fixtures::{TrialPatient, trial_policy};
use medzk::circuits::holder::HolderSecret;
use medzk::circuits::record::{Record, Salt};
use medzk::circuits::tree::{Depth, MerklePath};
use medzk::prover::{PolicyRequest, ProveError, Prover, insecure_dev_setup};
use medzk::registry::Registry;
use medzk::verifier::{MemoryNullifiers, Verifier, VerifyOnceError};
use merlin::Transcript;
use rand::{RngCore, rngs::OsRng};

struct Candidate {
    name: &'static str,
    secret: HolderSecret,
    leaves: Vec<(Record, u64)>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let today = Day::from_ymd(2026, 11, 24)?;
    let depth = Depth::default();
    let policy = trial_policy();
    println!(
        "sponsor policy {} (hash {})",
        policy.scope().name(),
        medzk::circuits::field::to_hex(&policy.hash())
    );
    println!("setting up development keys for {} ...", policy.statement(depth));
    let (pk, vk) = insecure_dev_setup(policy.statement(depth), b"trial example: insecure")?;
    let prover = Prover::new(pk)?;

    // Clinics and labs commit the candidates' records.
    let dir = tempfile::tempdir()?;
    let registry = Registry::create(&dir.path().join("registry.redb"), depth, 0)?;
    let e10: Code = "icd10|E10.9".parse()?;
    let people: Vec<(&str, TrialPatient)> = vec![
        ("Alice", TrialPatient::eligible()),
        ("Bob", TrialPatient { hba1c: 104, ..TrialPatient::eligible() }),
        ("Carol", TrialPatient { birth: Day::from_ymd(1959, 3, 2)?, ..TrialPatient::eligible() }),
        ("Dave", TrialPatient { hba1c_age: 120, ..TrialPatient::eligible() }),
        ("Erin", TrialPatient { egfr: 38, ..TrialPatient::eligible() }),
        ("Frank", TrialPatient { diagnosis: e10, ..TrialPatient::eligible() }),
    ];
    let mut candidates = Vec::new();
    for (name, patient) in people {
        let secret = HolderSecret::generate(&mut OsRng);
        let records: Vec<Record> =
            patient.records(&secret, today).iter().map(|r| r.encode(&Salt::generate(&mut OsRng))).collect();
        let commitments: Vec<_> = records.iter().map(Record::commitment).collect();
        let first = registry.append_batch(&commitments, 1)?.first;
        let leaves = records.into_iter().enumerate().map(|(i, r)| (r, first + i as u64)).collect();
        candidates.push(Candidate { name, secret, leaves });
    }
    let root = registry.root()?;
    println!("registry: {} commitments, root {}\n", registry.len()?, medzk::circuits::field::to_hex(&root));

    // The sponsor trusts the current root and remembers nullifiers.
    let verifier = Verifier::new(vk, &policy, registry.trusted_roots(2, 86_400)?)?;
    let mut enrolled = MemoryNullifiers::default();
    let mut attempts: Vec<&Candidate> = candidates.iter().collect();
    attempts.push(&candidates[0]); // Alice tries to enrol a second time.
    for candidate in attempts {
        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        let session = Session { verifier_id: "sponsor:acme-t2d-study", nonce: &nonce };
        let records: Vec<(Record, MerklePath)> = candidate
            .leaves
            .iter()
            .map(|(r, i)| Ok((r.clone(), registry.path(*i)?.0)))
            .collect::<Result<_, medzk::registry::RegistryError>>()?;
        let request = PolicyRequest {
            policy: &policy,
            records: &records,
            secret: &candidate.secret,
            value_sets: &[],
            root,
            session,
            today,
        };
        let presentation =
            match prover.prove_policy(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut OsRng) {
                Ok(p) => p,
                Err(ProveError::PolicyUnmet(reason)) => {
                    println!("{:<6} not eligible, nothing sent: {reason}", candidate.name);
                    continue;
                }
                Err(e) => return Err(e.into()),
            };
        let bytes = presentation.to_bytes();
        match verifier.verify_once(
            &mut enrolled,
            &mut Transcript::new(TRANSCRIPT_LABEL),
            &session,
            today,
            &bytes,
        ) {
            Ok(v) => println!(
                "{:<6} ENROLLED ({} byte presentation, pseudonym {})",
                candidate.name,
                bytes.len(),
                &medzk::circuits::field::to_hex(&v.nullifier)[..14]
            ),
            Err(VerifyOnceError::Rejected(reason)) => println!("{:<6} REJECTED: {reason}", candidate.name),
            Err(VerifyOnceError::Store(e)) => match e {},
        }
    }
    Ok(())
}

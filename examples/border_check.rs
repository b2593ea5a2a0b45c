//! A border kiosk applies an EU DCC-style rule: a complete series of an approved vaccine
//! given 14-365 days ago, OR a negative PCR test within 3 days, OR recovery (a positive
//! PCR 11-180 days ago). Each traveller proves whichever branch their records meet; the
//! kiosk learns only that the rule holds.
//!
//! `cargo run --release --example border_check`

use medzk::circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk::circuits::date::Day;
use medzk::circuits::fixtures::{border_dcc_policy, codes};
use medzk::circuits::holder::HolderSecret;
use medzk::circuits::record::{RecordData, Salt};
use medzk::circuits::tree::{Depth, MemoryTree};
use medzk::prover::{PolicyRequest, ProveError, Prover, insecure_dev_setup};
use medzk::verifier::Verifier;
use merlin::Transcript;
use rand::{RngCore, rngs::OsRng};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let today = Day::from_ymd(2026, 11, 24)?;
    let ago = |days: i32| Day(today.0 - days);
    let depth = Depth::default();
    let policy = border_dcc_policy();
    println!("setting up development keys for {} ...", policy.statement(depth));
    let (pk, vk) = insecure_dev_setup(policy.statement(depth), b"border example: insecure")?;
    let prover = Prover::new(pk)?;

    type Issue = fn(medzk::circuits::holder::HolderId, Day) -> RecordData;
    let vaccine: Issue =
        |id, d| RecordData::immunization(id, "cvx|207".parse().unwrap(), d, 2, 2, "MX4471", "clinic:oslo-1");
    let first_dose: Issue =
        |id, d| RecordData::immunization(id, "cvx|207".parse().unwrap(), d, 1, 2, "MX4471", "clinic:oslo-1");
    let negative: Issue =
        |id, d| RecordData::observation(id, codes::pcr(), d, 0, Some(codes::not_detected()), "lab:airport");
    let positive: Issue =
        |id, d| RecordData::observation(id, codes::pcr(), d, 1, Some(codes::detected()), "lab:city");
    let travellers: Vec<(&str, Vec<(Issue, i32)>)> = vec![
        ("Ana (vaccinated)", vec![(vaccine, 60)]),
        ("Ben (tested)", vec![(first_dose, 30), (negative, 1)]),
        ("Chloé (recovered)", vec![(positive, 30)]),
        ("Dmitri", vec![(first_dose, 30), (negative, 5), (positive, 200)]),
    ];

    // Issuers commit everyone's records to one registry.
    let mut registry = MemoryTree::empty(depth);
    let mut next = 0u64;
    let mut wallets = Vec::new();
    for (name, records) in &travellers {
        let secret = HolderSecret::generate(&mut OsRng);
        let mut leaves = Vec::new();
        for (issue, days) in records {
            let record = issue(secret.id(), ago(*days)).encode(&Salt::generate(&mut OsRng));
            registry.insert(next, record.commitment());
            leaves.push((record, next));
            next += 1;
        }
        wallets.push((*name, secret, leaves));
    }
    let root = registry.current_root();
    let kiosk = Verifier::new(vk, &policy, [root])?;

    for (name, secret, leaves) in &wallets {
        let mut nonce = [0u8; 16];
        OsRng.fill_bytes(&mut nonce);
        let session = Session { verifier_id: "border:NO:OSL-gate-7", nonce: &nonce };
        let records: Vec<_> = leaves.iter().map(|(r, i)| (r.clone(), registry.inclusion_path(*i))).collect();
        let request = PolicyRequest {
            policy: &policy,
            records: &records,
            secret,
            value_sets: &[],
            root,
            session,
            today,
        };
        match prover.prove_policy(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut OsRng) {
            Ok(p) => {
                let verdict =
                    kiosk.verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, today, &p.to_bytes());
                match verdict {
                    Ok(_) => println!("{name:<18} PASS (the kiosk does not learn which branch)"),
                    Err(e) => println!("{name:<18} REJECTED: {e}"),
                }
            }
            Err(ProveError::PolicyUnmet(reason)) => println!("{name:<18} cannot pass: {reason}"),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

//! A border check in one program: a clinic issues an immunization into a registry, the
//! patient proves "approved vaccine, series complete, 14-365 days ago" to a border
//! verifier, who verifies with its own policy, nonce and trusted roots.
//!
//! `cargo run --release --example vaccination`

use medzk::circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk::circuits::date::Day;
use medzk::circuits::fixtures::border_policy;
use medzk::circuits::holder::HolderSecret;
use medzk::circuits::record::{RecordData, Salt};
use medzk::circuits::statement::StatementId;
use medzk::circuits::tree::{Depth, MemoryTree};
use medzk::circuits::vaccination::VaccinationWitness;
use medzk::prover::{Prover, VaccinationRequest, insecure_dev_setup};
use medzk::verifier::Verifier;
use merlin::Transcript;
use rand::rngs::OsRng;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let depth = Depth::default();
    println!("setting up development keys for {} ...", StatementId::vaccination(depth));
    let (pk, vk) = insecure_dev_setup(StatementId::vaccination(depth), b"example: insecure")?;
    let prover = Prover::new(pk)?;

    // The patient's key; the clinic commits a record to the registry.
    let secret = HolderSecret::generate(&mut OsRng);
    let today = Day::from_ymd(2026, 11, 24)?;
    let record = RecordData::immunization(
        secret.id(),
        "cvx|208".parse()?,
        Day(today.0 - 60),
        2,
        2,
        "FK5127",
        "clinic:oslo-1",
    );
    let salt = Salt::generate(&mut OsRng);
    let mut registry = MemoryTree::empty(depth);
    let root = registry.insert(0, record.encode(&salt).commitment());
    println!("registry root {}", medzk::circuits::field::to_hex(&root));

    // The border's policy and session.
    let policy = border_policy();
    let nonce = *b"session-nonce-42";
    let session = Session { verifier_id: "border:NO:OSL", nonce: &nonce };

    // The patient proves.
    let witness =
        VaccinationWitness { record: record.encode(&salt), secret, path: registry.inclusion_path(0) };
    let request = VaccinationRequest { policy: &policy, witness: &witness, root, session, today };
    let presentation =
        prover.prove_vaccination(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut OsRng)?;
    let bytes = presentation.to_bytes();
    println!("presentation: {} bytes", bytes.len());

    // The border verifies.
    let verifier = Verifier::new(vk, &policy, [root])?;
    let verified = verifier.verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, today, &bytes)?;
    println!("accepted: {} on {}", verified.statement, verified.today);
    Ok(())
}

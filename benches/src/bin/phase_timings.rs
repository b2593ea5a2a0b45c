//! Where proving time goes, phase by phase (vaccination statement, depth 32).
use std::time::Instant;

use medzk_benches::{NONCE, VERIFIER, VaccinationBench};
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL, TranscriptProtocol};
use medzk_circuits::statement::PublicInputs;
use medzk_circuits::tree::Depth;
use medzk_circuits::vaccination::circuit::VaccinationCircuit;
use medzk_prover::circuit::AnyCircuit;
use merlin::Transcript;
use rand::{SeedableRng, rngs::StdRng};

fn main() {
    let b = VaccinationBench::new(Depth::default());
    let f = &b.fixture;
    let w = f.witness();
    let statement = b.prover.key().statement();
    let mut rng = StdRng::seed_from_u64(1);
    let t = Instant::now();
    let tabled = b.prover.clone().with_tables();
    println!("tables: built in {:?}, {} MB", t.elapsed(), tabled.tables().unwrap().memory() >> 20);
    for round in 0..5 {
        let t = Instant::now();
        w.check(&f.policy, statement.depth, &f.root(), f.today).unwrap();
        let check = t.elapsed();
        let t = Instant::now();
        let hash = f.policy.hash();
        let context = Transcript::new(TRANSCRIPT_LABEL).medzk_context(
            &Session { verifier_id: VERIFIER, nonce: NONCE },
            statement,
            &hash,
            f.today,
        );
        let public = PublicInputs {
            root: f.root(),
            policy_hash: hash,
            today: f.today,
            context,
            nullifier: w.nullifier(&f.policy),
        };
        let inputs = t.elapsed();
        let t = Instant::now();
        let z = b
            .prover
            .assignment(AnyCircuit::Vaccination(Box::new(VaccinationCircuit::new(
                statement.depth,
                f.policy.clone(),
                public,
                w.clone(),
            ))))
            .unwrap();
        let synth = t.elapsed();
        let t = Instant::now();
        let _ = b.prover.groth16(&z, &mut rng).unwrap();
        let groth = t.elapsed();
        let t = Instant::now();
        let _ = tabled.groth16(&z, &mut rng).unwrap();
        let groth_tables = t.elapsed();
        let t = Instant::now();
        let _ = b.prove(round);
        let total = t.elapsed();
        println!(
            "check {check:?} inputs {inputs:?} witness {synth:?} groth16 {groth:?} (with tables {groth_tables:?}) | prove_vaccination {total:?}"
        );
    }
}

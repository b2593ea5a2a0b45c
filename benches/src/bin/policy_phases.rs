//! Where policy proving time goes, phase by phase (trial policy, shape K4/M16/G4, depth 32).
use std::time::Instant;

use medzk_benches::PolicyBench;
use medzk_circuits::field::Fr;
use medzk_circuits::policy::circuit::PolicyCircuit;
use medzk_circuits::policy::eval::{EvalContext, PolicyWitness};
use medzk_circuits::statement::PublicInputs;
use medzk_circuits::tree::Depth;
use medzk_prover::circuit::AnyCircuit;
use rand::{SeedableRng, rngs::StdRng};

fn main() {
    let b = PolicyBench::new(Depth::default());
    let f = &b.fixture;
    let statement = b.prover.key().statement();
    let records = f.credentials();
    let ctx = EvalContext { today: f.today, value_sets: &[] };
    let mut rng = StdRng::seed_from_u64(1);
    for round in 0..3 {
        let t = Instant::now();
        let w = PolicyWitness::build(&b.policy, f.secret.clone(), &records, &ctx).unwrap();
        let build = t.elapsed();
        let t = Instant::now();
        w.check(&b.policy, statement.depth, &f.root(), &ctx).unwrap();
        let check = t.elapsed();
        let public = PublicInputs {
            root: f.root(),
            policy_hash: b.policy.hash(),
            today: f.today,
            context: Fr::from(1u64),
            nullifier: w.nullifier(&b.policy),
        };
        let t = Instant::now();
        let z = b
            .prover
            .assignment(AnyCircuit::Policy(Box::new(PolicyCircuit::new(
                statement.depth,
                b.policy.clone(),
                public,
                w,
            ))))
            .unwrap();
        let witness = t.elapsed();
        let t = Instant::now();
        assert_eq!(b.prover.shape().first_unsatisfied(&z), Some(0).filter(|_| false));
        let sat = t.elapsed();
        let t = Instant::now();
        let _ = b.prover.groth16(&z, &mut rng).unwrap();
        let groth = t.elapsed();
        let t = Instant::now();
        let _ = b.prove(round);
        println!(
            "build {build:?} check {check:?} witness {witness:?} satisfied {sat:?} groth16 {groth:?} | total {:?}",
            t.elapsed()
        );
    }
}

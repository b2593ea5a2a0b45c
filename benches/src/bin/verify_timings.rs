//! Where verification time goes (vaccination statement).
use std::time::Instant;

use ark_bls12_381::{Bls12_381, Fr, G1Projective};
use ark_ec::{CurveGroup, pairing::Pairing};
use ark_groth16::Groth16;
use medzk_benches::{NONCE, VERIFIER, VaccinationBench};
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::tree::Depth;
use medzk_verifier::Presentation;
use merlin::Transcript;

fn time<T>(label: &str, n: u32, mut f: impl FnMut() -> T) {
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(f());
    }
    println!("{label:<28} {:>10.1} µs", t.elapsed().as_secs_f64() * 1e6 / n as f64);
}

fn main() {
    let b = VaccinationBench::new(Depth::default());
    let bytes = b.prove(1).to_bytes();
    let v = b.verifier();
    let s = Session { verifier_id: VERIFIER, nonce: NONCE };
    let today = b.fixture.today;
    let p = Presentation::from_bytes(&bytes).unwrap();
    let inputs =
        v.public_inputs(&mut Transcript::new(TRANSCRIPT_LABEL), &s, today, &p).unwrap().to_field_elements();
    let pvk = b.vk.prepared().clone();
    time("verify (all)", 200, || {
        v.verify(&mut Transcript::new(TRANSCRIPT_LABEL), &s, today, &bytes).unwrap()
    });
    time("decode presentation", 200, || Presentation::from_bytes(&bytes).unwrap());
    time("public inputs (context)", 200, || {
        v.public_inputs(&mut Transcript::new(TRANSCRIPT_LABEL), &s, today, &p).unwrap()
    });
    time("prepare_inputs (5 muls)", 200, || Groth16::<Bls12_381>::prepare_inputs(&pvk, &inputs).unwrap());
    let prepared: G1Projective = Groth16::<Bls12_381>::prepare_inputs(&pvk, &inputs).unwrap();
    time("verify_with_prepared", 200, || {
        Groth16::<Bls12_381>::verify_proof_with_prepared_inputs(&pvk, &p.proof, &prepared).unwrap()
    });
    let a = [p.proof.a, prepared.into_affine(), p.proof.c];
    let bs = [p.proof.b.into(), pvk.gamma_g2_neg_pc.clone(), pvk.delta_g2_neg_pc.clone()];
    time("multi_miller_loop (3)", 200, || Bls12_381::multi_miller_loop(a, bs.clone()));
    let ml = Bls12_381::multi_miller_loop(a, bs.clone());
    time("final_exponentiation", 200, || Bls12_381::final_exponentiation(ml).unwrap());
    let _ = Fr::from(1u64);
    use medzk_verifier::BatchItem;
    let mut rng = rand::thread_rng();
    for n in [1usize, 8, 64, 256] {
        let batch: Vec<Vec<u8>> = (0..n)
            .map(|_| {
                let mut q = p.clone();
                q.proof = Groth16::<Bls12_381>::rerandomize_proof(&pvk.vk, &p.proof, &mut rng);
                q.to_bytes()
            })
            .collect();
        let t = Instant::now();
        let runs = 5;
        for _ in 0..runs {
            let items = batch
                .iter()
                .map(|b| BatchItem { transcript: Transcript::new(TRANSCRIPT_LABEL), session: s, bytes: b })
                .collect();
            assert!(v.verify_batch(items, today, &mut rng).iter().all(|r| r.is_ok()));
        }
        let per = t.elapsed().as_secs_f64() * 1e6 / (runs * n) as f64;
        println!("batch of {n:<4}                {per:>10.1} µs per presentation");
    }
}

//! Verifying one presentation per statement, against plain arkworks verification of the
//! same proof in the same run (`Groth16::verify_proof` with a prepared key and the
//! public inputs given: no decoding, no context or policy hash recomputed), and against
//! medzk on arkworks' pairings (`medzk/arkworks-pairing`, the verifier before the blst
//! backend). `medzk/one-shot` builds a new verifier for each verification, as a
//! `medzk verify` process does (no tables, four pairs); `medzk` reuses one (from the
//! second verification on: fixed-base tables and three pairs against e(α, β)).

use ark_bls12_381::Bls12_381;
use ark_groth16::Groth16;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use medzk_benches::{NONCE, PolicyBench, VERIFIER, VaccinationBench};
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::tree::Depth;
use medzk_verifier::pairing::{Backend, with_backend};
use medzk_verifier::{Presentation, Verifier};
use merlin::Transcript;

fn verify(c: &mut Criterion) {
    let vaccination = VaccinationBench::new(Depth::default());
    let policy = PolicyBench::new(Depth::default());
    let new_policy_verifier =
        || Verifier::new(policy.vk.clone(), &policy.policy, [policy.fixture.root()]).expect("verifier");
    let cases: [(&str, _, _, _, &dyn Fn() -> Verifier); 2] = [
        (
            "vaccination-depth32",
            vaccination.prove(1),
            vaccination.verifier(),
            vaccination.fixture.today,
            &|| vaccination.verifier(),
        ),
        (
            "policy-k4-m16-g4-depth32",
            policy.prove(1),
            new_policy_verifier(),
            policy.fixture.today,
            &new_policy_verifier,
        ),
    ];
    let session = Session { verifier_id: VERIFIER, nonce: NONCE };
    let mut group = c.benchmark_group("verify");
    for (name, presentation, verifier, today, new_verifier) in &cases {
        let bytes = presentation.to_bytes();
        group.bench_function(BenchmarkId::new("medzk/one-shot", name), |b| {
            b.iter(|| {
                new_verifier()
                    .verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, *today, &bytes)
                    .expect("accepted")
            })
        });
        group.bench_function(BenchmarkId::new("medzk", name), |b| {
            b.iter(|| {
                verifier
                    .verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, *today, &bytes)
                    .expect("accepted")
            })
        });
        group.bench_function(BenchmarkId::new("medzk/arkworks-pairing", name), |b| {
            with_backend(Backend::Arkworks, || {
                b.iter(|| {
                    verifier
                        .verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, *today, &bytes)
                        .expect("accepted")
                })
            })
        });
        let p = Presentation::from_bytes(&bytes).expect("presentation");
        let inputs = verifier
            .public_inputs(&mut Transcript::new(TRANSCRIPT_LABEL), &session, *today, &p)
            .expect("inputs")
            .to_field_elements();
        let pvk = verifier.key().prepared().clone();
        group.bench_function(BenchmarkId::new("arkworks", name), |b| {
            b.iter(|| assert!(Groth16::<Bls12_381>::verify_proof(&pvk, &p.proof, &inputs).expect("verifies")))
        });
    }
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);

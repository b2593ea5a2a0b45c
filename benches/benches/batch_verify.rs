//! Batch verification of 1, 8, 64 and 256 vaccination presentations (distinct proofs:
//! re-randomized), against verifying the same presentations one by one in the same run.
//! Criterion reports throughput in presentations per second; per presentation = 1/that.
//! `batch/arkworks-pairing` is the batch on arkworks' pairings (the baseline of the blst
//! backend), for 8 and 64.

use ark_bls12_381::Bls12_381;
use ark_groth16::Groth16;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use medzk_benches::{NONCE, VERIFIER, VaccinationBench};
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::tree::Depth;
use medzk_verifier::BatchItem;
use medzk_verifier::pairing::{Backend, with_backend};
use merlin::Transcript;
use rand::{SeedableRng, rngs::StdRng};

fn batch(c: &mut Criterion) {
    let bench = VaccinationBench::new(Depth::default());
    let verifier = bench.verifier();
    let today = bench.fixture.today;
    let session = Session { verifier_id: VERIFIER, nonce: NONCE };
    let first = bench.prove(1);
    let mut rng = StdRng::seed_from_u64(5);
    let all: Vec<Vec<u8>> = (0..256)
        .map(|_| {
            let mut p = first.clone();
            p.proof =
                Groth16::<Bls12_381>::rerandomize_proof(&bench.vk.prepared().vk, &first.proof, &mut rng);
            p.to_bytes()
        })
        .collect();
    let mut group = c.benchmark_group("batch-verify/vaccination-depth32");
    group.sample_size(10);
    for n in [1usize, 8, 64, 256] {
        let batch = &all[..n];
        group.throughput(Throughput::Elements(n as u64));
        group.bench_function(BenchmarkId::new("batch", n), |b| {
            b.iter(|| {
                let items = batch
                    .iter()
                    .map(|bytes| BatchItem { transcript: Transcript::new(TRANSCRIPT_LABEL), session, bytes })
                    .collect();
                let verdicts = verifier.verify_batch(items, today, &mut rng);
                assert!(verdicts.iter().all(Result::is_ok));
            })
        });
        if n == 8 || n == 64 {
            group.bench_function(BenchmarkId::new("batch/arkworks-pairing", n), |b| {
                with_backend(Backend::Arkworks, || {
                    b.iter(|| {
                        let items = batch
                            .iter()
                            .map(|bytes| BatchItem {
                                transcript: Transcript::new(TRANSCRIPT_LABEL),
                                session,
                                bytes,
                            })
                            .collect();
                        let verdicts = verifier.verify_batch(items, today, &mut rng);
                        assert!(verdicts.iter().all(Result::is_ok));
                    })
                })
            });
        }
        group.bench_function(BenchmarkId::new("one-by-one", n), |b| {
            b.iter(|| {
                for bytes in batch {
                    verifier
                        .verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, today, bytes)
                        .expect("accepted");
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, batch);
criterion_main!(benches);

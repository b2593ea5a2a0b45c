//! Verifying one vaccination presentation.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use medzk_benches::{NONCE, VERIFIER, VaccinationBench};
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::tree::Depth;
use merlin::Transcript;

fn verify(c: &mut Criterion) {
    let bench = VaccinationBench::new(Depth::default());
    let bytes = bench.prove(1).to_bytes();
    let verifier = bench.verifier();
    let today = bench.fixture.today;
    let session = Session { verifier_id: VERIFIER, nonce: NONCE };
    let mut group = c.benchmark_group("verify");
    group.bench_function(BenchmarkId::new("vaccination/depth32", "single"), |b| {
        b.iter(|| {
            verifier
                .verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, today, &bytes)
                .expect("accepted")
        })
    });
    group.finish();
}

criterion_group!(benches, verify);
criterion_main!(benches);

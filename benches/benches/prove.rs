//! Proving the vaccination statement (set RAYON_NUM_THREADS to choose the thread count).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use medzk_benches::VaccinationBench;
use medzk_circuits::tree::Depth;

fn prove(c: &mut Criterion) {
    let bench = VaccinationBench::new(Depth::default());
    let threads = rayon_threads();
    let mut group = c.benchmark_group("prove");
    group.sample_size(20);
    let mut seed = 0;
    group.bench_function(BenchmarkId::new("vaccination/depth32", format!("{threads}-threads")), |b| {
        b.iter(|| {
            seed += 1;
            bench.prove(seed)
        })
    });
    group.finish();
}

fn rayon_threads() -> String {
    std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all".into())
}

criterion_group!(benches, prove);
criterion_main!(benches);

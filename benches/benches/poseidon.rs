//! Native Poseidon permutations: the optimised rounds (sparse partial-round matrices,
//! constants moved forward) against the round-by-round definition, in the same run.

use criterion::{BenchmarkId, Criterion, black_box, criterion_group, criterion_main};
use medzk_circuits::field::Fr;
use medzk_circuits::poseidon::Poseidon;

fn permutations(c: &mut Criterion) {
    let mut group = c.benchmark_group("poseidon/permute");
    for p in [Poseidon::t3(), Poseidon::t5(), Poseidon::t10()] {
        let mut state: Vec<Fr> = (0..p.width() as u64).map(Fr::from).collect();
        group.bench_function(BenchmarkId::new("optimised", p.width()), |b| {
            b.iter(|| p.permute(black_box(&mut state)))
        });
        group.bench_function(BenchmarkId::new("reference-baseline", p.width()), |b| {
            b.iter(|| p.permute_reference(black_box(&mut state)))
        });
    }
    group.finish();
}

criterion_group!(benches, permutations);
criterion_main!(benches);

//! Development key generation per statement (a ceremony's cost is of the same order).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use medzk_circuits::fixtures::trial_policy;
use medzk_circuits::statement::StatementId;
use medzk_circuits::tree::Depth;
use medzk_prover::insecure_dev_setup;

fn setup(c: &mut Criterion) {
    let mut group = c.benchmark_group("setup");
    group.sample_size(10);
    for (name, statement) in [
        ("vaccination-depth32", StatementId::vaccination(Depth::default())),
        ("policy-k4-m16-g4-depth32", trial_policy().statement(Depth::default())),
    ] {
        group.bench_function(BenchmarkId::new("insecure_dev_setup", name), |b| {
            b.iter(|| insecure_dev_setup(statement, b"bench").expect("keys"))
        });
    }
    group.finish();
}

criterion_group!(benches, setup);
criterion_main!(benches);

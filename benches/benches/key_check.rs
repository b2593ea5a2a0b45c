//! The cost of checking a proving key handed to the prover (docs/SECURITY.md), for the
//! vaccination key at depth 32, each check against the baseline of loading the key with
//! its digest only (`ProvingKey::decode_own`), in the same run.

use criterion::{Criterion, criterion_group, criterion_main};
use medzk_benches::VaccinationBench;
use medzk_circuits::tree::Depth;
use medzk_prover::{ProvingKey, key_check};

fn key_check(c: &mut Criterion) {
    let bench = VaccinationBench::new(Depth::default());
    let key = bench.prover.key();
    let bytes = key.to_bytes();
    let pin = bench.vk.hash();
    let mut group = c.benchmark_group("key-check/vaccination-depth32");
    group.sample_size(10);
    group.bench_function("baseline: load with digest only", |b| {
        b.iter(|| ProvingKey::decode_own(&bytes).expect("key"))
    });
    group.bench_function("pairings (β, δ)", |b| {
        b.iter(|| key_check::check_pairings(key.inner()).expect("ok"))
    });
    group.bench_function("identities", |b| {
        b.iter(|| key_check::check_nonzero(key.inner(), key.shape()).expect("ok"))
    });
    group.bench_function("b queries", |b| {
        b.iter(|| key_check::check_b_queries(key.inner(), &mut rand::rngs::OsRng).expect("ok"))
    });
    group.bench_function("load pinned, all checks", |b| {
        b.iter(|| ProvingKey::from_bytes(&bytes, &pin).expect("key"))
    });
    group.finish();
}

criterion_group!(benches, key_check);
criterion_main!(benches);

//! Policy hashes (what a verifier computes when it loads a policy) and policy parsing.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use medzk_circuits::code::Code;
use medzk_circuits::fixtures::{border_dcc_policy, border_policy, trial_policy};
use medzk_circuits::policy::Policy;
use medzk_circuits::valueset::ValueSet;

fn policy_hash(c: &mut Criterion) {
    let mut group = c.benchmark_group("policy-hash");
    let vaccination = border_policy();
    group.bench_function(BenchmarkId::new("hash", "vaccination-border"), |b| b.iter(|| vaccination.hash()));
    for (name, policy) in [("policy-trial-t2d", trial_policy()), ("policy-border-dcc", border_dcc_policy())] {
        group.bench_function(BenchmarkId::new("hash", name), |b| b.iter(|| policy.hash()));
        let json = policy.to_json();
        group.bench_function(BenchmarkId::new("parse-json", name), |b| {
            b.iter(|| Policy::from_json(&json).expect("valid"))
        });
    }
    let codes: Vec<Code> = (0..1000).map(|i| format!("icd10|X{i:04}").parse().expect("code")).collect();
    group.sample_size(20);
    group.bench_function(BenchmarkId::new("value-set-root", "1000-codes"), |b| {
        b.iter(|| ValueSet::of_codes("bench", &codes).expect("set").root())
    });
    group.finish();
}

criterion_group!(benches, policy_hash);
criterion_main!(benches);

//! Proving, each statement by name, against plain arkworks in the same run.
//!
//! Set RAYON_NUM_THREADS to choose the thread count (`scripts/bench.sh` runs 1 and 2).
//! - `arkworks`: what a plain arkworks user runs — `Groth16::prove` on the circuit,
//!   which synthesizes the constraint system and builds its matrices on every proof.
//! - `medzk`: the medzk prover (native pre-check, witness only, cached matrices, blst's
//!   MSMs: the default).
//! - `medzk/arkworks-msm`: the same with arkworks' MSMs (and medzk's batch-affine one in
//!   G2): the prover before the blst backend, the baseline of the MSM change.
//! - `medzk+tables`: the same with the key's window tables precomputed
//!   (`Prover::with_tables`), for a long-running prover.

use ark_bls12_381::Bls12_381;
use ark_groth16::Groth16;
use ark_snark::SNARK;
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use medzk_benches::{PolicyBench, VaccinationBench, threads};
use medzk_circuits::tree::Depth;
use medzk_prover::backend::MsmBackend;
use rand::{SeedableRng, rngs::StdRng};

fn vaccination(c: &mut Criterion) {
    let bench = VaccinationBench::new(Depth::default());
    let tabled = bench.prover.clone().with_tables();
    let arkworks_msm = bench.prover.clone().with_msm_backend(MsmBackend::Arkworks);
    let circuit = bench.circuit();
    let pk = bench.prover.key().inner().clone();
    let mut group = c.benchmark_group("prove/vaccination-depth32");
    group.sample_size(20);
    let threads = threads();
    let mut rng = StdRng::seed_from_u64(1);
    group.bench_function(BenchmarkId::new("arkworks", &threads), |b| {
        b.iter(|| Groth16::<Bls12_381>::prove(&pk, circuit.clone(), &mut rng).expect("proof"))
    });
    let mut seed = 0;
    group.bench_function(BenchmarkId::new("medzk", &threads), |b| {
        b.iter(|| {
            seed += 1;
            bench.prove(seed)
        })
    });
    group.bench_function(BenchmarkId::new("medzk/arkworks-msm", &threads), |b| {
        b.iter(|| {
            seed += 1;
            bench.prove_with(&arkworks_msm, seed)
        })
    });
    group.bench_function(BenchmarkId::new("medzk+tables", &threads), |b| {
        b.iter(|| {
            seed += 1;
            bench.prove_with(&tabled, seed)
        })
    });
    group.finish();
}

fn policy(c: &mut Criterion) {
    let bench = PolicyBench::new(Depth::default());
    let mut group = c.benchmark_group("prove/policy-k4-m16-g4-depth32");
    group.sample_size(10);
    let arkworks_msm = bench.prover.clone().with_msm_backend(MsmBackend::Arkworks);
    let mut seed = 0;
    group.bench_function(BenchmarkId::new("medzk", threads()), |b| {
        b.iter(|| {
            seed += 1;
            bench.prove(seed)
        })
    });
    group.bench_function(BenchmarkId::new("medzk/arkworks-msm", threads()), |b| {
        b.iter(|| {
            seed += 1;
            bench.prove_with(&arkworks_msm, seed)
        })
    });
    group.finish();
}

/// An 8-group, 32-clause rule (a country's whole acceptance rule with its variants is this
/// size) in shapes sized to it, against the default shape in the same run: the cost is in
/// the records shown, not in the groups and clauses (docs/policies.md "Circuit cost").
fn wide_policy(c: &mut Criterion) {
    let mut group = c.benchmark_group("prove/policy-m32-g8-depth32");
    group.sample_size(10);
    let default = PolicyBench::new(Depth::default());
    let mut seed = 0;
    group.bench_function(BenchmarkId::new("k4-m16-g4 (default shape, trial rule)", threads()), |b| {
        b.iter(|| {
            seed += 1;
            default.prove(seed)
        })
    });
    drop(default);
    for records in [1, 3] {
        let bench = PolicyBench::wide(Depth::default(), records);
        group.bench_function(BenchmarkId::new(format!("k{records}-m32-g8"), threads()), |b| {
            b.iter(|| {
                seed += 1;
                bench.prove(seed)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, vaccination, policy, wide_policy);
criterion_main!(benches);

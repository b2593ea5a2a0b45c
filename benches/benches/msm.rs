//! The prover's MSMs on the vaccination proving key's bases (the h query, the largest
//! G1 set, and the B query in G2), against arkworks' MSM in the same run; blst's, and the
//! L and H queries as two MSMs against one over both.

use ark_bls12_381::{G1Projective, G2Projective};
use ark_ec::VariableBaseMSM;
use ark_ff::{PrimeField, UniformRand};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use medzk_benches::{VaccinationBench, threads};
use medzk_blst::{
    G1Bases, G2Bases,
    msm::{msm_g1, msm_g2},
};
use medzk_circuits::field::Fr;
use medzk_circuits::tree::Depth;
use medzk_prover::msm::{Scalar, WindowTables, msm};
use rand::{SeedableRng, rngs::StdRng};

fn msms(c: &mut Criterion) {
    let bench = VaccinationBench::new(Depth::default());
    let pk = bench.prover.key().inner();
    let mut rng = StdRng::seed_from_u64(3);
    let mut group = c.benchmark_group("msm/vaccination-depth32");
    group.sample_size(20);
    let threads = threads();

    let h = &pk.h_query;
    let scalars: Vec<Scalar> = (0..h.len()).map(|_| Fr::rand(&mut rng).into_bigint()).collect();
    let tables = WindowTables::new(h);
    group.bench_function(BenchmarkId::new(format!("g1-h-{}/arkworks", h.len()), &threads), |b| {
        b.iter(|| G1Projective::msm_bigint(h, &scalars))
    });
    group.bench_function(BenchmarkId::new(format!("g1-h-{}/medzk", h.len()), &threads), |b| {
        b.iter(|| msm(h, &scalars))
    });
    group.bench_function(BenchmarkId::new(format!("g1-h-{}/medzk+tables", h.len()), &threads), |b| {
        b.iter(|| tables.msm(&scalars))
    });
    let h_blst = G1Bases::new(h);
    group.bench_function(BenchmarkId::new(format!("g1-h-{}/blst", h.len()), &threads), |b| {
        b.iter(|| msm_g1(&h_blst, &scalars))
    });

    // C's two sums: Σ w·L and Σ h·H as two MSMs, or one over both bases.
    let l = &pk.l_query;
    let l_scalars: Vec<Scalar> = (0..l.len()).map(|_| Fr::rand(&mut rng).into_bigint()).collect();
    let l_blst = G1Bases::new(l);
    let lh_blst = G1Bases::new(&[l.as_slice(), h.as_slice()].concat());
    let lh_name = format!("g1-l+h-{}+{}", l.len(), h.len());
    group.bench_function(BenchmarkId::new(format!("{lh_name}/blst-two"), &threads), |b| {
        b.iter(|| msm_g1(&l_blst, &l_scalars) + msm_g1(&h_blst, &scalars))
    });
    group.bench_function(BenchmarkId::new(format!("{lh_name}/blst-one"), &threads), |b| {
        b.iter(|| msm_g1(&lh_blst, &[l_scalars.as_slice(), scalars.as_slice()].concat()))
    });

    let b2 = &pk.b_g2_query;
    let scalars: Vec<Scalar> = (0..b2.len()).map(|_| Fr::rand(&mut rng).into_bigint()).collect();
    let tables = WindowTables::new(b2);
    group.bench_function(BenchmarkId::new(format!("g2-b-{}/arkworks", b2.len()), &threads), |b| {
        b.iter(|| G2Projective::msm_bigint(b2, &scalars))
    });
    group.bench_function(BenchmarkId::new(format!("g2-b-{}/medzk", b2.len()), &threads), |b| {
        b.iter(|| msm(b2, &scalars))
    });
    group.bench_function(BenchmarkId::new(format!("g2-b-{}/medzk+tables", b2.len()), &threads), |b| {
        b.iter(|| tables.msm(&scalars))
    });
    let b2_blst = G2Bases::new(b2);
    group.bench_function(BenchmarkId::new(format!("g2-b-{}/blst", b2.len()), &threads), |b| {
        b.iter(|| msm_g2(&b2_blst, &scalars))
    });
    group.finish();
}

criterion_group!(benches, msms);
criterion_main!(benches);

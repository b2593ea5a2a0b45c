//! Constraint synthesis (setup mode: the matrices a key is made from) and witness
//! generation (prove mode: what each proof computes before its MSMs), per statement.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use medzk_benches::{PolicyBench, VaccinationBench};
use medzk_circuits::tree::Depth;
use medzk_prover::circuit::AnyCircuit;
use medzk_prover::shape::CircuitShape;

fn synthesis(c: &mut Criterion) {
    let vaccination = VaccinationBench::new(Depth::default());
    let policy = PolicyBench::new(Depth::default());
    let mut group = c.benchmark_group("synthesis");
    group.sample_size(10);
    for (name, statement) in [
        ("vaccination-depth32", vaccination.prover.key().statement()),
        ("policy-k4-m16-g4-depth32", policy.prover.key().statement()),
    ] {
        group.bench_function(BenchmarkId::new("matrices", name), |b| {
            b.iter(|| CircuitShape::of(statement).expect("shape"))
        });
    }

    let f = &vaccination.fixture;
    let witness = f.witness();
    let circuit = vaccination.circuit();
    group.bench_function(BenchmarkId::new("witness", "vaccination-depth32"), |b| {
        b.iter(|| {
            vaccination
                .prover
                .assignment(AnyCircuit::Vaccination(Box::new(circuit.clone())))
                .expect("witness")
        })
    });
    group.bench_function(BenchmarkId::new("native-check", "vaccination-depth32"), |b| {
        b.iter(|| witness.check(&f.policy, Depth::default(), &f.root(), f.today).expect("meets the policy"))
    });
    group.finish();
}

criterion_group!(benches, synthesis);
criterion_main!(benches);

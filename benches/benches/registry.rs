//! The registry at depth 32: appending commitments (redb, one durable transaction per
//! call) and reading an inclusion path, against the in-memory tree in the same run.

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use medzk_circuits::field::Fr;
use medzk_circuits::tree::{Depth, MemoryTree};
use medzk_registry::cluster::TempCluster;
use medzk_registry::{PgStore, Registry};

fn registry(c: &mut Criterion) {
    let depth = Depth::default();
    let dir = tempfile::tempdir().expect("temp dir");
    let registry = Registry::create(&dir.path().join("bench.redb"), depth, 0).expect("registry");
    let batch: Vec<Fr> = (1..=1000u64).map(Fr::from).collect();
    registry.append_batch(&batch, 0).expect("append");
    let mut group = c.benchmark_group("registry-depth32");
    group.sample_size(20);
    let mut next = 10_000u64;
    group.bench_function(BenchmarkId::new("append", "redb"), |b| {
        b.iter(|| {
            next += 1;
            registry.append(Fr::from(next), 0).expect("append")
        })
    });
    group.bench_function(BenchmarkId::new("append-batch-100", "redb"), |b| {
        b.iter_batched(
            || {
                next += 100;
                (next..next + 100).map(Fr::from).collect::<Vec<_>>()
            },
            |commitments| registry.append_batch(&commitments, 0).expect("append"),
            BatchSize::SmallInput,
        )
    });
    group.bench_function(BenchmarkId::new("path", "redb"), |b| b.iter(|| registry.path(500).expect("path")));
    if let Ok(cluster) = TempCluster::start() {
        let url = cluster.create_database("paths").expect("database");
        let pg =
            Registry::init(Box::new(PgStore::create(&url, depth).expect("schema")), 0).expect("registry");
        pg.append_batch(&batch, 0).expect("append");
        group
            .bench_function(BenchmarkId::new("path", "postgres"), |b| b.iter(|| pg.path(500).expect("path")));
        group.bench_function(BenchmarkId::new("append", "postgres"), |b| {
            b.iter(|| {
                next += 1;
                pg.append(Fr::from(next), 0).expect("append")
            })
        });
    }

    let mut tree = MemoryTree::empty(depth);
    for (i, v) in batch.iter().enumerate() {
        tree.insert(i as u64, *v);
    }
    let mut index = 1000u64;
    group.bench_function(BenchmarkId::new("append", "memory"), |b| {
        b.iter(|| {
            index += 1;
            tree.insert(index, Fr::from(index))
        })
    });
    group.bench_function(BenchmarkId::new("path", "memory"), |b| b.iter(|| tree.inclusion_path(500)));
    group.finish();
}

/// Bulk appends: a batch of n commitments into a fresh depth-32 registry in one
/// transaction, level by level (`Tree::set_leaves`), against the leaf-by-leaf update it
/// replaced (`set_leaf` per commitment, 16 node hashes each) on the in-memory tree; on
/// redb and on a throwaway PostgreSQL server (skipped where PostgreSQL is absent).
fn bulk(c: &mut Criterion) {
    let depth = Depth::default();
    let cluster = TempCluster::start().map_err(|e| eprintln!("PostgreSQL benches skipped: {e}")).ok();
    let mut databases = 0u32;
    let mut group = c.benchmark_group("registry-bulk-depth32");
    group.sample_size(10);
    for n in [10_000u64, 100_000, 1_000_000] {
        let commitments: Vec<Fr> = (1..=n).map(Fr::from).collect();
        group.bench_function(BenchmarkId::new("append-batch-redb", n), |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().expect("temp dir");
                    let registry =
                        Registry::create(&dir.path().join("bulk.redb"), depth, 0).expect("registry");
                    (dir, registry)
                },
                |(dir, registry)| {
                    registry.append_batch(&commitments, 0).expect("append");
                    (dir, registry)
                },
                BatchSize::PerIteration,
            )
        });
        if let Some(cluster) = &cluster {
            group.bench_function(BenchmarkId::new("append-batch-postgres", n), |b| {
                b.iter_batched(
                    || {
                        databases += 1;
                        let url = cluster.create_database(&format!("bench_{databases}")).expect("database");
                        Registry::init(Box::new(PgStore::create(&url, depth).expect("schema")), 0)
                            .expect("registry")
                    },
                    |registry| registry.append_batch(&commitments, 0).expect("append"),
                    BatchSize::PerIteration,
                )
            });
        }
        group.bench_function(BenchmarkId::new("set-leaves-memory", n), |b| {
            b.iter(|| MemoryTree::empty(depth).set_leaves(0, &commitments).unwrap_or_else(|e| match e {}))
        });
        if n <= 10_000 {
            group.bench_function(BenchmarkId::new("set-leaf-each-memory-baseline", n), |b| {
                b.iter(|| {
                    let mut tree = MemoryTree::empty(depth);
                    for (i, v) in commitments.iter().enumerate() {
                        tree.insert(i as u64, *v);
                    }
                    tree.current_root()
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, registry, bulk);
criterion_main!(benches);

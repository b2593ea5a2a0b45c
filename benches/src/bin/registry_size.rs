//! How large a registry of many leaves is on disk, and how long loading it takes:
//! `cargo run --release -p medzk-benches --bin registry_size -- [LEAVES] [BATCH]` appends
//! LEAVES commitments (default 10,000,000) in batches of BATCH (default 1,000,000) into a
//! depth-32 registry on redb and on a throwaway PostgreSQL server (skipped where
//! PostgreSQL is not installed), then prints each backend's size on disk and the time per
//! batch. A measurement, not a test; BENCHMARKS.md quotes its output.

use std::time::Instant;

use medzk_circuits::field::Fr;
use medzk_circuits::tree::Depth;
use medzk_registry::cluster::TempCluster;
use medzk_registry::{PgStore, Registry};

fn load(name: &str, registry: &Registry, leaves: u64, batch: u64) {
    let start = Instant::now();
    let mut next = 1u64;
    while next <= leaves {
        let n = batch.min(leaves - next + 1);
        let commitments: Vec<Fr> = (next..next + n).map(Fr::from).collect();
        let t = Instant::now();
        registry.append_batch(&commitments, 0).expect("append");
        next += n;
        eprintln!("{name}: {} leaves, batch of {n} in {:.2} s", next - 1, t.elapsed().as_secs_f64());
    }
    let total = start.elapsed().as_secs_f64();
    let t = Instant::now();
    for i in [0, leaves / 2, leaves - 1] {
        registry.path(i).expect("path");
    }
    println!(
        "{name}: {leaves} leaves in {total:.1} s ({:.2} s per million); three paths in {:.2} ms",
        total / leaves as f64 * 1e6,
        t.elapsed().as_secs_f64() * 1e3
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let leaves: u64 = args.next().map_or(10_000_000, |a| a.parse().expect("LEAVES is a number"));
    let batch: u64 = args.next().map_or(1_000_000, |a| a.parse().expect("BATCH is a number"));
    let depth = Depth::default();

    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("size.redb");
    let registry = Registry::create(&file, depth, 0).expect("registry");
    load("redb", &registry, leaves, batch);
    drop(registry);
    let bytes = std::fs::metadata(&file).expect("file").len();
    println!(
        "redb: {:.2} GB on disk ({:.0} bytes per leaf)",
        bytes as f64 / 1e9,
        bytes as f64 / leaves as f64
    );
    drop(dir);

    match TempCluster::start() {
        Ok(cluster) => {
            let url = cluster.create_database("size").expect("database");
            let registry =
                Registry::init(Box::new(PgStore::create(&url, depth).expect("schema")), 0).expect("registry");
            load("postgresql", &registry, leaves, batch);
            drop(registry);
            let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
            client.batch_execute("VACUUM ANALYZE").expect("vacuum");
            let mut size = |sql: &str| -> i64 { client.query_one(sql, &[]).expect("size").get(0) };
            let tables = size("SELECT pg_total_relation_size('medzk_nodes')");
            let database = size("SELECT pg_database_size(current_database())");
            println!(
                "postgresql: nodes table with its index {:.2} GB, whole database {:.2} GB ({:.0} bytes per leaf)",
                tables as f64 / 1e9,
                database as f64 / 1e9,
                database as f64 / leaves as f64
            );
        }
        Err(e) => println!("postgresql: skipped ({e})"),
    }
}

//! A bounded load test of `medzk serve` on loopback: 32 concurrent clients make 20,000
//! inclusion-path requests and 2,000 signed appends against a registry of 10,000 leaves,
//! on redb and on a throwaway PostgreSQL server (skipped where PostgreSQL is absent).
//! Prints p50/p99 latency and throughput per kind of request; fails on any error.
//! Run with `./scripts/load-test.sh`.

use std::time::{Duration, Instant};

use medzk_circuits::field::Fr;
use medzk_circuits::tree::Depth;
use medzk_registry::cluster::TempCluster;
use medzk_registry::{Location, OperatorSecret, Registry};
use medzk_service::auth::{self, IssuerSecret};
use medzk_service::{Client, Limits, Running, ServiceConfig};

const CLIENTS: usize = 32;
const PATHS: usize = 20_000;
const APPENDS: usize = 2_000;
const PREFILL: u64 = 10_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn report(backend: &str, kind: &str, mut times: Vec<Duration>, wall: Duration) {
    times.sort();
    println!(
        "{backend:<10} {kind:<7} {:>6} requests  p50 {:>8.2} ms  p99 {:>8.2} ms  {:>8.0} req/s",
        times.len(),
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.len() as f64 / wall.as_secs_f64()
    );
}

fn run(backend: &str, registry: Registry) {
    let prefill: Vec<Fr> = (1..=PREFILL).map(Fr::from).collect();
    registry.append_batch(&prefill, 0).expect("prefill");
    let issuers: Vec<IssuerSecret> =
        (0..CLIENTS).map(|i| IssuerSecret::generate(&format!("clinic:{i}"))).collect();
    let enrolled = issuers
        .iter()
        .map(|i| (i.name().to_string(), auth::public_key(&i.public_hex()).expect("key")))
        .collect();
    let config = ServiceConfig {
        registry,
        name: "registry:load".into(),
        operator: OperatorSecret::generate(),
        issuers: enrolled,
        // Each client sends about 60 appends in a few seconds: within the default limits.
        limits: Limits::default(),
        shc_import: None,
    };
    let running = Running::start(config, "127.0.0.1:0".parse().expect("address")).expect("service");
    let url = running.url();

    // Paths: every client a share of the requests, in parallel.
    let start = Instant::now();
    let times: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let url = url.clone();
                s.spawn(move || {
                    let client = Client::new(&url);
                    (0..PATHS / CLIENTS)
                        .map(|k| {
                            let index = ((c * 7919 + k * 104_729) as u64) % PREFILL;
                            let t = Instant::now();
                            client.path(index).expect("path");
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("client")).collect()
    });
    report(backend, "path", times, start.elapsed());

    // Signed appends of one commitment each, every client as its own issuer.
    let start = Instant::now();
    let times: Vec<Duration> = std::thread::scope(|s| {
        let handles: Vec<_> = issuers
            .iter()
            .enumerate()
            .map(|(c, issuer)| {
                let url = url.clone();
                s.spawn(move || {
                    let client = Client::new(&url);
                    // The first APPENDS % CLIENTS clients make one more, so that all make APPENDS.
                    let mine = APPENDS / CLIENTS + usize::from(c < APPENDS % CLIENTS);
                    (0..mine)
                        .map(|k| {
                            let commitment = Fr::from(1_000_000 + (c * 10_000 + k) as u64);
                            let t = Instant::now();
                            client.append(issuer, &[commitment]).expect("append");
                            t.elapsed()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("client")).collect()
    });
    report(backend, "append", times, start.elapsed());
    let head = Client::new(&url).head().expect("head");
    let expected = PREFILL + APPENDS as u64;
    assert_eq!(head.checkpoints.last().expect("checkpoint").leaves, expected, "every append landed once");
}

fn main() {
    let depth = Depth::default();
    let dir = tempfile::tempdir().expect("temp dir");
    let registry = Registry::create(&dir.path().join("load.redb"), depth, 0).expect("registry");
    run("redb", registry);
    match TempCluster::start() {
        Ok(cluster) => {
            cluster.create_database("load").expect("database");
            let registry = Location::Postgres(cluster.url_form("load")).create(depth, 0).expect("registry");
            run("postgresql", registry);
        }
        Err(e) => println!("postgresql skipped: {e}"),
    }
}

//! `medzk serve` killed with SIGKILL in the middle of bulk appends, several times: after
//! each restart the registry opens and verifies, every acknowledged append is there at the
//! index it was acknowledged with, and an unacknowledged one is either whole or absent.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::ok;
use medzk_circuits::field::Fr;
use medzk_registry::Registry;
use medzk_service::Client;
use medzk_service::auth::IssuerSecret;

fn start(dir: &std::path::Path) -> (std::process::Child, String) {
    let (server, url, _) = common::start_serve(dir, "registry:crash");
    (server, url)
}

const BATCH: u64 = 400;
const ROUNDS: u64 = 4;

fn batch(round: u64, k: u64) -> Vec<Fr> {
    (0..BATCH).map(|i| Fr::from(1 + round * 1_000_000 + k * 1_000 + i)).collect()
}

#[test]
fn kill_9_during_bulk_appends_loses_nothing_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["registry", "init", "--registry", "reg.redb", "--depth", "16"]);
    ok(d, &["registry", "operator-keygen", "--out", "operator.key"]);
    let public =
        ok(d, &["issuer", "keygen", "--name", "clinic:crash", "--out", "clinic.key"]).trim().to_string();
    std::fs::write(
        d.join("issuers.json"),
        format!(r#"[{{"name": "clinic:crash", "public_key": "{public}"}}]"#),
    )
    .unwrap();
    let issuer =
        Arc::new(IssuerSecret::from_json(&std::fs::read_to_string(d.join("clinic.key")).unwrap()).unwrap());
    // (round, batch number, first index) of every acknowledged append.
    let acknowledged: Arc<Mutex<Vec<(u64, u64, u64)>>> = Arc::default();
    for round in 0..ROUNDS {
        let (mut server, url) = start(d);
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (stop, issuer, acknowledged) = (stop.clone(), issuer.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                let client = Client::new(&url);
                let mut k = 0;
                while !stop.load(Ordering::Relaxed) {
                    if let Ok(reply) = client.append(&issuer, &batch(round, k)) {
                        acknowledged.lock().unwrap().push((round, k, reply.first));
                    }
                    k += 1;
                }
            })
        };
        std::thread::sleep(Duration::from_millis(700 + 300 * round));
        server.kill().unwrap(); // SIGKILL
        server.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        writer.join().unwrap();

        let registry = Registry::open(&d.join("reg.redb")).unwrap();
        registry.verify().unwrap();
        let leaves = registry.len().unwrap();
        assert_eq!(leaves % BATCH, 0, "a batch is whole or absent");
        for &(r, k, first) in acknowledged.lock().unwrap().iter() {
            for (i, c) in batch(r, k).iter().enumerate() {
                assert_eq!(registry.leaf(first + i as u64).unwrap(), *c, "acknowledged batch {r}/{k}");
            }
        }
        let history = registry.history().unwrap();
        assert_eq!(history.last().unwrap().leaves, leaves);
        drop(registry);
    }
    assert!(!acknowledged.lock().unwrap().is_empty(), "the writer made progress");
    // The service starts again on the recovered registry and signs its head.
    let (mut server, url) = start(d);
    let head = Client::new(&url).head().unwrap();
    assert_eq!(head.checkpoints.last().unwrap().leaves % BATCH, 0);
    server.kill().unwrap();
    server.wait().unwrap();
}

//! Native proving and verification medians for given key, credential and policy files,
//! to set beside the wasm numbers of `scripts/bench-wasm.sh` in the same run.
//!
//! `native_timings DIR RUNS` where DIR holds k.pk, k.vk, c.json, p.json, h.key,
//! policy.json (as written by scripts/bench-wasm.sh). Prints JSON.

use std::time::Instant;

use medzk_circuits::any_policy::AnyPolicy;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::credential::{Credential, HolderKeyFile, InclusionFile};
use medzk_circuits::date::Day;
use medzk_prover::{AnyRequest, Prover, ProvingKey};
use medzk_verifier::{Verifier, VerifyingKey};
use merlin::Transcript;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(&args[1]);
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(10);
    let read = |f: &str| std::fs::read(dir.join(f)).expect("file");
    let text = |f: &str| String::from_utf8(read(f)).expect("utf8");
    let vk = VerifyingKey::from_bytes(&read("k.vk")).expect("vk");
    let t = Instant::now();
    let pk = ProvingKey::from_bytes(&read("k.pk"), &vk.hash()).expect("pk");
    let load_ms = t.elapsed().as_secs_f64() * 1e3;
    let prover = Prover::new(pk).expect("prover");
    let policy = AnyPolicy::from_json(&text("policy.json")).expect("policy");
    let cred = Credential::from_json(&text("c.json")).expect("credential");
    let holder = HolderKeyFile::from_json(&text("h.key")).expect("holder");
    let path = InclusionFile::from_json(&text("p.json")).expect("path");
    let records = vec![(cred.slots(), path.path)];
    let today: Day = "2026-11-24".parse().expect("day");
    let nonce = [7u8; 16];
    let session = Session { verifier_id: "border:NO:bench", nonce: &nonce };
    let mut prove_ms = Vec::new();
    let mut bytes = Vec::new();
    for _ in 0..runs {
        let request = AnyRequest {
            policy: &policy,
            records: &records,
            secret: &holder.secret,
            value_sets: &[],
            root: path.root,
            session,
            today,
        };
        let t = Instant::now();
        let p = prover
            .prove(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut rand::rngs::OsRng)
            .expect("proof");
        prove_ms.push(t.elapsed().as_secs_f64() * 1e3);
        bytes = p.to_bytes();
    }
    let verifier = Verifier::new(vk, policy.as_statement(), [path.root]).expect("verifier");
    let mut verify_ms = Vec::new();
    for _ in 0..runs * 5 {
        let t = Instant::now();
        verifier.verify(&mut Transcript::new(TRANSCRIPT_LABEL), &session, today, &bytes).expect("accepted");
        verify_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "{{\"prove_ms\": {:.1}, \"verify_ms\": {:.3}, \"load_pk_ms\": {:.1}, \"threads\": {}}}",
        median(prove_ms),
        median(verify_ms),
        load_ms,
        std::env::var("RAYON_NUM_THREADS").unwrap_or_else(|_| "all".into())
    );
}

//! The ceremony's costs at deployment sizes, one run of each step:
//! `cargo run --release -p medzk-benches --bin ceremony_timings -- [POWER] [phase1]`
//! (default 16; `phase1` skips phase 2).
//! Phase 1 at 2^POWER: a contribution, reading and verifying the transcript, its file size;
//! phase 2 for the vaccination statement (depth 32) and the K4/M16/G4 policy shape:
//! computing the parameters, a contribution, verification, file sizes. A measurement, not
//! a test (BENCHMARKS.md quotes its output).

use std::time::Instant;

use medzk_ceremony::{Phase1, Phase2};
use medzk_circuits::policy::DEFAULT_SHAPE;
use medzk_circuits::statement::StatementId;
use medzk_circuits::tree::Depth;

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    println!("{what}: {:.1} s", t.elapsed().as_secs_f64());
    out
}

fn main() {
    let power: u8 = std::env::args().nth(1).map_or(16, |a| a.parse().expect("POWER is a number"));
    let mut p1 = Phase1::new(power).expect("size");
    timed(&format!("phase 1, 2^{power}: first contribution"), || {
        p1.contribute("one", b"").expect("contribute")
    });
    timed(&format!("phase 1, 2^{power}: second contribution"), || {
        p1.contribute("two", b"").expect("contribute")
    });
    let bytes = p1.to_bytes();
    println!("phase 1, 2^{power}: file {:.1} MB", bytes.len() as f64 / 1e6);
    let p1 = timed(&format!("phase 1, 2^{power}: read (every point checked)"), || {
        Phase1::from_bytes(&bytes).expect("decode")
    });
    timed(&format!("phase 1, 2^{power}: verify two contributions"), || p1.verify().expect("verify"));
    if std::env::args().nth(2).as_deref() == Some("phase1") {
        return;
    }
    for (name, statement) in [
        ("vaccination (depth 32)", StatementId::vaccination(Depth::default())),
        ("policy K4/M16/G4 (depth 32)", StatementId::policy(Depth::default(), DEFAULT_SHAPE)),
    ] {
        let mut p2 = timed(&format!("phase 2, {name}: parameters from phase 1"), || {
            Phase2::new(&p1, statement).expect("phase 2")
        });
        timed(&format!("phase 2, {name}: contribution"), || p2.contribute("one", b"").expect("contribute"));
        let bytes = p2.to_bytes();
        println!("phase 2, {name}: file {:.1} MB", bytes.len() as f64 / 1e6);
        let p2 = timed(&format!("phase 2, {name}: read"), || Phase2::from_bytes(&bytes).expect("decode"));
        timed(&format!("phase 2, {name}: verify (phase 1 included)"), || p2.verify(&p1).expect("verify"));
    }
}

//! Regression tests for the hardening review's findings, through the `medzk` binary as a
//! user runs it (findings 1 and 6–9; the library-level ones are beside their code).

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn registry_leaves(d: &Path) -> u64 {
    let info: serde_json::Value =
        serde_json::from_str(&ok(d, &["registry", "info", "--registry", "reg.redb"])).unwrap();
    info["leaves"].as_u64().unwrap()
}

fn holder_id(d: &Path) -> String {
    let key: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("holder.key")).unwrap()).unwrap();
    key["holder_id"].as_str().unwrap().to_string()
}

/// Finding 1: a proving key served by someone else is used only for the pinned key hash,
/// and a tampered one is refused, in the CLI as in the library.
#[test]
fn tampered_proving_key_is_refused_by_prove() {
    use ark_ec::AffineRepr;
    let f = flow(30);
    let d = f.dir.path();
    let honest = medzk_prover::ProvingKey::decode_own(&std::fs::read(d.join("v.pk")).unwrap()).unwrap();
    let mut inner = honest.inner().clone();
    inner.delta_g1 = ark_bls12_381::G1Affine::zero();
    let shape = medzk_prover::shape::CircuitShape::of(honest.statement()).unwrap();
    let tampered = medzk_prover::ProvingKey::with_shape(honest.statement(), inner, shape).unwrap();
    std::fs::write(d.join("tampered.pk"), tampered.to_bytes()).unwrap();
    let mut args = prove_args(&f, &f.nonce, "p.bin");
    args[2] = "tampered.pk";
    let e = fails(d, &args, 2);
    assert!(e.contains("tampered.pk") && e.contains("does not match its verifying key"), "{e}");
    assert!(!d.join("p.bin").exists());
    // Another pinned hash: the honest key is refused too, naming both hashes.
    let other = "ab".repeat(32);
    let mut args = prove_args(&f, &f.nonce, "p.bin");
    args[4] = &other;
    assert!(fails(d, &args, 2).contains(&format!("not the pinned {other}")));
    // A malformed pin is a usage error.
    let mut args = prove_args(&f, &f.nonce, "p.bin");
    args[4] = "xyz";
    fails(d, &args, 2);
    ok(d, &prove_args(&f, &f.nonce, "p.bin"));
}

fn mtime_and_len(p: &Path) -> (std::time::SystemTime, u64) {
    let m = std::fs::metadata(p).unwrap();
    (m.modified().unwrap(), m.len())
}

/// Finding 6: verifiers read the registry without writing it and without waiting for an
/// issuer; concurrent issuers queue.
#[test]
fn concurrent_issuers_and_verifiers_share_one_registry() {
    let f = flow(30);
    let d = f.dir.path();
    ok(d, &prove_args(&f, &f.nonce, "p.bin"));
    let verify = verify_args(&f.nonce, "p.bin");
    // Verifying alone leaves the registry's files exactly as they were.
    let before = (mtime_and_len(&d.join("reg.redb")), mtime_and_len(&d.join("reg.redb.ledger.json")));
    std::thread::sleep(Duration::from_millis(20));
    for _ in 0..3 {
        assert!(ok(d, &verify).starts_with("ACCEPTED"));
    }
    let after = (mtime_and_len(&d.join("reg.redb")), mtime_and_len(&d.join("reg.redb.ledger.json")));
    assert_eq!(before, after, "a verify run wrote to the registry");

    // 8 issuers and 8 verifiers at once.
    let holder = holder_id(d);
    let date = medzk_day(10);
    let spawn = |args: Vec<String>| {
        Command::new(env!("CARGO_BIN_EXE_medzk"))
            .current_dir(d)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let owned = |v: Vec<&str>| v.into_iter().map(String::from).collect::<Vec<_>>();
    let started = Instant::now();
    let mut children = Vec::new();
    for i in 0..8 {
        let out = format!("cred{i}.json");
        children.push(("issue", spawn(owned(issue_args(&holder, &out, &date)))));
        children.push(("verify", spawn(owned(verify.clone()))));
    }
    for (what, child) in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{what}: {}", String::from_utf8_lossy(&out.stderr));
        if what == "verify" {
            assert!(String::from_utf8_lossy(&out.stdout).starts_with("ACCEPTED"));
        }
    }
    assert!(started.elapsed() < Duration::from_secs(120));
    assert_eq!(registry_leaves(d), 9);
    ok(d, &["registry", "check", "--registry", "reg.redb"]);
    // Every credential names its own leaf.
    let mut leaves: Vec<u64> = (0..8)
        .map(|i| {
            let c: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(d.join(format!("cred{i}.json"))).unwrap())
                    .unwrap();
            c["leaf_index"].as_u64().unwrap()
        })
        .collect();
    leaves.sort();
    assert_eq!(leaves, (1..9).collect::<Vec<_>>());
}

/// Finding 7: `holder keygen` never replaces a key silently.
#[test]
fn holder_keygen_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let id = ok(d, &["holder", "keygen", "--out", "h.key"]);
    let e = fails(d, &["holder", "keygen", "--out", "h.key"], 2);
    assert!(e.contains("h.key") && e.contains("--force"), "{e}");
    assert!(std::fs::read_to_string(d.join("h.key")).unwrap().contains(id.trim()));
    let new = ok(d, &["holder", "keygen", "--out", "h.key", "--force"]);
    assert_ne!(new, id);
}

/// Finding 7: an issue whose credential cannot be written appends nothing, and the error
/// names the user's path, never a temporary file.
#[test]
fn issue_to_unwritable_path_appends_nothing() {
    let f = flow(30);
    let d = f.dir.path();
    let holder = holder_id(d);
    let date = medzk_day(3);
    let e = fails(d, &issue_args(&holder, "no-such-dir/cred.json", &date), 2);
    assert!(e.contains("no-such-dir/cred.json"), "{e}");
    assert!(!e.contains(".tmp"), "{e}");
    assert_eq!(registry_leaves(d), 1);
    // An existing credential is not replaced either (its salt would be lost).
    let e = fails(d, &issue_args(&holder, "cred.json", &date), 2);
    assert!(e.contains("--force"), "{e}");
    assert_eq!(registry_leaves(d), 1);
    ok(d, &issue_args(&holder, "cred2.json", &date));
    assert_eq!(registry_leaves(d), 2);
}

/// Finding 7: `verify --nullifiers` refuses a registry file and leaves it untouched.
#[test]
fn verify_nullifiers_refuses_the_registry_file() {
    let f = flow(30);
    let d = f.dir.path();
    ok(d, &prove_args(&f, &f.nonce, "p.bin"));
    let before = std::fs::read(d.join("reg.redb")).unwrap();
    let mut args = verify_args(&f.nonce, "p.bin");
    args.extend_from_slice(&["--nullifiers", "reg.redb"]);
    let e = fails(d, &args, 2);
    assert!(e.contains("registry, not a nullifier store"), "{e}");
    assert_eq!(std::fs::read(d.join("reg.redb")).unwrap(), before);
}

/// Finding 7: a key file that never ends is refused at the size cap, quickly.
#[test]
fn verify_vk_dev_zero_does_not_hang() {
    let f = flow(30);
    let d = f.dir.path();
    let mut args = verify_args(&f.nonce, "p.bin");
    args[2] = "/dev/zero";
    let started = Instant::now();
    let e = fails(d, &args, 2);
    assert!(e.contains("/dev/zero") && e.contains("too large"), "{e}");
    assert!(started.elapsed() < Duration::from_secs(20));
}

/// Finding 8: values that cannot be right are refused when issuing, with the reason.
#[test]
fn issue_validates_at_issue_time() {
    let f = flow(30);
    let d = f.dir.path();
    let holder = holder_id(d);
    let date = medzk_day(3);
    let with = |name: &str, value: &str| {
        let mut a = issue_args(&holder, "x.json", &date);
        let i = a.iter().position(|x| *x == name).unwrap();
        let mut owned: Vec<String> = a.drain(..).map(String::from).collect();
        owned[i + 1] = value.to_string();
        owned
    };
    let run = |args: Vec<String>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        fails(d, &refs, 2)
    };
    assert!(run(with("--dose", "300")).contains("dose number 300"));
    assert!(run(with("--date", "2099-01-01")).contains("in the future"));
    assert!(run(with("--issuer", "")).contains("issuer is empty"));
    assert!(run(with("--lot", "")).contains("lot number is empty"));
    assert!(run(with("--date", "2026-02-30")).contains("no such day"));
    assert_eq!(registry_leaves(d), 1);
    // Legal but odd: issued, with a warning.
    let out = medzk(d, &with("--dose", "3").iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: dose 3 of a 2-dose series"));
    // An empty development seed.
    let e =
        fails(d, &["setup", "--statement", "vaccination", "--seed", "", "--pk", "a.pk", "--vk", "a.vk"], 2);
    assert!(e.contains("--seed is empty"), "{e}");
}

/// Finding 9: hex fields take `0x` or bare hex and refuse anything else.
#[test]
fn hex_fields_accept_0x_or_bare_and_reject_the_rest() {
    let f = flow(30);
    let d = f.dir.path();
    let with_0x = format!("0x{}", f.nonce);
    ok(d, &prove_args(&f, &with_0x, "p.bin"));
    assert!(ok(d, &verify_args(&f.nonce, "p.bin")).starts_with("ACCEPTED"));
    assert!(ok(d, &verify_args(&with_0x, "p.bin")).starts_with("ACCEPTED"));
    for (bad, why) in
        [("", "empty"), ("0x", "empty"), ("00112233445566zz", "not a hex digit"), ("0011223", "odd")]
    {
        let e = fails(d, &prove_args(&f, bad, "q.bin"), 2);
        assert!(e.contains(why), "{bad:?}: {e}");
    }
    // A holder id, bare or with 0x.
    let holder = holder_id(d);
    let bare = holder.trim_start_matches("0x").to_string();
    ok(d, &issue_args(&bare, "bare.json", &medzk_day(2)));
    let e = fails(d, &issue_args("0x12", "short.json", &medzk_day(2)), 2);
    assert!(e.contains("--holder-id"), "{e}");
}

/// The verifier's own configuration errors exit 2 (a rejection exits 1).
#[test]
fn verifier_configuration_errors_exit_2() {
    let f = flow(30);
    let d = f.dir.path();
    ok(d, &prove_args(&f, &f.nonce, "p.bin"));
    let mut empty_id = verify_args(&f.nonce, "p.bin");
    empty_id[8] = "";
    assert!(fails(d, &empty_id, 2).contains("verifier id"));
    let mut no_policy = verify_args(&f.nonce, "p.bin");
    no_policy[4] = "missing-policy.json";
    assert!(fails(d, &no_policy, 2).contains("missing-policy.json"));
    // A scope bound to another verifier: the verifier's own configuration is wrong.
    let mut other = verify_args(&f.nonce, "p.bin");
    other[8] = "kiosk:elsewhere";
    assert!(fails(d, &other, 2).contains("scope"));
}

/// Finding 4: a wallet refuses to make a pseudonym in a scope bound to another verifier.
#[test]
fn copied_scope_is_refused_by_the_prover() {
    let f = flow(30);
    let d = f.dir.path();
    let mut args = prove_args(&f, &f.nonce, "p.bin");
    let i = args.iter().position(|a| *a == "--verifier-id").unwrap();
    args[i + 1] = "kiosk:elsewhere";
    let e = fails(d, &args, 1);
    assert!(e.contains("belongs to another verifier"), "{e}");
}

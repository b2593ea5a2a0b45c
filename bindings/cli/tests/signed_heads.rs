//! Verifiers that trust roots only from a head signed by the operator key they pin.

mod common;

use common::{fails, flow, ok, prove_args, verify_args};

fn with_head<'a>(nonce: &'a str, head: &'a str, key: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = verify_args(nonce, "p.bin");
    let at = args.iter().position(|a| *a == "--registry").unwrap();
    args.splice(at..at + 2, ["--signed-head", head, "--operator-key", key]);
    args.extend_from_slice(extra);
    args
}

#[test]
fn verify_against_a_signed_head_under_the_pinned_operator_key() {
    let f = flow(30);
    let d = f.dir.path();
    let key = ok(d, &["registry", "operator-keygen", "--out", "operator.key"]).trim().to_string();
    assert_eq!(key.len(), 64);
    fails(d, &["registry", "operator-keygen", "--out", "operator.key"], 2);
    let signed = ok(
        d,
        &[
            "registry",
            "sign-head",
            "--registry",
            "reg.redb",
            "--operator-secret",
            "operator.key",
            "--name",
            "registry:test",
            "--out",
            "head.json",
        ],
    );
    assert!(signed.contains(&key), "{signed}");
    ok(d, &prove_args(&f, &f.nonce, "p.bin"));
    let accepted = ok(d, &with_head(&f.nonce, "head.json", &key, &["--registry-name", "registry:test"]));
    assert!(accepted.starts_with("ACCEPTED"), "{accepted}");

    // Another operator's key: no root is trusted, a configuration error (exit 2).
    let other = ok(d, &["registry", "operator-keygen", "--out", "other.key"]).trim().to_string();
    let err = fails(d, &with_head(&f.nonce, "head.json", &other, &[]), 2);
    assert!(err.contains("not the pinned operator"), "{err}");
    // The wrong registry name, a malformed key, a head with a changed root.
    let err = fails(d, &with_head(&f.nonce, "head.json", &key, &["--registry-name", "registry:other"]), 2);
    assert!(err.contains("registry:other"), "{err}");
    fails(d, &with_head(&f.nonce, "head.json", "12zz", &[]), 2);
    let text = std::fs::read_to_string(d.join("head.json")).unwrap();
    let mut head: serde_json::Value = serde_json::from_str(&text).unwrap();
    head["signed_at"] = (head["signed_at"].as_i64().unwrap() + 7).into();
    std::fs::write(d.join("changed.json"), head.to_string()).unwrap();
    let err = fails(d, &with_head(&f.nonce, "changed.json", &key, &[]), 2);
    assert!(err.contains("signature does not verify"), "{err}");
    // A head older than the verifier accepts.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let err = fails(d, &with_head(&f.nonce, "head.json", &key, &["--max-head-age-hours", "0"]), 2);
    assert!(err.contains("fetch a fresh one"), "{err}");
    // --signed-head without a pinned key is a usage error.
    let mut args = verify_args(&f.nonce, "p.bin");
    let at = args.iter().position(|a| *a == "--registry").unwrap();
    args.splice(at..at + 2, ["--signed-head", "head.json"]);
    fails(d, &args, 2);
}

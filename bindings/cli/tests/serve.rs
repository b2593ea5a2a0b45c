//! `medzk serve` as a separate process on loopback: an issuer appends through it with a
//! signed request, the patient fetches its path from it, and a verifier that pins the
//! operator key trusts the head it serves.

mod common;

use std::process::Command;

use common::{POLICY, TODAY, fails, issue_args, key_hash, medzk_day, ok};

#[test]
fn issue_prove_and_verify_through_the_service() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let vk_hash = key_hash(&ok(
        d,
        &[
            "setup",
            "--statement",
            "vaccination",
            "--depth",
            "8",
            "--seed",
            "srv",
            "--pk",
            "v.pk",
            "--vk",
            "v.vk",
        ],
    ));
    ok(d, &["registry", "init", "--registry", "reg.redb", "--depth", "8"]);
    let operator = ok(d, &["registry", "operator-keygen", "--out", "operator.key"]).trim().to_string();
    let clinic =
        ok(d, &["issuer", "keygen", "--name", "clinic:test", "--out", "clinic.key"]).trim().to_string();
    ok(d, &["issuer", "keygen", "--name", "lab:other", "--out", "lab.key"]);
    std::fs::write(
        d.join("issuers.json"),
        format!(r#"[{{"name": "clinic:test", "public_key": "{clinic}"}}]"#),
    )
    .unwrap();

    let (mut server, url, banner) = common::start_serve(d, "registry:test");
    assert!(banner.contains(&operator), "{banner}");

    let holder = ok(d, &["holder", "keygen", "--out", "holder.key"]).trim().to_string();
    let date = medzk_day(30);
    let remote = |out: &'static str, key: &'static str| {
        let mut args: Vec<String> = issue_args(&holder, out, &date).iter().map(|s| s.to_string()).collect();
        args.splice(2..4, ["--registry-url".to_string(), url.clone(), "--issuer-key".into(), key.into()]);
        args
    };
    let args = remote("cred.json", "clinic.key");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(ok(d, &args).starts_with("leaf 0 root 0x"));
    // A key of an issuer the operator did not enroll: refused, no credential left behind.
    let args = remote("lab.json", "lab.key");
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let at = args.iter().position(|a| *a == "clinic:test").unwrap();
    args[at] = "lab:other";
    let err = fails(d, &args, 2);
    assert!(err.contains("not enrolled"), "{err}");
    assert!(!d.join("lab.json").exists());
    // A key that is not the --issuer's.
    let args = remote("x.json", "lab.key");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    fails(d, &args, 2);

    std::fs::write(d.join("policy.json"), POLICY).unwrap();
    let nonce = ok(d, &["nonce"]).trim().to_string();
    ok(
        d,
        &[
            "prove",
            "--pk",
            "v.pk",
            "--vk-hash",
            &vk_hash,
            "--credential",
            "cred.json",
            "--holder-key",
            "holder.key",
            "--registry-url",
            &url,
            "--policy",
            "policy.json",
            "--verifier-id",
            "border:test",
            "--nonce",
            &nonce,
            "--today",
            TODAY,
            "--out",
            "p.bin",
        ],
    );
    let verify = |key: &str| {
        vec![
            "verify".to_string(),
            "--vk".into(),
            "v.vk".into(),
            "--policy".into(),
            "policy.json".into(),
            "--registry-url".into(),
            url.clone(),
            "--operator-key".into(),
            key.into(),
            "--registry-name".into(),
            "registry:test".into(),
            "--verifier-id".into(),
            "border:test".into(),
            "--nonce".into(),
            nonce.clone(),
            "--today".into(),
            TODAY.into(),
            "--presentation".into(),
            "p.bin".into(),
        ]
    };
    let args = verify(&operator);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(ok(d, &args).starts_with("ACCEPTED"));

    // Paths and roots from the service: privately (the default) or by index, the same.
    let fetch = |levels: &str, out: &str| {
        ok(
            d,
            &[
                "registry",
                "path",
                "--registry-url",
                &url,
                "--index",
                "0",
                "--subtree-levels",
                levels,
                "--out",
                out,
            ],
        )
    };
    assert_eq!(fetch("4", "private.json"), fetch("0", "direct.json"));
    assert_eq!(std::fs::read(d.join("private.json")).unwrap(), std::fs::read(d.join("direct.json")).unwrap());
    fails(
        d,
        &["registry", "path", "--registry-url", &url, "--index", "0", "--subtree-levels", "7", "--out", "x"],
        2,
    );
    let roots: serde_json::Value = serde_json::from_str(&ok(
        d,
        &["registry", "roots", "--registry-url", &url, "--operator-key", &operator],
    ))
    .unwrap();
    assert_eq!(roots.as_array().unwrap().len(), 2, "{roots}");
    fails(d, &["registry", "roots", "--registry-url", &url, "--operator-key", &clinic], 2);
    // The audit log, for the operator only: the refused unenrolled issuer is in it.
    let log = ok(d, &["registry", "audit", "--registry-url", &url, "--operator-secret", "operator.key"]);
    let entries: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(entries.iter().any(|e| e["actor"] == "lab:other" && e["accepted"] == false), "{log}");
    assert!(
        entries
            .iter()
            .any(|e| e["actor"] == "clinic:test" && e["action"] == "append" && e["accepted"] == true)
    );
    let err = fails(d, &["registry", "audit", "--registry-url", &url, "--operator-secret", "clinic.key"], 2);
    assert!(err.contains("operator key"), "{err}");
    let other = ok(d, &["registry", "operator-keygen", "--out", "other.key"]).trim().to_string();
    let args = verify(&other);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let err = fails(d, &args, 2);
    assert!(err.contains("not the pinned operator"), "{err}");

    // Graceful stop on SIGTERM.
    let killed = Command::new("kill").args(["-TERM", &server.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = server.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

#[test]
fn the_demo_runs_against_a_served_registry() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &["--json", "demo", "--records", "8", "--serve"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps = report["steps"].as_array().unwrap();
    assert!(steps[1]["service"].as_str().unwrap().starts_with("http://127.0.0.1:"), "{}", steps[1]);
    assert_eq!(steps[1]["operator_key"].as_str().unwrap().len(), 64);
    assert_eq!(steps[7]["verdict"]["accepted"], true);
    assert_eq!((report["accepted"].as_u64(), report["rejected"].as_u64()), (Some(1), Some(2)));
}

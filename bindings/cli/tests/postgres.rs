//! The CLI against a registry in PostgreSQL (a throwaway server this test starts):
//! issue, path, prove and verify with `--registry postgresql://…`, and `registry migrate`
//! both ways.

mod common;

use common::{POLICY, TODAY, fails, issue_args, key_hash, medzk_day, ok};
use medzk_registry::cluster::{ClusterError, TempCluster};

fn cluster() -> Option<TempCluster> {
    match TempCluster::start() {
        Ok(c) => Some(c),
        Err(ClusterError::NotInstalled) if std::env::var_os("MEDZK_REQUIRE_POSTGRES").is_none() => {
            eprintln!(
                "skipped: {} (MEDZK_REQUIRE_POSTGRES=1 makes this a failure)",
                ClusterError::NotInstalled
            );
            None
        }
        Err(e) => panic!("throwaway PostgreSQL: {e}"),
    }
}

#[test]
fn issue_prove_verify_and_migrate_with_a_postgres_registry() {
    let Some(cluster) = cluster() else { return };
    cluster.create_database("cli").unwrap();
    let url = cluster.url_form("cli");
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
            "pg",
            "--pk",
            "v.pk",
            "--vk",
            "v.vk",
        ],
    ));
    ok(d, &["registry", "init", "--registry", &url, "--depth", "8"]);
    fails(d, &["registry", "init", "--registry", &url, "--depth", "8"], 2);
    let holder = ok(d, &["holder", "keygen", "--out", "holder.key"]).trim().to_string();
    let date = medzk_day(30);
    let mut issue = issue_args(&holder, "cred.json", &date);
    issue[3] = &url;
    assert!(ok(d, &issue).starts_with("leaf 0 root 0x"));
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
            "--registry",
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
    let verify = |registry: &str| {
        vec![
            "verify".to_string(),
            "--vk".into(),
            "v.vk".into(),
            "--policy".into(),
            "policy.json".into(),
            "--registry".into(),
            registry.to_string(),
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
    let args = verify(&url);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(ok(d, &args).starts_with("ACCEPTED"));
    let info: serde_json::Value =
        serde_json::from_str(&ok(d, &["registry", "info", "--registry", &url])).unwrap();
    assert_eq!(info["leaves"], 1);
    assert_eq!(ok(d, &["registry", "check", "--registry", &url]).trim(), "ok");

    // PostgreSQL → file: the same ledger; the presentation verifies against the copy.
    let copied = ok(d, &["registry", "migrate", "--from", &url, "--to", "copy.redb"]);
    assert!(copied.contains("copied 1 leaves and 2 checkpoints"), "{copied}");
    let args = verify("copy.redb");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert!(ok(d, &args).starts_with("ACCEPTED"));
    let copy: serde_json::Value =
        serde_json::from_str(&ok(d, &["registry", "info", "--registry", "copy.redb"])).unwrap();
    assert_eq!(copy, info);
    // A target that exists is refused and left as it was.
    let before = std::fs::read(d.join("copy.redb")).unwrap();
    fails(d, &["registry", "migrate", "--from", &url, "--to", "copy.redb"], 2);
    assert_eq!(std::fs::read(d.join("copy.redb")).unwrap(), before);

    // File → a second database, which then serves issuing.
    cluster.create_database("back").unwrap();
    let back = cluster.url_form("back");
    ok(d, &["registry", "migrate", "--from", "copy.redb", "--to", &back]);
    let mut issue = issue_args(&holder, "cred2.json", &date);
    issue[3] = &back;
    assert!(ok(d, &issue).starts_with("leaf 1 root 0x"));
    // Into a database that already holds a registry: refused, and that registry intact.
    fails(d, &["registry", "migrate", "--from", "copy.redb", "--to", &back], 2);
    let back_info: serde_json::Value =
        serde_json::from_str(&ok(d, &["registry", "info", "--registry", &back])).unwrap();
    assert_eq!(back_info["leaves"], 2);
}

#[test]
fn a_database_password_never_reaches_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let url = "postgresql://medzk:hunter2@localhost:1/nowhere?connect_timeout=2";
    let err = fails(dir.path(), &["registry", "info", "--registry", url], 2);
    assert!(!err.contains("hunter2"), "{err}");
    assert!(err.contains("postgresql database nowhere on localhost"), "{err}");
    let out = common::medzk(dir.path(), &["--json", "registry", "info", "--registry", url]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("hunter2"));
}

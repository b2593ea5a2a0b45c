//! Helpers shared by the CLI tests: run `medzk` as a user does, and a ready flow.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn medzk(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_medzk")).current_dir(dir).args(args).output().expect("runs")
}

pub fn ok(dir: &Path, args: &[&str]) -> String {
    let out = medzk(dir, args);
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

pub fn fails(dir: &Path, args: &[&str], code: i32) -> String {
    let out = medzk(dir, args);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

pub struct Flow {
    pub dir: tempfile::TempDir,
    pub nonce: String,
    pub vk_hash: String,
}

/// The verifying-key hash `medzk setup` prints last on its line.
pub fn key_hash(setup_output: &str) -> String {
    setup_output.split_whitespace().last().unwrap().to_string()
}

impl Flow {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

pub const POLICY: &str = r#"{
  "statement": "vaccination",
  "version": 1,
  "scope": "border:test",
  "vaccines": ["cvx|208", "cvx|207"],
  "days_since_dose": { "min": 14, "max": 365 },
  "min_dose_number": 1,
  "complete_series": true
}"#;

/// Keys, registry, holder, credential and policy in a temporary directory (depth 8).
pub fn flow(days_ago: i32) -> Flow {
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
            "cli test",
            "--pk",
            "v.pk",
            "--vk",
            "v.vk",
        ],
    ));
    ok(d, &["registry", "init", "--registry", "reg.redb", "--depth", "8"]);
    let holder_id = ok(d, &["holder", "keygen", "--out", "holder.key"]).trim().to_string();
    let date = medzk_day(days_ago);
    ok(d, &issue_args(&holder_id, "cred.json", &date));
    ok(d, &["registry", "path", "--registry", "reg.redb", "--index", "0", "--out", "path.json"]);
    std::fs::write(d.join("policy.json"), POLICY).unwrap();
    let nonce = ok(d, &["nonce"]).trim().to_string();
    assert_eq!(nonce.len(), 32);
    Flow { dir, nonce, vk_hash }
}

pub const TODAY: &str = "2026-11-24";

pub fn medzk_day(days_ago: i32) -> String {
    // 2026-11-24 minus `days_ago` days, formatted by the library's own date type.
    let today: medzk_circuits::date::Day = TODAY.parse().unwrap();
    medzk_circuits::date::Day(today.0 - days_ago).to_string()
}

pub fn prove_args<'a>(f: &'a Flow, nonce: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "prove",
        "--pk",
        "v.pk",
        "--vk-hash",
        &f.vk_hash,
        "--credential",
        "cred.json",
        "--holder-key",
        "holder.key",
        "--path",
        "path.json",
        "--policy",
        "policy.json",
        "--verifier-id",
        "border:test",
        "--nonce",
        nonce,
        "--today",
        TODAY,
        "--out",
        out,
    ]
}

pub fn verify_args<'a>(nonce: &'a str, presentation: &'a str) -> Vec<&'a str> {
    vec![
        "verify",
        "--vk",
        "v.vk",
        "--policy",
        "policy.json",
        "--registry",
        "reg.redb",
        "--verifier-id",
        "border:test",
        "--nonce",
        nonce,
        "--today",
        TODAY,
        "--presentation",
        presentation,
    ]
}

/// `issue immunization` of dose 2 of 2 of CVX 208 on `date` to `holder`, written to `out`.
pub fn issue_args<'a>(holder: &'a str, out: &'a str, date: &'a str) -> Vec<&'a str> {
    vec![
        "issue",
        "immunization",
        "--registry",
        "reg.redb",
        "--holder-id",
        holder,
        "--vaccine",
        "cvx|208",
        "--date",
        date,
        "--dose",
        "2",
        "--series",
        "2",
        "--lot",
        "AB12",
        "--issuer",
        "clinic:test",
        "--out",
        out,
    ]
}

/// Starts `medzk serve` in `dir` on a free loopback port (registry `reg.redb`, keys
/// `operator.key` and `issuers.json`); returns the process, its URL
/// and its first line (the banner).
pub fn start_serve(dir: &Path, name: &str) -> (std::process::Child, String, String) {
    use std::io::{BufRead, BufReader};
    let mut server = Command::new(env!("CARGO_BIN_EXE_medzk"))
        .current_dir(dir)
        .args([
            "serve",
            "--registry",
            "reg.redb",
            "--name",
            name,
            "--operator-secret",
            "operator.key",
            "--issuers",
            "issuers.json",
            "--listen",
            "127.0.0.1:0",
        ])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    BufReader::new(server.stderr.as_mut().unwrap()).read_line(&mut banner).unwrap();
    let url = banner.split_whitespace().find(|w| w.starts_with("http://")).expect(&banner).to_string();
    (server, url, banner)
}

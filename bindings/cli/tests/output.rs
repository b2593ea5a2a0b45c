//! Scriptable output: `--json` on every command that prints a result (full values, one
//! JSON document, errors as JSON too), shell completions and man pages.

mod common;

use common::{Flow, POLICY, TODAY, fails, flow, issue_args, medzk, ok, prove_args, verify_args};
use serde_json::Value;

/// Runs `medzk --json …` and parses stdout as one JSON document.
fn json(dir: &std::path::Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = ok(dir, &all);
    assert!(!out.contains('…'), "{args:?}: --json shortens a value: {out}");
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: not one JSON document ({e}): {out}"))
}

fn json_failure(dir: &std::path::Path, args: &[&str], code: i32) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = medzk(dir, &all);
    assert_eq!(out.status.code(), Some(code), "{args:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("medzk: "), "the message stays on stderr: {stderr}");
    let value: Value = serde_json::from_slice(&out.stdout).expect("the failure is one JSON document");
    assert_eq!(value["exit_code"], code);
    value
}

fn is_field_hex(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        s.len() == 66 && s.starts_with("0x") && s[2..].chars().all(|c| c.is_ascii_hexdigit())
    })
}

#[test]
fn every_result_is_json_with_full_values() {
    let f: Flow = flow(30);
    let d = f.dir.path();

    let nonce = json(d, &["nonce"]);
    assert_eq!(nonce["nonce"].as_str().unwrap().len(), 32);

    let key = json(d, &["holder", "keygen", "--out", "second.key"]);
    assert!(is_field_hex(&key["holder_id"]), "{key}");
    assert_eq!(key["key_file"], "second.key");
    assert!(!key.to_string().contains("secret"), "the holder secret never reaches stdout: {key}");

    let init = json(d, &["registry", "init", "--registry", "other.redb", "--depth", "8"]);
    assert!(is_field_hex(&init["root"]) && init["depth"] == 8 && init["leaves"] == 0, "{init}");

    let holder = key["holder_id"].as_str().unwrap();
    let date = common::medzk_day(20);
    let mut args = issue_args(holder, "second.json", &date);
    args[3] = "other.redb";
    let issued = json(d, &args);
    assert_eq!(issued["leaf"], 0);
    assert!(is_field_hex(&issued["root"]) && is_field_hex(&issued["commitment"]), "{issued}");
    assert_eq!(issued["kind"], "immunization");
    assert_eq!(issued["checkpoint"]["event"], "append");
    let salt = serde_json::from_str::<Value>(&std::fs::read_to_string(d.join("second.json")).unwrap())
        .unwrap()["salt"]
        .to_string();
    assert!(!issued.to_string().contains(salt.trim_matches('"')), "the salt stays in the credential file");

    let path = json(d, &["registry", "path", "--registry", "reg.redb", "--index", "0", "--out", "p2.json"]);
    assert!(is_field_hex(&path["root"]) && path["index"] == 0, "{path}");
    let info = json(d, &["registry", "info", "--registry", "reg.redb"]);
    assert_eq!(info["root"], path["root"]);
    let roots = json(d, &["registry", "roots", "--registry", "reg.redb"]);
    assert!(roots.as_array().unwrap().contains(&path["root"]), "{roots}");
    let check = json(d, &["registry", "check", "--registry", "reg.redb"]);
    assert_eq!(check["ok"], true);

    let hash = json(d, &["policy", "hash", "policy.json"]);
    assert!(is_field_hex(&hash["policy_hash"]) && hash["statement"] == "vaccination", "{hash}");
    assert_eq!(hash["scope"], "border:test");
    let check = json(
        d,
        &[
            "policy",
            "check",
            "policy.json",
            "--credential",
            "cred.json",
            "--holder-key",
            "holder.key",
            "--today",
            TODAY,
        ],
    );
    assert_eq!(check["holds"], true);

    let proved = json(d, &prove_args(&f, &f.nonce, "p.bin"));
    assert_eq!(proved["presentation"], "p.bin");
    assert_eq!(proved["bytes"].as_u64().unwrap(), std::fs::metadata(d.join("p.bin")).unwrap().len());
    let verified = json(d, &verify_args(&f.nonce, "p.bin"));
    assert_eq!(verified["accepted"], true);
    assert_eq!(verified["today"], TODAY);
    assert!(is_field_hex(&verified["nullifier"]) && verified["root"] == path["root"], "{verified}");

    let shape = json(d, &["inspect", "vaccination", "--depth", "8"]);
    assert!(shape["constraints"].as_u64().unwrap() > 0);

    // Failures: one JSON document on stdout, the message on stderr, the documented code.
    let other = "00112233445566778899aabbccddeeff".to_string();
    let rejected = json_failure(d, &verify_args(&other, "p.bin"), 1);
    assert_eq!(rejected["error"]["kind"], "rejected", "{rejected}");
    let missing = json_failure(d, &["registry", "info", "--registry", "nowhere.redb"], 2);
    assert_eq!(missing["error"]["kind"], "file");
    assert_eq!(missing["error"]["path"], "nowhere.redb");
    std::fs::write(d.join("late.json"), POLICY.replace("\"max\": 365", "\"max\": 20")).unwrap();
    let unmet = json_failure(
        d,
        &[
            "policy",
            "check",
            "late.json",
            "--credential",
            "cred.json",
            "--holder-key",
            "holder.key",
            "--today",
            TODAY,
        ],
        1,
    );
    assert_eq!(unmet["error"]["kind"], "cannot_prove");
}

#[test]
fn setup_and_value_sets_report_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let setup = json(
        d,
        &[
            "setup",
            "--statement",
            "vaccination",
            "--depth",
            "8",
            "--seed",
            "json",
            "--pk",
            "k.pk",
            "--vk",
            "k.vk",
        ],
    );
    assert_eq!(setup["insecure"], true);
    assert_eq!(setup["pk"], "k.pk");
    let hash = setup["vk_hash"].as_str().unwrap();
    assert!(hash.len() >= 64, "{setup}");
    std::fs::write(
        d.join("set.json"),
        r#"{"format": "medzk-value-set", "version": 1, "name": "insulins", "codes": ["rxnorm|253182"]}"#,
    )
    .unwrap();
    let set = json(d, &["policy", "value-set", "set.json"]);
    assert!(is_field_hex(&set["root"]) && set["codes"] == 1 && set["name"] == "insulins", "{set}");
}

#[test]
fn demo_reports_its_steps_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = json(dir.path(), &["demo", "--records", "8"]);
    let steps = out["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 13, "{out}");
    assert_eq!(
        (out["accepted"].as_u64(), out["rejected"].as_u64(), out["refused"].as_u64()),
        (Some(1), Some(2), Some(1))
    );
    assert_eq!(steps[7]["verdict"]["accepted"], true);
    assert!(is_field_hex(&steps[4]["root"]), "{}", steps[4]);
    assert!(steps[8]["reason"].as_str().unwrap().contains("session"), "{}", steps[8]);
}

#[test]
fn completions_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let script = ok(dir.path(), &["completions", shell]);
        for word in ["verify", "prove", "registry", "vk-hash", "json", "max-root-age-hours"] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    fails(dir.path(), &["completions", "tcsh"], 2);
}

#[test]
fn man_pages_for_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let page = ok(dir.path(), &["man"]);
    assert!(page.starts_with(".ie") || page.contains(".TH medzk"), "{}", &page[..200.min(page.len())]);
    assert!(page.contains("Exit status"), "the exit codes are in the man page");
    let out = json(dir.path(), &["man", "--dir", "pages"]);
    let pages: Vec<&str> = out["pages"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    for expected in
        ["medzk.1", "medzk-verify.1", "medzk-prove.1", "medzk-registry-init.1", "medzk-issue-immunization.1"]
    {
        assert!(pages.contains(&expected), "{expected} missing from {pages:?}");
    }
    let verify = std::fs::read_to_string(dir.path().join("pages/medzk-verify.1")).unwrap();
    assert!(
        verify.contains("verifier\\-id") || verify.contains("verifier-id"),
        "medzk-verify.1 documents its options"
    );
}

#[test]
fn progress_only_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let setup = [
        "setup",
        "--statement",
        "vaccination",
        "--depth",
        "8",
        "--seed",
        "p",
        "--pk",
        "a.pk",
        "--vk",
        "a.vk",
    ];
    // Not a terminal: stderr holds the warning and nothing else.
    let out = medzk(d, &setup);
    assert!(out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("generating keys"), "{stderr}");
    // A terminal (util-linux `script` gives the command one): the spinner is drawn there,
    // and never with --json.
    let Ok(status) = std::process::Command::new("script").arg("--version").output() else {
        eprintln!("skipped the terminal half: util-linux `script` is not installed");
        return;
    };
    assert!(status.status.success());
    let line = |json: bool| {
        let mut words = vec![env!("CARGO_BIN_EXE_medzk").to_string()];
        if json {
            words.push("--json".into());
        }
        words.extend(setup.iter().map(|w| w.to_string()));
        words.join(" ")
    };
    let run = |json: bool| {
        let out = std::process::Command::new("script")
            .current_dir(d)
            .args(["-qec", &line(json), "/dev/null"])
            .output()
            .expect("script runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(run(false).contains("generating keys for vaccination"), "a terminal shows progress");
    assert!(!run(true).contains("generating keys"), "--json never draws progress");
}

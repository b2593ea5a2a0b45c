//! The `medzk` binary as a user runs it: outputs and exit codes.

mod common;

use common::*;

#[test]
fn prove_and_verify_with_exit_codes() {
    let f = flow(30);
    let d = f.dir.path();
    ok(d, &prove_args(&f, &f.nonce, "p.bin"));
    let accepted = ok(d, &verify_args(&f.nonce, "p.bin"));
    assert!(accepted.starts_with("ACCEPTED: vaccination/v1/depth8 on 2026-11-24"), "{accepted}");
    // Another nonce: rejected with a one-line reason, exit 1.
    let other = "00112233445566778899aabbccddeeff";
    let reason = fails(d, &verify_args(other, "p.bin"), 1);
    assert_eq!(reason.lines().count(), 1);
    assert!(reason.contains("REJECTED: the proof does not verify"), "{reason}");
    // Garbage presentation: rejected as malformed, no panic.
    std::fs::write(d.join("junk.bin"), b"MDZK\x01\x03garbage").unwrap();
    assert!(fails(d, &verify_args(&f.nonce, "junk.bin"), 1).contains("REJECTED: malformed presentation"));
    // A stale day.
    let mut late = verify_args(&f.nonce, "p.bin");
    late[12] = "2026-11-27";
    assert!(fails(d, &late, 1).contains("REJECTED: presentation is dated 2026-11-24"));
    // After a revocation the old root is no longer trusted.
    ok(d, &["registry", "revoke", "--registry", "reg.redb", "--index", "0"]);
    assert!(fails(d, &verify_args(&f.nonce, "p.bin"), 1).contains("not one this verifier trusts"));
    ok(d, &["registry", "check", "--registry", "reg.redb"]);
}

#[test]
fn unmet_policy_and_bad_inputs() {
    let f = flow(5);
    let d = f.dir.path();
    let reason = fails(d, &prove_args(&f, &f.nonce, "p.bin"), 1);
    assert!(
        reason.contains("cannot prove: the dose was given 5 day(s) ago; at least 14 are required"),
        "{reason}"
    );
    assert!(!f.path("p.bin").exists());
    // Missing file: exit 2, naming the file.
    assert!(fails(d, &verify_args(&f.nonce, "missing.bin"), 2).contains("missing.bin"));
    // Malformed policy: exit 2, naming the problem.
    std::fs::write(d.join("policy.json"), POLICY.replace("\"min\": 14", "\"min\": 400")).unwrap();
    let e = fails(d, &prove_args(&f, &f.nonce, "p.bin"), 2);
    assert!(e.contains("policy.json") && e.contains("days_since_dose.min (400)"), "{e}");
    std::fs::write(d.join("policy.json"), "{ not json").unwrap();
    assert!(fails(d, &prove_args(&f, &f.nonce, "p.bin"), 2).contains("invalid policy JSON"));
    // Bad nonce, bad key file, bad credential.
    std::fs::write(d.join("policy.json"), POLICY).unwrap();
    assert!(fails(d, &prove_args(&f, "zz", "p.bin"), 2).contains("nonce"));
    std::fs::write(d.join("bad.pk"), b"not a key").unwrap();
    let mut args = prove_args(&f, &f.nonce, "p.bin");
    args[2] = "bad.pk";
    assert!(fails(d, &args, 2).contains("bad.pk"));
    std::fs::write(d.join("cred.json"), b"{}").unwrap();
    assert!(fails(d, &prove_args(&f, &f.nonce, "p.bin"), 2).contains("invalid credential file"));
    // Usage errors.
    fails(d, &["prove"], 2);
    fails(d, &["frobnicate"], 2);
}

#[test]
fn inspect_prints_the_circuit_shape() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &["inspect", "vaccination"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["statement"], "vaccination/v1/depth32");
    assert_eq!(v["constraints"], 6768);
    assert_eq!(v["depth"], 32);
    assert_eq!(
        v["public_inputs"],
        serde_json::json!(["root", "policy_hash", "today", "context", "nullifier"])
    );
}

#[test]
fn demo_ends_with_two_rejections() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &["demo", "--records", "25"]);
    assert!(out.contains("ACCEPTED"), "{out}");
    assert_eq!(out.matches("REJECTED").count(), 2, "{out}");
    assert!(out.contains("REJECTED: the proof does not verify for this verifier, session and policy"));
    assert!(out.contains("REJECTED: the registry root is not one this verifier trusts"));
}

/// A trial sponsor's policy: check, prove, verify, and a second enrolment turned away.
#[test]
fn trial_enrolment_with_a_general_policy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/policies/trial-t2d.json");
    let vk_hash = key_hash(&ok(
        d,
        &["setup", "--statement", "policy", "--depth", "8", "--seed", "t", "--pk", "p.pk", "--vk", "p.vk"],
    ));
    let h = registry_and_holder(d);
    let issue = |args: &[&str]| {
        let mut all = vec!["issue"];
        all.extend_from_slice(&args[..1]);
        all.extend_from_slice(&["--registry", "reg.redb", "--holder-id", &h]);
        all.extend_from_slice(&args[1..]);
        ok(d, &all);
    };
    issue(&[
        "demographics",
        "--issuer",
        "r",
        "--out",
        "d.json",
        "--birth",
        "1975-06-01",
        "--gender",
        "gender|female",
    ]);
    issue(&[
        "condition",
        "--issuer",
        "c",
        "--out",
        "c.json",
        "--diagnosis",
        "icd10|E11.9",
        "--onset",
        "2024-01-01",
    ]);
    issue(&[
        "observation",
        "--issuer",
        "l",
        "--out",
        "a.json",
        "--test",
        "loinc|4548-4",
        "--date",
        "2026-11-01",
        "--value",
        "78",
    ]);
    issue(&[
        "observation",
        "--issuer",
        "l",
        "--out",
        "e.json",
        "--test",
        "loinc|62238-1",
        "--date",
        "2026-10-01",
        "--value",
        "44",
    ]);
    let creds = [
        "--credential",
        "d.json",
        "--credential",
        "c.json",
        "--credential",
        "a.json",
        "--credential",
        "e.json",
    ];
    let mut check = vec!["policy", "check", policy, "--holder-key", "h.key", "--today", TODAY];
    check.extend_from_slice(&creds);
    let why = fails(d, &check, 1);
    assert!(why.contains("egfr.value ge 45 mL/min/{1.73_m2}: the value is 44 mL/min/{1.73_m2}"), "{why}");
    assert!(why.contains("closest: group \"eligible\", where 1 condition(s) fail"), "{why}");
    issue(&[
        "observation",
        "--issuer",
        "l",
        "--out",
        "e2.json",
        "--test",
        "loinc|62238-1",
        "--date",
        "2026-11-10",
        "--value",
        "51",
    ]);
    check.extend_from_slice(&["--credential", "e2.json"]);
    assert!(ok(d, &check).contains("holds: group \"eligible\""));
    let nonce = ok(d, &["nonce"]).trim().to_string();
    let mut prove = vec![
        "prove",
        "--pk",
        "p.pk",
        "--vk-hash",
        &vk_hash,
        "--holder-key",
        "h.key",
        "--registry",
        "reg.redb",
        "--policy",
        policy,
        "--verifier-id",
        "sponsor",
        "--nonce",
        &nonce,
        "--today",
        TODAY,
        "--out",
        "p.bin",
    ];
    prove.extend_from_slice(&creds);
    prove.extend_from_slice(&["--credential", "e2.json"]);
    ok(d, &prove);
    let verify = [
        "verify",
        "--vk",
        "p.vk",
        "--policy",
        policy,
        "--registry",
        "reg.redb",
        "--verifier-id",
        "sponsor",
        "--nonce",
        &nonce,
        "--today",
        TODAY,
        "--presentation",
        "p.bin",
        "--nullifiers",
        "seen.redb",
    ];
    assert!(ok(d, &verify).starts_with("ACCEPTED: policy/v3/depth8/k4-m16-g4"));
    assert!(fails(d, &verify, 1).contains("already presented in this scope"));
    // The policy hash is what the verifier computes.
    assert!(ok(d, &["policy", "hash", policy]).contains("policy (shape k4-m16-g4)"));
    // A malformed policy names the problem.
    std::fs::write(
        d.join("bad.json"),
        std::fs::read_to_string(policy).unwrap().replace("\"between\"", "\"about\""),
    )
    .unwrap();
    let e = fails(d, &["policy", "hash", "bad.json"], 2);
    assert!(e.contains("unknown operator \"about\""), "{e}");
}

#[test]
fn dcc_rules_become_a_policy_or_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rule = |id: &str, logic: serde_json::Value| {
        serde_json::json!({
            "Identifier": id, "Type": "Acceptance", "Country": "NO", "Version": "1.0.0",
            "SchemaVersion": "1.0.0", "Engine": "CERTLOGIC", "EngineVersion": "0.7.5",
            "CertificateType": "Vaccination", "Description": [{"lang": "en", "desc": id}],
            "ValidFrom": "2021-07-01T00:00:00Z", "ValidTo": "2030-06-01T00:00:00Z",
            "AffectedFields": [], "Logic": {"if": [{"var": "payload.v.0"}, logic, true]}
        })
        .to_string()
    };
    std::fs::write(
        d.join("v1.json"),
        rule("VR-NO-1", serde_json::json!({"in": [{"var": "payload.v.0.mp"}, ["EU/1/20/1528"]]})),
    )
    .unwrap();
    std::fs::write(
        d.join("v2.json"),
        rule("VR-NO-2", serde_json::json!({"===": [{"var": "payload.v.0.ma"}, "ORG-100030215"]})),
    )
    .unwrap();
    let err = fails(d, &["policy", "from-certlogic", "v1.json", "v2.json"], 2);
    assert!(err.contains("VR-NO-2") && err.contains("marketing authorisation holder"), "{err}");
    let out =
        ok(d, &["policy", "from-certlogic", "v1.json", "v2.json", "--omit", "VR-NO-2", "--out", "p.json"]);
    assert!(out.contains("warning: rule VR-NO-2 left out"), "{out}");
    let hash = ok(d, &["policy", "hash", "p.json"]);
    assert!(hash.contains("policy (shape k1-m16-g4)"), "{hash}");
    // Nothing is replaced.
    let err = fails(d, &["policy", "from-certlogic", "v1.json", "--out", "p.json"], 2);
    assert!(err.contains("p.json"), "{err}");
    std::fs::write(d.join("bad.json"), "{\"Identifier\": 1}").unwrap();
    let err = fails(d, &["policy", "from-certlogic", "bad.json"], 2);
    assert!(err.contains("not a DCC business rule"), "{err}");
}

#[test]
fn a_medication_is_issued_and_checked_against_a_policy() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let h = registry_and_holder(d);
    let base = ["issue", "medication", "--registry", "reg.redb", "--holder-id", &h, "--issuer", "gp:x"];
    let mut args = base.to_vec();
    args.extend(["--out", "m.json", "--medicine", "rxnorm|860975", "--start", "2025-01-10"]);
    ok(d, &args);
    let mut bad = base.to_vec();
    bad.extend([
        "--out",
        "bad.json",
        "--medicine",
        "rxnorm|860975",
        "--start",
        "2025-01-10",
        "--end",
        "2025-01-01",
    ]);
    let err = fails(d, &bad, 2);
    assert!(err.contains("before the start"), "{err}");
    assert!(!d.join("bad.json").exists(), "nothing written for a refused record");
    let policy = serde_json::json!({
        "statement": "policy", "version": 1, "scope": "trial:x",
        "records": [{"name": "metformin", "kind": "medication"}],
        "groups": [{"name": "on metformin for a year", "clauses": [
            {"record": "metformin", "slot": "code", "op": "eq", "value": "rxnorm|860975"},
            {"record": "metformin", "slot": "value", "op": "eq", "value": 1},
            {"record": "metformin", "slot": "date", "op": "date_within", "min": 365, "max": 36500},
            {"record": "metformin", "slot": "aux", "op": "absent"}
        ]}]
    });
    std::fs::write(d.join("p.json"), policy.to_string()).unwrap();
    let check = ["policy", "check", "p.json", "--credential", "m.json", "--holder-key", "h.key", "--today"];
    let mut on = check.to_vec();
    on.push("2026-01-10");
    assert!(ok(d, &on).contains("holds"));
    let mut early = check.to_vec();
    early.push("2026-01-09");
    let why = fails(d, &early, 1);
    assert!(why.contains("it is 364 day(s) old"), "{why}");
}

#[test]
fn an_attested_absence_is_issued_and_proves_an_exclusion() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let h = registry_and_holder(d);
    let set = serde_json::json!({"format": "medzk-value-set", "version": 1, "name": "epilepsy",
                                 "codes": ["icd10|G40.9", "icd10|G40.1"]});
    std::fs::write(d.join("epilepsy.json"), set.to_string()).unwrap();
    let root: serde_json::Value =
        serde_json::from_str(&ok(d, &["--json", "policy", "value-set", "epilepsy.json"])).unwrap();
    let code = root["absence_code"].as_str().unwrap().to_string();
    assert!(code.starts_with("urn:medzk:value-set|0x"), "{root}");
    let base = ["issue", "absence", "--registry", "reg.redb", "--holder-id", &h, "--issuer", "registry:npr"];
    let mut args = base.to_vec();
    args.extend(["--out", "a.json", "--value-set", "epilepsy.json", "--as-of", "2026-11-20"]);
    ok(d, &args);
    let mut late = base.to_vec();
    late.extend(["--out", "b.json", "--value-set", "epilepsy.json", "--as-of", "2026-11-20"]);
    late.extend(["--since", "2026-11-21"]);
    let err = fails(d, &late, 2);
    assert!(err.contains("after the as-of day"), "{err}");
    assert!(!d.join("b.json").exists(), "nothing written for a refused record");
    let policy = serde_json::json!({
        "statement": "policy", "version": 1, "scope": "trial:x",
        "records": [{"name": "no_epilepsy", "kind": "absence"}],
        "groups": [{"name": "no epilepsy known", "clauses": [
            {"record": "no_epilepsy", "slot": "code", "op": "eq", "value": code},
            {"record": "no_epilepsy", "slot": "issuer", "op": "eq", "value": "registry:npr"},
            {"record": "no_epilepsy", "slot": "date", "op": "date_within", "min": 0, "max": 30},
            {"record": "no_epilepsy", "slot": "aux", "op": "absent"}
        ]}]
    });
    std::fs::write(d.join("p.json"), policy.to_string()).unwrap();
    let check = ["policy", "check", "p.json", "--credential", "a.json", "--holder-key", "h.key", "--today"];
    let mut on = check.to_vec();
    on.push("2026-12-20");
    assert!(ok(d, &on).contains("holds"));
    let mut stale = check.to_vec();
    stale.push("2026-12-21");
    let why = fails(d, &stale, 1);
    assert!(why.contains("it is 31 day(s) old"), "{why}");
}

#[test]
fn a_partial_birth_date_proves_an_age_only_for_every_day_it_may_be() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let h = registry_and_holder(d);
    let issue = ["issue", "demographics", "--registry", "reg.redb", "--holder-id", &h, "--issuer", "gp:x"];
    let mut args = issue.to_vec();
    args.extend(["--out", "born.json", "--birth", "1960", "--gender", "gender|female"]);
    ok(d, &args);
    let mut bad = issue.to_vec();
    bad.extend(["--out", "bad.json", "--birth", "1960-13", "--gender", "gender|female"]);
    let err = fails(d, &bad, 2);
    assert!(err.contains("1960-13"), "{err}");
    let policy = serde_json::json!({
        "statement": "policy", "version": 1, "scope": "trial:x",
        "records": [{"name": "patient", "kind": "demographics"}],
        "groups": [{"name": "aged 18 to 65", "clauses": [
            {"record": "patient", "op": "age_between", "min": 18, "max": 65}
        ]}]
    });
    std::fs::write(d.join("p.json"), policy.to_string()).unwrap();
    let check =
        ["policy", "check", "p.json", "--credential", "born.json", "--holder-key", "h.key", "--today"];
    let mut last_day = check.to_vec();
    last_day.push("2025-12-31");
    assert!(ok(d, &last_day).contains("holds"));
    // From 2026-01-01 someone born on 1960-01-01 is 66: the rule no longer holds for
    // every day the birth date may be.
    let mut next = check.to_vec();
    next.push("2026-01-01");
    let why = fails(d, &next, 1);
    assert!(why.contains("the age is 65 to 66 (a partial birth date)"), "{why}");
}

/// A depth-8 registry `reg.redb` and a holder key `h.key` in `d`; the holder id.
fn registry_and_holder(d: &std::path::Path) -> String {
    ok(d, &["registry", "init", "--registry", "reg.redb", "--depth", "8"]);
    ok(d, &["holder", "keygen", "--out", "h.key"]).trim().to_string()
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn a_test_sampled_to_the_minute_meets_an_hour_window_to_the_minute() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let h = registry_and_holder(d);
    let issue = |out: &str, date: &str| {
        let args =
            ["issue", "observation", "--registry", "reg.redb", "--holder-id", &h, "--issuer", "lab:oslo"];
        let mut args = args.to_vec();
        args.extend(["--out", out, "--test", "loinc|94500-6", "--date", date, "--value", "0"]);
        args.extend(["--interpretation", "sct|260415000"]);
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    // Sampled at 12:30 in UTC+2: 10:30 UTC.
    ok(d, &strs(&issue("pcr.json", "2026-12-02T12:30+02:00")));
    let credential: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("pcr.json")).unwrap()).unwrap();
    assert_eq!(credential["record"]["date"], "2026-12-02", "{credential}");
    let policy = serde_json::json!({
        "statement": "policy", "version": 1, "scope": "event:x",
        "records": [{"name": "test", "kind": "observation"}],
        "groups": [{"name": "tested", "clauses": [
            {"record": "test", "slot": "ext", "op": "eq", "value": {"code": "sct|260415000"}},
            {"record": "test", "slot": "time", "op": "time_within", "min": 0, "max": 72}
        ]}]
    });
    std::fs::write(d.join("p.json"), policy.to_string()).unwrap();
    let check = |today: &str| {
        let args =
            ["policy", "check", "p.json", "--credential", "pcr.json", "--holder-key", "h.key", "--today"];
        let mut args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        args.push(today.to_string());
        args
    };
    assert!(ok(d, &strs(&check("2026-12-05T10:30Z"))).contains("holds"));
    let why = fails(d, &strs(&check("2026-12-05T10:31Z")), 1);
    assert!(why.contains("72 h 1 min old"), "{why}");
    let why = fails(d, &strs(&check("2026-12-05")), 2);
    assert!(why.contains("time of day"), "{why}");
    // An invalid time is refused, and nothing is written.
    assert!(fails(d, &strs(&issue("bad.json", "2026-12-02T25:00Z")), 2).contains("invalid time"));
    assert!(!d.join("bad.json").exists());
}

#[test]
fn a_codes_record_completes_its_record_and_no_other() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let h = registry_and_holder(d);
    let common = ["--registry", "reg.redb", "--holder-id", &h, "--issuer", "clinic:x"];
    let run = |extra: &[&str]| -> Vec<String> {
        ["issue"].iter().chain(extra).chain(&common).map(|a| a.to_string()).collect()
    };
    for (out, vaccine) in [("pfizer.json", "cvx|208"), ("moderna.json", "cvx|207")] {
        let dose =
            ["immunization", "--out", out, "--vaccine", vaccine, "--date", "2026-10-01", "--dose", "2"];
        ok(d, &strs(&run(&[&dose[..], &["--series", "2", "--lot", "L1"]].concat())));
    }
    let codes = |of: &str, out: &str, ma: &str| {
        let args = ["codes", "--of", of, "--out", out, "--code", ma, "--second", "sct|1119349007"];
        run(&args)
    };
    const SPOR: &str = "https://spor.ema.europa.eu/v1/organisations";
    for (of, out, ma) in [
        ("pfizer.json", "pfizer-codes.json", "ORG-100030215"),
        ("moderna.json", "moderna-codes.json", "ORG-100031184"),
    ] {
        ok(d, &strs(&codes(of, out, &format!("{SPOR}|{ma}"))));
    }
    // The codes record of a credential of another issuer is refused, and nothing written.
    let other = [
        "issue",
        "codes",
        "--of",
        "pfizer.json",
        "--out",
        "x.json",
        "--code",
        "sct|1",
        "--registry",
        "reg.redb",
    ];
    let e = fails(d, &[&other[..], &["--holder-id", &h, "--issuer", "clinic:y"]].concat(), 2);
    assert!(e.contains("must be --holder-id and --issuer"), "{e}");
    assert!(!d.join("x.json").exists());
    let policy = serde_json::json!({
        "statement": "policy", "version": 1, "scope": "border:XX",
        "records": [{"name": "v", "kind": "immunization"}, {"name": "v_codes", "kind": "codes", "of": "v"}],
        "groups": [{"name": "pfizer by biontech", "clauses": [
            {"record": "v", "slot": "code", "op": "eq", "value": "cvx|208"},
            {"record": "v_codes", "slot": "code", "op": "eq",
             "value": "https://spor.ema.europa.eu/v1/organisations|ORG-100030215"}
        ]}]
    });
    std::fs::write(d.join("p.json"), policy.to_string()).unwrap();
    let check = |credentials: &[&str]| {
        let mut args = vec!["policy", "check", "p.json", "--holder-key", "h.key", "--today", "2026-12-01"];
        for c in credentials {
            args.extend(["--credential", c]);
        }
        args.iter().map(|a| a.to_string()).collect::<Vec<_>>()
    };
    assert!(ok(d, &strs(&check(&["pfizer.json", "pfizer-codes.json", "moderna.json"]))).contains("holds"));
    // The Pfizer dose with the Moderna dose's codes record: refused, with the reason.
    let why = fails(d, &strs(&check(&["pfizer.json", "moderna-codes.json"])), 1);
    assert!(
        why.contains("not the codes record of the v record shown") || why.contains("not among them"),
        "{why}"
    );
}

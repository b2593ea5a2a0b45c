//! `medzk import` as a user runs it: a card the project signs itself imported, proven
//! and verified; refusals that leave nothing behind; the reference data imported.

mod common;

use std::path::Path;

use common::*;
use medzk_formats::shc;
use serde_json::Value;

/// The project's own test issuer (a fixed key: test-only, never a real issuer's).
fn issuer_key() -> p256::ecdsa::SigningKey {
    p256::ecdsa::SigningKey::from_bytes(&[0x5a; 32].into()).unwrap()
}

const ISS: &str = "https://issuer.medzk.test";

/// Writes `card.smart-health-card` (two Comirnaty doses, the second `days_ago` before
/// TODAY) and the issuer's `jwks.json` into `d`.
fn own_card(d: &Path, days_ago: i32) {
    let bundle = serde_json::json!({
        "resourceType": "Bundle", "type": "collection", "entry": [
            { "fullUrl": "resource:0", "resource": { "resourceType": "Patient", "birthDate": "1985-03-02" } },
            { "fullUrl": "resource:1", "resource": { "resourceType": "Immunization", "status": "completed",
                "vaccineCode": { "coding": [{ "system": "http://hl7.org/fhir/sid/cvx", "code": "208" }] },
                "occurrenceDateTime": medzk_day(days_ago + 28), "lotNumber": "FK0001" } },
            { "fullUrl": "resource:2", "resource": { "resourceType": "Immunization", "status": "completed",
                "vaccineCode": { "coding": [{ "system": "http://hl7.org/fhir/sid/cvx", "code": "208" }] },
                "occurrenceDateTime": format!("{}T16:30:00+01:00", medzk_day(days_ago)), "lotNumber": "FK0002" } },
        ]
    });
    let nbf = medzk_circuits::date::Day(TODAY.parse::<medzk_circuits::date::Day>().unwrap().0 - 1).0 as i64
        * 86_400;
    let jws = shc::sign(ISS, nbf, &bundle, &issuer_key());
    let file = serde_json::json!({ "verifiableCredential": [jws] });
    std::fs::write(d.join("card.smart-health-card"), file.to_string()).unwrap();
    let jwks = serde_json::json!({ "keys": [shc::keys::public_jwk(issuer_key().verifying_key())] });
    std::fs::write(d.join("jwks.json"), jwks.to_string()).unwrap();
}

fn setup(d: &Path) -> (String, String) {
    let vk_hash = key_hash(&ok(
        d,
        &[
            "setup",
            "--statement",
            "vaccination",
            "--depth",
            "8",
            "--seed",
            "import test",
            "--pk",
            "v.pk",
            "--vk",
            "v.vk",
        ],
    ));
    ok(d, &["registry", "init", "--registry", "reg.redb", "--depth", "8"]);
    let holder = ok(d, &["holder", "keygen", "--out", "holder.key"]).trim().to_string();
    (vk_hash, holder)
}

fn leaves(d: &Path) -> u64 {
    let info: Value =
        serde_json::from_str(&ok(d, &["--json", "registry", "info", "--registry", "reg.redb"])).unwrap();
    info["leaves"].as_u64().unwrap()
}

#[test]
fn own_card_imported_then_proven_and_verified_at_the_border() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (vk_hash, holder) = setup(d);
    own_card(d, 30);
    let import = [
        "--json",
        "import",
        "shc",
        "card.smart-health-card",
        "--jwks",
        "jwks.json",
        "--registry",
        "reg.redb",
        "--holder-id",
        &holder,
        "--out-dir",
        "imported",
        "--at",
        TODAY,
    ];
    let summary: Value = serde_json::from_str(&ok(d, &import)).unwrap();
    assert_eq!(summary["counts"]["records"], serde_json::json!({ "demographics": 1, "immunization": 2 }));
    let imported = summary["imported"].as_array().unwrap();
    assert_eq!(imported.len(), 3);
    let second = &imported[2];
    assert_eq!(second["date"], medzk_day(30), "16:30 at +01:00 is the same day in UTC");
    assert_eq!(
        (second["value"].as_u64(), second["aux"].as_i64()),
        (Some(2), Some(2)),
        "dose 2 of 2, inferred by date"
    );
    let kid = shc::keys::public_jwk(issuer_key().verifying_key())["kid"].as_str().unwrap().to_string();
    assert_eq!(
        second["issuer"],
        format!("shc:{ISS}#{kid}"),
        "the original issuer and key id in the issuer slot"
    );
    assert_eq!(leaves(d), 3, "one transaction, three leaves");
    assert!(d.join("imported/summary.json").exists());
    let credential = second["credential_file"].as_str().unwrap();
    let leaf = second["leaf"].as_u64().unwrap().to_string();
    ok(d, &["registry", "path", "--registry", "reg.redb", "--index", &leaf, "--out", "path.json"]);
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/policies/border-vaccination.json");
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
            credential,
            "--holder-key",
            "holder.key",
            "--path",
            "path.json",
            "--policy",
            policy,
            "--verifier-id",
            "border:NO",
            "--nonce",
            &nonce,
            "--today",
            TODAY,
            "--out",
            "p.bin",
        ],
    );
    let verdict = ok(
        d,
        &[
            "verify",
            "--vk",
            "v.vk",
            "--policy",
            policy,
            "--registry",
            "reg.redb",
            "--verifier-id",
            "border:NO",
            "--nonce",
            &nonce,
            "--today",
            TODAY,
            "--presentation",
            "p.bin",
        ],
    );
    assert!(verdict.starts_with("ACCEPTED"), "{verdict}");
    // Importing into the same directory again is refused before anything is appended.
    let again = fails(d, &import[1..], 2);
    assert!(again.contains("summary.json"), "{again}");
    assert_eq!(leaves(d), 3);
}

#[test]
fn a_tampered_card_or_unknown_key_leaves_the_registry_and_directory_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, holder) = setup(d);
    own_card(d, 30);
    let text = std::fs::read_to_string(d.join("card.smart-health-card")).unwrap();
    let file: Value = serde_json::from_str(&text).unwrap();
    let jws = file["verifiableCredential"][0].as_str().unwrap();
    let dot = jws.find('.').unwrap();
    let mut bytes = jws.as_bytes().to_vec();
    bytes[dot + 10] = if bytes[dot + 10] == b'A' { b'B' } else { b'A' };
    std::fs::write(d.join("tampered.jws"), &bytes).unwrap();
    let import = |input: &str, jwks: &str| {
        vec![
            "import".to_string(),
            "shc".into(),
            input.into(),
            "--jwks".into(),
            jwks.into(),
            "--registry".into(),
            "reg.redb".into(),
            "--holder-id".into(),
            holder.clone(),
            "--out-dir".into(),
            "out".into(),
            "--at".into(),
            TODAY.into(),
        ]
    };
    let run = |args: Vec<String>| fails(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), 2);
    let e = run(import("tampered.jws", "jwks.json"));
    assert!(e.contains("signature: does not verify") && e.contains("[step: signature]"), "{e}");
    std::fs::write(d.join("other.json"), r#"{"keys": []}"#).unwrap();
    assert!(run(import("card.smart-health-card", "other.json")).contains("no trusted issuer key"));
    std::fs::write(d.join("garbage.txt"), "shc:/5676290952432060346029243740446031222959532654603460292540772804336028702864716745222809286133314564376531415906402203064504590856435503414245413640370636654171372412363803043756220467374075323239254334433260573601064529045").unwrap();
    assert!(run(import("garbage.txt", "jwks.json")).contains("[step:"));
    assert_eq!(leaves(d), 0, "nothing appended");
    assert!(
        !d.join("out").exists() || std::fs::read_dir(d.join("out")).unwrap().next().is_none(),
        "no file written"
    );
    // The card's QR code as an image (split over two codes, as a long card is).
    let jws_text = std::fs::read_to_string(d.join("card.smart-health-card")).unwrap();
    let jws: Value = serde_json::from_str(&jws_text).unwrap();
    let chunks = shc::qr::encode(jws["verifiableCredential"][0].as_str().unwrap(), 2);
    let codes: Vec<_> = chunks
        .iter()
        .map(|c| {
            qrcode::QrCode::with_error_correction_level(c.as_bytes(), qrcode::EcLevel::L)
                .unwrap()
                .render::<image::Luma<u8>>()
                .build()
        })
        .collect();
    let (w, h) =
        (codes.iter().map(|c| c.width()).sum::<u32>(), codes.iter().map(|c| c.height()).max().unwrap());
    let mut canvas = image::GrayImage::from_pixel(w, h, image::Luma([255]));
    let mut x = 0;
    for c in &codes {
        image::imageops::overlay(&mut canvas, c, x as i64, 0);
        x += c.width();
    }
    canvas.save(d.join("card.png")).unwrap();
    let png = [
        "import",
        "shc",
        "card.png",
        "--jwks",
        "jwks.json",
        "--holder-id",
        &holder,
        "--dry-run",
        "--at",
        TODAY,
    ];
    assert!(ok(d, &png).starts_with("dry run: 3 record(s)"));
    std::fs::write(d.join("blank.png"), {
        let mut bytes = Vec::new();
        image::GrayImage::from_pixel(64, 64, image::Luma([255]))
            .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
            .unwrap();
        bytes
    })
    .unwrap();
    let mut blank = png;
    blank[2] = "blank.png";
    assert!(fails(d, &blank, 2).contains("no QR code found"));
    // A dry run shows the records and touches nothing.
    let mut dry = import("card.smart-health-card", "jwks.json");
    dry.truncate(2);
    dry.extend(
        ["card.smart-health-card", "--jwks", "jwks.json", "--holder-id", &holder, "--dry-run", "--at", TODAY]
            .map(String::from),
    );
    let shown = ok(d, &dry.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(shown.starts_with("dry run: 3 record(s)"), "{shown}");
    assert_eq!(leaves(d), 0);
}

/// The Synthea patient imports, and the trial policy holds over the records it gives.
#[test]
fn synthea_patient_meets_the_trial_policy() {
    let synthea = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/realworld/fhir/synthea_r4_Emery_Purdy.json");
    if !synthea.exists() {
        eprintln!("skipped: reference data {} is absent", synthea.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["registry", "init", "--registry", "reg.redb", "--depth", "10"]);
    let holder = ok(d, &["holder", "keygen", "--out", "holder.key"]).trim().to_string();
    let summary: Value = serde_json::from_str(&ok(
        d,
        &[
            "--json",
            "import",
            "fhir",
            synthea.to_str().unwrap(),
            "--issuer",
            "clinic:synthea",
            "--registry",
            "reg.redb",
            "--holder-id",
            &holder,
            "--out-dir",
            "records",
            "--at",
            "2021-02-01",
        ],
    ))
    .unwrap();
    let imported = summary["imported"].as_array().unwrap();
    assert_eq!(leaves(d), imported.len() as u64);
    assert!(summary["counts"]["skipped"]["MedicationRequest"].is_null(), "{summary}");
    assert_eq!(summary["counts"]["records"]["medication"], 4, "{summary}");
    let mut creds = Vec::new();
    for r in imported {
        let interesting = ["44054006", "4548-4", "33914-3", "39156-5", "administrative-gender"];
        if interesting.iter().any(|c| r["code"].as_str().unwrap().contains(c)) {
            creds.push("--credential".to_string());
            creds.push(r["credential_file"].as_str().unwrap().to_string());
        }
    }
    let policy = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/policies/trial-t2d.json");
    let mut args =
        vec!["--json", "policy", "check", policy, "--holder-key", "holder.key", "--today", "2021-02-01"];
    args.extend(creds.iter().map(String::as_str));
    let check: Value = serde_json::from_str(&ok(d, &args)).unwrap();
    assert_eq!(check["holds"], true, "{check}");
    // The real trials' criteria (examples/policies, docs/policies.md): the T2DM arm of
    // NCT03421379 holds; DIBASY does not, and the check says it is the BMI (29.0 < 35).
    let igbj = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/policies/trial-igbj.json");
    args[3] = igbj;
    let check: Value = serde_json::from_str(&ok(d, &args)).unwrap();
    assert_eq!(check["holds"], true, "{check}");
    let dibasy = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/policies/trial-dibasy.json");
    args[3] = dibasy;
    args.remove(0);
    let why = fails(d, &args, 1);
    assert!(why.contains("bmi.value ge 35.0 kg/m2") && why.contains("the value is 29.0 kg/m2"), "{why}");
}

#[test]
fn dcc_test_certificate_imports_from_text_and_from_its_qr_image() {
    let Some(path) =
        Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/realworld/dcc/testdata/AT_1.json"))
            .filter(|p| p.exists())
    else {
        eprintln!("skipped: reference data ../shared/realworld/dcc is absent");
        return;
    };
    let t: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("dcc.txt"), t["PREFIX"].as_str().unwrap()).unwrap();
    use base64::Engine as _;
    let png = base64::engine::general_purpose::STANDARD.decode(t["2DCODE"].as_str().unwrap()).unwrap();
    std::fs::write(d.join("dcc.png"), png).unwrap();
    let trust = serde_json::json!([{ "rawData": t["TESTCTX"]["CERTIFICATE"], "country": "AT" }]);
    std::fs::write(d.join("trust.json"), trust.to_string()).unwrap();
    ok(d, &["registry", "init", "--registry", "reg.redb", "--depth", "8"]);
    let holder = ok(d, &["holder", "keygen", "--out", "holder.key"]).trim().to_string();
    for (input, out) in [("dcc.txt", "a"), ("dcc.png", "b")] {
        let summary: Value = serde_json::from_str(&ok(
            d,
            &[
                "--json",
                "import",
                "dcc",
                input,
                "--trust-list",
                "trust.json",
                "--registry",
                "reg.redb",
                "--holder-id",
                &holder,
                "--out-dir",
                out,
                "--at",
                "2021-05-06T18:00:00Z",
                "--vaccine-codes",
                "cvx",
            ],
        ))
        .unwrap();
        assert_eq!(summary["source"]["issuer_country"], "AT");
        let v = &summary["imported"][1];
        assert_eq!(v["code"], "http://hl7.org/fhir/sid/cvx|208", "Comirnaty as CVX 208");
        assert_eq!((v["value"].as_u64(), v["aux"].as_i64()), (Some(1), Some(2)));
    }
    // Expired today.
    let e = fails(
        d,
        &["import", "dcc", "dcc.txt", "--trust-list", "trust.json", "--holder-id", &holder, "--dry-run"],
        2,
    );
    assert!(e.contains("expired") && e.contains("[step: validity]"), "{e}");
}

/// A bridge issuer appends through the registry service: one request, every record;
/// an issuer the operator did not enroll is refused and leaves no file.
#[test]
fn import_through_the_registry_service() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["registry", "init", "--registry", "reg.redb", "--depth", "8"]);
    ok(d, &["registry", "operator-keygen", "--out", "operator.key"]);
    let bridge =
        ok(d, &["issuer", "keygen", "--name", "bridge:shc", "--out", "bridge.key"]).trim().to_string();
    ok(d, &["issuer", "keygen", "--name", "lab:other", "--out", "lab.key"]);
    std::fs::write(
        d.join("issuers.json"),
        format!(r#"[{{"name": "bridge:shc", "public_key": "{bridge}"}}]"#),
    )
    .unwrap();
    let (mut server, url, _) = start_serve(d, "registry:import");
    let holder = ok(d, &["holder", "keygen", "--out", "holder.key"]).trim().to_string();
    own_card(d, 30);
    let import = |key: &str, out: &str| {
        vec![
            "--json".to_string(),
            "import".into(),
            "shc".into(),
            "card.smart-health-card".into(),
            "--jwks".into(),
            "jwks.json".into(),
            "--registry-url".into(),
            url.clone(),
            "--issuer-key".into(),
            key.into(),
            "--holder-id".into(),
            holder.clone(),
            "--out-dir".into(),
            out.into(),
            "--at".into(),
            TODAY.into(),
        ]
    };
    let args = import("lab.key", "refused");
    let err = fails(d, &args[1..].iter().map(String::as_str).collect::<Vec<_>>(), 2);
    assert!(err.contains("refused") || err.contains("not enrolled"), "{err}");
    let left: Vec<_> = std::fs::read_dir(d.join("refused")).map(|r| r.collect()).unwrap_or_default();
    assert!(left.is_empty(), "no credential left behind");
    let args = import("bridge.key", "imported");
    let summary: Value =
        serde_json::from_str(&ok(d, &args.iter().map(String::as_str).collect::<Vec<_>>())).unwrap();
    assert_eq!(summary["registry"]["first_leaf"], 0);
    assert_eq!(summary["registry"]["at"]["appended_by"], "bridge:shc");
    let imported = summary["imported"].as_array().unwrap();
    assert_eq!(imported.len(), 3);
    for (i, r) in imported.iter().enumerate() {
        let cred: Value = serde_json::from_str(
            &std::fs::read_to_string(d.join(r["credential_file"].as_str().unwrap())).unwrap(),
        )
        .unwrap();
        assert_eq!(cred["leaf_index"], i as u64, "credentials rewritten with the leaves the service gave");
        assert!(
            r["issuer"].as_str().unwrap().starts_with("shc:https://issuer.medzk.test#"),
            "the original issuer"
        );
    }
    server.kill().unwrap();
    server.wait().unwrap();
    assert_eq!(leaves(d), 3);
}

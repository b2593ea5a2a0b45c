//! SMART Health Cards: the specification's examples (where the reference data is
//! present) and cards the project signs itself.

mod common;

use common::{options, other_key, realworld, test_issuer_key, unix};
use medzk_circuits::record::{Ext, RecordKind};
use medzk_formats::shc::{self, RevocationList, Trust, keys, qr};
use medzk_formats::{FormatError, Step};

fn example_trust(dir: &std::path::Path) -> Trust {
    let mut trust = Trust::new();
    assert_eq!(trust.add_jwks_file(&dir.join("jwks.json"), None).unwrap(), 2);
    trust
}

fn forms(dir: &std::path::Path, n: &str) -> Vec<(&'static str, String)> {
    let read = |suffix: &str| std::fs::read_to_string(dir.join(format!("example-{n}-{suffix}"))).unwrap();
    vec![
        ("file", read("e-file.smart-health-card")),
        ("jws", read("d-jws.txt")),
        ("qr", read("f-qr-code-numeric-value-0.txt")),
    ]
}

#[test]
fn every_example_imports_from_every_form_with_its_signature_verified() {
    let Some(dir) = realworld("shc") else { return };
    let trust = example_trust(&dir);
    // The examples were signed on 2023-06-22; example 03 expires on 2024-06-21.
    let now = unix("2023-07-01");
    for n in ["00", "01", "03"] {
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(dir.join(format!("example-{n}-a-fhirBundle.json"))).unwrap(),
        )
        .unwrap();
        for (form, text) in forms(&dir, n) {
            let jws = shc::jws_of_input(&text).unwrap();
            assert_eq!(jws.len(), 1, "{n} {form}");
            let card = shc::verify(&jws[0], &trust, now, &[]).unwrap_or_else(|e| panic!("{n} {form}: {e}"));
            assert_eq!(card.iss, "https://spec.smarthealth.cards/examples/issuer");
            assert_eq!(card.bundle, expected, "{n} {form}: the bundle is the example's");
            let mapping = card.import(options("2023-07-01")).unwrap();
            assert!(mapping.skipped.is_empty(), "{:?}", mapping.skipped);
            let issuer = format!("shc:https://spec.smarthealth.cards/examples/issuer#{}", card.kid);
            let entries = expected["entry"].as_array().unwrap();
            let immunizations: Vec<_> = entries
                .iter()
                .map(|e| &e["resource"])
                .filter(|r| r["resourceType"] == "Immunization")
                .collect();
            let records: Vec<_> =
                mapping.records.iter().filter(|m| m.record.kind == RecordKind::Immunization).collect();
            assert_eq!(records.len(), immunizations.len());
            for (i, (m, r)) in records.iter().zip(&immunizations).enumerate() {
                let cvx = r["vaccineCode"]["coding"][0]["code"].as_str().unwrap();
                assert_eq!(m.record.code.to_string(), format!("http://hl7.org/fhir/sid/cvx|{cvx}"));
                assert_eq!(m.record.date.to_string(), r["occurrenceDateTime"].as_str().unwrap());
                assert_eq!(m.record.value, i as u64 + 1, "doses by date");
                assert_eq!(m.record.aux, 2, "the mRNA primary series");
                assert!(m.record.ext == Ext::Lot(r["lotNumber"].as_str().unwrap().into()));
                assert_eq!(m.record.issuer, issuer);
                assert!(m.notes.iter().any(|n| n.contains("inferred")), "{:?}", m.notes);
            }
            let demo: Vec<_> =
                mapping.records.iter().filter(|m| m.record.kind == RecordKind::Demographics).collect();
            assert_eq!(demo.len(), 1);
            let patient =
                entries.iter().map(|e| &e["resource"]).find(|r| r["resourceType"] == "Patient").unwrap();
            assert_eq!(demo[0].record.date.to_string(), patient["birthDate"].as_str().unwrap());
        }
    }
}

#[test]
fn a_changed_byte_or_another_key_fails_with_the_signature_error() {
    let Some(dir) = realworld("shc") else { return };
    let trust = example_trust(&dir);
    let now = unix("2026-12-01");
    let jws = std::fs::read_to_string(dir.join("example-00-d-jws.txt")).unwrap().trim().to_string();
    let second_dot = jws.rfind('.').unwrap();
    for at in [jws.find('.').unwrap() + 5, second_dot - 3, second_dot + 7] {
        let mut b = jws.clone().into_bytes();
        b[at] = if b[at] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(b).unwrap();
        let err = shc::verify(&tampered, &trust, now, &[]).unwrap_err();
        assert!(matches!(err, FormatError::BadSignature { .. }), "byte {at}: {err}");
    }
    // The same card under another issuer's key set: unknown key.
    let mut other = Trust::new();
    let jwks = serde_json::json!({ "keys": [keys::public_jwk(other_key().verifying_key())] });
    other.add_jwks(&jwks.to_string(), None).unwrap();
    assert!(matches!(shc::verify(&jws, &other, now, &[]).unwrap_err(), FormatError::UnknownKey { .. }));
    // The example key's id on another key: the signature fails.
    let header = shc::verify(&jws, &trust, now, &[]).unwrap();
    let forged_set = serde_json::json!({ "keys": [keys::public_jwk(other_key().verifying_key())] });
    let mut forged = Trust::new();
    forged.add_jwks(&forged_set.to_string(), None).unwrap();
    let resigned = shc::sign(&header.iss, header.nbf, &header.bundle, &other_key());
    let swapped_sig = format!("{}.{}", &jws[..second_dot], &resigned[resigned.rfind('.').unwrap() + 1..]);
    assert!(matches!(
        shc::verify(&swapped_sig, &trust, now, &[]).unwrap_err(),
        FormatError::BadSignature { .. }
    ));
}

#[test]
fn revoked_example_is_refused_with_the_issuers_list() {
    let Some(dir) = realworld("shc") else { return };
    let trust = example_trust(&dir);
    let jws = shc::jws_of_input(&std::fs::read_to_string(dir.join("example-03-d-jws.txt")).unwrap()).unwrap();
    let expired = shc::verify(&jws[0], &trust, unix("2026-12-01"), &[]).unwrap_err();
    assert!(matches!(expired, FormatError::Expired { .. }), "{expired}");
    let now = unix("2023-07-01");
    let card = shc::verify(&jws[0], &trust, now, &[]).unwrap();
    let list = RevocationList::parse(&format!(
        r#"{{"kid":"{}","method":"rid","ctr":1,"rids":["{}"]}}"#,
        card.kid,
        card.rid.clone().unwrap()
    ))
    .unwrap();
    let err = shc::verify(&jws[0], &trust, now, &[list]).unwrap_err();
    assert_eq!(err, FormatError::Revoked { rid: "vwAjHdarZuc".into() });
    // A timestamped entry revokes only cards issued before it.
    let before = RevocationList::parse(&format!(
        r#"{{"kid":"{}","method":"rid","rids":["vwAjHdarZuc.{}"]}}"#,
        card.kid,
        card.nbf - 1
    ))
    .unwrap();
    assert!(shc::verify(&jws[0], &trust, now, &[before]).is_ok());
    let other = std::fs::read_to_string(dir.join("example-00-d-jws.txt")).unwrap();
    let list =
        RevocationList::parse(&format!(r#"{{"kid":"{}","method":"rid","rids":["vwAjHdarZuc"]}}"#, card.kid))
            .unwrap();
    assert!(shc::verify(other.trim(), &trust, now, &[list]).is_ok());
}

fn own_bundle() -> serde_json::Value {
    serde_json::json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            { "fullUrl": "resource:0", "resource": { "resourceType": "Patient", "birthDate": "1980-05-17" } },
            { "fullUrl": "resource:1", "resource": { "resourceType": "Immunization", "status": "completed",
                "vaccineCode": { "coding": [{ "system": "http://hl7.org/fhir/sid/cvx", "code": "208" }] },
                "occurrenceDateTime": "2026-10-01", "lotNumber": "FK1234",
                "protocolApplied": [{ "doseNumberPositiveInt": 2, "seriesDosesPositiveInt": 2 }] } },
        ]
    })
}

#[test]
fn own_cards_round_trip_through_every_form_and_chunked_qr() {
    let key = test_issuer_key();
    let iss = "https://issuer.medzk.test";
    let jws = shc::sign(iss, unix("2026-11-01"), &own_bundle(), &key);
    let mut trust = Trust::new();
    let set = serde_json::json!({ "iss": iss, "keys": [keys::public_jwk(key.verifying_key())] });
    trust.add_jwks(&set.to_string(), None).unwrap();
    let file = serde_json::json!({ "verifiableCredential": [jws] }).to_string();
    let chunked = qr::encode(&jws, 2).join("\n");
    for text in [jws.clone(), file, qr::encode(&jws, 1)[0].clone(), chunked] {
        let card =
            shc::verify(&shc::jws_of_input(&text).unwrap()[0], &trust, unix("2026-12-01"), &[]).unwrap();
        let mapping = card.import(options("2026-12-01")).unwrap();
        let imm = &mapping.records[1];
        assert_eq!((imm.record.value, imm.record.aux), (2, 2), "stated dose kept");
        assert!(!imm.notes.iter().any(|n| n.contains("inferred")));
    }
    // A key set bound to another issuer does not vouch for this card.
    let mut elsewhere = Trust::new();
    let set = serde_json::json!({ "iss": "https://other.example", "keys": [keys::public_jwk(key.verifying_key())] });
    elsewhere.add_jwks(&set.to_string(), None).unwrap();
    assert!(matches!(
        shc::verify(&jws, &elsewhere, unix("2026-12-01"), &[]),
        Err(FormatError::UnknownKey { .. })
    ));
    // Not yet valid.
    let err = shc::verify(&jws, &trust, unix("2026-10-01"), &[]).unwrap_err();
    assert_eq!(err.step(), Step::Validity);
    // A dose dated after the import day is refused and reported, not committed.
    let mapping =
        shc::verify(&jws, &trust, unix("2026-12-01"), &[]).unwrap().import(options("2026-09-01")).unwrap();
    assert_eq!(mapping.skipped.len(), 1);
    assert!(mapping.skipped[0].reason.contains("future"), "{:?}", mapping.skipped);
}

#[test]
fn malformed_inputs_name_their_step() {
    let key = test_issuer_key();
    let mut trust = Trust::new();
    trust
        .add_jwks(&serde_json::json!({ "keys": [keys::public_jwk(key.verifying_key())] }).to_string(), None)
        .unwrap();
    let now = unix("2026-12-01");
    let good = shc::sign("https://i.test", unix("2026-11-01"), &own_bundle(), &key);
    let parts: Vec<&str> = good.split('.').collect();
    let b64 = |s: &str| medzk_formats::bytes::to_base64url(s.as_bytes());
    let cases: Vec<(String, Step)> = vec![
        ("a.b".into(), Step::Jws),
        (format!("{}.{}.{}", "!!", parts[1], parts[2]), Step::Base64),
        (format!("{}.{}.{}", b64("not json"), parts[1], parts[2]), Step::Jws),
        (format!("{}.{}.{}", b64(r#"{"alg":"HS256","kid":"x"}"#), parts[1], parts[2]), Step::Jws),
        (format!("{}.{}.{}", b64(r#"{"alg":"ES256","zip":"GZ","kid":"x"}"#), parts[1], parts[2]), Step::Jws),
        (format!("{}.{}.{}", parts[0], parts[1], b64("short")), Step::Jws),
        ("x".repeat(2 << 20), Step::Input),
    ];
    for (jws, step) in cases {
        assert_eq!(
            shc::verify(&jws, &trust, now, &[]).unwrap_err().step(),
            step,
            "{}",
            &jws[..jws.len().min(40)]
        );
    }
    for bad in ["", "hello", "{\"verifiableCredential\": []}", "{not json", "shc:/12a4"] {
        assert!(shc::jws_of_input(bad).is_err(), "{bad}");
    }
    // A signed payload that is not DEFLATE, or inflates beyond the limit.
    use p256::ecdsa::signature::Signer;
    let sign = |header: &str, payload: &[u8]| {
        let input = format!("{}.{}", b64(header), medzk_formats::bytes::to_base64url(payload));
        let sig: p256::ecdsa::Signature = key.sign(input.as_bytes());
        format!("{input}.{}", medzk_formats::bytes::to_base64url(&sig.to_bytes()))
    };
    let kid = keys::public_jwk(key.verifying_key())["kid"].as_str().unwrap().to_string();
    let header = format!(r#"{{"zip":"DEF","alg":"ES256","kid":"{kid}"}}"#);
    assert_eq!(
        shc::verify(&sign(&header, b"\xff\xfe garbage"), &trust, now, &[]).unwrap_err().step(),
        Step::Inflate
    );
    use std::io::Write;
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(&vec![b' '; 8 << 20]).unwrap();
    let bomb = enc.finish().unwrap();
    assert!(matches!(
        shc::verify(&sign(&header, &bomb), &trust, now, &[]).unwrap_err(),
        FormatError::TooLarge { step: Step::Inflate, .. }
    ));
    let plain = format!(r#"{{"alg":"ES256","kid":"{kid}"}}"#);
    assert_eq!(shc::verify(&sign(&plain, b"[1,2]"), &trust, now, &[]).unwrap_err().step(), Step::Json);
}

#[test]
fn a_trust_directory_binds_each_key_set_to_its_issuer() {
    let key = test_issuer_key();
    let dir = tempfile::tempdir().unwrap();
    let ours =
        serde_json::json!({ "iss": "https://a.test", "keys": [keys::public_jwk(key.verifying_key())] });
    let theirs = serde_json::json!({ "iss": "https://b.test", "keys": [keys::public_jwk(other_key().verifying_key())] });
    std::fs::write(dir.path().join("a.json"), ours.to_string()).unwrap();
    std::fs::write(dir.path().join("b.json"), theirs.to_string()).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a key set").unwrap();
    let mut trust = Trust::new();
    assert_eq!(trust.add_dir(dir.path()).unwrap(), 2);
    let now = unix("2026-12-01");
    let card = shc::sign("https://a.test/", unix("2026-11-01"), &own_bundle(), &key);
    assert_eq!(
        shc::verify(&card, &trust, now, &[]).unwrap().iss,
        "https://a.test/",
        "a trailing slash is the same issuer"
    );
    // Signed with A's key but claiming to be B: A's set does not vouch for B.
    let claimed = shc::sign("https://b.test", unix("2026-11-01"), &own_bundle(), &key);
    assert!(matches!(shc::verify(&claimed, &trust, now, &[]), Err(FormatError::UnknownKey { .. })));
    // A key whose stated kid is not its thumbprint is refused on loading.
    let mut jwk = keys::public_jwk(key.verifying_key());
    jwk["kid"] = "not-the-thumbprint".into();
    let err = Trust::new().add_jwks(&serde_json::json!({ "keys": [jwk] }).to_string(), None).unwrap_err();
    assert_eq!(err.step(), Step::Key);
    assert_eq!(Trust::new().add_dir(&dir.path().join("missing")).unwrap_err().step(), Step::Key);
}

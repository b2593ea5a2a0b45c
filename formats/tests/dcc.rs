//! EU DCC: the DE and AT test certificates step by step against their EXPECTEDRESULTS
//! (where the reference data is present), and certificates the tests sign themselves
//! (ES256 and PS256).

mod common;

use common::{options, realworld};
use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};
use medzk_circuits::record::{Ext, RecordKind};
use medzk_formats::bytes::base64_standard;
use medzk_formats::dcc::{self, Dsc, DscKey, TrustList};
use medzk_formats::{FormatError, Step};
use rand::SeedableRng;
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// The test files' JSON payloads are written with Python's quoting; the rest is JSON.
fn case(path: &std::path::Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn clock(text: &str) -> i64 {
    time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
        .unwrap()
        .unix_timestamp()
}

#[test]
fn every_test_certificate_decodes_step_by_step_as_expected() {
    let Some(dir) = realworld("dcc/testdata") else { return };
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 8);
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let t = case(&path);
        let expected = &t["EXPECTEDRESULTS"];
        let flag = |k: &str| expected[k].as_bool();
        let prefixed = t["PREFIX"].as_str().unwrap();
        // Unprefix and Base45.
        let unprefixed = dcc::unprefix(prefixed);
        assert_eq!(unprefixed.is_ok(), flag("EXPECTEDUNPREFIX").unwrap_or(true), "{name}");
        let unprefixed = unprefixed.unwrap();
        assert_eq!(unprefixed, t["BASE45"].as_str().unwrap(), "{name}");
        let compressed = dcc::base45_decode(unprefixed);
        assert_eq!(compressed.is_ok(), flag("EXPECTEDB45DECODE").unwrap_or(true), "{name}");
        let compressed = compressed.unwrap();
        assert_eq!(compressed, hex(t["COMPRESSED"].as_str().unwrap()), "{name}: Base45");
        // zlib.
        let cose_bytes = dcc::decompress(&compressed);
        assert_eq!(cose_bytes.is_ok(), flag("EXPECTEDCOMPRESSION").unwrap_or(true), "{name}");
        let cose_bytes = cose_bytes.unwrap();
        assert_eq!(cose_bytes, hex(t["COSE"].as_str().unwrap()), "{name}: zlib");
        // COSE and CBOR.
        let cose = dcc::parse_cose(&cose_bytes).unwrap();
        assert_eq!(cose.alg, dcc::Alg::Es256, "{name}");
        let claims = dcc::parse_claims(&cose.payload);
        assert_eq!(claims.is_ok(), flag("EXPECTEDDECODE").unwrap_or(true), "{name}");
        let claims = claims.unwrap();
        // CBOR: the DE files give the CWT (the COSE payload, byte for byte); the AT files
        // give the DCC payload alone, encoded on its own (indefinite-length maps), so it
        // is compared decoded.
        let cbor = hex(t["CBOR"].as_str().unwrap());
        if cbor != cose.payload {
            let value: ciborium::Value = ciborium::from_reader(&cbor[..]).unwrap();
            assert_eq!(value.deserialized::<Value>().unwrap(), claims.json, "{name}: CBOR");
        }
        if flag("EXPECTEDVALIDJSON").unwrap_or(true) {
            assert_eq!(claims.json, t["JSON"], "{name}: JSON");
        }
        // Signature with its DSC, at the validation clock.
        let der = base64_standard(t["TESTCTX"]["CERTIFICATE"].as_str().unwrap(), "DSC").unwrap();
        let dsc = Dsc::from_der(&der, None, None).unwrap();
        assert_eq!(dsc.kid, cose.kid, "{name}: kid is the DSC's SHA-256 prefix");
        assert_eq!(cose.verify_with(&dsc).is_ok(), flag("EXPECTEDVERIFY").unwrap_or(true), "{name}");
        let mut trust = TrustList::new();
        trust.push(dsc);
        let now = clock(t["TESTCTX"]["VALIDATIONCLOCK"].as_str().unwrap());
        let verified = dcc::verify(prefixed, &trust, now);
        if flag("EXPECTEDEXPIRATIONCHECK") == Some(false) {
            assert!(matches!(verified, Err(FormatError::Expired { .. })), "{name}");
            continue;
        }
        let cert = verified.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(cert.claims, claims);
        // Records.
        let mapping = cert.import(options("2021-06-01")).unwrap();
        let payload = &t["JSON"];
        let kinds: Vec<_> = mapping.records.iter().map(|m| m.record.kind).collect();
        assert_eq!(kinds[0], RecordKind::Demographics, "{name}");
        assert_eq!(mapping.records[0].record.date.to_string(), payload["dob"].as_str().unwrap());
        let entry = &mapping.records[1];
        // A vaccination, and a test that names its device, come with a codes record.
        let device = payload["t"][0]["ma"].as_str();
        let codes = payload["v"].get(0).is_some() || device.is_some();
        assert_eq!(mapping.records.len(), 2 + codes as usize, "{name}: {:?}", mapping.skipped);
        if codes {
            let c = &mapping.records[2].record;
            assert_eq!(c.kind, RecordKind::Codes, "{name}");
            assert_eq!(
                (c.value, c.date, &c.issuer),
                (entry.record.kind as u8 as u64, entry.record.date, &entry.record.issuer)
            );
            let (first, second) = match payload["v"].get(0) {
                Some(v) => (
                    format!("https://spor.ema.europa.eu/v1/organisations|{}", v["ma"].as_str().unwrap()),
                    Ext::Code(format!("sct|{}", v["vp"].as_str().unwrap()).parse().unwrap()),
                ),
                None => (
                    format!("https://covid-19-diagnostics.jrc.ec.europa.eu/devices|{}", device.unwrap()),
                    Ext::None,
                ),
            };
            assert_eq!(c.code.to_string(), first, "{name}");
            assert!(c.ext == second, "{name}");
            // Its salt follows its record's: the proof ties the two.
            let salts = mapping.salts(&mut rand::rngs::OsRng);
            assert_eq!(salts[2].expose(), salts[1].companion().expose());
            assert_ne!(salts[1].expose(), salts[0].companion().expose());
            assert!(
                medzk_circuits::issuance::check_record(
                    c,
                    medzk_circuits::date::Day::from_ymd(2021, 6, 1).unwrap()
                )
                .is_ok()
            );
        }
        assert!(entry.record.issuer.starts_with(&format!("dcc:{}#", &name[..2])), "{}", entry.record.issuer);
        if let Some(v) = payload["v"].get(0) {
            assert_eq!(entry.record.kind, RecordKind::Immunization);
            let product = v["mp"].as_str().unwrap();
            assert_eq!(
                entry.record.code.to_string(),
                format!("https://ec.europa.eu/health/documents/community-register/html/|{product}")
            );
            assert_eq!(entry.record.date.to_string(), v["dt"].as_str().unwrap());
            assert_eq!(
                (entry.record.value, entry.record.aux as u64),
                (v["dn"].as_u64().unwrap(), v["sd"].as_u64().unwrap())
            );
            assert!(entry.record.ext == Ext::None);
        } else if let Some(test) = payload["t"].get(0) {
            assert_eq!(entry.record.kind, RecordKind::Observation);
            let loinc = if test["tt"] == "LP6464-4" { "94500-6" } else { "94558-4" };
            assert_eq!(entry.record.code.to_string(), format!("http://loinc.org|{loinc}"));
            assert_eq!(entry.record.date.to_string(), &test["sc"].as_str().unwrap()[..10]);
            // The sample time, to the minute in UTC: what hour windows read.
            let sc: medzk_circuits::clock::Minute = test["sc"].as_str().unwrap().parse().unwrap();
            assert_eq!(entry.record.time(), Some(sc), "{name}");
            assert_eq!(entry.record.aux as i64, sc.0);
            assert!(
                entry.record.ext
                    == Ext::Code(format!("sct|{}", test["tr"].as_str().unwrap()).parse().unwrap())
            );
        } else {
            let r = &payload["r"][0];
            assert_eq!(entry.record.code.to_string(), "http://loinc.org|94500-6");
            assert_eq!(entry.record.date.to_string(), r["fr"].as_str().unwrap());
            assert!(entry.record.ext == Ext::Code("sct|260373001".parse().unwrap()));
        }
    }
}

#[test]
fn a_modified_signature_or_an_unknown_signer_fails() {
    let Some(dir) = realworld("dcc/testdata") else { return };
    for n in ["DE_1", "AT_1"] {
        let t = case(&dir.join(format!("{n}.json")));
        let der = base64_standard(t["TESTCTX"]["CERTIFICATE"].as_str().unwrap(), "DSC").unwrap();
        let mut trust = TrustList::new();
        trust.push(Dsc::from_der(&der, None, None).unwrap());
        let now = clock(t["TESTCTX"]["VALIDATIONCLOCK"].as_str().unwrap());
        let cose_bytes = hex(t["COSE"].as_str().unwrap());
        let mut sign1 = coset::CoseSign1::from_tagged_slice(&cose_bytes).unwrap();
        sign1.signature[10] ^= 1;
        let text = hc1(&sign1.to_tagged_vec().unwrap());
        assert!(matches!(dcc::verify(&text, &trust, now), Err(FormatError::BadSignature { .. })), "{n}");
        // The payload changed under the original signature.
        let mut sign1 = coset::CoseSign1::from_tagged_slice(&cose_bytes).unwrap();
        let p = sign1.payload.as_mut().unwrap();
        let at = p.len() - 5;
        p[at] ^= 0x01;
        assert!(matches!(
            dcc::verify(&hc1(&sign1.to_tagged_vec().unwrap()), &trust, now),
            Err(FormatError::BadSignature { .. })
        ));
        // No trusted signer with that kid.
        let err = dcc::verify(t["PREFIX"].as_str().unwrap(), &TrustList::new(), now).unwrap_err();
        assert!(matches!(err, FormatError::UnknownKey { .. }), "{err}");
        // Past the certificate's expiry.
        let err =
            dcc::verify(t["PREFIX"].as_str().unwrap(), &trust, clock("2026-12-01T00:00:00Z")).unwrap_err();
        assert!(matches!(err, FormatError::Expired { .. }), "{err}");
    }
}

fn hc1(cose: &[u8]) -> String {
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(cose).unwrap();
    format!("HC1:{}", base45::encode(z.finish().unwrap()))
}

fn own_payload(dob: &str) -> Value {
    serde_json::json!({
        "ver": "1.3.0", "nam": { "fnt": "TEST" }, "dob": dob,
        "t": [{ "tg": "840539006", "tt": "LP6464-4", "nm": "PCR", "sc": "2026-11-30T23:30:00-02:00",
                "tr": "260415000", "tc": "Centre", "co": "NO", "is": "Test issuer", "ci": "URN:UVCI:01:NO:X" }]
    })
}

fn cwt(payload: &Value, iat: i64, exp: i64) -> Vec<u8> {
    use ciborium::Value as C;
    let dcc: C = C::serialized(payload).unwrap();
    let claims = C::Map(vec![
        (C::Integer(1.into()), C::Text("NO".into())),
        (C::Integer(4.into()), C::Integer(exp.into())),
        (C::Integer(6.into()), C::Integer(iat.into())),
        (C::Integer((-260).into()), C::Map(vec![(C::Integer(1.into()), dcc)])),
    ]);
    let mut out = Vec::new();
    ciborium::into_writer(&claims, &mut out).unwrap();
    out
}

fn signed(alg: iana::Algorithm, kid: &[u8], payload: Vec<u8>, sign: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    let protected = HeaderBuilder::new().algorithm(alg).key_id(kid.to_vec()).build();
    let sign1 =
        CoseSign1Builder::new().protected(protected).payload(payload).create_signature(b"", sign).build();
    hc1(&sign1.to_tagged_vec().unwrap())
}

#[test]
fn own_certificates_es256_and_ps256_with_partial_and_empty_birth_dates() {
    use p256::ecdsa::signature::{RandomizedSigner, SignatureEncoding, Signer};
    let (iat, exp) = (common::unix("2026-11-30"), common::unix("2027-11-30"));
    let now = common::unix("2026-12-01");
    let window = |key| Dsc {
        kid: b"ownkid01".to_vec(),
        country: Some("NO".into()),
        key,
        not_before: iat - 1000,
        not_after: exp,
    };
    // ES256.
    let ec = common::test_issuer_key();
    let text = signed(iana::Algorithm::ES256, b"ownkid01", cwt(&own_payload("1992"), iat, exp), |data| {
        let s: p256::ecdsa::Signature = ec.sign(data);
        s.to_vec()
    });
    let mut trust = TrustList::new();
    trust.push(window(DscKey::P256(*ec.verifying_key())));
    let cert = dcc::verify(&text, &trust, now).unwrap();
    let mapping = cert.import(options("2026-12-01")).unwrap();
    assert_eq!(mapping.records.len(), 2, "a partial birth date makes a demographics record");
    let born = mapping.records.iter().find(|r| r.source == "dob").unwrap();
    let birth = born.record.birth().unwrap();
    assert_eq!(
        (birth.earliest.to_string(), birth.latest.to_string()),
        ("1992-01-01".into(), "1992-12-31".into())
    );
    assert_eq!(born.record.value, 1130, "the width: 19921231 − 19920101");
    assert!(born.notes.iter().any(|n| n.contains("partial date of birth 1992")), "{:?}", born.notes);
    let test = mapping.records.iter().find(|r| r.source != "dob").unwrap();
    assert_eq!(test.record.date.to_string(), "2026-12-01", "23:30 at −02:00 is the next day in UTC");
    assert!(test.notes.iter().any(|n| n.contains("in UTC")));
    // PS256.
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let rsa_key = rsa::RsaPrivateKey::new(&mut rng, 2048).unwrap();
    let signer = rsa::pss::SigningKey::<sha2::Sha256>::new(rsa_key.clone());
    let text = signed(iana::Algorithm::PS256, b"ownkid01", cwt(&own_payload(""), iat, exp), |data| {
        signer.sign_with_rng(&mut rand::rngs::StdRng::seed_from_u64(8), data).to_vec()
    });
    let mut trust = TrustList::new();
    trust.push(window(DscKey::Rsa(rsa_key.to_public_key())));
    let cert = dcc::verify(&text, &trust, now).unwrap();
    assert_eq!(cert.alg, dcc::Alg::Ps256);
    let mapping = cert.import(options("2026-12-01")).unwrap();
    assert!(mapping.skipped[0].reason.contains("empty"));
    // The EC key cannot vouch for a PS256 message, nor an RSA key under another key.
    let mut wrong = TrustList::new();
    wrong.push(window(DscKey::P256(*ec.verifying_key())));
    assert_eq!(dcc::verify(&text, &wrong, now).unwrap_err().step(), Step::Signature);
    let other = rsa::RsaPrivateKey::new(&mut rand::rngs::StdRng::seed_from_u64(9), 2048).unwrap();
    let mut wrong = TrustList::new();
    wrong.push(window(DscKey::Rsa(other.to_public_key())));
    assert!(matches!(dcc::verify(&text, &wrong, now), Err(FormatError::BadSignature { .. })));
    // Signed after the signer certificate expired.
    let mut stale = TrustList::new();
    stale.push(Dsc { not_after: iat - 1, ..window(DscKey::Rsa(rsa_key.to_public_key())) });
    assert!(matches!(dcc::verify(&text, &stale, now), Err(FormatError::Expired { .. })));
}

#[test]
fn malformed_dcc_inputs_name_their_step() {
    let trust = TrustList::new();
    let now = 0;
    let cases: Vec<(String, Step)> = vec![
        ("NCF".into(), Step::Input),
        ("HC1:!!!".into(), Step::Base45),
        ("HC1:abc".into(), Step::Base45),
        (format!("HC1:{}", base45::encode(b"\x00\x01\x02")), Step::Inflate),
        (format!("HC1:{}", base45::encode(b"\x78\x9c\x01\x02")), Step::Inflate),
        (hc1(b"\x84\x01\x02"), Step::Cose),
        (hc1(b"\xd2\x84\x40\xa0\xf6\x40"), Step::Cose),
        (format!("HC1:{}", "A".repeat(2 << 20)), Step::Input),
    ];
    for (text, step) in cases {
        assert_eq!(
            dcc::verify(&text, &trust, now).unwrap_err().step(),
            step,
            "{}",
            &text[..text.len().min(30)]
        );
    }
    // A zlib bomb.
    use std::io::Write;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    z.write_all(&vec![0u8; 8 << 20]).unwrap();
    let text = format!("HC1:{}", base45::encode(z.finish().unwrap()));
    assert!(matches!(
        dcc::verify(&text, &trust, now),
        Err(FormatError::TooLarge { step: Step::Inflate, .. })
    ));
    // Claims that are not a CWT, or a payload that is not a DCC.
    assert_eq!(dcc::parse_claims(b"\x01").unwrap_err().step(), Step::Cbor);
    assert_eq!(dcc::parse_claims(b"\xff").unwrap_err().step(), Step::Cbor);
    assert_eq!(dcc::parse_claims(&cwt(&serde_json::json!({"x": 1}), 0, 0)).unwrap_err().step(), Step::Json);
    // Trust lists.
    assert_eq!(TrustList::parse("{").unwrap_err().step(), Step::Json);
    assert_eq!(TrustList::parse(r#"[{"rawData": "AAAA"}]"#).unwrap_err().step(), Step::Key);
}

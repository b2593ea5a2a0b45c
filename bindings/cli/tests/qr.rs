//! Request and presentation QR codes as a kiosk and a wallet exchange them: the wallet
//! proves from the kiosk's request image, the kiosk verifies the presentation image.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn request_image_to_proof_to_presentation_image_accepted() {
    let f = flow(30);
    let d = f.dir.path();
    let req: Value = serde_json::from_str(&ok(
        d,
        &[
            "--json",
            "qr",
            "request",
            "--vk",
            "v.vk",
            "--policy",
            "policy.json",
            "--verifier-id",
            "border:test",
            "--today",
            TODAY,
            "--policy-url",
            "https://border.test/policy.json",
            "--png",
            "request.png",
        ],
    ))
    .unwrap();
    let nonce = req["nonce"].as_str().unwrap().to_string();
    assert_eq!(nonce.len(), 32, "a fresh 16-byte nonce");
    let decoded: Value = serde_json::from_str(&ok(d, &["qr", "decode", "request.png"])).unwrap();
    assert_eq!(decoded["request"], req["request"], "the image holds the request");
    ok(
        d,
        &[
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
            "--request",
            "request.png",
            "--out",
            "p.bin",
        ],
    );
    let shown: Value =
        serde_json::from_str(&ok(d, &["--json", "qr", "presentation", "p.bin", "--png", "p.png"])).unwrap();
    assert!(shown["text"].as_str().unwrap().starts_with("MZP1:"));
    let verdict = ok(d, &verify_args(&nonce, "p.png"));
    assert!(verdict.starts_with("ACCEPTED"), "{verdict}");
    std::fs::write(d.join("p.txt"), shown["text"].as_str().unwrap()).unwrap();
    assert!(ok(d, &verify_args(&nonce, "p.txt")).starts_with("ACCEPTED"));
    ok(d, &["qr", "decode", "p.png", "--out", "p2.bin"]);
    assert_eq!(std::fs::read(d.join("p2.bin")).unwrap(), std::fs::read(d.join("p.bin")).unwrap());
    // Another session's nonce: the same image is rejected.
    let other = "00112233445566778899aabbccddeeff";
    assert!(fails(d, &verify_args(other, "p.png"), 1).contains("REJECTED"));
}

#[test]
fn a_request_for_another_policy_or_key_is_refused_before_proving() {
    let f = flow(30);
    let d = f.dir.path();
    std::fs::write(d.join("other.json"), POLICY.replace("\"max\": 365", "\"max\": 300")).unwrap();
    ok(
        d,
        &[
            "qr",
            "request",
            "--vk",
            "v.vk",
            "--policy",
            "other.json",
            "--verifier-id",
            "border:test",
            "--png",
            "req.png",
        ],
    );
    let prove = |request: &str, vk_hash: &str| {
        vec![
            "prove".to_string(),
            "--pk".into(),
            "v.pk".into(),
            "--vk-hash".into(),
            vk_hash.into(),
            "--credential".into(),
            "cred.json".into(),
            "--holder-key".into(),
            "holder.key".into(),
            "--path".into(),
            "path.json".into(),
            "--policy".into(),
            "policy.json".into(),
            "--request".into(),
            request.into(),
            "--out".into(),
            "p.bin".into(),
        ]
    };
    let run = |args: Vec<String>| fails(d, &args.iter().map(String::as_str).collect::<Vec<_>>(), 2);
    assert!(run(prove("req.png", &f.vk_hash)).contains("the request asks for policy"));
    assert!(!d.join("p.bin").exists());
    // Not a QR code of ours, and a blank image.
    std::fs::write(d.join("hc1.txt"), "HC1:NCFOXN").unwrap();
    assert!(run(prove("hc1.txt", &f.vk_hash)).contains("not a medzk request"));
    assert!(fails(d, &["qr", "decode", "hc1.txt"], 2).contains("presentation"));
    std::fs::write(d.join("x.png"), b"\x89PNG\r\n\x1a\nnot really").unwrap();
    assert!(fails(d, &["qr", "decode", "x.png"], 2).contains("QR"));
}

/// The sizes docs/formats.md gives: QR version per error-correction level.
#[test]
fn qr_sizes_are_as_documented() {
    let f = flow(30);
    let d = f.dir.path();
    ok(d, &prove_args(&f, &f.nonce, "p.bin"));
    let p: Value = serde_json::from_str(&ok(d, &["--json", "qr", "presentation", "p.bin"])).unwrap();
    let r: Value = serde_json::from_str(&ok(
        d,
        &[
            "--json",
            "qr",
            "request",
            "--vk",
            "v.vk",
            "--policy",
            "policy.json",
            "--verifier-id",
            "border:NO:OSL-gate-7",
        ],
    ))
    .unwrap();
    let version =
        |text: &str, level| match qrcode::QrCode::with_error_correction_level(text, level).unwrap().version()
        {
            qrcode::Version::Normal(v) => v,
            qrcode::Version::Micro(_) => 0,
        };
    let p = p["text"].as_str().unwrap();
    let r = r["text"].as_str().unwrap();
    assert_eq!(p.len(), 5 + 462, "308 bytes in Base45");
    assert_eq!(r.len(), 5 + 173, "115 bytes (a 20-byte verifier id, no policy URL) in Base45");
    use qrcode::EcLevel::{L, M, Q};
    // 467 characters are one short of version 11-L's 468 alphanumeric capacity: where the
    // encoder splits a run of digits into a numeric segment, the mode switches can cost
    // the bits that push it to 12 (the proof bytes differ from run to run).
    assert!([11, 12].contains(&version(p, L)), "version {} at L", version(p, L));
    assert_eq!([M, Q].map(|l| version(p, l)), [13, 16]);
    assert_eq!([L, M, Q].map(|l| version(r, l)), [6, 7, 9]);
    // A request with the verifier's minute (version 2) is 117 bytes: 3 more characters.
    let with_minute = format!("{r}{}", &r[5..8]);
    assert_eq!(with_minute.len(), 181);
    assert_eq!([L, M, Q].map(|l| version(&with_minute, l)), [6, 8, 9]);
}

#[test]
fn any_text_encodes_to_an_image_that_decodes_back() {
    let f = flow(30);
    let d = f.dir.path();
    ok(d, &prove_args(&f, &f.nonce, "p.bin"));
    let p: Value = serde_json::from_str(&ok(d, &["--json", "qr", "presentation", "p.bin"])).unwrap();
    std::fs::write(d.join("p.txt"), format!("{}\n", p["text"].as_str().unwrap())).unwrap();
    ok(d, &["qr", "encode", "p.txt", "--png", "p.png"]);
    let decoded: Value =
        serde_json::from_str(&ok(d, &["--json", "qr", "decode", "p.png", "--out", "back.bin"])).unwrap();
    assert_eq!(decoded["kind"], "presentation");
    assert_eq!(std::fs::read(d.join("back.bin")).unwrap(), std::fs::read(d.join("p.bin")).unwrap());
    // Nothing to encode, or too much for a QR code: a clear error, no image.
    std::fs::write(d.join("empty.txt"), " \n").unwrap();
    let e = fails(d, &["qr", "encode", "empty.txt", "--png", "e.png"], 2);
    assert!(e.contains("no text to encode"), "{e}");
    std::fs::write(d.join("big.txt"), "A".repeat(5000)).unwrap();
    let e = fails(d, &["qr", "encode", "big.txt", "--png", "e.png"], 2);
    assert!(e.contains("cannot make a QR code"), "{e}");
    assert!(!d.join("e.png").exists());
}

//! Helpers of the card-import tests: a card issuer's key (the project's own, test only),
//! its cards, and the service's import configuration trusting it.
#![allow(dead_code)] // each test file uses some

use medzk_formats::map::salts::SaltKey;
use medzk_formats::shc::{self, Trust, keys};
use medzk_service::ShcImport;
use p256::ecdsa::SigningKey;
use serde_json::json;

/// The card issuer.
pub const ISS: &str = "https://issuer.test/shc";

/// Its signing key (test only).
pub fn issuer_key() -> SigningKey {
    SigningKey::from_bytes(&[0x5a; 32].into()).unwrap()
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// `shc:/…` QR text of a card with a birth date and two doses (lots `lot`), issued an hour ago.
pub fn card(key: &SigningKey, lot: &str) -> String {
    card_with_rid(key, lot, None)
}

/// As [`card`], with a revocation id.
pub fn card_with_rid(key: &SigningKey, lot: &str, rid: Option<&str>) -> String {
    let bundle = json!({
        "resourceType": "Bundle", "type": "collection",
        "entry": [
            { "fullUrl": "resource:0", "resource": { "resourceType": "Patient", "birthDate": "1980-05-17" } },
            { "fullUrl": "resource:1", "resource": { "resourceType": "Immunization", "status": "completed",
                "vaccineCode": { "coding": [{ "system": "http://hl7.org/fhir/sid/cvx", "code": "208" }] },
                "occurrenceDateTime": "2021-03-01", "lotNumber": lot,
                "protocolApplied": [{ "doseNumberPositiveInt": 1, "seriesDosesPositiveInt": 2 }] } },
            { "fullUrl": "resource:2", "resource": { "resourceType": "Immunization", "status": "completed",
                "vaccineCode": { "coding": [{ "system": "http://hl7.org/fhir/sid/cvx", "code": "208" }] },
                "occurrenceDateTime": "2021-03-22", "lotNumber": lot,
                "protocolApplied": [{ "doseNumberPositiveInt": 2, "seriesDosesPositiveInt": 2 }] } },
        ]
    });
    let jws = shc::sign_with_rid(ISS, now() - 3600, &bundle, key, rid);
    shc::qr::encode(&jws, 1).remove(0)
}

/// The service's import configuration: it trusts [`issuer_key`] for [`ISS`].
pub fn shc_import() -> ShcImport {
    let mut trust = Trust::new();
    let mut jwks = json!({ "keys": [keys::public_jwk(issuer_key().verifying_key())] });
    jwks["iss"] = json!(ISS);
    trust.add_jwks(&jwks.to_string(), None).unwrap();
    ShcImport {
        trust,
        revocations: vec![],
        salt_key: SaltKey::from_hex(&"17".repeat(32)).unwrap(),
        issuer: "shc-import".into(),
    }
}

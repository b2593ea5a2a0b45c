//! SMART Health Cards: `.smart-health-card` files, compact JWS and `shc:/` QR text;
//! ES256 signatures checked against trusted issuer keys; `nbf`, `exp` and `rid`
//! revocation; the card's FHIR bundle mapped to records.

pub mod keys;
pub mod qr;

use p256::ecdsa::signature::{Signer, Verifier};
use p256::ecdsa::{Signature, SigningKey};
use serde::Deserialize;

use crate::bytes::{self, MAX_INFLATED, base64url, inflate_raw, rfc3339, to_base64url};
use crate::error::{FormatError, Result, Step};
use crate::fhir;
use crate::map::{Mapper, Mapping, Options};
pub use keys::Trust;

/// The VC type every SMART Health Card carries.
pub const HEALTH_CARD_TYPE: &str = "https://smarthealth.cards#health-card";

/// Clock skew tolerated for `nbf`, in seconds.
pub const NBF_SKEW: i64 = 300;

/// A card whose signature verified.
#[derive(Clone, Debug)]
pub struct Card {
    /// The issuer (`iss`), a URL.
    pub iss: String,
    /// The signing key's id (thumbprint).
    pub kid: String,
    /// Issuance time (`nbf`), Unix seconds.
    pub nbf: i64,
    /// Expiry, if the card has one.
    pub exp: Option<i64>,
    /// The revocation id, if the card has one.
    pub rid: Option<String>,
    /// The VC types.
    pub types: Vec<String>,
    /// The FHIR bundle.
    pub bundle: serde_json::Value,
}

impl Card {
    /// The issuer slot's text for records made from this card: the original issuer and
    /// the key that signed, so a bridge issuer re-committing the card keeps both.
    pub fn issuer_slot(&self) -> String {
        format!("shc:{}#{}", self.iss, self.kid)
    }

    /// Maps the card's bundle to records.
    pub fn import(&self, mut options: Options) -> Result<Mapping> {
        options.issuer = self.issuer_slot();
        let mut mapper = Mapper::new(options);
        fhir::read_value(&self.bundle, &mut |i, r| mapper.resource(i, r))?;
        mapper.finish().map_err(|e| FormatError::malformed(Step::Fhir, e.to_string()))
    }
}

/// The JWS(s) in any input form: QR text (`shc:/…`, chunks on separate lines), a
/// `.smart-health-card` file, or a compact JWS.
pub fn jws_of_input(text: &str) -> Result<Vec<String>> {
    bytes::check_text_size(text)?;
    let t = text.trim().trim_start_matches('\u{feff}');
    if t.len() >= 5 && t[..5].eq_ignore_ascii_case("shc:/") {
        let lines: Vec<&str> = t.split_whitespace().collect();
        return Ok(vec![qr::decode(&lines)?]);
    }
    if t.starts_with('{') {
        #[derive(Deserialize)]
        struct File {
            #[serde(rename = "verifiableCredential")]
            verifiable_credential: Vec<String>,
        }
        let file: File = serde_json::from_str(t).map_err(|e| {
            FormatError::malformed(Step::Json, format!("not a .smart-health-card file ({e})"))
        })?;
        if file.verifiable_credential.is_empty() {
            return Err(FormatError::malformed(Step::Input, "the file holds no card"));
        }
        return Ok(file.verifiable_credential);
    }
    if t.split('.').count() == 3 && !t.contains(char::is_whitespace) {
        return Ok(vec![t.to_string()]);
    }
    Err(FormatError::malformed(Step::Input, "not shc:/ QR text, a .smart-health-card file or a compact JWS"))
}

#[derive(Deserialize)]
struct Header {
    alg: Option<String>,
    zip: Option<String>,
    kid: Option<String>,
}

#[derive(Deserialize)]
struct Payload {
    iss: String,
    nbf: f64,
    exp: Option<f64>,
    vc: Vc,
}

#[derive(Deserialize)]
struct Vc {
    #[serde(rename = "type", default)]
    types: Vec<String>,
    #[serde(rename = "credentialSubject")]
    subject: Subject,
    rid: Option<String>,
}

#[derive(Deserialize)]
struct Subject {
    #[serde(rename = "fhirBundle")]
    bundle: serde_json::Value,
}

/// An issuer's revocation list for one key (`/.well-known/crl/<kid>.json`).
#[derive(Clone, Debug, Deserialize)]
pub struct RevocationList {
    /// The key whose cards it lists.
    pub kid: String,
    /// `rid`.
    pub method: String,
    /// The list's counter.
    #[serde(default)]
    pub ctr: u64,
    /// Revoked ids, `rid` or `rid.timestamp` (cards issued before the timestamp).
    pub rids: Vec<String>,
}

impl RevocationList {
    /// Parses a list.
    pub fn parse(json: &str) -> Result<RevocationList> {
        if json.len() > keys::MAX_KEY_FILE {
            return Err(FormatError::TooLarge { step: Step::Revocation, limit: keys::MAX_KEY_FILE });
        }
        let list: RevocationList = serde_json::from_str(json)
            .map_err(|e| FormatError::malformed(Step::Json, format!("not a revocation list ({e})")))?;
        if list.method != "rid" {
            return Err(FormatError::Unsupported {
                step: Step::Revocation,
                detail: format!("method {:?}", list.method),
            });
        }
        Ok(list)
    }

    fn revokes(&self, rid: &str, nbf: i64) -> bool {
        self.rids.iter().any(|entry| match entry.split_once('.') {
            Some((r, ts)) => r == rid && ts.parse::<i64>().is_ok_and(|ts| nbf < ts),
            None => entry == rid,
        })
    }
}

/// Verifies one compact JWS: header, signature under a trusted key (before anything is
/// decompressed), payload, issuer binding, `nbf`/`exp` at `now` (Unix seconds) and, if
/// given, the revocation lists.
pub fn verify(jws: &str, trust: &Trust, now: i64, revocations: &[RevocationList]) -> Result<Card> {
    bytes::check_text_size(jws)?;
    let parts: Vec<&str> = jws.trim().split('.').collect();
    let [h64, p64, s64] = parts.as_slice() else {
        return Err(FormatError::malformed(Step::Jws, "a compact JWS has three parts"));
    };
    let header: Header = serde_json::from_slice(&base64url(h64, "the JWS header")?)
        .map_err(|e| FormatError::malformed(Step::Jws, format!("header is not JSON ({e})")))?;
    match header.alg.as_deref() {
        Some("ES256") => {}
        Some(other) => {
            return Err(FormatError::Unsupported { step: Step::Jws, detail: format!("algorithm {other}") });
        }
        None => return Err(FormatError::malformed(Step::Jws, "header has no alg")),
    }
    let zipped = match header.zip.as_deref() {
        Some("DEF") => true,
        None => false,
        Some(other) => {
            return Err(FormatError::Unsupported { step: Step::Jws, detail: format!("compression {other}") });
        }
    };
    let kid = header.kid.ok_or_else(|| FormatError::malformed(Step::Jws, "header has no kid"))?;
    let sig_bytes = base64url(s64, "the JWS signature")?;
    let signature = Signature::from_slice(&sig_bytes)
        .map_err(|_| FormatError::malformed(Step::Jws, "the signature is not 64 bytes r‖s"))?;
    let signed = &jws.trim().as_bytes()[..h64.len() + 1 + p64.len()];
    let payload_bytes = || -> Result<Vec<u8>> {
        let raw = base64url(p64, "the JWS payload")?;
        if zipped { inflate_raw(&raw, MAX_INFLATED) } else { Ok(raw) }
    };
    let parse = |bytes: &[u8]| -> Result<Payload> {
        serde_json::from_slice(bytes).map_err(|e| {
            FormatError::malformed(Step::Json, format!("payload is not a SMART Health Card ({e})"))
        })
    };
    let candidates: Vec<_> = trust.candidates(&kid).collect();
    if candidates.is_empty() {
        // Read the (unauthenticated) issuer only to say whose key is missing.
        let issuer =
            payload_bytes().and_then(|b| parse(&b)).map_or_else(|_| "unknown".to_string(), |p| p.iss);
        return Err(FormatError::UnknownKey { kid, issuer });
    }
    let Some((bound, _)) = candidates.iter().find(|(_, k)| k.key.verify(signed, &signature).is_ok()) else {
        return Err(FormatError::BadSignature { kid });
    };
    let payload = parse(&payload_bytes()?)?;
    if !Trust::binds(*bound, &payload.iss) {
        return Err(FormatError::UnknownKey { kid, issuer: payload.iss });
    }
    if !payload.vc.types.iter().any(|t| t == HEALTH_CARD_TYPE) {
        return Err(FormatError::malformed(Step::Json, format!("the VC is not of type {HEALTH_CARD_TYPE}")));
    }
    if !payload.nbf.is_finite() || payload.exp.is_some_and(|e| !e.is_finite()) {
        return Err(FormatError::malformed(Step::Json, "nbf or exp is not a number"));
    }
    let nbf = payload.nbf.floor() as i64;
    if nbf > now.saturating_add(NBF_SKEW) {
        return Err(FormatError::NotYetValid {
            what: "the card".into(),
            at: rfc3339(nbf),
            now: rfc3339(now),
        });
    }
    let exp = payload.exp.map(|e| e.floor() as i64);
    if let Some(exp) = exp.filter(|e| *e < now) {
        return Err(FormatError::Expired { what: "the card".into(), at: rfc3339(exp), now: rfc3339(now) });
    }
    if let Some(rid) = &payload.vc.rid {
        for list in revocations.iter().filter(|l| l.kid == kid) {
            if list.revokes(rid, nbf) {
                return Err(FormatError::Revoked { rid: rid.clone() });
            }
        }
    }
    Ok(Card {
        iss: payload.iss,
        kid,
        nbf,
        exp,
        rid: payload.vc.rid,
        types: payload.vc.types,
        bundle: payload.vc.subject.bundle,
    })
}

/// Signs a card: `{"iss", "nbf", "vc": {"type": [health-card], "credentialSubject":
/// {"fhirVersion": "4.0.1", "fhirBundle": bundle}}}`, minified, raw-DEFLATE compressed,
/// ES256 with `kid` the key's thumbprint. For issuers (and this project's own fixtures).
pub fn sign(iss: &str, nbf: i64, bundle: &serde_json::Value, key: &SigningKey) -> String {
    sign_with_rid(iss, nbf, bundle, key, None)
}

/// As [`sign`], with a revocation id (`vc.rid`) when `rid` is given.
pub fn sign_with_rid(
    iss: &str,
    nbf: i64,
    bundle: &serde_json::Value,
    key: &SigningKey,
    rid: Option<&str>,
) -> String {
    use std::io::Write;
    let mut payload = serde_json::json!({
        "iss": iss,
        "nbf": nbf,
        "vc": {
            "type": [HEALTH_CARD_TYPE],
            "credentialSubject": { "fhirVersion": "4.0.1", "fhirBundle": bundle },
        },
    });
    if let Some(rid) = rid {
        payload["vc"]["rid"] = serde_json::json!(rid);
    }
    let jwk = keys::public_jwk(key.verifying_key());
    let header = serde_json::json!({ "zip": "DEF", "alg": "ES256", "kid": jwk["kid"] });
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(payload.to_string().as_bytes()).expect("writing to memory");
    let compressed = enc.finish().expect("writing to memory");
    let signing_input =
        format!("{}.{}", to_base64url(header.to_string().as_bytes()), to_base64url(&compressed));
    let signature: Signature = key.sign(signing_input.as_bytes());
    format!("{signing_input}.{}", to_base64url(&signature.to_bytes()))
}

//! EU Digital COVID Certificates: `HC1:` + Base45(zlib(COSE_Sign1(CWT))), ES256 or PS256
//! signatures checked against document signer certificates, CWT claims, the payload, and
//! its mapping to records. Each step is a function of its own so tests (and tools) can
//! check them one by one.

pub mod payload;
pub mod trust;

use ciborium::Value;
use coset::{CborSerializable, CoseSign1, TaggedCborSerializable, iana};
use p256::ecdsa::signature::Verifier;

use crate::bytes::{self, MAX_INFLATED, rfc3339, to_base64};
use crate::error::{FormatError, Result, Step};
use crate::map::{Mapper, Mapping, Options};
pub use payload::Payload;
pub use trust::{Dsc, DscKey, TrustList};

/// Clock skew tolerated for `iat`, in seconds.
pub const IAT_SKEW: i64 = 300;

/// Removes the `HC1:` prefix.
pub fn unprefix(text: &str) -> Result<&str> {
    bytes::check_text_size(text)?;
    let t = text.trim();
    t.strip_prefix("HC1:")
        .ok_or_else(|| FormatError::malformed(Step::Input, "DCC text does not start with HC1:"))
}

/// Base45 decoding.
pub fn base45_decode(text: &str) -> Result<Vec<u8>> {
    base45::decode(text).map_err(|e| FormatError::malformed(Step::Base45, format!("not Base45 ({e:?})")))
}

/// zlib decompression (bounded); data that is already a COSE message (tag 18 or an
/// untagged array of four) is passed through, as the specification allows.
pub fn decompress(data: &[u8]) -> Result<Vec<u8>> {
    match data.first() {
        Some(0x78) => bytes::inflate_zlib(data, MAX_INFLATED),
        Some(0xD2 | 0x84) => Ok(data.to_vec()),
        _ => Err(FormatError::malformed(Step::Inflate, "neither a zlib stream nor a COSE message")),
    }
}

/// The signature algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    /// ECDSA P-256 SHA-256.
    Es256,
    /// RSASSA-PSS SHA-256.
    Ps256,
}

/// A parsed COSE_Sign1 message.
#[derive(Clone, Debug)]
pub struct Cose {
    /// The key id (protected header, else unprotected).
    pub kid: Vec<u8>,
    /// The algorithm (protected header).
    pub alg: Alg,
    /// The payload (CWT, CBOR).
    pub payload: Vec<u8>,
    message: CoseSign1,
}

/// Parses COSE_Sign1 (tagged or not).
pub fn parse_cose(data: &[u8]) -> Result<Cose> {
    let message = CoseSign1::from_tagged_slice(data)
        .or_else(|_| CoseSign1::from_slice(data))
        .map_err(|e| FormatError::malformed(Step::Cose, format!("not a COSE_Sign1 message ({e})")))?;
    let alg = match &message.protected.header.alg {
        Some(coset::Algorithm::Assigned(iana::Algorithm::ES256)) => Alg::Es256,
        Some(coset::Algorithm::Assigned(iana::Algorithm::PS256)) => Alg::Ps256,
        Some(other) => {
            return Err(FormatError::Unsupported {
                step: Step::Cose,
                detail: format!("algorithm {other:?}"),
            });
        }
        None => match &message.unprotected.alg {
            Some(_) => {
                return Err(FormatError::malformed(
                    Step::Cose,
                    "the algorithm is not in the protected header",
                ));
            }
            None => return Err(FormatError::malformed(Step::Cose, "no algorithm")),
        },
    };
    let kid = if message.protected.header.key_id.is_empty() {
        message.unprotected.key_id.clone()
    } else {
        message.protected.header.key_id.clone()
    };
    if kid.is_empty() {
        return Err(FormatError::malformed(Step::Cose, "no key id"));
    }
    let payload =
        message.payload.clone().ok_or_else(|| FormatError::malformed(Step::Cose, "detached payload"))?;
    Ok(Cose { kid, alg, payload, message })
}

impl Cose {
    /// Verifies the signature with `dsc`'s key.
    pub fn verify_with(&self, dsc: &Dsc) -> Result<()> {
        let bad = || FormatError::BadSignature { kid: to_base64(&self.kid) };
        self.message.verify_signature(b"", |sig, data| match (&dsc.key, self.alg) {
            (DscKey::P256(key), Alg::Es256) => {
                let sig = p256::ecdsa::Signature::from_slice(sig).map_err(|_| bad())?;
                key.verify(data, &sig).map_err(|_| bad())
            }
            (DscKey::Rsa(key), Alg::Ps256) => {
                let sig = rsa::pss::Signature::try_from(sig).map_err(|_| bad())?;
                rsa::pss::VerifyingKey::<sha2::Sha256>::new(key.clone()).verify(data, &sig).map_err(|_| bad())
            }
            _ => Err(FormatError::malformed(
                Step::Signature,
                format!("the certificate's key does not match the algorithm {:?}", self.alg),
            )),
        })
    }
}

/// The CWT claims of a DCC.
#[derive(Clone, Debug, PartialEq)]
pub struct Claims {
    /// Issuer country (claim 1).
    pub issuer: Option<String>,
    /// Issued at (claim 6), Unix seconds.
    pub issued_at: Option<i64>,
    /// Expiry (claim 4), Unix seconds.
    pub expires: Option<i64>,
    /// The payload (claim −260, key 1), as JSON.
    pub json: serde_json::Value,
    /// The payload, typed.
    pub payload: Payload,
}

fn cbor_error(detail: impl Into<String>) -> FormatError {
    FormatError::malformed(Step::Cbor, detail)
}

fn int_key(key: &Value) -> Option<i128> {
    key.as_integer().map(i128::from)
}

/// Parses the CWT claims.
pub fn parse_claims(cbor: &[u8]) -> Result<Claims> {
    let value: Value = ciborium::from_reader(cbor).map_err(|e| cbor_error(format!("not CBOR ({e})")))?;
    let map = value.as_map().ok_or_else(|| cbor_error("the CWT is not a map"))?;
    let claim = |k: i128| map.iter().find(|(key, _)| int_key(key) == Some(k)).map(|(_, v)| v);
    let time = |k: i128, name: &str| -> Result<Option<i64>> {
        match claim(k) {
            None => Ok(None),
            Some(v) => {
                let n = v
                    .as_integer()
                    .map(i128::from)
                    .or_else(|| v.as_float().filter(|f| f.is_finite()).map(|f| f as i128));
                n.and_then(|n| i64::try_from(n).ok())
                    .map(Some)
                    .ok_or_else(|| cbor_error(format!("claim {name} is not a time")))
            }
        }
    };
    let issuer = match claim(1) {
        None => None,
        Some(v) => Some(v.as_text().ok_or_else(|| cbor_error("claim iss is not text"))?.to_string()),
    };
    let hcert = claim(-260).and_then(Value::as_map).ok_or_else(|| cbor_error("no hcert claim (-260)"))?;
    let dcc = hcert
        .iter()
        .find(|(k, _)| int_key(k) == Some(1))
        .map(|(_, v)| v)
        .ok_or_else(|| cbor_error("hcert has no DCC (key 1)"))?;
    let json: serde_json::Value =
        dcc.deserialized().map_err(|e| cbor_error(format!("the DCC payload is not JSON-like ({e})")))?;
    let payload: Payload = serde_json::from_value(json.clone())
        .map_err(|e| FormatError::malformed(Step::Json, format!("not a DCC payload ({e})")))?;
    Ok(Claims { issuer, issued_at: time(6, "iat")?, expires: time(4, "exp")?, json, payload })
}

/// A certificate whose signature verified.
#[derive(Clone, Debug)]
pub struct Certificate {
    /// The claims and payload.
    pub claims: Claims,
    /// The signer's key id.
    pub kid: Vec<u8>,
    /// The algorithm.
    pub alg: Alg,
}

impl Certificate {
    /// The issuer slot's text: issuing country and signer key id.
    pub fn issuer_slot(&self) -> String {
        format!("dcc:{}#{}", self.claims.issuer.as_deref().unwrap_or("?"), to_base64(&self.kid))
    }

    /// Maps the payload to records.
    pub fn import(&self, mut options: Options) -> Result<Mapping> {
        options.issuer = self.issuer_slot();
        let mut mapper = Mapper::new(options);
        payload::map(&mut mapper, &self.claims.payload);
        mapper.finish().map_err(|e| FormatError::malformed(Step::Fhir, e.to_string()))
    }
}

/// Every step: `HC1:` text to a verified certificate, at `now` (Unix seconds). The
/// signature is checked before the claims are parsed; then the CWT's `exp` and `iat`,
/// and the signer certificate's validity at `iat`.
pub fn verify(text: &str, trust: &TrustList, now: i64) -> Result<Certificate> {
    let cose = parse_cose(&decompress(&base45_decode(unprefix(text)?)?)?)?;
    let mut signers = trust.find(&cose.kid).peekable();
    if signers.peek().is_none() {
        let issuer =
            parse_claims(&cose.payload).ok().and_then(|c| c.issuer).unwrap_or_else(|| "unknown".into());
        return Err(FormatError::UnknownKey { kid: to_base64(&cose.kid), issuer });
    }
    let mut last = None;
    let mut signer = None;
    for dsc in signers {
        match cose.verify_with(dsc) {
            Ok(()) => {
                signer = Some(dsc);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let Some(dsc) = signer else {
        return Err(last.unwrap_or(FormatError::BadSignature { kid: to_base64(&cose.kid) }));
    };
    let claims = parse_claims(&cose.payload)?;
    if let Some(exp) = claims.expires.filter(|e| *e < now) {
        return Err(FormatError::Expired {
            what: "the certificate (CWT exp)".into(),
            at: rfc3339(exp),
            now: rfc3339(now),
        });
    }
    if let Some(iat) = claims.issued_at {
        if iat > now.saturating_add(IAT_SKEW) {
            return Err(FormatError::NotYetValid {
                what: "the certificate (CWT iat)".into(),
                at: rfc3339(iat),
                now: rfc3339(now),
            });
        }
        if iat > dsc.not_after {
            return Err(FormatError::Expired {
                what: "the signer certificate (when the DCC was signed)".into(),
                at: rfc3339(dsc.not_after),
                now: rfc3339(iat),
            });
        }
        if iat < dsc.not_before {
            return Err(FormatError::NotYetValid {
                what: "the signer certificate (when the DCC was signed)".into(),
                at: rfc3339(dsc.not_before),
                now: rfc3339(iat),
            });
        }
    }
    Ok(Certificate { claims, kid: cose.kid, alg: cose.alg })
}

//! Document signer certificates (DSCs) by key id: a trust list file.
//!
//! The file is JSON, either an array or `{"certificates": [...]}` of entries
//! `{"kid": base64?, "country": "DE"?, "rawData": base64 DER}` (the EU gateway's
//! trust-list shape; `certificate` is accepted for `rawData`). A missing `kid` is the
//! DCC rule's: the first 8 bytes of SHA-256 of the DER certificate.

use p256::ecdsa::VerifyingKey;
use rsa::RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use x509_cert::Certificate;
use x509_cert::der::{self, Decode};

use crate::bytes::{base64_standard, to_base64};
use crate::error::{FormatError, Result, Step};

/// id-ecPublicKey.
const EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
/// prime256v1 (P-256).
const P256_CURVE: &str = "1.2.840.10045.3.1.7";
/// rsaEncryption.
const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";

/// A signer's public key.
#[derive(Clone, Debug)]
pub enum DscKey {
    /// ES256.
    P256(VerifyingKey),
    /// PS256.
    Rsa(RsaPublicKey),
}

/// One document signer certificate.
#[derive(Clone, Debug)]
pub struct Dsc {
    /// The 8-byte key id.
    pub kid: Vec<u8>,
    /// The country the list names, if any.
    pub country: Option<String>,
    /// The key.
    pub key: DscKey,
    /// Validity start, Unix seconds.
    pub not_before: i64,
    /// Validity end, Unix seconds.
    pub not_after: i64,
}

impl Dsc {
    /// Reads a DER certificate; `kid` defaults to the first 8 bytes of its SHA-256.
    pub fn from_der(der_bytes: &[u8], kid: Option<Vec<u8>>, country: Option<String>) -> Result<Dsc> {
        let bad = |d: String| FormatError::malformed(Step::Key, d);
        let cert =
            Certificate::from_der(der_bytes).map_err(|e| bad(format!("not an X.509 certificate ({e})")))?;
        let kid = kid.unwrap_or_else(|| Sha256::digest(der_bytes)[..8].to_vec());
        let spki = &cert.tbs_certificate.subject_public_key_info;
        let key_bytes = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| bad("the public key is not whole bytes".into()))?;
        let key = match spki.algorithm.oid.to_string().as_str() {
            EC_PUBLIC_KEY => {
                let curve = spki
                    .algorithm
                    .parameters
                    .as_ref()
                    .and_then(|p| p.decode_as::<der::asn1::ObjectIdentifier>().ok())
                    .map(|o| o.to_string());
                if curve.as_deref() != Some(P256_CURVE) {
                    return Err(FormatError::Unsupported {
                        step: Step::Key,
                        detail: "EC curve (only P-256)".into(),
                    });
                }
                DscKey::P256(
                    VerifyingKey::from_sec1_bytes(key_bytes).map_err(|_| bad("not a P-256 point".into()))?,
                )
            }
            RSA_ENCRYPTION => DscKey::Rsa(
                RsaPublicKey::from_pkcs1_der(key_bytes).map_err(|e| bad(format!("not an RSA key ({e})")))?,
            ),
            other => {
                return Err(FormatError::Unsupported {
                    step: Step::Key,
                    detail: format!("key algorithm {other}"),
                });
            }
        };
        let validity = &cert.tbs_certificate.validity;
        let secs = |t: x509_cert::time::Time| t.to_unix_duration().as_secs().min(i64::MAX as u64) as i64;
        Ok(Dsc {
            kid,
            country,
            key,
            not_before: secs(validity.not_before),
            not_after: secs(validity.not_after),
        })
    }

    /// The key id in base64, as trust lists write it.
    pub fn kid_base64(&self) -> String {
        to_base64(&self.kid)
    }
}

/// The signers an importer trusts.
#[derive(Clone, Debug, Default)]
pub struct TrustList {
    /// Every certificate.
    pub signers: Vec<Dsc>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ListFile {
    Bare(Vec<Entry>),
    Wrapped { certificates: Vec<Entry> },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    kid: Option<String>,
    country: Option<String>,
    raw_data: Option<String>,
    certificate: Option<String>,
}

impl TrustList {
    /// No signers.
    pub fn new() -> TrustList {
        TrustList::default()
    }

    /// Parses a trust list file (JSON, at most 16 MiB).
    pub fn parse(json: &str) -> Result<TrustList> {
        const MAX: usize = 16 << 20;
        if json.len() > MAX {
            return Err(FormatError::TooLarge { step: Step::Key, limit: MAX });
        }
        let file: ListFile = serde_json::from_str(json)
            .map_err(|e| FormatError::malformed(Step::Json, format!("not a DSC trust list ({e})")))?;
        let entries = match file {
            ListFile::Bare(e) | ListFile::Wrapped { certificates: e } => e,
        };
        let mut list = TrustList::new();
        for e in entries {
            let data = e
                .raw_data
                .or(e.certificate)
                .ok_or_else(|| FormatError::malformed(Step::Key, "an entry without rawData"))?;
            let der_bytes = base64_standard(&data, "a certificate")?;
            let kid = e.kid.map(|k| base64_standard(&k, "a key id")).transpose()?;
            list.signers.push(Dsc::from_der(&der_bytes, kid, e.country)?);
        }
        Ok(list)
    }

    /// Adds a certificate.
    pub fn push(&mut self, dsc: Dsc) {
        self.signers.push(dsc);
    }

    /// Signers with `kid`.
    pub fn find<'a>(&'a self, kid: &'a [u8]) -> impl Iterator<Item = &'a Dsc> + 'a {
        self.signers.iter().filter(move |d| d.kid == kid)
    }
}

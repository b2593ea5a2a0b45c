//! Issuer keys: JSON Web Key Sets (P-256), their RFC 7638 thumbprints, and a trust store
//! of key sets bound to issuers.

use std::path::Path;

use p256::ecdsa::VerifyingKey;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::bytes::{base64url, to_base64url};
use crate::error::{FormatError, Result, Step};

/// Largest key file read, in bytes.
pub const MAX_KEY_FILE: usize = 1 << 20;

/// One issuer key: its key id and verifying key.
#[derive(Clone, Debug)]
pub struct IssuerKey {
    /// `kid`: the RFC 7638 thumbprint (checked on loading).
    pub kid: String,
    /// The P-256 key.
    pub key: VerifyingKey,
}

#[derive(Deserialize)]
struct Jwks {
    iss: Option<String>,
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kty: Option<String>,
    crv: Option<String>,
    kid: Option<String>,
    alg: Option<String>,
    x: Option<String>,
    y: Option<String>,
}

fn key_error(detail: impl Into<String>) -> FormatError {
    FormatError::malformed(Step::Key, detail)
}

/// The RFC 7638 thumbprint of a P-256 public key given by its coordinates.
pub fn thumbprint(x_b64: &str, y_b64: &str) -> String {
    let canonical = format!(r#"{{"crv":"P-256","kty":"EC","x":"{x_b64}","y":"{y_b64}"}}"#);
    to_base64url(&Sha256::digest(canonical.as_bytes()))
}

/// The public JWK of `key` (for key sets the project publishes for its own cards).
pub fn public_jwk(key: &VerifyingKey) -> serde_json::Value {
    let point = key.to_encoded_point(false);
    let x = to_base64url(point.x().map(|x| x.as_slice()).unwrap_or_default());
    let y = to_base64url(point.y().map(|y| y.as_slice()).unwrap_or_default());
    serde_json::json!({ "kty": "EC", "kid": thumbprint(&x, &y), "use": "sig", "alg": "ES256", "crv": "P-256", "x": x, "y": y })
}

/// Keys the importer trusts, each set bound to one issuer or (a key set given on its
/// own, as fetched from the issuer's `/.well-known/jwks.json`) to any.
#[derive(Clone, Debug, Default)]
pub struct Trust {
    sets: Vec<(Option<String>, Vec<IssuerKey>)>,
}

impl Trust {
    /// No keys.
    pub fn new() -> Trust {
        Trust::default()
    }

    /// Adds a JWKS document. Its `iss` member, if present, binds it to that issuer;
    /// `iss` (for example from the file's place in a trust directory) binds it otherwise.
    pub fn add_jwks(&mut self, json: &str, iss: Option<&str>) -> Result<usize> {
        if json.len() > MAX_KEY_FILE {
            return Err(FormatError::TooLarge { step: Step::Key, limit: MAX_KEY_FILE });
        }
        let set: Jwks = serde_json::from_str(json)
            .map_err(|e| FormatError::malformed(Step::Json, format!("not a JSON Web Key Set ({e})")))?;
        let mut keys = Vec::new();
        for jwk in set.keys {
            // Keys of other types (RSA, other curves) cannot sign a SMART Health Card: skipped.
            if jwk.kty.as_deref() != Some("EC") || jwk.crv.as_deref() != Some("P-256") {
                continue;
            }
            if jwk.alg.as_deref().is_some_and(|a| a != "ES256") {
                continue;
            }
            let (Some(x), Some(y)) = (&jwk.x, &jwk.y) else {
                return Err(key_error("an EC key without x or y"));
            };
            let (xb, yb) = (base64url(x, "the key's x")?, base64url(y, "the key's y")?);
            if xb.len() != 32 || yb.len() != 32 {
                return Err(key_error("a P-256 coordinate is not 32 bytes"));
            }
            let point = p256::EncodedPoint::from_affine_coordinates(
                xb.as_slice().into(),
                yb.as_slice().into(),
                false,
            );
            let key = VerifyingKey::from_encoded_point(&point)
                .map_err(|_| key_error("a key that is not a P-256 point"))?;
            let kid = thumbprint(x, y);
            if let Some(stated) = &jwk.kid {
                if *stated != kid {
                    return Err(key_error(format!("key id {stated} is not the key's thumbprint {kid}")));
                }
            }
            keys.push(IssuerKey { kid, key });
        }
        let n = keys.len();
        self.sets.push((set.iss.or(iss.map(str::to_string)), keys));
        Ok(n)
    }

    /// Adds a JWKS file.
    pub fn add_jwks_file(&mut self, path: &Path, iss: Option<&str>) -> Result<usize> {
        let text = read_small(path)?;
        self.add_jwks(&text, iss)
    }

    /// Adds every `*.json` key set in `dir` (each should name its `iss`).
    pub fn add_dir(&mut self, dir: &Path) -> Result<usize> {
        let paths = json_files(dir).map_err(|e| {
            FormatError::malformed(Step::Key, format!("cannot read trust directory {} ({e})", dir.display()))
        })?;
        let mut n = 0;
        for p in paths {
            n += self.add_jwks_file(&p, None)?;
        }
        Ok(n)
    }

    /// Every trusted key with `kid`, with the issuer its set is bound to (if any).
    pub fn candidates<'a>(
        &'a self,
        kid: &'a str,
    ) -> impl Iterator<Item = (Option<&'a str>, &'a IssuerKey)> + 'a {
        self.sets
            .iter()
            .flat_map(|(bound, keys)| keys.iter().map(move |k| (bound.as_deref(), k)))
            .filter(move |(_, k)| k.kid == kid)
    }

    /// Whether a set bound to `bound` may vouch for a card from `iss`.
    pub fn binds(bound: Option<&str>, iss: &str) -> bool {
        bound.is_none_or(|b| b.trim_end_matches('/') == iss.trim_end_matches('/'))
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.sets.iter().map(|(_, k)| k.len()).sum()
    }

    /// Whether there are no keys.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Reads a key or list file of at most [`MAX_KEY_FILE`] bytes.
/// The `*.json` files of `dir`, sorted (a trust directory, a directory of revocation lists).
pub fn json_files(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    Ok(paths)
}

pub(crate) fn read_small(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| FormatError::malformed(Step::Key, format!("cannot read {} ({e})", path.display())))?;
    if meta.len() > MAX_KEY_FILE as u64 {
        return Err(FormatError::TooLarge { step: Step::Key, limit: MAX_KEY_FILE });
    }
    std::fs::read_to_string(path)
        .map_err(|e| FormatError::malformed(Step::Key, format!("cannot read {} ({e})", path.display())))
}

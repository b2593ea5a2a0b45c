//! Issuer-signed requests. An issuer holds an Ed25519 key the operator enrolled; each
//! write request carries four headers:
//!
//! * `x-medzk-issuer`: the issuer's enrolled name;
//! * `x-medzk-timestamp`: Unix seconds when it was signed;
//! * `x-medzk-nonce`: 16 random bytes, hex;
//! * `x-medzk-signature`: Ed25519 over `"medzk/request/v1\0"`, the method, `\0`, the path
//!   with its query string, `\0`, the issuer name, `\0`, the timestamp (8 bytes little
//!   endian), the nonce, and the SHA-256 of the body.
//!
//! The operator signs its own requests (reading the audit log) the same way, with the
//! operator key and the name [`OPERATOR`], which no issuer may be enrolled under.
//!
//! The server refuses a timestamp more than [`MAX_SKEW`] seconds from its clock or from
//! before it started, and a nonce it has seen (it remembers nonces for twice the skew), so
//! a captured request cannot be replayed, not even across a restart.

use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Domain tag of a signed request.
pub const REQUEST_TAG: &[u8] = b"medzk/request/v1\0";
/// Largest clock difference accepted, in seconds.
pub const MAX_SKEW: i64 = 300;

/// The name the operator signs its requests under.
pub const OPERATOR: &str = "operator";

/// Header names.
pub const ISSUER: &str = "x-medzk-issuer";
/// Header names.
pub const TIMESTAMP: &str = "x-medzk-timestamp";
/// Header names.
pub const NONCE: &str = "x-medzk-nonce";
/// Header names.
pub const SIGNATURE: &str = "x-medzk-signature";

/// The headers of one signed request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHeaders {
    /// The issuer's name.
    pub issuer: String,
    /// Unix seconds.
    pub timestamp: i64,
    /// 16 bytes.
    pub nonce: [u8; 16],
    /// 64 bytes.
    pub signature: [u8; 64],
}

/// The signed message.
pub fn message(
    method: &str,
    path: &str,
    issuer: &str,
    timestamp: i64,
    nonce: &[u8; 16],
    body: &[u8],
) -> Vec<u8> {
    let mut m = REQUEST_TAG.to_vec();
    for part in [method.as_bytes(), path.as_bytes(), issuer.as_bytes()] {
        m.extend_from_slice(part);
        m.push(0);
    }
    m.extend_from_slice(&timestamp.to_le_bytes());
    m.extend_from_slice(nonce);
    m.extend_from_slice(&Sha256::digest(body));
    m
}

/// An issuer's secret key. `Debug` shows the public key only.
pub struct IssuerSecret {
    name: String,
    key: SigningKey,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct IssuerKeyFile {
    format: String,
    version: u32,
    name: String,
    secret: String,
    public: String,
}

/// Why a key file or a signature is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

impl IssuerSecret {
    /// A fresh key for the issuer `name`.
    pub fn generate(name: &str) -> IssuerSecret {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        IssuerSecret { name: name.to_string(), key: SigningKey::from_bytes(&bytes) }
    }

    /// The issuer's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The public key, 64 hex digits (what the operator enrolls).
    pub fn public_hex(&self) -> String {
        hex::encode(self.key.verifying_key().as_bytes())
    }

    /// Signs a request at `timestamp` with a fresh nonce.
    pub fn sign(&self, method: &str, path: &str, timestamp: i64, body: &[u8]) -> SignedHeaders {
        let mut nonce = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let signature = self.key.sign(&message(method, path, &self.name, timestamp, &nonce, body)).to_bytes();
        SignedHeaders { issuer: self.name.clone(), timestamp, nonce, signature }
    }

    /// The key file (JSON; keep it private).
    pub fn to_json(&self) -> Zeroizing<String> {
        let file = IssuerKeyFile {
            format: "medzk-issuer-key".into(),
            version: 1,
            name: self.name.clone(),
            secret: hex::encode(self.key.to_bytes()),
            public: self.public_hex(),
        };
        Zeroizing::new(serde_json::to_string_pretty(&file).expect("serializable"))
    }

    /// Reads a key file.
    pub fn from_json(text: &str) -> Result<IssuerSecret, KeyError> {
        let bad = |why: &str| KeyError(format!("issuer key file: {why}"));
        let file: IssuerKeyFile = serde_json::from_str(text).map_err(|_| bad("not a medzk issuer key"))?;
        if file.format != "medzk-issuer-key" || file.version != 1 {
            return Err(bad("not a medzk issuer key of this version"));
        }
        let bytes = Zeroizing::new(hex::decode(&file.secret).map_err(|_| bad("the secret is not hex"))?);
        let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| bad("the secret is not 32 bytes"))?;
        let key = IssuerSecret { name: file.name, key: SigningKey::from_bytes(&bytes) };
        if key.public_hex() != file.public {
            return Err(bad("the public key does not match the secret"));
        }
        Ok(key)
    }
}

impl fmt::Debug for IssuerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IssuerSecret({}, public {})", self.name, self.public_hex())
    }
}

/// Signs a request as the operator, at `timestamp`, with a fresh nonce.
pub fn sign_as_operator(
    key: &medzk_registry::OperatorSecret,
    method: &str,
    path: &str,
    timestamp: i64,
    body: &[u8],
) -> SignedHeaders {
    let mut nonce = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let m = message(method, path, OPERATOR, timestamp, &nonce, body);
    let signature = key.sign_request(&m).expect("a request message carries the request tag");
    SignedHeaders { issuer: OPERATOR.into(), timestamp, nonce, signature }
}

/// Parses an enrolled public key (64 hex digits).
pub fn public_key(text: &str) -> Result<VerifyingKey, KeyError> {
    let bytes: [u8; 32] = hex::decode(text.trim().trim_start_matches("0x"))
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| KeyError("an issuer key is 64 hex digits".into()))?;
    VerifyingKey::from_bytes(&bytes).map_err(|_| KeyError("not an Ed25519 public key".into()))
}

/// Checks a request's signature under the issuer's enrolled key.
pub fn verify(
    key: &VerifyingKey,
    method: &str,
    path: &str,
    headers: &SignedHeaders,
    body: &[u8],
) -> Result<(), KeyError> {
    let m = message(method, path, &headers.issuer, headers.timestamp, &headers.nonce, body);
    key.verify_strict(&m, &Signature::from_bytes(&headers.signature))
        .map_err(|_| KeyError("the request's signature does not verify under the issuer's key".into()))
}

//! Signing tree heads: a registry operator's Ed25519 signature over the latest checkpoint,
//! with the recent checkpoints that chain to it. A verifier pins the operator's public key
//! and accepts roots only from a signed head that verifies under it; the file works
//! offline (a kiosk keeps the last one it fetched).
//!
//! The signature covers `"medzk/signed-head/v1\0"`, the registry's name (its length as
//! one byte, then its bytes), its depth, the signing time (Unix seconds, 8 bytes little
//! endian) and the last checkpoint's bytes. That checkpoint's
//! hash commits to its root, size, time, event and the previous checkpoint's hash, so the
//! one signature authenticates every earlier checkpoint in the file through the chain.

use std::fmt;

use ed25519_dalek::{Signer, SigningKey};
pub use medzk_verifier::signed_head::{
    HEAD_FORMAT, HEAD_TAG, HeadError, MAX_HEAD_CHECKPOINTS, MAX_NAME_BYTES, OperatorKey, SignedHead,
    head_message,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{Registry, RegistryError, ledger};

/// An operator's signing key. Its `Debug` shows the public key only.
pub struct OperatorSecret(SigningKey);

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretFile {
    format: String,
    version: u32,
    secret: String,
    public: String,
}

impl OperatorSecret {
    /// A fresh key from the OS generator.
    pub fn generate() -> OperatorSecret {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        OperatorSecret(SigningKey::from_bytes(&bytes))
    }

    /// The public key.
    pub fn public(&self) -> OperatorKey {
        OperatorKey(self.0.verifying_key())
    }

    /// Signs a request to a registry service as the operator (reading the audit log).
    /// Only messages under the request tag (`medzk/request/…`) are signed, so a request
    /// signature can never stand in for a signed head (whose messages begin with
    /// [`HEAD_TAG`]).
    pub fn sign_request(&self, message: &[u8]) -> Option<[u8; 64]> {
        message.starts_with(b"medzk/request/").then(|| self.0.sign(message).to_bytes())
    }

    /// The key file (JSON; keep it private).
    pub fn to_json(&self) -> Zeroizing<String> {
        let secret = Zeroizing::new(hex::encode(self.0.to_bytes()));
        let file = SecretFile {
            format: "medzk-operator-key".into(),
            version: HEAD_FORMAT,
            secret: secret.to_string(),
            public: self.public().to_string(),
        };
        Zeroizing::new(serde_json::to_string_pretty(&file).expect("serializable"))
    }

    /// Reads a key file; the public key in it must match the secret.
    pub fn from_json(text: &str) -> Result<OperatorSecret, HeadError> {
        let bad = |why: &str| HeadError::Format(format!("operator key file: {why}"));
        let file: SecretFile = serde_json::from_str(text).map_err(|_| bad("not a medzk operator key"))?;
        if file.format != "medzk-operator-key" || file.version != HEAD_FORMAT {
            return Err(bad("not a medzk operator key of this version"));
        }
        let bytes = Zeroizing::new(hex::decode(&file.secret).map_err(|_| bad("the secret is not hex"))?);
        let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| bad("the secret is not 32 bytes"))?;
        let key = OperatorSecret(SigningKey::from_bytes(&bytes));
        if key.public().to_string() != file.public.trim_start_matches("0x") {
            return Err(bad("the public key does not match the secret"));
        }
        Ok(key)
    }
}

impl fmt::Debug for OperatorSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OperatorSecret(public {})", self.public())
    }
}

/// Signs the registry's latest checkpoint at time `now`, with the `tail` checkpoints
/// before it.
pub fn sign(
    registry: &Registry,
    name: &str,
    key: &OperatorSecret,
    tail: usize,
    now: i64,
) -> Result<SignedHead, RegistryError> {
    if name.is_empty() || name.len() > MAX_NAME_BYTES {
        return Err(RegistryError::Storage(format!("a registry name has 1 to {MAX_NAME_BYTES} bytes")));
    }
    let history = registry.history()?;
    ledger::verify_chain(&history)?;
    let keep = (tail + 1).min(MAX_HEAD_CHECKPOINTS).min(history.len());
    let checkpoints = history[history.len() - keep..].to_vec();
    let depth = registry.depth().bits();
    let head = checkpoints.last().expect("a ledger is never empty");
    let signature = key.0.sign(&head_message(name, depth, now, head));
    Ok(SignedHead {
        format: "medzk-signed-head".into(),
        version: HEAD_FORMAT,
        registry: name.to_string(),
        depth,
        signed_at: now,
        checkpoints,
        operator: key.public().to_string(),
        signature: hex::encode(signature.to_bytes()),
    })
}

//! Signed tree heads: a registry operator's Ed25519 signature over the latest checkpoint,
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

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use medzk_circuits::tree::Depth;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::{Checkpoint, Registry, RegistryError, ledger};

/// Domain tag of a signed head.
pub const HEAD_TAG: &[u8] = b"medzk/signed-head/v1\0";
/// Longest registry name, in bytes.
pub const MAX_NAME_BYTES: usize = 255;
/// Checkpoints a signed head carries at most (the tail of the ledger).
pub const MAX_HEAD_CHECKPOINTS: usize = 1024;
/// Version of the signed-head and operator-key files.
pub const HEAD_FORMAT: u32 = 1;

/// Why a signed head is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeadError {
    /// The file is not a signed head of this format.
    #[error("not a medzk signed head: {0}")]
    Format(String),
    /// Signed by another key than the pinned one.
    #[error("signed by operator {found}, not the pinned operator {pinned}")]
    OtherOperator {
        /// The pinned key.
        pinned: String,
        /// The key in the file.
        found: String,
    },
    /// The signature does not verify.
    #[error("the operator's signature does not verify")]
    BadSignature,
    /// The checkpoints do not chain.
    #[error("the checkpoints do not form a chain: {0}")]
    Chain(String),
    /// Signed too long ago (or in the future).
    #[error(
        "the signed head is {age_seconds} s old; at most {max_seconds} s is accepted (fetch a fresh one)"
    )]
    Stale {
        /// Its age.
        age_seconds: i64,
        /// The limit.
        max_seconds: i64,
    },
    /// For another registry.
    #[error("the head is for registry {found:?}, not {expected:?}")]
    OtherRegistry {
        /// Wanted.
        expected: String,
        /// In the file.
        found: String,
    },
}

/// An operator's public key, as 64 hex digits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct OperatorKey(pub VerifyingKey);

impl OperatorKey {
    /// Parses 64 hex digits (`0x` optional).
    pub fn from_hex(text: &str) -> Result<OperatorKey, HeadError> {
        let digits = text.trim();
        let digits = digits.strip_prefix("0x").unwrap_or(digits);
        let bytes: [u8; 32] = hex::decode(digits)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| HeadError::Format("an operator key is 64 hex digits".into()))?;
        VerifyingKey::from_bytes(&bytes)
            .map(OperatorKey)
            .map_err(|_| HeadError::Format("not an Ed25519 public key".into()))
    }
}

impl fmt::Display for OperatorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0.as_bytes()))
    }
}

impl fmt::Debug for OperatorKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OperatorKey({self})")
    }
}

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

/// A signed tree head with the ledger's tail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedHead {
    /// `"medzk-signed-head"`.
    pub format: String,
    /// [`HEAD_FORMAT`].
    pub version: u32,
    /// The registry's name (for example the health authority's registry id).
    pub registry: String,
    /// Tree depth in bits.
    pub depth: u8,
    /// When the operator signed (Unix seconds): how fresh the head is, whatever the age of
    /// the last change.
    pub signed_at: i64,
    /// The latest checkpoints, oldest first; the last one is signed.
    pub checkpoints: Vec<Checkpoint>,
    /// The operator's public key (hex).
    pub operator: String,
    /// The Ed25519 signature (hex).
    pub signature: String,
}

fn message(registry: &str, depth: u8, signed_at: i64, head: &Checkpoint) -> Vec<u8> {
    let mut m = HEAD_TAG.to_vec();
    m.push(registry.len() as u8);
    m.extend_from_slice(registry.as_bytes());
    m.push(depth);
    m.extend_from_slice(&signed_at.to_le_bytes());
    m.extend_from_slice(&head.to_bytes());
    m
}

impl SignedHead {
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
        let signature = key.0.sign(&message(name, depth, now, head));
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

    /// Parses a signed head (JSON, at most [`MAX_HEAD_CHECKPOINTS`] checkpoints) without
    /// trusting it; see [`verify`](SignedHead::verify).
    pub fn from_json(text: &str) -> Result<SignedHead, HeadError> {
        let head: SignedHead = serde_json::from_str(text).map_err(|e| HeadError::Format(e.to_string()))?;
        if head.format != "medzk-signed-head" || head.version != HEAD_FORMAT {
            return Err(HeadError::Format("another format or version".into()));
        }
        if head.checkpoints.is_empty() || head.checkpoints.len() > MAX_HEAD_CHECKPOINTS {
            return Err(HeadError::Format(format!("1 to {MAX_HEAD_CHECKPOINTS} checkpoints")));
        }
        Depth::new(head.depth).map_err(|e| HeadError::Format(e.to_string()))?;
        Ok(head)
    }

    /// The file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serializable")
    }

    /// Checks the signature under the pinned operator key, the chain, and (if given) the
    /// registry name; returns the checkpoints, oldest first.
    pub fn verify(&self, pinned: &OperatorKey, registry: Option<&str>) -> Result<&[Checkpoint], HeadError> {
        if self.operator.trim_start_matches("0x") != pinned.to_string() {
            return Err(HeadError::OtherOperator {
                pinned: pinned.to_string(),
                found: self.operator.clone(),
            });
        }
        if let Some(expected) = registry {
            if expected != self.registry {
                return Err(HeadError::OtherRegistry {
                    expected: expected.into(),
                    found: self.registry.clone(),
                });
            }
        }
        if self.registry.is_empty() || self.registry.len() > MAX_NAME_BYTES {
            return Err(HeadError::Format("bad registry name".into()));
        }
        for (i, c) in self.checkpoints.iter().enumerate() {
            if c.hash != c.compute_hash() {
                return Err(HeadError::Chain(format!("checkpoint {} has a wrong hash", c.seq)));
            }
            if i > 0 {
                let before = &self.checkpoints[i - 1];
                if c.previous != before.hash || c.seq != before.seq + 1 {
                    return Err(HeadError::Chain(format!(
                        "checkpoint {} does not follow {}",
                        c.seq, before.seq
                    )));
                }
            }
        }
        let head = self.checkpoints.last().ok_or_else(|| HeadError::Format("no checkpoint".into()))?;
        let bytes: [u8; 64] = hex::decode(&self.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| HeadError::Format("the signature is 128 hex digits".into()))?;
        pinned
            .0
            .verify_strict(
                &message(&self.registry, self.depth, self.signed_at, head),
                &Signature::from_bytes(&bytes),
            )
            .map_err(|_| HeadError::BadSignature)?;
        Ok(&self.checkpoints)
    }

    /// The roots to trust at `now` (see [`ledger::trusted_roots`]), after
    /// [`verify`](SignedHead::verify), from a head signed at most `max_head_age` seconds
    /// ago (and not in the future by more than that).
    pub fn trusted_roots(
        &self,
        pinned: &OperatorKey,
        registry: Option<&str>,
        now: i64,
        max_root_age: i64,
        max_head_age: i64,
    ) -> Result<Vec<medzk_circuits::field::Fr>, HeadError> {
        let checkpoints = self.verify(pinned, registry)?;
        let age = now.saturating_sub(self.signed_at);
        if age > max_head_age || -age > max_head_age {
            return Err(HeadError::Stale { age_seconds: age, max_seconds: max_head_age });
        }
        Ok(ledger::trusted_roots(checkpoints, now, max_root_age))
    }
}

//! Registry checkpoints and signed tree heads, as a verifier checks them: a registry
//! operator's Ed25519 signature over the latest checkpoint, with the recent checkpoints
//! that chain to it. A verifier pins the operator's public key and accepts roots only from
//! a signed head that verifies under it; the file works offline (a kiosk keeps the last
//! one it fetched). Signing is the registry's (`medzk-registry`); this module only reads
//! and checks, so it builds for wasm32 and the kiosk verifies heads itself.
//!
//! Each checkpoint records the root after one event and hashes the checkpoint before it,
//! so the roots form a tamper-evident chain. The signature covers
//! `"medzk/signed-head/v1\0"`, the registry's name (its length as one byte, then its
//! bytes), its depth, the signing time (Unix seconds, 8 bytes little endian) and the last
//! checkpoint's bytes. That checkpoint's hash commits to its root, size, time, event and
//! the previous checkpoint's hash, so the one signature authenticates every earlier
//! checkpoint in the file through the chain.
use std::fmt;

use ed25519_dalek::{Signature, VerifyingKey};
use medzk_circuits::field::{self, Fr};
use medzk_circuits::poseidon::Poseidon;
use medzk_circuits::tags;
use medzk_circuits::tree::Depth;
use serde::{Deserialize, Serialize};

/// Domain tag of a signed head.
pub const HEAD_TAG: &[u8] = b"medzk/signed-head/v1\0";
/// Longest registry name, in bytes.
pub const MAX_NAME_BYTES: usize = 255;
/// Checkpoints a signed head carries at most (the tail of the ledger).
pub const MAX_HEAD_CHECKPOINTS: usize = 1024;
/// Version of the signed-head and operator-key files.
pub const HEAD_FORMAT: u32 = 1;

/// What a checkpoint records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    /// The empty registry.
    Create,
    /// `count` leaves appended from index `first`.
    Append {
        /// First new index.
        first: u64,
        /// Number of leaves.
        count: u64,
    },
    /// A leaf emptied.
    Revoke {
        /// The revoked index.
        index: u64,
    },
}

impl Event {
    fn code(self) -> [u64; 3] {
        match self {
            Event::Create => [0, 0, 0],
            Event::Append { first, count } => [1, first, count],
            Event::Revoke { index } => [2, index, 0],
        }
    }

    fn from_code(code: [u64; 3]) -> Option<Event> {
        match code {
            [0, 0, 0] => Some(Event::Create),
            [1, first, count] => Some(Event::Append { first, count }),
            [2, index, 0] => Some(Event::Revoke { index }),
            _ => None,
        }
    }
}

/// One entry of the root ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Position in the ledger, from 0.
    pub seq: u64,
    /// The root after the event.
    #[serde(with = "field::serde_hex")]
    pub root: Fr,
    /// Leaves appended so far (revoked ones included).
    pub leaves: u64,
    /// Unix time of the event, in seconds.
    pub timestamp: i64,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
    /// Hash of the previous checkpoint (0 for the first).
    #[serde(with = "field::serde_hex")]
    pub previous: Fr,
    /// `Poseidon10(CHECKPOINT; previous, root, leaves, timestamp, seq, event…)`.
    #[serde(with = "field::serde_hex")]
    pub hash: Fr,
}

const CHECKPOINT_BYTES: usize = 8 + 32 + 8 + 8 + 24 + 32 + 32;

impl Checkpoint {
    /// A checkpoint with its hash computed.
    pub fn new(seq: u64, root: Fr, leaves: u64, timestamp: i64, event: Event, previous: Fr) -> Checkpoint {
        let mut c = Checkpoint { seq, root, leaves, timestamp, event, previous, hash: Fr::from(0u64) };
        c.hash = c.compute_hash();
        c
    }

    /// The hash this checkpoint should carry.
    pub fn compute_hash(&self) -> Fr {
        let [kind, a, b] = self.event.code();
        Poseidon::t10().hash(
            tags::CHECKPOINT,
            &[
                self.previous,
                self.root,
                Fr::from(self.leaves),
                Fr::from(self.timestamp),
                Fr::from(self.seq),
                Fr::from(kind),
                Fr::from(a),
                Fr::from(b),
            ],
        )
    }

    /// The stored and signed form (152 bytes).
    pub fn to_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(CHECKPOINT_BYTES);
        out.extend_from_slice(&self.seq.to_le_bytes());
        out.extend_from_slice(&field::to_bytes(&self.root));
        out.extend_from_slice(&self.leaves.to_le_bytes());
        out.extend_from_slice(&self.timestamp.to_le_bytes());
        for x in self.event.code() {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.extend_from_slice(&field::to_bytes(&self.previous));
        out.extend_from_slice(&field::to_bytes(&self.hash));
        out
    }

    /// Reads [`to_bytes`](Checkpoint::to_bytes)'s form; `None` for anything else.
    pub fn from_bytes(b: &[u8]) -> Option<Checkpoint> {
        if b.len() != CHECKPOINT_BYTES {
            return None;
        }
        let u = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        let f = |at: usize| field::from_bytes(&b[at..at + 32]).ok();
        Some(Checkpoint {
            seq: u(0),
            root: f(8)?,
            leaves: u(40),
            timestamp: u(48) as i64,
            event: Event::from_code([u(56), u(64), u(72)])?,
            previous: f(80)?,
            hash: f(112)?,
        })
    }
}

/// Roots to accept at time `now` from a chain: the latest root, and earlier ones at most
/// `max_age` seconds old, but none from before the latest revocation (those still
/// contain the revoked record).
pub fn trusted_roots(checkpoints: &[Checkpoint], now: i64, max_age: i64) -> Vec<Fr> {
    let mut roots = Vec::new();
    for (i, c) in checkpoints.iter().enumerate().rev() {
        let latest = i + 1 == checkpoints.len();
        if !latest && c.timestamp < now.saturating_sub(max_age) {
            break;
        }
        roots.push(c.root);
        if matches!(c.event, Event::Revoke { .. }) {
            break;
        }
    }
    roots
}

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

/// The bytes an operator signs for a head (see the module documentation).
pub fn head_message(registry: &str, depth: u8, signed_at: i64, head: &Checkpoint) -> Vec<u8> {
    let mut m = HEAD_TAG.to_vec();
    m.push(registry.len() as u8);
    m.extend_from_slice(registry.as_bytes());
    m.push(depth);
    m.extend_from_slice(&signed_at.to_le_bytes());
    m.extend_from_slice(&head.to_bytes());
    m
}

impl SignedHead {
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
                &head_message(&self.registry, self.depth, self.signed_at, head),
                &Signature::from_bytes(&bytes),
            )
            .map_err(|_| HeadError::BadSignature)?;
        Ok(&self.checkpoints)
    }

    /// The roots to trust at `now` (see [`trusted_roots`]), after
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
        Ok(trusted_roots(checkpoints, now, max_root_age))
    }
}

//! Verifying keys, typed by statement and identified by a SHA-256 key hash.
//!
//! Body: the arkworks key, compressed; for keys from a ceremony, then the byte `0x01` and
//! the 32-byte hash of the ceremony transcript the key was finalized from (see
//! docs/ceremony.md). The key hash covers both, so a verifier that pins a key hash also
//! pins the transcript; a key from the development setup has no transcript.

use std::fmt;

use ark_bls12_381::Bls12_381;
use ark_ec::AffineRepr;
use ark_groth16::PreparedVerifyingKey;
use ark_serialize::CanonicalSerialize;
use medzk_circuits::statement::{PUBLIC_INPUT_NAMES, StatementId};
use sha2::{Digest, Sha256};

use crate::envelope::{self, DecodeError, ObjectKind};
use crate::points;

/// The arkworks Groth16 verifying key over BLS12-381.
pub type Groth16VerifyingKey = ark_groth16::VerifyingKey<Bls12_381>;

/// Largest verifying-key body accepted.
pub const MAX_VERIFYING_KEY_BODY: usize = 4096;

/// A SHA-256 digest identifying a key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyHash(pub [u8; 32]);

impl fmt::Display for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// A key hash that is not 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a key hash is 64 hex digits (optionally after 0x)")]
pub struct KeyHashError;

impl std::str::FromStr for KeyHash {
    type Err = KeyHashError;

    /// Parses 64 hex digits, optionally after `0x`.
    fn from_str(s: &str) -> Result<KeyHash, KeyHashError> {
        let digits = s.strip_prefix("0x").unwrap_or(s);
        if digits.len() != 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(KeyHashError);
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16).map_err(|_| KeyHashError)?;
        }
        Ok(KeyHash(out))
    }
}

impl fmt::Debug for KeyHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeyHash({self})")
    }
}

/// Marks the transcript hash after the arkworks key in a key's encoding.
pub const TRANSCRIPT_MARKER: u8 = 1;

/// A verifying key for one statement. Its arkworks preparation (`e(α, β)` and the G2
/// points' Miller-loop lines) is computed on first use only: the blst path
/// ([`crate::pairing`]) never needs it.
#[derive(Clone)]
pub struct VerifyingKey {
    statement: StatementId,
    key: Groth16VerifyingKey,
    prepared: std::sync::OnceLock<PreparedVerifyingKey<Bls12_381>>,
    transcript: Option<KeyHash>,
    bytes: Vec<u8>,
    hash: KeyHash,
}

impl VerifyingKey {
    /// Wraps an arkworks key for `statement` (no ceremony transcript).
    pub fn new(statement: StatementId, key: Groth16VerifyingKey) -> Result<VerifyingKey, DecodeError> {
        VerifyingKey::with_transcript(statement, key, None)
    }

    /// Wraps an arkworks key for `statement`, finalized from the ceremony transcript with
    /// hash `transcript` (if any).
    pub fn with_transcript(
        statement: StatementId,
        key: Groth16VerifyingKey,
        transcript: Option<KeyHash>,
    ) -> Result<VerifyingKey, DecodeError> {
        if key.gamma_abc_g1.len() != PUBLIC_INPUT_NAMES.len() + 1 {
            return Err(DecodeError::Malformed("verifying key: wrong number of public inputs"));
        }
        if key.alpha_g1.is_zero() || key.beta_g2.is_zero() || key.gamma_g2.is_zero() || key.delta_g2.is_zero()
        {
            // With δ or γ the identity, anyone can make proofs that verify.
            return Err(DecodeError::Malformed("verifying key: identity in α, β, γ or δ"));
        }
        let mut body = Vec::new();
        key.serialize_compressed(&mut body).expect("serializing to memory succeeds");
        if let Some(t) = transcript {
            body.push(TRANSCRIPT_MARKER);
            body.extend_from_slice(&t.0);
        }
        let bytes = envelope::encode(ObjectKind::VerifyingKey, statement, &body);
        let hash = KeyHash(Sha256::digest(&bytes).into());
        Ok(VerifyingKey { statement, key, prepared: std::sync::OnceLock::new(), transcript, bytes, hash })
    }

    /// Decodes a verifying key, validating every point (on the curve, in the subgroup).
    pub fn from_bytes(bytes: &[u8]) -> Result<VerifyingKey, DecodeError> {
        let env = envelope::decode(bytes, ObjectKind::VerifyingKey, MAX_VERIFYING_KEY_BODY)?;
        let mut reader = env.body;
        let key =
            points::read_verifying_key(&mut reader).ok_or(DecodeError::InvalidPoint("verifying key"))?;
        let transcript = read_transcript(reader)?;
        let decoded = VerifyingKey::with_transcript(env.statement, key, transcript)?;
        if decoded.bytes != bytes {
            // Only the canonical encoding is accepted, so a key has exactly one hash.
            return Err(DecodeError::Malformed("verifying key: non-canonical encoding"));
        }
        Ok(decoded)
    }

    /// The hash of the ceremony transcript this key was finalized from (`None` for a
    /// development key).
    pub fn transcript(&self) -> Option<KeyHash> {
        self.transcript
    }

    /// The canonical encoding.
    pub fn to_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The statement this key verifies.
    pub fn statement(&self) -> StatementId {
        self.statement
    }

    /// SHA-256 of the canonical encoding.
    pub fn hash(&self) -> KeyHash {
        self.hash
    }

    /// The arkworks key.
    pub fn inner(&self) -> &Groth16VerifyingKey {
        &self.key
    }

    /// The key prepared for arkworks' verification (computed on first call).
    pub fn prepared(&self) -> &PreparedVerifyingKey<Bls12_381> {
        self.prepared.get_or_init(|| ark_groth16::prepare_verifying_key(&self.key))
    }
}

/// Reads what follows an arkworks key in a key's encoding: nothing, or the transcript
/// marker and hash.
pub fn read_transcript(rest: &[u8]) -> Result<Option<KeyHash>, DecodeError> {
    match rest {
        [] => Ok(None),
        [TRANSCRIPT_MARKER, hash @ ..] if hash.len() == 32 => {
            Ok(Some(KeyHash(hash.try_into().expect("32 bytes"))))
        }
        [TRANSCRIPT_MARKER, ..] => Err(DecodeError::Malformed("key: transcript hash")),
        _ => Err(DecodeError::TrailingBytes(rest.len())),
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey({}, {})", self.statement, self.hash)
    }
}

//! Verifying keys, typed by statement and identified by a SHA-256 key hash.

use std::fmt;

use ark_bls12_381::Bls12_381;
use ark_ec::AffineRepr;
use ark_groth16::PreparedVerifyingKey;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use medzk_circuits::statement::{PUBLIC_INPUT_NAMES, StatementId};
use sha2::{Digest, Sha256};

use crate::envelope::{self, DecodeError, ObjectKind};

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

/// A verifying key for one statement, prepared for verification.
#[derive(Clone)]
pub struct VerifyingKey {
    statement: StatementId,
    prepared: PreparedVerifyingKey<Bls12_381>,
    bytes: Vec<u8>,
    hash: KeyHash,
}

impl VerifyingKey {
    /// Wraps an arkworks key for `statement`.
    pub fn new(statement: StatementId, key: Groth16VerifyingKey) -> Result<VerifyingKey, DecodeError> {
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
        let bytes = envelope::encode(ObjectKind::VerifyingKey, statement, &body);
        let hash = KeyHash(Sha256::digest(&bytes).into());
        Ok(VerifyingKey { statement, prepared: ark_groth16::prepare_verifying_key(&key), bytes, hash })
    }

    /// Decodes a verifying key, validating every point (on the curve, in the subgroup).
    pub fn from_bytes(bytes: &[u8]) -> Result<VerifyingKey, DecodeError> {
        let env = envelope::decode(bytes, ObjectKind::VerifyingKey, MAX_VERIFYING_KEY_BODY)?;
        let mut reader = env.body;
        let key = Groth16VerifyingKey::deserialize_compressed(&mut reader)
            .map_err(|_| DecodeError::InvalidPoint("verifying key"))?;
        if !reader.is_empty() {
            return Err(DecodeError::TrailingBytes(reader.len()));
        }
        let decoded = VerifyingKey::new(env.statement, key)?;
        if decoded.bytes != bytes {
            // Only the canonical encoding is accepted, so a key has exactly one hash.
            return Err(DecodeError::Malformed("verifying key: non-canonical encoding"));
        }
        Ok(decoded)
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
        &self.prepared.vk
    }

    /// The prepared key.
    pub fn prepared(&self) -> &PreparedVerifyingKey<Bls12_381> {
        &self.prepared
    }
}

impl fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifyingKey({}, {})", self.statement, self.hash)
    }
}

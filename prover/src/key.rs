//! Proving keys: typed by statement, stored uncompressed behind a SHA-256 digest.
//!
//! Body layout: 32-byte SHA-256 of the payload, then the payload — the arkworks proving
//! key, uncompressed. Validating every point of a proving key costs seconds; a proving
//! key is the prover's own trusted file, so loading checks the digest (which catches
//! corruption and truncation) and then reads the points without curve and subgroup
//! checks. Verifying keys, which come from outside, are always fully validated.

use std::fmt;

use ark_bls12_381::Bls12_381;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use medzk_circuits::statement::StatementId;
use medzk_verifier::envelope::{self, DecodeError, ObjectKind};
use medzk_verifier::key::VerifyingKey;
use sha2::{Digest, Sha256};

/// The arkworks Groth16 proving key over BLS12-381.
pub type Groth16ProvingKey = ark_groth16::ProvingKey<Bls12_381>;

/// Largest proving-key body accepted (1 GiB).
pub const MAX_PROVING_KEY_BODY: usize = 1 << 30;

/// A proving key for one statement.
#[derive(Clone)]
pub struct ProvingKey {
    statement: StatementId,
    inner: Groth16ProvingKey,
    verifying_key: VerifyingKey,
}

impl ProvingKey {
    /// Wraps an arkworks key for `statement`.
    pub fn new(statement: StatementId, inner: Groth16ProvingKey) -> Result<ProvingKey, DecodeError> {
        let verifying_key = VerifyingKey::new(statement, inner.vk.clone())?;
        Ok(ProvingKey { statement, inner, verifying_key })
    }

    /// The encoding (uncompressed, with its digest).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut payload = Vec::with_capacity(self.inner.uncompressed_size());
        self.inner.serialize_uncompressed(&mut payload).expect("serializing to memory succeeds");
        let mut body = Vec::with_capacity(32 + payload.len());
        body.extend_from_slice(&Sha256::digest(&payload));
        body.extend_from_slice(&payload);
        envelope::encode(ObjectKind::ProvingKey, self.statement, &body)
    }

    /// Decodes a proving key after checking its digest (see the module docs).
    pub fn from_bytes(bytes: &[u8]) -> Result<ProvingKey, DecodeError> {
        let env = envelope::decode(bytes, ObjectKind::ProvingKey, MAX_PROVING_KEY_BODY)?;
        if env.body.len() < 32 {
            return Err(DecodeError::Truncated);
        }
        let (digest, payload) = env.body.split_at(32);
        if Sha256::digest(payload).as_slice() != digest {
            return Err(DecodeError::Integrity);
        }
        let mut reader = payload;
        // medzk-allow-unchecked: the payload matched its SHA-256 digest; the key is the
        // prover's own file, and skipping point validation is what makes loading fast.
        let inner = Groth16ProvingKey::deserialize_uncompressed_unchecked(&mut reader)
            .map_err(|_| DecodeError::Malformed("proving key"))?;
        if !reader.is_empty() {
            return Err(DecodeError::TrailingBytes(reader.len()));
        }
        ProvingKey::new(env.statement, inner)
    }

    /// The statement this key proves.
    pub fn statement(&self) -> StatementId {
        self.statement
    }

    /// The matching verifying key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        &self.verifying_key
    }

    /// The arkworks key.
    pub fn inner(&self) -> &Groth16ProvingKey {
        &self.inner
    }
}

impl fmt::Debug for ProvingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProvingKey({}, verifying key {})", self.statement, self.verifying_key.hash())
    }
}

//! Proving keys: typed by statement, stored uncompressed behind a SHA-256 digest.
//!
//! Body layout: 32-byte SHA-256 of the payload, then the payload — the arkworks proving
//! key, uncompressed, followed by the statement's circuit shape (its R1CS matrices, see
//! [`crate::shape`]) and, for a key from a ceremony, the byte `0x01` and the transcript
//! hash (the same as in its verifying key). Validating every point of a proving key costs seconds; a proving
//! key is the prover's own trusted file, so loading checks the digest (which catches
//! corruption and truncation) and then reads the points without curve and subgroup
//! checks. The stored shape spares the prover a synthesis of the circuit at start. The
//! query lengths are checked against the shape, so no key makes the prover index out of
//! range. Verifying keys, which come from outside, are always fully validated.
//!
//! A proving key that comes from someone else is accepted only for a verifying key whose
//! hash the caller pins ([`ProvingKey::from_bytes`]): the key's own verifying key must
//! have that hash, and the pair must pass the consistency checks of [`crate::key_check`]
//! (pairings, identities, the two B queries). The [`crate::Prover`] then verifies every
//! proof under that key before releasing it.

use std::fmt;
use std::sync::Arc;

use ark_bls12_381::Bls12_381;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};
use medzk_circuits::statement::StatementId;
use medzk_verifier::envelope::{self, DecodeError, ObjectKind};
use medzk_verifier::key::{KeyHash, TRANSCRIPT_MARKER, VerifyingKey, read_transcript};
use sha2::{Digest, Sha256};

use crate::ProveError;
use crate::key_check::{self, Inconsistency};
use crate::shape::CircuitShape;

/// The arkworks Groth16 proving key over BLS12-381.
pub type Groth16ProvingKey = ark_groth16::ProvingKey<Bls12_381>;

/// Checks that `pk`'s query lengths fit `shape` (so proving never indexes out of range).
pub fn check_sizes(pk: &Groth16ProvingKey, shape: &CircuitShape) -> Result<(), &'static str> {
    let n = shape.num_variables();
    let domain = (shape.num_constraints() + shape.num_instance()).next_power_of_two();
    let ok = pk.a_query.len() == n
        && pk.b_g1_query.len() == n
        && pk.b_g2_query.len() == n
        && pk.l_query.len() == shape.num_witness()
        && pk.vk.gamma_abc_g1.len() == shape.num_instance()
        && pk.h_query.len() + 1 == domain;
    ok.then_some(()).ok_or("proving key sizes do not match its circuit shape")
}

/// Largest proving-key body accepted (1 GiB).
pub const MAX_PROVING_KEY_BODY: usize = 1 << 30;

/// Why a proving key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The bytes are not a well-formed proving key.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The key's verifying key is not the pinned one.
    #[error("the proving key is for verifying key {found}, not the pinned {pinned}")]
    NotPinned {
        /// The hash the caller pinned.
        pinned: KeyHash,
        /// The hash of the key's own verifying key.
        found: KeyHash,
    },
    /// The key does not fit its verifying key (tampered with or damaged).
    #[error("the proving key does not match its verifying key ({0}): refusing to use it")]
    Inconsistent(Inconsistency),
}

/// A proving key for one statement.
#[derive(Clone)]
pub struct ProvingKey {
    statement: StatementId,
    inner: Arc<Groth16ProvingKey>,
    verifying_key: VerifyingKey,
    shape: Arc<CircuitShape>,
    /// Whether [`crate::key_check::check_all`] passed on this key (so a prover need not
    /// repeat its pairing check).
    checked: bool,
}

impl ProvingKey {
    /// Wraps an arkworks key for `statement` (synthesizes the circuit for its shape).
    pub fn new(statement: StatementId, inner: Groth16ProvingKey) -> Result<ProvingKey, ProveError> {
        let shape = CircuitShape::of(statement)?;
        ProvingKey::with_shape(statement, inner, shape).map_err(ProveError::synthesis)
    }

    /// Wraps an arkworks key and the shape of its circuit, checking that they fit.
    pub fn with_shape(
        statement: StatementId,
        inner: Groth16ProvingKey,
        shape: CircuitShape,
    ) -> Result<ProvingKey, DecodeError> {
        if shape.statement() != statement {
            return Err(DecodeError::Malformed("circuit shape of another statement"));
        }
        check_sizes(&inner, &shape).map_err(DecodeError::Malformed)?;
        let verifying_key = VerifyingKey::new(statement, inner.vk.clone())?;
        Ok(ProvingKey {
            statement,
            inner: Arc::new(inner),
            verifying_key,
            shape: Arc::new(shape),
            checked: false,
        })
    }

    /// The same key, finalized from the ceremony transcript with hash `transcript` (its
    /// verifying key records the hash too, so the key hash changes).
    pub fn with_transcript(self, transcript: KeyHash) -> Result<ProvingKey, DecodeError> {
        let verifying_key =
            VerifyingKey::with_transcript(self.statement, self.inner.vk.clone(), Some(transcript))?;
        Ok(ProvingKey { verifying_key, ..self })
    }

    /// The hash of the ceremony transcript this key was finalized from (`None` for a
    /// development key).
    pub fn transcript(&self) -> Option<KeyHash> {
        self.verifying_key.transcript()
    }

    /// The encoding (uncompressed, with its digest).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut payload = Vec::with_capacity(self.inner.uncompressed_size());
        self.inner.serialize_uncompressed(&mut payload).expect("serializing to memory succeeds");
        self.shape.encode(&mut payload);
        if let Some(t) = self.transcript() {
            payload.push(TRANSCRIPT_MARKER);
            payload.extend_from_slice(&t.0);
        }
        let mut body = Vec::with_capacity(32 + payload.len());
        body.extend_from_slice(&Sha256::digest(&payload));
        body.extend_from_slice(&payload);
        envelope::encode(ObjectKind::ProvingKey, self.statement, &body)
    }

    /// Decodes a proving key for the verifying key pinned by `pinned` (its hash, known to
    /// the caller from a trusted source): refuses a key whose verifying key has another
    /// hash, and one that fails the consistency checks of [`crate::key_check`].
    pub fn from_bytes(bytes: &[u8], pinned: &KeyHash) -> Result<ProvingKey, KeyError> {
        let key = ProvingKey::decode(bytes)?;
        let found = key.verifying_key.hash();
        if found != *pinned {
            return Err(KeyError::NotPinned { pinned: *pinned, found });
        }
        key_check::check_all(&key.inner, &key.shape, &mut rand::rngs::OsRng)
            .map_err(KeyError::Inconsistent)?;
        Ok(ProvingKey { checked: true, ..key })
    }

    /// Decodes a proving key after checking its digest only (see the module docs), with no
    /// pinned verifying key and no consistency checks: for keys this process made itself.
    pub fn decode_own(bytes: &[u8]) -> Result<ProvingKey, DecodeError> {
        ProvingKey::decode(bytes)
    }

    fn decode(bytes: &[u8]) -> Result<ProvingKey, DecodeError> {
        let env = envelope::decode(bytes, ObjectKind::ProvingKey, MAX_PROVING_KEY_BODY)?;
        if env.body.len() < 32 {
            return Err(DecodeError::Truncated);
        }
        let (digest, payload) = env.body.split_at(32);
        if Sha256::digest(payload).as_slice() != digest {
            return Err(DecodeError::Integrity);
        }
        let mut reader = payload;
        // medzk-allow-unchecked: skipping per-point validation is what makes loading fast;
        // a key from elsewhere is used only for a pinned verifying key after the checks of
        // `key_check`, and every proof is checked on the curve, in the subgroup and under
        // the pinned key before release (`Prover::check_release`).
        let inner = Groth16ProvingKey::deserialize_uncompressed_unchecked(&mut reader)
            .map_err(|_| DecodeError::Malformed("proving key"))?;
        let shape = CircuitShape::decode(env.statement, &mut reader)?;
        let transcript = read_transcript(reader)?;
        let key = ProvingKey::with_shape(env.statement, inner, shape)?;
        match transcript {
            Some(t) => key.with_transcript(t),
            None => Ok(key),
        }
    }

    /// Whether the key passed every consistency check ([`ProvingKey::from_bytes`]).
    pub fn is_checked(&self) -> bool {
        self.checked
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

    /// The circuit's R1CS shape.
    pub fn shape(&self) -> &CircuitShape {
        &self.shape
    }
}

impl fmt::Debug for ProvingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProvingKey({}, verifying key {})", self.statement, self.verifying_key.hash())
    }
}

//! The presentation: what a holder sends to a verifier.
//!
//! Body layout (292 bytes) after the envelope header:
//!
//! | bytes | field |
//! |---|---|
//! | 32 | hash of the verifying key the proof was made for |
//! | 192 | Groth16 proof, compressed points A (G1), B (G2), C (G1) |
//! | 32 | registry root (field element, little-endian) |
//! | 4 | today, signed day number, little-endian |
//! | 32 | nullifier (field element, little-endian) |
//!
//! The policy hash and the context are not sent: the verifier computes them.

use std::fmt;

use ark_bls12_381::Bls12_381;
use ark_serialize::CanonicalSerialize;
use medzk_circuits::date::Day;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::statement::StatementId;

use crate::envelope::{self, DecodeError, ObjectKind, Reader};
use crate::key::KeyHash;
use crate::points;

/// The arkworks Groth16 proof over BLS12-381.
pub type Proof = ark_groth16::Proof<Bls12_381>;

/// Size of a compressed proof.
pub const PROOF_BYTES: usize = 192;
/// Size of a presentation body.
pub const BODY_BYTES: usize = 32 + PROOF_BYTES + 32 + 4 + 32;
/// Size of an encoded presentation.
pub const PRESENTATION_BYTES: usize = envelope::HEADER_BYTES + BODY_BYTES;

/// A proof with the public values the verifier cannot compute itself.
#[derive(Clone, PartialEq)]
pub struct Presentation {
    /// The statement proven.
    pub statement: StatementId,
    /// Hash of the verifying key the proof was made for.
    pub key_hash: KeyHash,
    /// The proof.
    pub proof: Proof,
    /// The registry root the proof refers to.
    pub root: Fr,
    /// The prover's day.
    pub today: Day,
    /// The holder's nullifier in the policy's scope.
    pub nullifier: Fr,
}

impl Presentation {
    /// The encoding.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(BODY_BYTES);
        body.extend_from_slice(&self.key_hash.0);
        self.proof.serialize_compressed(&mut body).expect("serializing to memory succeeds");
        body.extend_from_slice(&field::to_bytes(&self.root));
        body.extend_from_slice(&self.today.0.to_le_bytes());
        body.extend_from_slice(&field::to_bytes(&self.nullifier));
        debug_assert_eq!(body.len(), BODY_BYTES);
        envelope::encode(ObjectKind::Presentation, self.statement, &body)
    }

    /// Decodes a presentation, validating the proof's points and the field elements.
    pub fn from_bytes(bytes: &[u8]) -> Result<Presentation, DecodeError> {
        let env = envelope::decode(bytes, ObjectKind::Presentation, BODY_BYTES)?;
        let mut r = Reader::new(env.body);
        let key_hash = KeyHash(r.array()?);
        let proof = points::read_proof(r.take(PROOF_BYTES)?).ok_or(DecodeError::InvalidPoint("proof"))?;
        let root = field::from_bytes(r.take(32)?).map_err(|_| DecodeError::NonCanonicalField("root"))?;
        let today = Day(i32::from_le_bytes(r.array()?));
        let nullifier =
            field::from_bytes(r.take(32)?).map_err(|_| DecodeError::NonCanonicalField("nullifier"))?;
        r.finish()?;
        Ok(Presentation { statement: env.statement, key_hash, proof, root, today, nullifier })
    }
}

impl fmt::Debug for Presentation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Presentation({}, {PRESENTATION_BYTES} bytes)", self.statement)
    }
}

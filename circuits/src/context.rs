//! The presentation context: a challenge that binds a proof to one verifier, one
//! session (nonce), one statement, one policy and one day.
//!
//! The caller owns the transcript: both sides start it with the same label (medzk's
//! applications use [`TRANSCRIPT_LABEL`]) and may append their own data first, such as
//! a channel binding; [`TranscriptProtocol::medzk_context`] appends medzk's labelled
//! fields and squeezes 64 bytes, reduced to a field element (statistically uniform).

use merlin::Transcript;

use crate::date::Day;
use crate::field::{self, Fr};
use crate::statement::StatementId;

/// The transcript label medzk's CLI and bindings start presentations with.
pub const TRANSCRIPT_LABEL: &[u8] = b"medzk presentation v1";
/// Longest verifier id, in bytes.
pub const MAX_VERIFIER_ID_BYTES: usize = 256;
/// Nonce length bounds, in bytes.
pub const NONCE_BYTES: std::ops::RangeInclusive<usize> = 8..=64;

/// Who asks and for which session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Session<'a> {
    /// The verifier's public identifier (for example `border:NO:OSL`).
    pub verifier_id: &'a str,
    /// A fresh random nonce chosen by the verifier for this session.
    pub nonce: &'a [u8],
}

/// A session whose fields are out of bounds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// Empty or too long verifier id.
    #[error("the verifier id has 1 to {MAX_VERIFIER_ID_BYTES} bytes")]
    VerifierId,
    /// Nonce too short or too long.
    #[error("the nonce has 8 to 64 bytes")]
    Nonce,
}

impl Session<'_> {
    /// Checks the bounds of the verifier id and nonce.
    pub fn validate(&self) -> Result<(), SessionError> {
        if self.verifier_id.is_empty() || self.verifier_id.len() > MAX_VERIFIER_ID_BYTES {
            return Err(SessionError::VerifierId);
        }
        if !NONCE_BYTES.contains(&self.nonce.len()) {
            return Err(SessionError::Nonce);
        }
        Ok(())
    }
}

/// medzk's messages on a merlin transcript.
pub trait TranscriptProtocol {
    /// Appends the session, statement, policy hash and day, and returns the context.
    fn medzk_context(
        &mut self,
        session: &Session<'_>,
        statement: StatementId,
        policy_hash: &Fr,
        today: Day,
    ) -> Fr;
}

impl TranscriptProtocol for Transcript {
    fn medzk_context(
        &mut self,
        session: &Session<'_>,
        statement: StatementId,
        policy_hash: &Fr,
        today: Day,
    ) -> Fr {
        use ark_ff::PrimeField;
        self.append_message(b"dom-sep", b"medzk context v1");
        self.append_message(b"statement", &statement.to_bytes());
        self.append_message(b"verifier", session.verifier_id.as_bytes());
        self.append_message(b"nonce", session.nonce);
        self.append_message(b"policy", &field::to_bytes(policy_hash));
        self.append_u64(b"today", today.0 as i64 as u64);
        let mut wide = [0u8; 64];
        self.challenge_bytes(b"context", &mut wide);
        // 512 uniformly random bits reduced mod r: a statistically uniform field element.
        // medzk-allow-mod-order: transcript output, not untrusted input.
        Fr::from_le_bytes_mod_order(&wide)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::Depth;

    fn context(verifier: &str, nonce: &[u8], day: i32) -> Fr {
        let mut t = Transcript::new(TRANSCRIPT_LABEL);
        t.medzk_context(
            &Session { verifier_id: verifier, nonce },
            StatementId::vaccination(Depth::default()),
            &Fr::from(5u64),
            Day(day),
        )
    }

    #[test]
    fn every_field_changes_the_context() {
        let base = context("border:NO", b"nonce-0001", 20_000);
        assert_eq!(base, context("border:NO", b"nonce-0001", 20_000));
        assert_ne!(base, context("border:SE", b"nonce-0001", 20_000));
        assert_ne!(base, context("border:NO", b"nonce-0002", 20_000));
        assert_ne!(base, context("border:NO", b"nonce-0001", 20_001));
        let mut other = Transcript::new(b"another application");
        let ctx = other.medzk_context(
            &Session { verifier_id: "border:NO", nonce: b"nonce-0001" },
            StatementId::vaccination(Depth::default()),
            &Fr::from(5u64),
            Day(20_000),
        );
        assert_ne!(base, ctx);
    }

    #[test]
    fn session_bounds() {
        assert!(Session { verifier_id: "v", nonce: &[0; 8] }.validate().is_ok());
        assert_eq!(Session { verifier_id: "", nonce: &[0; 8] }.validate(), Err(SessionError::VerifierId));
        assert_eq!(Session { verifier_id: "v", nonce: &[0; 7] }.validate(), Err(SessionError::Nonce));
        assert_eq!(Session { verifier_id: "v", nonce: &[0; 65] }.validate(), Err(SessionError::Nonce));
    }
}

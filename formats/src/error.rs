//! Typed errors: each names the decoding step that failed.

use std::fmt;

use serde::Serialize;

/// A step of reading a credential, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Recognising the input's form (QR text, JWS, file, `HC1:`, JSON bundle).
    Input,
    /// QR text: `shc:/` numeric mode and its chunks.
    Qr,
    /// Base64url (JWS parts, JWK coordinates, certificates).
    Base64,
    /// Base45 (`HC1:` text).
    Base45,
    /// DEFLATE or zlib decompression.
    Inflate,
    /// JSON (JWS header and payload, FHIR, key files).
    Json,
    /// The JWS structure and header (`alg`, `zip`, `kid`).
    Jws,
    /// CBOR (CWT claims, DCC payload).
    Cbor,
    /// The COSE_Sign1 structure and its headers.
    Cose,
    /// A key or certificate from a key file or trust list.
    Key,
    /// The signature itself.
    Signature,
    /// Validity times (`nbf`, `exp`, certificate validity).
    Validity,
    /// The issuer's revocation list.
    Revocation,
    /// The FHIR content (resource shape, dates, codes).
    Fhir,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Step::Input => "input",
            Step::Qr => "QR text",
            Step::Base64 => "base64url",
            Step::Base45 => "Base45",
            Step::Inflate => "decompression",
            Step::Json => "JSON",
            Step::Jws => "JWS",
            Step::Cbor => "CBOR",
            Step::Cose => "COSE",
            Step::Key => "key",
            Step::Signature => "signature",
            Step::Validity => "validity",
            Step::Revocation => "revocation",
            Step::Fhir => "FHIR",
        };
        f.write_str(name)
    }
}

/// Why a credential or bundle was not read. Messages name the step and never include
/// the credential's health content.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FormatError {
    /// The bytes are not what this step expects.
    #[error("{step}: {detail}")]
    Malformed {
        /// The step.
        step: Step,
        /// What was wrong.
        detail: String,
    },
    /// The input, or what it decompresses to, is larger than the step allows.
    #[error("{step}: larger than {limit} bytes (refused before reading further)")]
    TooLarge {
        /// The step.
        step: Step,
        /// The limit in bytes.
        limit: usize,
    },
    /// A form this crate does not read (an algorithm, a compression).
    #[error("{step}: unsupported {detail}")]
    Unsupported {
        /// The step.
        step: Step,
        /// What.
        detail: String,
    },
    /// No trusted key has the credential's key id.
    #[error("key: no trusted key with key id {kid} (for issuer {issuer})")]
    UnknownKey {
        /// The key id (base64url for SHC, base64 for DCC).
        kid: String,
        /// The issuer the credential names.
        issuer: String,
    },
    /// The signature does not verify under the key its key id names.
    #[error(
        "signature: does not verify under key {kid}: the credential was changed or signed by another key"
    )]
    BadSignature {
        /// The key id.
        kid: String,
    },
    /// Past its expiry (a credential's `exp`, a signer certificate's validity).
    #[error("validity: {what} expired at {at} (checked at {now})")]
    Expired {
        /// What expired.
        what: String,
        /// When (RFC 3339).
        at: String,
        /// The clock used (RFC 3339).
        now: String,
    },
    /// Not valid yet (`nbf` in the future, a certificate not yet valid).
    #[error("validity: {what} is not valid before {at} (checked at {now})")]
    NotYetValid {
        /// What.
        what: String,
        /// From when (RFC 3339).
        at: String,
        /// The clock used (RFC 3339).
        now: String,
    },
    /// On the issuer's revocation list.
    #[error("revocation: the issuer has revoked this card (rid {rid})")]
    Revoked {
        /// The card's revocation id.
        rid: String,
    },
}

impl FormatError {
    /// The step that failed.
    pub fn step(&self) -> Step {
        match self {
            FormatError::Malformed { step, .. }
            | FormatError::TooLarge { step, .. }
            | FormatError::Unsupported { step, .. } => *step,
            FormatError::UnknownKey { .. } => Step::Key,
            FormatError::BadSignature { .. } => Step::Signature,
            FormatError::Expired { .. } | FormatError::NotYetValid { .. } => Step::Validity,
            FormatError::Revoked { .. } => Step::Revocation,
        }
    }

    pub(crate) fn malformed(step: Step, detail: impl Into<String>) -> FormatError {
        FormatError::Malformed { step, detail: detail.into() }
    }
}

/// Shorthand.
pub type Result<T> = std::result::Result<T, FormatError>;

//! The versioned binary envelope in front of every serialized medzk object.
//!
//! ```text
//! offset  size  field
//!      0     4  magic "MDZK"
//!      4     1  format version (1)
//!      5     1  object kind (1 verifying key, 2 proving key, 3 presentation)
//!      6     6  statement id (kind, version, depth, records, clauses, groups)
//!     12     4  body length, little-endian u32
//!     16     n  body
//! ```
//! Decoding checks every field and requires the body length to match the remaining
//! bytes exactly: truncated input and trailing bytes are both rejected.

use medzk_circuits::statement::{STATEMENT_ID_BYTES, StatementId, StatementIdError};

/// First four bytes of every object.
pub const MAGIC: [u8; 4] = *b"MDZK";
/// Envelope format version.
pub const FORMAT_VERSION: u8 = 1;
/// Bytes before the body.
pub const HEADER_BYTES: usize = 16;

/// What an envelope holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectKind {
    /// A verifying key.
    VerifyingKey = 1,
    /// A proving key.
    ProvingKey = 2,
    /// A presentation (proof and public values).
    Presentation = 3,
}

impl ObjectKind {
    fn from_byte(b: u8) -> Option<ObjectKind> {
        match b {
            1 => Some(ObjectKind::VerifyingKey),
            2 => Some(ObjectKind::ProvingKey),
            3 => Some(ObjectKind::Presentation),
            _ => None,
        }
    }
}

/// Why bytes are not a well-formed medzk object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// Fewer bytes than the header or the declared body.
    #[error("truncated input")]
    Truncated,
    /// Bytes after the declared body.
    #[error("{0} trailing byte(s) after the object")]
    TrailingBytes(usize),
    /// Not a medzk object.
    #[error("not a medzk object (bad magic bytes)")]
    BadMagic,
    /// An envelope version this build does not read.
    #[error("unsupported format version {0}")]
    UnsupportedVersion(u8),
    /// Unknown object kind byte.
    #[error("unknown object kind {0}")]
    UnknownKind(u8),
    /// Another kind of object than expected.
    #[error("expected a {expected:?}, found a {found:?}")]
    WrongKind {
        /// Expected kind.
        expected: ObjectKind,
        /// Kind found.
        found: ObjectKind,
    },
    /// Invalid statement id.
    #[error("invalid statement id: {0}")]
    Statement(#[from] StatementIdError),
    /// A body larger than this object may be.
    #[error("object body of {0} bytes exceeds the limit")]
    TooLarge(usize),
    /// A curve point that is malformed, off the curve or outside the prime-order subgroup.
    #[error("invalid curve point in {0}")]
    InvalidPoint(&'static str),
    /// A field element at or above the modulus.
    #[error("non-canonical field element in {0}")]
    NonCanonicalField(&'static str),
    /// A body whose layout is wrong for its kind.
    #[error("malformed {0}")]
    Malformed(&'static str),
    /// The body does not match the digest in its header (corrupted file).
    #[error("integrity check failed: the object's digest does not match")]
    Integrity,
}

/// A decoded envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Envelope<'a> {
    /// The object kind.
    pub kind: ObjectKind,
    /// The statement it belongs to.
    pub statement: StatementId,
    /// The body.
    pub body: &'a [u8],
}

/// Wraps `body` in an envelope.
pub fn encode(kind: ObjectKind, statement: StatementId, body: &[u8]) -> Vec<u8> {
    let len = u32::try_from(body.len()).expect("objects are below 4 GiB");
    let mut out = Vec::with_capacity(HEADER_BYTES + body.len());
    out.extend_from_slice(&MAGIC);
    out.push(FORMAT_VERSION);
    out.push(kind as u8);
    out.extend_from_slice(&statement.to_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// Decodes an envelope of the `expected` kind whose body is at most `max_body` bytes.
pub fn decode(bytes: &[u8], expected: ObjectKind, max_body: usize) -> Result<Envelope<'_>, DecodeError> {
    if bytes.len() < HEADER_BYTES {
        return Err(if bytes.len() >= 4 && bytes[..4] != MAGIC {
            DecodeError::BadMagic
        } else {
            DecodeError::Truncated
        });
    }
    if bytes[..4] != MAGIC {
        return Err(DecodeError::BadMagic);
    }
    if bytes[4] != FORMAT_VERSION {
        return Err(DecodeError::UnsupportedVersion(bytes[4]));
    }
    let kind = ObjectKind::from_byte(bytes[5]).ok_or(DecodeError::UnknownKind(bytes[5]))?;
    if kind != expected {
        return Err(DecodeError::WrongKind { expected, found: kind });
    }
    let mut id = [0u8; STATEMENT_ID_BYTES];
    id.copy_from_slice(&bytes[6..12]);
    let statement = StatementId::from_bytes(id)?;
    let len = u32::from_le_bytes([bytes[12], bytes[13], bytes[14], bytes[15]]) as usize;
    if len > max_body {
        return Err(DecodeError::TooLarge(len));
    }
    let rest = &bytes[HEADER_BYTES..];
    if rest.len() < len {
        return Err(DecodeError::Truncated);
    }
    if rest.len() > len {
        return Err(DecodeError::TrailingBytes(rest.len() - len));
    }
    Ok(Envelope { kind, statement, body: rest })
}

/// A cursor over a body that reports truncation as [`DecodeError::Truncated`].
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.bytes.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    pub(crate) fn finish(self) -> Result<(), DecodeError> {
        if self.bytes.is_empty() { Ok(()) } else { Err(DecodeError::TrailingBytes(self.bytes.len())) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use medzk_circuits::tree::Depth;

    fn id() -> StatementId {
        StatementId::vaccination(Depth::default())
    }

    #[test]
    fn round_trip_and_every_header_error() {
        let bytes = encode(ObjectKind::Presentation, id(), b"hello");
        let env = decode(&bytes, ObjectKind::Presentation, 16).unwrap();
        assert_eq!(env.body, b"hello");
        assert_eq!(env.statement, id());
        assert_eq!(
            decode(&bytes, ObjectKind::VerifyingKey, 16).unwrap_err(),
            DecodeError::WrongKind { expected: ObjectKind::VerifyingKey, found: ObjectKind::Presentation }
        );
        assert_eq!(decode(&bytes, ObjectKind::Presentation, 4).unwrap_err(), DecodeError::TooLarge(5));
        assert_eq!(
            decode(&bytes[..bytes.len() - 1], ObjectKind::Presentation, 16).unwrap_err(),
            DecodeError::Truncated
        );
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer, ObjectKind::Presentation, 16).unwrap_err(), DecodeError::TrailingBytes(1));
        let mut bad = bytes.clone();
        bad[0] = b'X';
        assert_eq!(decode(&bad, ObjectKind::Presentation, 16).unwrap_err(), DecodeError::BadMagic);
        let mut bad = bytes.clone();
        bad[4] = 9;
        assert_eq!(
            decode(&bad, ObjectKind::Presentation, 16).unwrap_err(),
            DecodeError::UnsupportedVersion(9)
        );
        let mut bad = bytes.clone();
        bad[5] = 0;
        assert_eq!(decode(&bad, ObjectKind::Presentation, 16).unwrap_err(), DecodeError::UnknownKind(0));
        let mut bad = bytes.clone();
        bad[6] = 7;
        assert!(matches!(decode(&bad, ObjectKind::Presentation, 16), Err(DecodeError::Statement(_))));
        for n in 0..HEADER_BYTES {
            assert!(decode(&bytes[..n], ObjectKind::Presentation, 16).is_err());
        }
    }
}

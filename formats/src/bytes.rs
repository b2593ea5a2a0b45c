//! Bounded decoding helpers shared by the formats: decompression with a ceiling,
//! base64url, and times.

use std::io::Read;

use base64::Engine as _;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{FormatError, Result, Step};

/// Largest text accepted as one credential (QR text, JWS, `HC1:`), in bytes. A QR code
/// holds at most 4,296 alphanumeric or 7,089 numeric characters; a `.smart-health-card`
/// file may hold several cards.
pub const MAX_CREDENTIAL_TEXT: usize = 1 << 20;

/// Largest decompressed payload (a JWS payload, a COSE message), in bytes: far above any
/// real card (a QR holds under 3 KB), far below what a decompression bomb would reach.
pub const MAX_INFLATED: usize = 1 << 20;

/// Decompresses raw DEFLATE (SHC `zip: "DEF"`), refusing more than `limit` bytes.
pub fn inflate_raw(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    read_bounded(flate2::read::DeflateDecoder::new(data), limit)
}

/// Decompresses a zlib stream (DCC), refusing more than `limit` bytes.
pub fn inflate_zlib(data: &[u8], limit: usize) -> Result<Vec<u8>> {
    read_bounded(flate2::read::ZlibDecoder::new(data), limit)
}

fn read_bounded(reader: impl Read, limit: usize) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| FormatError::malformed(Step::Inflate, format!("not a valid compressed stream ({e})")))?;
    if out.len() > limit {
        return Err(FormatError::TooLarge { step: Step::Inflate, limit });
    }
    Ok(out)
}

/// Base64url without padding (JWS, JWK), also accepting padding.
pub fn base64url(text: &str, what: &str) -> Result<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|e| FormatError::malformed(Step::Base64, format!("{what} is not base64url ({e})")))
}

/// Standard base64 with padding (certificates, trust lists, DCC key ids).
pub fn base64_standard(text: &str, what: &str) -> Result<Vec<u8>> {
    let clean: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|e| FormatError::malformed(Step::Base64, format!("{what} is not base64 ({e})")))
}

/// Base64url of `bytes`, no padding.
pub fn to_base64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Standard base64 of `bytes`.
pub fn to_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A Unix time as RFC 3339 (UTC), for messages.
pub fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| format!("unix time {unix}"))
}

/// Checks that `text` is at most [`MAX_CREDENTIAL_TEXT`] bytes.
pub fn check_text_size(text: &str) -> Result<()> {
    if text.len() > MAX_CREDENTIAL_TEXT {
        return Err(FormatError::TooLarge { step: Step::Input, limit: MAX_CREDENTIAL_TEXT });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn inflate_refuses_a_bomb_at_the_limit() {
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&vec![0u8; 4 << 20]).unwrap();
        let bomb = enc.finish().unwrap();
        assert!(bomb.len() < 8 << 10);
        assert_eq!(
            inflate_raw(&bomb, MAX_INFLATED),
            Err(FormatError::TooLarge { step: Step::Inflate, limit: MAX_INFLATED })
        );
        assert_eq!(inflate_raw(&bomb, 8 << 20).unwrap().len(), 4 << 20);
    }

    #[test]
    fn inflate_names_a_broken_stream() {
        let err = inflate_zlib(b"\x78\x9c\xff\xff\xff", 1024).unwrap_err();
        assert_eq!(err.step(), Step::Inflate);
        assert_eq!(inflate_raw(b"", 10).unwrap_err().step(), Step::Inflate);
    }
}

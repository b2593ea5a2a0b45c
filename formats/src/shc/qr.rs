//! SMART Health Card QR text: `shc:/` then two decimal digits per JWS character
//! (character code − 45); a long JWS split over chunks `shc:/i/n/…`.

use crate::error::{FormatError, Result, Step};

/// Most chunks a card may be split into (the specification allows at most 3 for
/// current cards; older ones used up to 10).
pub const MAX_CHUNKS: usize = 10;

fn bad(detail: impl Into<String>) -> FormatError {
    FormatError::malformed(Step::Qr, detail)
}

/// The JWS of one or more QR texts (the chunks of one card, in any order).
pub fn decode(texts: &[&str]) -> Result<String> {
    let mut chunks: Vec<Option<String>> = Vec::new();
    let mut total: Option<usize> = None;
    for raw in texts {
        let text = raw.trim();
        let rest = text
            .strip_prefix("shc:/")
            .or_else(|| text.strip_prefix("SHC:/"))
            .ok_or_else(|| bad("QR text does not start with shc:/"))?;
        let (index, count, digits) = match rest.split('/').collect::<Vec<_>>().as_slice() {
            [digits] => (1, 1, *digits),
            [i, n, digits] => (number(i)?, number(n)?, *digits),
            _ => return Err(bad("expected shc:/DIGITS or shc:/INDEX/COUNT/DIGITS")),
        };
        if count == 0 || count > MAX_CHUNKS || index == 0 || index > count {
            return Err(bad(format!("chunk {index} of {count} (at most {MAX_CHUNKS} chunks)")));
        }
        match total {
            None => {
                total = Some(count);
                chunks = vec![None; count];
            }
            Some(t) if t != count => {
                return Err(bad(format!("chunks disagree on their count ({t} and {count})")));
            }
            Some(_) => {}
        }
        if chunks[index - 1].is_some() {
            return Err(bad(format!("chunk {index} given twice")));
        }
        chunks[index - 1] = Some(numeric(digits)?);
    }
    let total = total.ok_or_else(|| bad("no QR text"))?;
    let missing: Vec<String> =
        chunks.iter().enumerate().filter(|(_, c)| c.is_none()).map(|(i, _)| (i + 1).to_string()).collect();
    if !missing.is_empty() {
        return Err(bad(format!("chunk(s) {} of {total} missing", missing.join(", "))));
    }
    Ok(chunks.into_iter().flatten().collect())
}

fn number(s: &str) -> Result<usize> {
    if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(format!("{s:?} is not a chunk number")));
    }
    s.parse().map_err(|_| bad(format!("{s:?} is not a chunk number")))
}

/// Numeric mode: each pair of digits is one character, `45 + value`.
fn numeric(digits: &str) -> Result<String> {
    let b = digits.as_bytes();
    if b.is_empty() || b.len() % 2 != 0 {
        return Err(bad("numeric QR data must be a non-empty, even number of digits"));
    }
    let mut out = String::with_capacity(b.len() / 2);
    for (i, pair) in b.chunks(2).enumerate() {
        if !pair.iter().all(u8::is_ascii_digit) {
            return Err(bad(format!("non-digit at position {}", 2 * i)));
        }
        let v = (pair[0] - b'0') * 10 + (pair[1] - b'0');
        if v > 77 {
            return Err(bad(format!("pair {v} at position {} is outside 00–77", 2 * i)));
        }
        out.push((v + 45) as char);
    }
    Ok(out)
}

/// The QR text of a JWS, in `chunks` parts of balanced length (1 for one QR code).
pub fn encode(jws: &str, chunks: usize) -> Vec<String> {
    let digits: String = jws.bytes().map(|c| format!("{:02}", c.saturating_sub(45))).collect();
    if chunks <= 1 {
        return vec![format!("shc:/{digits}")];
    }
    let per = jws.len().div_ceil(chunks) * 2;
    digits
        .as_bytes()
        .chunks(per)
        .enumerate()
        .map(|(i, part)| format!("shc:/{}/{chunks}/{}", i + 1, String::from_utf8_lossy(part)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_single_and_chunked_in_any_order() {
        let jws = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln-_";
        let one = encode(jws, 1);
        assert_eq!(decode(&[&one[0]]).unwrap(), jws);
        let three = encode(jws, 3);
        assert_eq!(three.len(), 3);
        assert!(three[1].starts_with("shc:/2/3/"));
        assert_eq!(decode(&[&three[2], &three[0], &three[1]]).unwrap(), jws);
    }

    #[test]
    fn refuses_malformed_qr_text() {
        let three = encode("abcdefghij.klmnop.qrstu", 3);
        let cases: Vec<Vec<&str>> = vec![
            vec![],
            vec!["shc:/"],
            vec!["shc:/123"],
            vec!["shc:/7a"],
            vec!["shc:/99"],
            vec!["http://x"],
            vec!["shc:/1/2/3/4"],
            vec!["shc:/0/2/00"],
            vec!["shc:/3/2/00"],
            vec!["shc:/1/99/00"],
            vec![&three[0], &three[1]],
            vec![&three[0], &three[0], &three[1]],
            vec![&three[0], "shc:/2/2/00", &three[2]],
        ];
        for case in cases {
            assert_eq!(decode(&case).unwrap_err().step(), Step::Qr, "{case:?}");
        }
    }
}

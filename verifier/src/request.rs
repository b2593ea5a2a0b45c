//! What travels by QR code between a kiosk and a wallet: the verifier's *request* (who
//! asks, its nonce and date, which policy and key) and the holder's *presentation*.
//!
//! Both are binary, then Base45 (the QR alphanumeric alphabet, as EU DCCs use) behind a
//! versioned prefix: `MZQ1:` for a request, `MZP1:` for a presentation. Request layout
//! (version 1, little-endian):
//!
//! | bytes | field |
//! |---|---|
//! | 1 | format version (1) |
//! | 6 | statement id ([`StatementId::to_bytes`]) |
//! | 32 | verifying-key hash |
//! | 32 | policy hash (field element, canonical) |
//! | 4 | the verifier's day (signed day number) |
//! | 2 | version 2 only: the verifier's minute of that day, UTC (0–1439) |
//! | 1 + n | nonce (n = 8–64) |
//! | 1 + n | verifier id (UTF-8, n = 1–255) |
//! | 2 + n | where to fetch the policy (UTF-8 URL, n = 0–512; 0: none) |
//!
//! Version 2 differs only by the minute: a verifier whose policy has hour windows
//! (`time_within`) sends it, and the wallet proves for the policy set to that minute; a
//! request without a minute stays version 1, byte for byte.
//!
//! A wallet never trusts the request's policy hash or key hash blindly: it proves only
//! for a policy it holds whose hash is the request's, with a key pinned to the request's
//! key hash, and the verifier checks everything against its own policy, clock and nonce.

use ark_ff::{BigInteger, PrimeField};
use medzk_circuits::clock::{Clock, MINUTES_PER_DAY, Minute};
use medzk_circuits::context::{NONCE_BYTES, Session};
use medzk_circuits::date::Day;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::statement::{STATEMENT_ID_BYTES, StatementId};

use crate::key::KeyHash;
use crate::presentation::{PRESENTATION_BYTES, Presentation};

/// Prefix of a request's QR text.
pub const REQUEST_PREFIX: &str = "MZQ1:";
/// Prefix of a presentation's QR text.
pub const PRESENTATION_PREFIX: &str = "MZP1:";
/// Request format version without a minute.
pub const REQUEST_VERSION: u8 = 1;
/// Request format version with the verifier's minute.
pub const REQUEST_VERSION_MINUTE: u8 = 2;
/// Longest policy URL.
pub const MAX_POLICY_URL_BYTES: usize = 512;
/// Longest verifier id in a request (the session allows more; a QR should not).
pub const MAX_REQUEST_VERIFIER_ID_BYTES: usize = 255;

/// A verifier's request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The statement the verifier checks.
    pub statement: StatementId,
    /// The hash of its verifying key.
    pub vk_hash: KeyHash,
    /// The hash of its policy (for a policy with hour windows, the template's: the wallet
    /// sets it to `clock`'s minute).
    pub policy_hash: Fr,
    /// Its date, and its minute where its policy has hour windows.
    pub clock: Clock,
    /// Its session nonce.
    pub nonce: Vec<u8>,
    /// Its id.
    pub verifier_id: String,
    /// Where the policy document can be fetched, if it says.
    pub policy_url: Option<String>,
}

/// Why QR text is not a request or presentation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QrTextError {
    /// Another prefix (another kind of QR code, or another version).
    #[error("not a medzk {0} QR code (expected text starting {1})")]
    Prefix(&'static str, &'static str),
    /// Not Base45.
    #[error("the QR text is not Base45")]
    Base45,
    /// Too short, too long, or a field out of bounds.
    #[error("malformed request: {0}")]
    Malformed(&'static str),
    /// Not a presentation.
    #[error("malformed presentation: {0}")]
    Presentation(String),
}

fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Result<&'a [u8], QrTextError> {
    if bytes.len() < n {
        return Err(QrTextError::Malformed("truncated"));
    }
    let (head, rest) = bytes.split_at(n);
    *bytes = rest;
    Ok(head)
}

impl Request {
    /// The session the request opens.
    pub fn session(&self) -> Session<'_> {
        Session { verifier_id: &self.verifier_id, nonce: &self.nonce }
    }

    /// Binary form.
    pub fn to_bytes(&self) -> Result<Vec<u8>, QrTextError> {
        if !NONCE_BYTES.contains(&self.nonce.len()) {
            return Err(QrTextError::Malformed("the nonce has 8 to 64 bytes"));
        }
        if self.verifier_id.is_empty() || self.verifier_id.len() > MAX_REQUEST_VERIFIER_ID_BYTES {
            return Err(QrTextError::Malformed("the verifier id has 1 to 255 bytes"));
        }
        let url = self.policy_url.as_deref().unwrap_or("");
        if url.len() > MAX_POLICY_URL_BYTES {
            return Err(QrTextError::Malformed("the policy URL has at most 512 bytes"));
        }
        let minute = self.clock.minute();
        let mut out = vec![if minute.is_some() { REQUEST_VERSION_MINUTE } else { REQUEST_VERSION }];
        out.extend_from_slice(&self.statement.to_bytes());
        out.extend_from_slice(&self.vk_hash.0);
        out.extend_from_slice(&self.policy_hash.into_bigint().to_bytes_le());
        out.extend_from_slice(&self.clock.day().0.to_le_bytes());
        if let Some(m) = minute {
            out.extend_from_slice(&m.minute_of_day().to_le_bytes());
        }
        out.push(self.nonce.len() as u8);
        out.extend_from_slice(&self.nonce);
        out.push(self.verifier_id.len() as u8);
        out.extend_from_slice(self.verifier_id.as_bytes());
        out.extend_from_slice(&(url.len() as u16).to_le_bytes());
        out.extend_from_slice(url.as_bytes());
        Ok(out)
    }

    /// Parses the binary form (every field checked; nothing may follow).
    pub fn from_bytes(mut bytes: &[u8]) -> Result<Request, QrTextError> {
        let b = &mut bytes;
        let version = take(b, 1)?[0];
        if version != REQUEST_VERSION && version != REQUEST_VERSION_MINUTE {
            return Err(QrTextError::Malformed("unknown request version"));
        }
        let id: [u8; STATEMENT_ID_BYTES] = take(b, STATEMENT_ID_BYTES)?.try_into().expect("length taken");
        let statement =
            StatementId::from_bytes(id).map_err(|_| QrTextError::Malformed("unknown statement"))?;
        let vk_hash = KeyHash(take(b, 32)?.try_into().expect("length taken"));
        let policy_hash = field::from_bytes(take(b, 32)?)
            .map_err(|_| QrTextError::Malformed("the policy hash is not a field element"))?;
        let today = Day(i32::from_le_bytes(take(b, 4)?.try_into().expect("length taken")));
        let clock = if version == REQUEST_VERSION_MINUTE {
            let m = u16::from_le_bytes(take(b, 2)?.try_into().expect("length taken"));
            if i64::from(m) >= MINUTES_PER_DAY {
                return Err(QrTextError::Malformed("the minute of the day is 0 to 1439"));
            }
            Clock::Minute(Minute::on(today, m))
        } else {
            Clock::Day(today)
        };
        let n = take(b, 1)?[0] as usize;
        if !NONCE_BYTES.contains(&n) {
            return Err(QrTextError::Malformed("the nonce has 8 to 64 bytes"));
        }
        let nonce = take(b, n)?.to_vec();
        let n = take(b, 1)?[0] as usize;
        if n == 0 {
            return Err(QrTextError::Malformed("empty verifier id"));
        }
        let verifier_id = String::from_utf8(take(b, n)?.to_vec())
            .map_err(|_| QrTextError::Malformed("the verifier id is not UTF-8"))?;
        let n = u16::from_le_bytes(take(b, 2)?.try_into().expect("length taken")) as usize;
        if n > MAX_POLICY_URL_BYTES {
            return Err(QrTextError::Malformed("the policy URL has at most 512 bytes"));
        }
        let url = String::from_utf8(take(b, n)?.to_vec())
            .map_err(|_| QrTextError::Malformed("the policy URL is not UTF-8"))?;
        if !b.is_empty() {
            return Err(QrTextError::Malformed("trailing bytes"));
        }
        Ok(Request {
            statement,
            vk_hash,
            policy_hash,
            clock,
            nonce,
            verifier_id,
            policy_url: (n > 0).then_some(url),
        })
    }

    /// The QR text: `MZQ1:` + Base45.
    pub fn to_qr_text(&self) -> Result<String, QrTextError> {
        Ok(format!("{REQUEST_PREFIX}{}", base45::encode(self.to_bytes()?)))
    }

    /// Parses QR text.
    pub fn from_qr_text(text: &str) -> Result<Request, QrTextError> {
        let body =
            text.trim().strip_prefix(REQUEST_PREFIX).ok_or(QrTextError::Prefix("request", REQUEST_PREFIX))?;
        if body.len() > 2 * 1024 {
            return Err(QrTextError::Malformed("too long"));
        }
        Request::from_bytes(&base45::decode(body).map_err(|_| QrTextError::Base45)?)
    }
}

/// A presentation's QR text: `MZP1:` + Base45 of its bytes.
pub fn presentation_qr_text(presentation: &Presentation) -> String {
    format!("{PRESENTATION_PREFIX}{}", base45::encode(presentation.to_bytes()))
}

/// The presentation bytes of QR text (decoded as a presentation, so a wrong QR code is
/// named here rather than at verification).
pub fn presentation_from_qr_text(text: &str) -> Result<Vec<u8>, QrTextError> {
    let body = text
        .trim()
        .strip_prefix(PRESENTATION_PREFIX)
        .ok_or(QrTextError::Prefix("presentation", PRESENTATION_PREFIX))?;
    if body.len() > PRESENTATION_BYTES * 2 {
        return Err(QrTextError::Presentation("too long".into()));
    }
    let bytes = base45::decode(body).map_err(|_| QrTextError::Base45)?;
    Presentation::from_bytes(&bytes).map_err(|e| QrTextError::Presentation(e.to_string()))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use medzk_circuits::tree::Depth;

    fn request() -> Request {
        Request {
            statement: StatementId::vaccination(Depth::default()),
            vk_hash: KeyHash([7; 32]),
            policy_hash: Fr::from(12345u64),
            clock: "2026-12-03".parse().unwrap(),
            nonce: vec![0xab; 16],
            verifier_id: "border:NO:OSL-gate-7".into(),
            policy_url: Some("https://border.example/policy.json".into()),
        }
    }

    #[test]
    fn request_round_trips_in_bytes_and_text() {
        let r = request();
        let text = r.to_qr_text().unwrap();
        assert!(text.starts_with("MZQ1:"));
        assert!(
            text[5..].chars().all(|c| "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(c)),
            "QR alphanumeric"
        );
        assert_eq!(Request::from_qr_text(&text).unwrap(), r);
        let none = Request { policy_url: None, ..r };
        assert_eq!(Request::from_bytes(&none.to_bytes().unwrap()).unwrap(), none);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2_000, failure_persistence: None, ..Default::default() })]

        /// Any bytes (valid requests, either version, with bytes changed, cut or added) are
        /// a typed error or a request that re-encodes to the same bytes; never a panic.
        #[test]
        fn any_bytes_are_refused_or_round_trip(
            minute in proptest::option::of(0u16..1_500),
            edits in proptest::collection::vec((0usize..200, proptest::prelude::any::<u8>()), 0..3),
            cut in 0usize..200,
            extra in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..3),
        ) {
            let mut r = request();
            if let Some(m) = minute {
                r.clock = Clock::Minute(Minute::on(Day(20_000), m.min(1_439)));
            }
            let mut bytes = r.to_bytes().unwrap();
            if let Some(m) = minute.filter(|m| *m >= 1_440) {
                bytes[75..77].copy_from_slice(&m.to_le_bytes());
            }
            for (at, b) in edits {
                let n = bytes.len();
                bytes[at % n] = b;
            }
            bytes.truncate(cut.max(1).min(bytes.len()));
            bytes.extend(extra);
            if let Ok(r) = Request::from_bytes(&bytes) {
                proptest::prop_assert_eq!(r.to_bytes().unwrap(), bytes);
            }
        }
    }

    #[test]
    fn a_minute_makes_version_2_and_only_adds_it() {
        let day = request();
        let at = Request { clock: "2026-12-03T23:59Z".parse().unwrap(), ..day.clone() };
        let (v1, v2) = (day.to_bytes().unwrap(), at.to_bytes().unwrap());
        assert_eq!((v1[0], v2[0]), (1, 2));
        assert_eq!(v2.len(), v1.len() + 2);
        assert_eq!(&v2[1..75], &v1[1..75]);
        assert_eq!(&v2[75..77], &1439u16.to_le_bytes());
        assert_eq!(&v2[77..], &v1[75..]);
        assert_eq!(Request::from_qr_text(&at.to_qr_text().unwrap()).unwrap(), at);
        for n in 0..v2.len() {
            assert!(Request::from_bytes(&v2[..n]).is_err(), "truncated at {n}");
        }
        let mut late = v2.clone();
        late[75..77].copy_from_slice(&1440u16.to_le_bytes());
        assert_eq!(
            Request::from_bytes(&late),
            Err(QrTextError::Malformed("the minute of the day is 0 to 1439"))
        );
        // A version-1 request read as version 2 is malformed, not a request for another time.
        let mut relabelled = v1.clone();
        relabelled[0] = 2;
        assert!(Request::from_bytes(&relabelled).is_err());
    }

    #[test]
    fn every_truncation_and_bad_field_is_an_error() {
        let bytes = request().to_bytes().unwrap();
        for n in 0..bytes.len() {
            assert!(Request::from_bytes(&bytes[..n]).is_err(), "truncated at {n}");
        }
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(Request::from_bytes(&trailing).is_err());
        let mut version = bytes.clone();
        version[0] = 3;
        assert!(Request::from_bytes(&version).is_err());
        let mut hash = bytes.clone();
        hash[39..71].copy_from_slice(&[0xff; 32]);
        assert_eq!(
            Request::from_bytes(&hash),
            Err(QrTextError::Malformed("the policy hash is not a field element"))
        );
        let mut nonce = bytes.clone();
        nonce[75] = 7;
        assert!(Request::from_bytes(&nonce).is_err());
        assert!(matches!(Request::from_qr_text("MZP1:00"), Err(QrTextError::Prefix(..))));
        assert_eq!(Request::from_qr_text("MZQ1:aa"), Err(QrTextError::Base45));
        assert!(Request { nonce: vec![1; 7], ..request() }.to_bytes().is_err());
        assert!(Request { verifier_id: String::new(), ..request() }.to_bytes().is_err());
        assert!(presentation_from_qr_text("MZP1:").is_err());
        assert!(matches!(presentation_from_qr_text("HC1:00"), Err(QrTextError::Prefix(..))));
    }
}

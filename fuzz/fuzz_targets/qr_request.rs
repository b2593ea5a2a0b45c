//! Request and presentation QR text (a kiosk's or a wallet's camera input): a typed error
//! or a value that re-encodes to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medzk_verifier::request::{self, Request};

fuzz_target!(|data: &[u8]| {
    if let Ok(r) = Request::from_bytes(data) {
        assert_eq!(r.to_bytes().unwrap(), data);
    }
    let text = String::from_utf8_lossy(data);
    if let Ok(r) = Request::from_qr_text(&text) {
        assert_eq!(Request::from_qr_text(&r.to_qr_text().unwrap()).unwrap(), r);
    }
    let _ = request::presentation_from_qr_text(&text);
});

//! SMART Health Card inputs (QR text, files, JWS), key sets and revocation lists: a typed
//! error or a card, never a panic or an unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medzk_formats::shc::{self, RevocationList, Trust, qr};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut trust = Trust::new();
    let _ = trust.add_jwks(&text, None);
    let _ = RevocationList::parse(&text);
    let lines: Vec<&str> = text.lines().collect();
    let _ = qr::decode(&lines);
    if let Ok(all) = shc::jws_of_input(&text) {
        for jws in all {
            let _ = shc::verify(&jws, &trust, 1_700_000_000, &[]);
        }
    }
    let _ = shc::verify(&text, &trust, 1_700_000_000, &[]);
});

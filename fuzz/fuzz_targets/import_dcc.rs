//! EU DCC inputs at every step (HC1 text, Base45, zlib, COSE, CWT claims, trust lists,
//! QR images): a typed error, never a panic or an unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medzk_formats::{dcc, qr_image};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let trust = dcc::TrustList::parse(&text).unwrap_or_default();
    let _ = dcc::verify(&text, &trust, 1_700_000_000);
    let _ = dcc::verify(&format!("HC1:{text}"), &trust, 1_700_000_000);
    let _ = dcc::decompress(data);
    if let Ok(cose) = dcc::parse_cose(data) {
        let _ = dcc::parse_claims(&cose.payload);
    }
    let _ = dcc::parse_claims(data);
    let _ = qr_image::decode_png(data);
});

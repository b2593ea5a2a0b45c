//! QR codes for the kiosk and wallet pages: [`encode`] a text into a module matrix the page
//! draws, and [`decode`] the codes in a camera frame (grey levels) where the browser has
//! no `BarcodeDetector`. Nothing here knows medzk's formats: the pages hand the texts to
//! `@medzk/verifier`, which checks them.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use qrcode::{EcLevel, QrCode};
use wasm_bindgen::prelude::*;

/// Largest frame [`decode`] accepts, in pixels (a 4K frame).
pub const MAX_PIXELS: usize = 3840 * 2160;

/// A QR code's modules: `size` × `size`, row by row, 1 for dark.
#[wasm_bindgen(getter_with_clone)]
pub struct Modules {
    /// Modules per side (without the quiet zone).
    pub size: u32,
    /// `size * size` bytes, 1 for a dark module, 0 for a light one.
    pub dark: Vec<u8>,
    /// The QR version (1–40).
    pub version: u32,
}

fn level(ec: &str) -> Result<EcLevel, JsError> {
    match ec {
        "L" => Ok(EcLevel::L),
        "M" => Ok(EcLevel::M),
        "Q" => Ok(EcLevel::Q),
        "H" => Ok(EcLevel::H),
        _ => Err(JsError::new("error correction: expected L, M, Q or H")),
    }
}

/// Encodes `text` at error-correction level `ec` (`L`, `M`, `Q` or `H`) in the smallest
/// version that holds it; throws if no version does.
#[wasm_bindgen]
pub fn encode(text: &str, ec: &str) -> Result<Modules, JsError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), level(ec)?)
        .map_err(|e| JsError::new(&format!("QR code: {e}")))?;
    let size = code.width() as u32;
    let dark = code.to_colors().iter().map(|c| u8::from(*c == qrcode::Color::Dark)).collect();
    let version = match code.version() {
        qrcode::Version::Normal(v) => v as u32,
        qrcode::Version::Micro(v) => v as u32,
    };
    Ok(Modules { size, dark, version })
}

/// The texts of the QR codes found in a `width` × `height` frame of grey levels (one byte
/// per pixel, row by row; dark is low), in the order found. Codes that do not decode are
/// skipped; a frame of the wrong length or over [`MAX_PIXELS`] throws.
#[wasm_bindgen]
pub fn decode(grey: &[u8], width: u32, height: u32) -> Result<Vec<String>, JsError> {
    let (w, h) = (width as usize, height as usize);
    if w == 0 || h == 0 || w.checked_mul(h) != Some(grey.len()) || grey.len() > MAX_PIXELS {
        return Err(JsError::new("frame: expected width × height grey bytes, at most a 4K frame"));
    }
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| grey[y * w + x]);
    Ok(image.detect_grids().into_iter().filter_map(|g| g.decode().ok().map(|(_, text)| text)).collect())
}

/// Turns RGBA pixels (a canvas's `ImageData`) into grey levels for [`decode`].
#[wasm_bindgen(js_name = greyOfRgba)]
pub fn grey_of_rgba(rgba: &[u8]) -> Result<Vec<u8>, JsError> {
    if rgba.len() % 4 != 0 || rgba.len() / 4 > MAX_PIXELS {
        return Err(JsError::new("frame: expected RGBA pixels, at most a 4K frame"));
    }
    Ok(rgba
        .chunks_exact(4)
        .map(|p| ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000) as u8)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(m: &Modules, scale: usize) -> (Vec<u8>, usize) {
        let side = (m.size as usize + 8) * scale;
        let mut grey = vec![255u8; side * side];
        for y in 0..m.size as usize {
            for x in 0..m.size as usize {
                if m.dark[y * m.size as usize + x] == 1 {
                    for dy in 0..scale {
                        for dx in 0..scale {
                            grey[((y + 4) * scale + dy) * side + (x + 4) * scale + dx] = 0;
                        }
                    }
                }
            }
        }
        (grey, side)
    }

    #[test]
    fn an_encoded_text_decodes_back() {
        let text = "MZP1:ABC123 $%*+-./:";
        for ec in ["L", "M", "Q", "H"] {
            let m = encode(text, ec).unwrap();
            assert_eq!(m.dark.len(), (m.size * m.size) as usize);
            let (grey, side) = frame(&m, 3);
            assert_eq!(decode(&grey, side as u32, side as u32).unwrap(), vec![text.to_string()]);
        }
    }

    #[test]
    fn a_blank_frame_has_no_code() {
        assert!(decode(&[255; 100 * 100], 100, 100).unwrap().is_empty());
    }
}

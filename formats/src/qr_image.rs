//! QR codes in images (a photo or screenshot of a DCC or SMART Health Card), decoded
//! with `rqrr`.

use crate::error::{FormatError, Result, Step};

/// Largest image accepted, in pixels (a phone photo is ~12 Mpx).
pub const MAX_PIXELS: u64 = 40_000_000;

/// The text of every QR code found in a PNG image.
pub fn decode_png(png: &[u8]) -> Result<Vec<String>> {
    let bad = |d: String| FormatError::malformed(Step::Qr, d);
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(png), image::ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    let (w, h) = reader.into_dimensions().map_err(|e| bad(format!("not a PNG image ({e})")))?;
    if w as u64 * h as u64 > MAX_PIXELS {
        return Err(FormatError::TooLarge { step: Step::Qr, limit: MAX_PIXELS as usize });
    }
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(png), image::ImageFormat::Png);
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 4);
    reader.limits(limits);
    let img = reader.decode().map_err(|e| bad(format!("not a PNG image ({e})")))?.to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    if grids.is_empty() {
        return Err(bad("no QR code found in the image".into()));
    }
    let mut texts = Vec::new();
    for grid in grids {
        let (_, text) = grid.decode().map_err(|e| bad(format!("a QR code could not be read ({e})")))?;
        texts.push(text);
    }
    Ok(texts)
}

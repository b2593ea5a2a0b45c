//! `medzk qr …`: the request and presentation QR codes a kiosk and a wallet exchange
//! (docs/formats.md), as text and PNG images, and their decoding from either.

use medzk_circuits::clock::Clock;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use medzk_circuits::field;
use medzk_verifier::VerifyingKey;
use medzk_verifier::presentation::Presentation;
use medzk_verifier::request::{self, PRESENTATION_PREFIX, REQUEST_PREFIX, Request};
use serde_json::json;

use super::{clock, fresh_nonce, load_policy, parse_nonce};
use crate::io::{self, CliError, CliResult};
use crate::report::{Report, shown};

/// `medzk qr …`.
#[derive(Subcommand)]
pub enum QrCommand {
    /// Verifier: a request QR (verifier id, fresh nonce, date, policy and key hashes).
    Request(RequestArgs),
    /// Holder: a presentation file as a QR code.
    Presentation(PresentationArgs),
    /// Decode a request or presentation QR code from a PNG image or its text.
    Decode(DecodeArgs),
    /// Any text (a request or presentation QR text, say) as a QR code PNG image, for printing
    /// or for a camera test.
    Encode(EncodeArgs),
}

/// Arguments of `qr encode`.
#[derive(Args)]
pub struct EncodeArgs {
    /// A file holding the text (its surrounding whitespace is dropped).
    pub input: PathBuf,
    /// Where to write the PNG image.
    #[arg(long)]
    pub png: PathBuf,
}

/// Arguments of `qr request`.
#[derive(Args)]
pub struct RequestArgs {
    /// The verifier's verifying key.
    #[arg(long)]
    pub vk: PathBuf,
    /// The verifier's policy.
    #[arg(long)]
    pub policy: PathBuf,
    /// The verifier's id.
    #[arg(long)]
    pub verifier_id: String,
    /// The session nonce (hex; default: a fresh one).
    #[arg(long)]
    pub nonce: Option<String>,
    /// The verifier's clock (default: now, UTC): the request states its date, and for a
    /// policy with hour windows its minute (YYYY-MM-DDTHH:MMZ).
    #[arg(long)]
    pub today: Option<Clock>,
    /// Where wallets can fetch the policy document.
    #[arg(long)]
    pub policy_url: Option<String>,
    /// Also write the QR code as a PNG image here.
    #[arg(long)]
    pub png: Option<PathBuf>,
}

/// Arguments of `qr presentation`.
#[derive(Args)]
pub struct PresentationArgs {
    /// The presentation file (from `medzk prove`).
    pub presentation: PathBuf,
    /// Also write the QR code as a PNG image here.
    #[arg(long)]
    pub png: Option<PathBuf>,
}

/// Arguments of `qr decode`.
#[derive(Args)]
pub struct DecodeArgs {
    /// A PNG image of the QR code, or a file holding its text.
    pub input: PathBuf,
    /// For a presentation: write its bytes here (for `medzk verify --presentation`).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The QR code of `text` as a PNG image (error correction M, a 4-module quiet zone).
pub fn png_of(text: &str) -> CliResult<Vec<u8>> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| CliError::Input(format!("cannot make a QR code of {} characters: {e}", text.len())))?;
    let image = code.render::<image::Luma<u8>>().module_dimensions(4, 4).build();
    let mut bytes = Vec::new();
    image
        .write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png)
        .map_err(|e| CliError::Input(format!("cannot write the PNG image: {e}")))?;
    Ok(bytes)
}

/// The QR text in a file: decoded from a PNG image, or the file's text.
pub fn text_of(path: &Path) -> CliResult<String> {
    let raw = io::read_at_most(path, 16 << 20)?;
    if raw.starts_with(b"\x89PNG") {
        let texts = medzk_formats::qr_image::decode_png(&raw).map_err(|e| CliError::file(path, e))?;
        return texts
            .into_iter()
            .find(|t| t.starts_with(REQUEST_PREFIX) || t.starts_with(PRESENTATION_PREFIX))
            .ok_or_else(|| CliError::file(path, "the image holds no medzk request or presentation QR code"));
    }
    String::from_utf8(raw)
        .map(|t| t.trim().to_string())
        .map_err(|_| CliError::file(path, "neither a PNG image nor text"))
}

/// A request from a file (PNG or text).
pub fn read_request(path: &Path) -> CliResult<Request> {
    Request::from_qr_text(&text_of(path)?).map_err(|e| CliError::file(path, e))
}

/// Presentation bytes from a file: the binary presentation, or its QR code (PNG or text).
pub fn read_presentation(path: &Path) -> CliResult<Vec<u8>> {
    let raw = io::read_at_most(path, 16 << 20)?;
    if raw.starts_with(b"\x89PNG") || raw.starts_with(PRESENTATION_PREFIX.as_bytes()) {
        return request::presentation_from_qr_text(&text_of(path)?).map_err(|e| CliError::file(path, e));
    }
    if raw.len() as u64 > io::MAX_SMALL_FILE {
        return Err(CliError::file(path, "file is too large for a presentation"));
    }
    Ok(raw)
}

fn write_png(png: &Option<PathBuf>, text: &str) -> CliResult<Option<serde_json::Value>> {
    match png {
        None => Ok(None),
        Some(p) => {
            io::write(p, &png_of(text)?)?;
            Ok(Some(shown(p)))
        }
    }
}

/// `qr request`.
pub fn request(a: &RequestArgs) -> CliResult<Report> {
    let vk = VerifyingKey::from_bytes(&io::read(&a.vk)?).map_err(|e| CliError::file(&a.vk, e))?;
    let policy = load_policy(&a.policy)?;
    if policy.statement(vk.statement().depth) != vk.statement() {
        return Err(CliError::Input(format!(
            "{}: the key verifies {}, the policy needs another statement",
            a.vk.display(),
            vk.statement()
        )));
    }
    let nonce_hex = a.nonce.clone().unwrap_or_else(fresh_nonce);
    let r = Request {
        statement: vk.statement(),
        vk_hash: vk.hash(),
        policy_hash: policy.as_statement().policy_hash(),
        clock: request_clock(&policy, clock(a.today))
            .map_err(|e| CliError::Input(format!("{}: {e}", a.policy.display())))?,
        nonce: parse_nonce(&nonce_hex)?,
        verifier_id: a.verifier_id.clone(),
        policy_url: a.policy_url.clone(),
    };
    let text = r.to_qr_text().map_err(|e| CliError::Input(e.to_string()))?;
    let png = write_png(&a.png, &text)?;
    Ok(Report::new(
        text.clone(),
        json!({ "text": text, "png": png, "nonce": hex::encode(&r.nonce), "today": r.clock.day(), "clock": r.clock, "request": request_json(&r) }),
    ))
}

/// The clock a request states: with the minute where the policy has hour windows (which
/// need it), else the day alone.
fn request_clock(
    policy: &super::AnyPolicy,
    clock: Clock,
) -> Result<Clock, medzk_circuits::policy::PolicyError> {
    match policy {
        super::AnyPolicy::General(p) if p.has_hour_windows() => p.at(clock).map(|_| clock),
        _ => Ok(Clock::Day(clock.day())),
    }
}

fn request_json(r: &Request) -> serde_json::Value {
    json!({
        "statement": r.statement.to_string(), "vk_hash": r.vk_hash.to_string(), "policy_hash": field::to_hex(&r.policy_hash),
        "today": r.clock.day(), "clock": r.clock, "nonce": hex::encode(&r.nonce), "verifier_id": r.verifier_id, "policy_url": r.policy_url,
    })
}

/// `qr presentation`.
pub fn presentation(a: &PresentationArgs) -> CliResult<Report> {
    let bytes = io::read(&a.presentation)?;
    let p = Presentation::from_bytes(&bytes).map_err(|e| CliError::file(&a.presentation, e))?;
    let text = request::presentation_qr_text(&p);
    let png = write_png(&a.png, &text)?;
    Ok(Report::new(text.clone(), json!({ "text": text, "png": png, "bytes": bytes.len() })))
}

/// `qr encode`.
pub fn encode(a: &EncodeArgs) -> CliResult<Report> {
    let raw = io::read_at_most(&a.input, 8 << 10)?;
    let text = String::from_utf8(raw).map_err(|_| CliError::file(&a.input, "not UTF-8 text"))?;
    let text = text.trim();
    if text.is_empty() {
        return Err(CliError::file(&a.input, "no text to encode"));
    }
    let png = write_png(&Some(a.png.clone()), text)?;
    Ok(Report::new(
        format!("wrote {}", a.png.display()),
        json!({ "png": png, "characters": text.chars().count() }),
    ))
}

/// `qr decode`.
pub fn decode(a: &DecodeArgs) -> CliResult<Report> {
    let text = text_of(&a.input)?;
    if text.starts_with(REQUEST_PREFIX) {
        let r = Request::from_qr_text(&text).map_err(|e| CliError::file(&a.input, e))?;
        return Ok(Report::json_only(json!({ "kind": "request", "request": request_json(&r) })));
    }
    let bytes = request::presentation_from_qr_text(&text).map_err(|e| CliError::file(&a.input, e))?;
    if let Some(out) = &a.out {
        io::write(out, &bytes)?;
    }
    Ok(Report::json_only(
        json!({ "kind": "presentation", "bytes": bytes.len(), "out": a.out.as_deref().map(shown) }),
    ))
}

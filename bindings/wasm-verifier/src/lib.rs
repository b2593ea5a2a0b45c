//! The medzk verifier in WebAssembly, for kiosks and portals: verification, policy hashes,
//! and the request and presentation QR texts. No prover is linked in, so the package a
//! kiosk downloads stays small (the holder's prover is `medzk-wasm`, which re-exports
//! everything here). Bytes cross as `Uint8Array`, JSON as strings; errors are thrown as
//! JavaScript exceptions with a message; a rejected presentation is not an error but a
//! [`Verdict`] with the same reason code as the native verifier.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use medzk_circuits::any_policy::AnyPolicy;
use medzk_circuits::clock::Clock;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::field;
use medzk_verifier::request::Request;
use medzk_verifier::{Presentation, Verifier, VerifyingKey};
use merlin::Transcript;
use wasm_bindgen::prelude::*;

/// A JavaScript error: `context: e`.
pub fn js_error(context: &str, e: impl std::fmt::Display) -> JsError {
    JsError::new(&format!("{context}: {e}"))
}

/// A clock given by JavaScript: a day (YYYY-MM-DD), or a day and UTC time
/// (YYYY-MM-DDTHH:MMZ) for a policy with hour windows.
pub fn parse_clock(today: &str) -> Result<Clock, JsError> {
    today.parse::<Clock>().map_err(|e| js_error("today", e))
}

/// The outcome of a verification.
#[wasm_bindgen(getter_with_clone)]
#[derive(Clone, Debug)]
pub struct Verdict {
    /// Whether the presentation is accepted.
    pub accepted: bool,
    /// `"accepted"`, or the rejection code (`malformed`, `wrong_statement`, `wrong_key`,
    /// `untrusted_root`, `stale_date`, `clock`, `invalid_session`, `replayed`, `rejected`).
    pub code: String,
    /// The rejection reason in words.
    pub reason: Option<String>,
    /// The statement proven (when accepted).
    pub statement: Option<String>,
    /// The holder's nullifier in the policy's scope, hex (when accepted).
    pub nullifier: Option<String>,
    /// The registry root the proof refers to, hex (when accepted).
    pub root: Option<String>,
    /// The presentation's day, YYYY-MM-DD (when accepted).
    pub today: Option<String>,
}

/// A verifier: verifying key, the verifier's own policy, and the registry roots it trusts.
#[wasm_bindgen]
pub struct MedzkVerifier {
    inner: Verifier,
}

#[wasm_bindgen]
impl MedzkVerifier {
    /// Builds a verifier from a verifying key (bytes), a policy (JSON text) and trusted
    /// roots (an array of `0x…` strings).
    #[wasm_bindgen(constructor)]
    #[allow(clippy::boxed_local)] // wasm-bindgen passes JS arrays as boxed slices
    pub fn new(
        verifying_key: &[u8],
        policy_json: &str,
        trusted_roots: Box<[JsValue]>,
    ) -> Result<MedzkVerifier, JsError> {
        let key = VerifyingKey::from_bytes(verifying_key).map_err(|e| js_error("verifying key", e))?;
        let policy = AnyPolicy::from_json(policy_json).map_err(|e| js_error("policy", e))?;
        let mut roots = Vec::with_capacity(trusted_roots.len());
        for r in trusted_roots.iter() {
            let text = r.as_string().ok_or_else(|| JsError::new("trusted roots: expected strings"))?;
            roots.push(field::from_hex(&text).map_err(|e| js_error("trusted root", e))?);
        }
        let inner = Verifier::new(key, policy.as_statement(), roots).map_err(|e| js_error("verifier", e))?;
        Ok(MedzkVerifier { inner })
    }

    /// The statement the verifying key checks.
    #[wasm_bindgen(getter)]
    pub fn statement(&self) -> String {
        self.inner.key().statement().to_string()
    }

    /// The hash of the verifier's policy, `0x…`.
    #[wasm_bindgen(getter, js_name = policyHash)]
    pub fn policy_hash(&self) -> String {
        field::to_hex(&self.inner.policy_hash())
    }

    /// Whether the policy has hour windows: requests and verification then need the time
    /// of day (`YYYY-MM-DDTHH:MMZ`), not only the date.
    #[wasm_bindgen(getter, js_name = needsMinute)]
    pub fn needs_minute(&self) -> bool {
        self.inner.needs_minute()
    }

    /// The hash of the verifying key (hex).
    #[wasm_bindgen(getter, js_name = keyHash)]
    pub fn key_hash(&self) -> String {
        self.inner.key().hash().to_string()
    }

    /// The request QR text (`MZQ1:…`, docs/formats.md) for a session of this verifier:
    /// its id, the session nonce, its day (YYYY-MM-DD; with the UTC time,
    /// YYYY-MM-DDTHH:MMZ, where the policy has hour windows — kept only then), its
    /// statement, key and policy hashes, and optionally where wallets fetch the policy.
    pub fn request(
        &self,
        verifier_id: &str,
        nonce: &[u8],
        today: &str,
        policy_url: Option<String>,
    ) -> Result<String, JsError> {
        let request = Request {
            statement: self.inner.key().statement(),
            vk_hash: self.inner.key().hash(),
            policy_hash: self.inner.policy_hash(),
            clock: self.inner.request_clock(parse_clock(today)?).map_err(|e| js_error("today", e))?,
            nonce: nonce.to_vec(),
            verifier_id: verifier_id.to_string(),
            policy_url,
        };
        request.to_qr_text().map_err(|e| js_error("request", e))
    }

    /// Verifies presentation bytes for this verifier's id and session nonce, on the
    /// verifier's clock `today` (YYYY-MM-DD, or YYYY-MM-DDTHH:MMZ: the minute its request
    /// stated, for a policy with hour windows). Throws only for an invalid `today`.
    pub fn verify(
        &self,
        presentation: &[u8],
        verifier_id: &str,
        nonce: &[u8],
        today: &str,
    ) -> Result<Verdict, JsError> {
        let today = parse_clock(today)?;
        let session = Session { verifier_id, nonce };
        let mut transcript = Transcript::new(TRANSCRIPT_LABEL);
        Ok(match self.inner.verify(&mut transcript, &session, today, presentation) {
            Ok(v) => Verdict {
                accepted: true,
                code: "accepted".into(),
                reason: None,
                statement: Some(v.statement.to_string()),
                nullifier: Some(field::to_hex(&v.nullifier)),
                root: Some(field::to_hex(&v.root)),
                today: Some(v.today.to_string()),
            },
            Err(e) => Verdict {
                accepted: false,
                code: e.code().into(),
                reason: Some(e.to_string()),
                statement: None,
                nullifier: None,
                root: None,
                today: None,
            },
        })
    }
}

/// The policy hash a verifier computes from a policy (JSON text), `0x…`.
#[wasm_bindgen(js_name = policyHash)]
pub fn policy_hash(policy_json: &str) -> Result<String, JsError> {
    let policy = AnyPolicy::from_json(policy_json).map_err(|e| js_error("policy", e))?;
    Ok(field::to_hex(&policy.hash()))
}

/// The public parts of a presentation, as JSON text (statement, root, today, nullifier,
/// key hash) — for display; verification recomputes everything else.
#[wasm_bindgen(js_name = describePresentation)]
pub fn describe_presentation(presentation: &[u8]) -> Result<String, JsError> {
    let p = Presentation::from_bytes(presentation).map_err(|e| js_error("presentation", e))?;
    Ok(serde_json::json!({
        "statement": p.statement.to_string(),
        "root": field::to_hex(&p.root),
        "today": p.today.to_string(),
        "nullifier": field::to_hex(&p.nullifier),
        "key_hash": p.key_hash.to_string(),
        "bytes": presentation.len(),
    })
    .to_string())
}

/// A verifier's request QR text (`MZQ1:…`) as JSON text: statement, key and policy hashes,
/// day, clock (the day, or with the minute where the policy has hour windows: what the
/// wallet proves at), nonce (hex), verifier id, policy URL. Throws with the reason for anything else.
#[wasm_bindgen(js_name = parseRequest)]
pub fn parse_request(text: &str) -> Result<String, JsError> {
    let r = Request::from_qr_text(text).map_err(|e| js_error("request", e))?;
    Ok(serde_json::json!({
        "statement": r.statement.to_string(),
        "vk_hash": r.vk_hash.to_string(),
        "policy_hash": field::to_hex(&r.policy_hash),
        "today": r.clock.day().to_string(),
        "clock": r.clock.to_string(),
        "nonce": hex_of(&r.nonce),
        "verifier_id": r.verifier_id,
        "policy_url": r.policy_url,
    })
    .to_string())
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A presentation's QR text (`MZP1:…`).
#[wasm_bindgen(js_name = presentationQrText)]
pub fn presentation_qr_text(presentation: &[u8]) -> Result<String, JsError> {
    let p = Presentation::from_bytes(presentation).map_err(|e| js_error("presentation", e))?;
    Ok(medzk_verifier::request::presentation_qr_text(&p))
}

/// The presentation bytes of a presentation QR text; throws for another kind of code.
#[wasm_bindgen(js_name = presentationFromQrText)]
pub fn presentation_from_qr_text(text: &str) -> Result<Vec<u8>, JsError> {
    medzk_verifier::request::presentation_from_qr_text(text).map_err(|e| js_error("presentation QR", e))
}

fn seconds(what: &str, value: f64) -> Result<i64, JsError> {
    if value.is_finite() && value.fract() == 0.0 && value.abs() < 9.0e15 {
        Ok(value as i64)
    } else {
        Err(JsError::new(&format!("{what}: expected whole seconds")))
    }
}

/// Checks a registry operator's signed head (JSON text, `GET /v1/head` of the registry
/// service) under the pinned operator key (64 hex digits) and, if given, the registry's
/// name; refuses one signed more than `max_head_age` seconds before or after `now` (Unix
/// seconds). Returns JSON text: `registry`, `signed_at`, `trusted_roots` (the roots to
/// accept at `now`: the latest, and earlier ones at most `max_root_age` seconds old, none
/// from before a revocation) and `checkpoints` (`seq`, `root`, `timestamp`, `event`,
/// oldest first — to explain why an older root is not trusted). Throws with the reason.
#[wasm_bindgen(js_name = checkSignedHead)]
pub fn check_signed_head(
    head_json: &str,
    operator_key: &str,
    registry: Option<String>,
    now: f64,
    max_root_age: f64,
    max_head_age: f64,
) -> Result<String, JsError> {
    use medzk_verifier::signed_head::{OperatorKey, SignedHead};
    let head = SignedHead::from_json(head_json).map_err(|e| js_error("signed head", e))?;
    let pinned = OperatorKey::from_hex(operator_key).map_err(|e| js_error("operator key", e))?;
    let roots = head
        .trusted_roots(
            &pinned,
            registry.as_deref(),
            seconds("now", now)?,
            seconds("maximum root age", max_root_age)?,
            seconds("maximum head age", max_head_age)?,
        )
        .map_err(|e| js_error("signed head", e))?;
    let checkpoints: Vec<_> = head
        .checkpoints
        .iter()
        .map(|c| {
            serde_json::json!({
                "seq": c.seq,
                "root": field::to_hex(&c.root),
                "timestamp": c.timestamp,
                "event": c.event,
            })
        })
        .collect();
    Ok(serde_json::json!({
        "registry": head.registry,
        "signed_at": head.signed_at,
        "trusted_roots": roots.iter().map(field::to_hex).collect::<Vec<_>>(),
        "checkpoints": checkpoints,
    })
    .to_string())
}

/// The inclusion path of leaf `index` from a registry subtree (JSON text, `GET
/// /v1/subtree/{levels}/{group}` of the registry service, with `group = index >> 2·levels`),
/// as an inclusion-path file (JSON text) for the prover. The registry learns the group of
/// `4^levels` leaves, not the leaf. Throws if the subtree's parts do not lead to its root,
/// or the leaf is not in it.
#[cfg(feature = "paths")]
#[wasm_bindgen(js_name = pathFromSubtree)]
pub fn path_from_subtree(subtree_json: &str, index: f64) -> Result<String, JsError> {
    use medzk_circuits::credential::InclusionFile;
    use medzk_verifier::subtree::Subtree;
    if !(index.is_finite() && index >= 0.0 && index.fract() == 0.0 && index < 9.0e15) {
        return Err(JsError::new("leaf index: expected a whole number"));
    }
    let subtree: Subtree = serde_json::from_str(subtree_json).map_err(|e| js_error("subtree", e))?;
    let (path, root) = subtree.path(index as u64).map_err(|e| JsError::new(&e.to_string()))?;
    Ok(InclusionFile::new(path, root).to_json())
}

/// The medzk version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

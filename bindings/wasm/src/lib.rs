//! medzk in WebAssembly: the verifier for kiosks and portals, and the holder's prover
//! for web wallets. Bytes cross as `Uint8Array`, JSON as strings; errors are thrown as
//! JavaScript exceptions with a message; a rejected presentation is not an error but a
//! [`Verdict`] with the same reason code as the native verifier.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use medzk_circuits::any_policy::AnyPolicy;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::credential::{Credential, HolderKeyFile, InclusionFile};
use medzk_circuits::date::Day;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::record::Record;
use medzk_circuits::tree::MerklePath;
use medzk_circuits::valueset::ValueSet;
use medzk_prover::{AnyRequest, Prover, ProvingKey};
use medzk_verifier::request::Request;
use medzk_verifier::{KeyHash, Presentation, Verifier, VerifyingKey};
use merlin::Transcript;
use wasm_bindgen::prelude::*;

fn js_error(context: &str, e: impl std::fmt::Display) -> JsError {
    JsError::new(&format!("{context}: {e}"))
}

fn parse_day(today: &str) -> Result<Day, JsError> {
    today.parse::<Day>().map_err(|e| js_error("today", e))
}

/// The outcome of a verification.
#[wasm_bindgen(getter_with_clone)]
#[derive(Clone, Debug)]
pub struct Verdict {
    /// Whether the presentation is accepted.
    pub accepted: bool,
    /// `"accepted"`, or the rejection code (`malformed`, `wrong_statement`, `wrong_key`,
    /// `untrusted_root`, `stale_date`, `invalid_session`, `replayed`, `rejected`).
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

    /// The hash of the verifying key (hex).
    #[wasm_bindgen(getter, js_name = keyHash)]
    pub fn key_hash(&self) -> String {
        self.inner.key().hash().to_string()
    }

    /// The request QR text (`MZQ1:…`, docs/formats.md) for a session of this verifier:
    /// its id, the session nonce, its day (YYYY-MM-DD), its statement, key and policy
    /// hashes, and optionally where wallets fetch the policy.
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
            today: parse_day(today)?,
            nonce: nonce.to_vec(),
            verifier_id: verifier_id.to_string(),
            policy_url,
        };
        request.to_qr_text().map_err(|e| js_error("request", e))
    }

    /// Verifies presentation bytes for this verifier's id and session nonce, on the
    /// verifier's day `today` (YYYY-MM-DD). Throws only for an invalid `today`.
    pub fn verify(
        &self,
        presentation: &[u8],
        verifier_id: &str,
        nonce: &[u8],
        today: &str,
    ) -> Result<Verdict, JsError> {
        let today = parse_day(today)?;
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
/// day, nonce (hex), verifier id, policy URL. Throws with the reason for anything else.
#[wasm_bindgen(js_name = parseRequest)]
pub fn parse_request(text: &str) -> Result<String, JsError> {
    let r = Request::from_qr_text(text).map_err(|e| js_error("request", e))?;
    Ok(serde_json::json!({
        "statement": r.statement.to_string(),
        "vk_hash": r.vk_hash.to_string(),
        "policy_hash": field::to_hex(&r.policy_hash),
        "today": r.today.to_string(),
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

/// The holder's prover: a proving key with its circuit prepared once.
#[wasm_bindgen]
pub struct MedzkProver {
    inner: Prover,
}

fn parse_array(what: &str, json: &str) -> Result<Vec<serde_json::Value>, JsError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| js_error(what, e))?;
    match value {
        serde_json::Value::Array(items) => Ok(items),
        _ => Err(JsError::new(&format!("{what}: expected a JSON array"))),
    }
}

#[wasm_bindgen]
impl MedzkProver {
    /// Loads a proving key (bytes) for the verifying key whose hash the caller pins
    /// (`vk_hash`, 64 hex digits, from a source the wallet trusts — never from whoever
    /// served the proving key). Throws for a key of another verifying key and for one that
    /// is inconsistent with it (tampered with).
    #[wasm_bindgen(constructor)]
    pub fn new(proving_key: &[u8], vk_hash: &str) -> Result<MedzkProver, JsError> {
        let pinned: KeyHash = vk_hash.parse().map_err(|e| js_error("verifying-key hash", e))?;
        let key = ProvingKey::from_bytes(proving_key, &pinned).map_err(|e| js_error("proving key", e))?;
        Ok(MedzkProver { inner: Prover::new(key).map_err(|e| js_error("proving key", e))? })
    }

    /// The statement the key proves.
    #[wasm_bindgen(getter)]
    pub fn statement(&self) -> String {
        self.inner.key().statement().to_string()
    }

    /// The hash of the (pinned) verifying key the proofs verify under.
    #[wasm_bindgen(getter, js_name = keyHash)]
    pub fn key_hash(&self) -> String {
        self.inner.key().verifying_key().hash().to_string()
    }

    /// Proves `policy_json` from the holder's credentials (a JSON array of credential
    /// files), holder key (JSON), inclusion paths (a JSON array, one per credential),
    /// value sets (a JSON array of value-set files, possibly empty), for the verifier's id
    /// and nonce on `today` (YYYY-MM-DD). Returns the presentation bytes; throws with the
    /// reason if the records do not meet the policy.
    #[allow(clippy::too_many_arguments)]
    pub fn prove(
        &self,
        policy_json: &str,
        credentials_json: &str,
        holder_key_json: &str,
        paths_json: &str,
        value_sets_json: &str,
        verifier_id: &str,
        nonce: &[u8],
        today: &str,
    ) -> Result<Vec<u8>, JsError> {
        let policy = AnyPolicy::from_json(policy_json).map_err(|e| js_error("policy", e))?;
        let holder = HolderKeyFile::from_json(holder_key_json).map_err(|e| js_error("holder key", e))?;
        let credentials = parse_array("credentials", credentials_json)?;
        let paths = parse_array("inclusion paths", paths_json)?;
        if credentials.is_empty() || credentials.len() != paths.len() {
            return Err(JsError::new("give one inclusion path per credential (at least one)"));
        }
        let mut records: Vec<(Record, MerklePath)> = Vec::with_capacity(credentials.len());
        let mut root: Option<Fr> = None;
        for (i, (c, p)) in credentials.iter().zip(&paths).enumerate() {
            let c =
                Credential::from_json(&c.to_string()).map_err(|e| js_error(&format!("credential {i}"), e))?;
            let p = InclusionFile::from_json(&p.to_string())
                .map_err(|e| js_error(&format!("inclusion path {i}"), e))?;
            if p.path.index != c.leaf_index {
                return Err(JsError::new(&format!(
                    "inclusion path {i} is for another leaf than credential {i}"
                )));
            }
            if root.is_some_and(|r| r != p.root) {
                return Err(JsError::new("the inclusion paths lead to different registry roots"));
            }
            root = Some(p.root);
            records.push((c.slots(), p.path));
        }
        let value_sets = parse_array("value sets", value_sets_json)?
            .iter()
            .map(|v| ValueSet::from_json(&v.to_string()).map_err(|e| js_error("value set", e)))
            .collect::<Result<Vec<_>, _>>()?;
        let request = AnyRequest {
            policy: &policy,
            records: &records,
            secret: &holder.secret,
            value_sets: &value_sets,
            root: root.expect("at least one credential"),
            session: Session { verifier_id, nonce },
            today: parse_day(today)?,
        };
        let presentation = self
            .inner
            .prove(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut rand::rngs::OsRng)
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(presentation.to_bytes())
    }
}

/// The medzk version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").into()
}

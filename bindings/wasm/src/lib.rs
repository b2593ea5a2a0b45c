//! The holder's prover in WebAssembly, for web wallets: everything of `medzk-wasm-verifier`
//! (re-exported: the wallet reads request QR texts and writes presentation QR texts) and
//! [`MedzkProver`]. Bytes cross as `Uint8Array`, JSON as strings; errors are thrown as
//! JavaScript exceptions with a message.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use medzk_circuits::any_policy::AnyPolicy;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::credential::{Credential, HolderKeyFile, InclusionFile};
use medzk_circuits::field::Fr;
use medzk_circuits::record::Record;
use medzk_circuits::tree::MerklePath;
use medzk_circuits::valueset::ValueSet;
use medzk_prover::{AnyRequest, Prover, ProvingKey};
use medzk_verifier::KeyHash;
pub use medzk_wasm_verifier::*;
use merlin::Transcript;
use wasm_bindgen::prelude::*;
/// `initThreadPool(n)`: starts `n` Web Workers sharing this module's memory as rayon's
/// threads (the threaded build only; call it once, from a worker, before proving).
#[cfg(all(feature = "threads", target_arch = "wasm32"))]
pub use wasm_bindgen_rayon::init_thread_pool;

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
    /// and nonce at the verifier's clock `today` (YYYY-MM-DD, or YYYY-MM-DDTHH:MMZ from a
    /// request whose policy has hour windows). Returns the presentation bytes; throws with
    /// the reason if the records do not meet the policy.
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
        let clock = parse_clock(today)?;
        let policy = AnyPolicy::from_json(policy_json)
            .map_err(|e| js_error("policy", e))?
            .at(clock)
            .map_err(|e| js_error("policy", e))?;
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
            today: clock.day(),
        };
        let presentation = self
            .inner
            .prove(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut rand::rngs::OsRng)
            .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(presentation.to_bytes())
    }
}

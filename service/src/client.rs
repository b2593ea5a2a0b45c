//! A blocking client of the service (ureq), for the CLI and for other Rust programs. Plain
//! HTTP: put the service behind a TLS-terminating proxy off loopback.

use std::time::Duration;

use medzk_circuits::credential::InclusionFile;
use medzk_circuits::field::{self, Fr};
use medzk_registry::{AuditEntry, Checkpoint, OperatorSecret, SignedHead, Subtree};
use serde::Deserialize;

use crate::auth::{self, IssuerSecret, SignedHeaders};

/// Largest response read.
const MAX_RESPONSE: u64 = 64 << 20;

/// A failed call.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The service answered with an error.
    #[error("{url}: {status} {kind}: {message}")]
    Refused {
        /// The endpoint.
        url: String,
        /// HTTP status.
        status: u16,
        /// The error's kind (`unauthorized`, `replay`, `not_your_leaf`, …).
        kind: String,
        /// Its message.
        message: String,
    },
    /// No answer.
    #[error("{url}: {reason}")]
    Transport {
        /// The endpoint.
        url: String,
        /// Why.
        reason: String,
    },
    /// An answer that is not what the endpoint returns.
    #[error("{url}: unexpected answer: {reason}")]
    Decode {
        /// The endpoint.
        url: String,
        /// Why.
        reason: String,
    },
}

/// What an append returns.
#[derive(Clone, Debug, Deserialize)]
pub struct AppendReply {
    /// The first new leaf.
    pub first: u64,
    /// Leaves appended.
    pub count: u64,
    /// The checkpoint made.
    pub checkpoint: Checkpoint,
}

#[derive(Deserialize)]
struct RevokeReply {
    checkpoint: Checkpoint,
}

/// One page of the audit log.
#[derive(Clone, Debug, Deserialize)]
pub struct AuditPage {
    /// Entries, oldest first.
    pub entries: Vec<AuditEntry>,
    /// Where the next page starts.
    pub next: u64,
}

/// A client of one service.
pub struct Client {
    base: String,
    agent: ureq::Agent,
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Client {
    /// A client of the service at `base` (`http://host:port`).
    pub fn new(base: &str) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Client { base: base.trim_end_matches('/').to_string(), agent }
    }

    fn finish(
        url: &str,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<String, ClientError> {
        let mut response =
            response.map_err(|e| ClientError::Transport { url: url.into(), reason: e.to_string() })?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE)
            .read_to_string()
            .map_err(|e| ClientError::Transport { url: url.into(), reason: e.to_string() })?;
        if (200..300).contains(&status) {
            return Ok(text);
        }
        let error: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        Err(ClientError::Refused {
            url: url.into(),
            status,
            kind: error["error"]["kind"].as_str().unwrap_or("error").into(),
            message: error["error"]["message"].as_str().unwrap_or(text.trim()).into(),
        })
    }

    /// A read (a GET: no effect on the service), sent again once if the first attempt
    /// failed in transport. A kept-alive connection the server has closed in the meantime
    /// (after a refused upload whose body it did not read, or when idle) fails only when
    /// reused; the second attempt opens a new one. `send` builds the request afresh, so a
    /// signed read is signed again (a new nonce) and is not refused as a replay.
    fn read(
        url: &str,
        send: impl Fn() -> Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<String, ClientError> {
        match Client::finish(url, send()) {
            Err(ClientError::Transport { .. }) => Client::finish(url, send()),
            other => other,
        }
    }

    fn get(&self, path: &str) -> Result<String, ClientError> {
        let url = format!("{}{path}", self.base);
        Client::read(&url, || self.agent.get(&url).call())
    }

    fn signed_post(&self, issuer: &IssuerSecret, path: &str, body: &[u8]) -> Result<String, ClientError> {
        let url = format!("{}{path}", self.base);
        let signed = issuer.sign("POST", path, now(), body);
        let request =
            Client::with_signature(self.agent.post(&url), &signed).header("content-type", "application/json");
        Client::finish(&url, request.send(body))
    }

    fn with_signature<B>(
        request: ureq::RequestBuilder<B>,
        signed: &SignedHeaders,
    ) -> ureq::RequestBuilder<B> {
        request
            .header(auth::ISSUER, &signed.issuer)
            .header(auth::TIMESTAMP, signed.timestamp.to_string())
            .header(auth::NONCE, hex::encode(signed.nonce))
            .header(auth::SIGNATURE, hex::encode(signed.signature))
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, path: &str, text: &str) -> Result<T, ClientError> {
        serde_json::from_str(text)
            .map_err(|e| ClientError::Decode { url: format!("{}{path}", self.base), reason: e.to_string() })
    }

    /// The operator's current signed head (verify it under the pinned key before use).
    pub fn head(&self) -> Result<SignedHead, ClientError> {
        let text = self.get("/v1/head")?;
        SignedHead::from_json(&text)
            .map_err(|e| ClientError::Decode { url: format!("{}/v1/head", self.base), reason: e.to_string() })
    }

    /// A leaf's inclusion path and the root it leads to.
    pub fn path(&self, index: u64) -> Result<InclusionFile, ClientError> {
        let path = format!("/v1/path/{index}");
        let text = self.get(&path)?;
        InclusionFile::from_json(&text)
            .map_err(|e| ClientError::Decode { url: format!("{}{path}", self.base), reason: e.to_string() })
    }

    /// The subtree of `4^levels` leaves numbered `group`.
    pub fn subtree(&self, levels: u8, group: u64) -> Result<Subtree, ClientError> {
        let path = format!("/v1/subtree/{levels}/{group}");
        let text = self.get(&path)?;
        self.decode(&path, &text)
    }

    /// A leaf's inclusion path, fetched privately: the service sees only which subtree of
    /// `4^levels` leaves was asked for (see [`medzk_registry::subtree`]). The path is
    /// computed here and checked to lead to the root the service sent.
    pub fn private_path(&self, index: u64, levels: u8) -> Result<InclusionFile, ClientError> {
        let group = Subtree::group_of(index, levels);
        let subtree = self.subtree(levels, group)?;
        let (path, root) = subtree.path(index).map_err(|e| ClientError::Decode {
            url: format!("{}/v1/subtree/{levels}/{group}", self.base),
            reason: e.to_string(),
        })?;
        Ok(InclusionFile::new(path, root))
    }

    /// A page of the audit log, as the operator.
    pub fn audit(
        &self,
        operator: &OperatorSecret,
        from: u64,
        limit: usize,
    ) -> Result<AuditPage, ClientError> {
        let path = format!("/v1/audit?from={from}&limit={limit}");
        let url = format!("{}{path}", self.base);
        let text = Client::read(&url, || {
            let signed = auth::sign_as_operator(operator, "GET", &path, now(), b"");
            Client::with_signature(self.agent.get(&url), &signed).call()
        })?;
        self.decode(&path, &text)
    }

    /// The whole audit log from `from` on, page by page.
    pub fn audit_all(&self, operator: &OperatorSecret, from: u64) -> Result<Vec<AuditEntry>, ClientError> {
        let mut out = Vec::new();
        let mut at = from;
        loop {
            let page = self.audit(operator, at, crate::server::MAX_AUDIT_PAGE)?;
            if page.entries.is_empty() {
                return Ok(out);
            }
            if page.next != at + page.entries.len() as u64 {
                return Err(ClientError::Decode {
                    url: format!("{}/v1/audit", self.base),
                    reason: "the page's next position does not follow its entries".into(),
                });
            }
            at = page.next;
            out.extend(page.entries);
        }
    }

    /// The metrics text.
    pub fn metrics(&self) -> Result<String, ClientError> {
        self.get("/metrics")
    }

    /// Appends commitments as `issuer`.
    pub fn append(&self, issuer: &IssuerSecret, commitments: &[Fr]) -> Result<AppendReply, ClientError> {
        let hex: Vec<String> = commitments.iter().map(field::to_hex).collect();
        let body = serde_json::to_vec(&serde_json::json!({ "commitments": hex })).expect("serializable");
        let text = self.signed_post(issuer, "/v1/append", &body)?;
        self.decode("/v1/append", &text)
    }

    /// Revokes a leaf `issuer` appended.
    pub fn revoke(&self, issuer: &IssuerSecret, index: u64) -> Result<Checkpoint, ClientError> {
        let body = serde_json::to_vec(&serde_json::json!({ "index": index })).expect("serializable");
        let text = self.signed_post(issuer, "/v1/revoke", &body)?;
        Ok(self.decode::<RevokeReply>("/v1/revoke", &text)?.checkpoint)
    }

    /// Sends raw bytes with raw headers (tests of what the service refuses).
    pub fn post_raw(
        &self,
        path: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> Result<String, ClientError> {
        let url = format!("{}{path}", self.base);
        let mut request = self.agent.post(&url).header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        Client::finish(&url, request.send(body))
    }
}

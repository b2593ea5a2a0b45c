//! The service's request handlers (see [`crate::server`] for the table of endpoints).

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{MatchedPath, Path as UrlPath, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use medzk_circuits::credential::InclusionFile;
use medzk_circuits::field::{self, Fr};
use medzk_registry::{Action, SignedHead, Subtree};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{self, MAX_SKEW, OPERATOR, SignedHeaders};
use crate::server::{
    ApiError, AppState, HEAD_TAIL, MAX_AUDIT_PAGE, MAX_BATCH, bad, blocking, now, storage, unauthorized,
};

/// Counts every routed request by its route template and status, with its latency.
pub(crate) async fn track(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let start = Instant::now();
    let response = next.run(request).await;
    state.metrics.request(&route, response.status().as_u16(), start.elapsed().as_secs_f64());
    response
}

/// Public reads (signed heads, paths, subtrees) may be fetched by pages of any origin —
/// kiosks and wallets in browsers: they carry nothing secret, take no credentials, and are
/// simple GETs (no preflight). So may a wallet's card import (`crate::import`). Writes, the audit log and metrics get no such header, so a
/// page of another origin cannot read their answers.
pub(crate) async fn public_reads_cors(request: axum::extract::Request, next: Next) -> Response {
    let public = (request.method() == axum::http::Method::GET
        && ["/v1/head", "/v1/path/", "/v1/subtree/"].iter().any(|p| request.uri().path().starts_with(p)))
        || request.uri().path() == "/v1/import/shc";
    let mut response = next.run(request).await;
    if public {
        response.headers_mut().insert(
            axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN,
            axum::http::HeaderValue::from_static("*"),
        );
    }
    response
}

/// Unknown paths.
pub(crate) async fn not_found(State(state): State<AppState>, uri: Uri) -> ApiError {
    state.metrics.request("unmatched", 404, 0.0);
    let path: String = uri.path().chars().take(100).collect();
    ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no endpoint {path}"))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, ApiError> {
    headers
        .get(name)
        .ok_or_else(|| {
            unauthorized(format!("missing header {name}: write requests are signed by an enrolled issuer"))
        })?
        .to_str()
        .map_err(|_| unauthorized(format!("header {name} is not text")))
}

fn signed_headers(headers: &HeaderMap) -> Result<SignedHeaders, ApiError> {
    let issuer = header(headers, auth::ISSUER)?.to_string();
    let timestamp: i64 = header(headers, auth::TIMESTAMP)?
        .parse()
        .map_err(|_| unauthorized("the timestamp is not a number"))?;
    let nonce: [u8; 16] = hex::decode(header(headers, auth::NONCE)?)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| unauthorized("the nonce is 32 hex digits"))?;
    let signature: [u8; 64] = hex::decode(header(headers, auth::SIGNATURE)?)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| unauthorized("the signature is 128 hex digits"))?;
    Ok(SignedHeaders { issuer, timestamp, nonce, signature })
}

/// Who may sign a request on a route.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Signer {
    Issuer,
    Operator,
}

/// The signer's name, after its signature and timestamp verified.
fn verify_signature(
    state: &AppState,
    signer: Signer,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<SignedHeaders, ApiError> {
    let signed = signed_headers(headers)?;
    let key = match signer {
        Signer::Issuer => state
            .issuers
            .get(&signed.issuer)
            .copied()
            .ok_or_else(|| unauthorized(format!("issuer {:?} is not enrolled", signed.issuer)))?,
        Signer::Operator if signed.issuer == OPERATOR => state.operator.public().0,
        Signer::Operator => return Err(unauthorized("only the operator reads the audit log")),
    };
    let target = uri.path_and_query().map_or_else(|| uri.path(), |p| p.as_str());
    auth::verify(&key, method.as_str(), target, &signed, body).map_err(|e| unauthorized(e.to_string()))?;
    let now = now();
    if (signed.timestamp - now).abs() > MAX_SKEW || signed.timestamp < state.started - 1 {
        return Err(unauthorized(format!(
            "the request was signed at {}, the server's clock says {now} (at most {MAX_SKEW} s apart, and not \
             before the server started): sign it again",
            signed.timestamp
        )));
    }
    Ok(signed)
}

/// Writes a refusal to the audit log (within the log's own rate limit) and returns it.
pub(crate) async fn refuse(
    state: &AppState,
    request: medzk_registry::Request,
    action: Action,
    error: ApiError,
) -> ApiError {
    if state.refusal_log.take("").is_err() {
        state.metrics.refusal_unlogged();
        return error;
    }
    let reason = error.reason();
    let shared = state.clone();
    let logged =
        blocking(move || shared.registry.record_refused(now(), &request, action, &reason).map_err(storage))
            .await;
    if logged.is_err() {
        state.metrics.refusal_unlogged();
    }
    error
}

/// Takes one request from `name`'s rate bucket, or answers 429 (`over`, and when to retry).
pub(crate) fn take_rate(state: &AppState, name: &str, over: &str) -> Result<(), ApiError> {
    state.issuer_limits.take(name).map_err(|wait| {
        state.metrics.rate_limited(name);
        let seconds = wait.ceil().clamp(1.0, 3600.0) as u64;
        ApiError(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!("{over}; retry in {seconds} s"),
            Some(seconds),
        )
    })
}

/// Admits a signed request: the signature, the clock, the signer's rate, a fresh nonce.
/// Every refusal is audited (as `action`). Returns the audit log's view of the request.
async fn admit(
    state: &AppState,
    signer: Signer,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    action: Action,
) -> Result<medzk_registry::Request, ApiError> {
    let route = |r: medzk_registry::Request| r.on(method.as_str(), uri.path());
    let signed = match verify_signature(state, signer, method, uri, headers, body) {
        Ok(signed) => signed,
        Err(e) => {
            let claimed = headers.get(auth::ISSUER).and_then(|v| v.to_str().ok());
            return Err(refuse(
                state,
                route(medzk_registry::Request::unauthenticated(claimed, body)),
                action,
                e,
            )
            .await);
        }
    };
    let request = route(match signer {
        Signer::Issuer => medzk_registry::Request::issuer(&signed.issuer, body),
        Signer::Operator => medzk_registry::Request::operator(body),
    });
    let over = format!("{} sends more requests than its limit", signed.issuer);
    if let Err(e) = take_rate(state, &signed.issuer, &over) {
        return Err(refuse(state, request, action, e).await);
    }
    let replayed = {
        let now = now();
        let mut nonces = state.nonces.lock().unwrap_or_else(|e| e.into_inner());
        nonces.retain(|_, seen| *seen >= now - 2 * MAX_SKEW);
        nonces.insert(signed.nonce, now).is_some()
    };
    if replayed {
        let e = ApiError::new(StatusCode::CONFLICT, "replay", "this request was already received");
        return Err(refuse(state, request, action, e).await);
    }
    Ok(request)
}

pub(crate) async fn healthz(State(state): State<AppState>) -> Result<axum::Json<Value>, ApiError> {
    blocking(move || {
        let last = state.registry.last_checkpoint().map_err(storage)?;
        Ok(axum::Json(json!({ "ok": true, "leaves": last.leaves, "root": field::to_hex(&last.root) })))
    })
    .await
}

pub(crate) async fn metrics(State(state): State<AppState>) -> Result<Response, ApiError> {
    blocking(move || {
        let last = state.registry.last_checkpoint().map_err(storage)?;
        let text = state.metrics.render(last.leaves, last.seq, state.started);
        Ok(([(axum::http::header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response())
    })
    .await
}

pub(crate) async fn head(State(state): State<AppState>) -> Result<axum::Json<SignedHead>, ApiError> {
    blocking(move || {
        medzk_registry::head::sign(&state.registry, &state.name, &state.operator, HEAD_TAIL, now())
            .map(axum::Json)
            .map_err(storage)
    })
    .await
}

pub(crate) async fn path(
    State(state): State<AppState>,
    UrlPath(index): UrlPath<u64>,
) -> Result<Response, ApiError> {
    blocking(move || {
        let (path, root) = state.registry.path(index).map_err(storage)?;
        let text = InclusionFile::new(path, root).to_json();
        Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], text).into_response())
    })
    .await
}

pub(crate) async fn subtree(
    State(state): State<AppState>,
    UrlPath((levels, group)): UrlPath<(String, String)>,
) -> Result<axum::Json<Subtree>, ApiError> {
    let levels: u8 = levels.parse().map_err(|_| bad("levels is a small number"))?;
    let group: u64 = group.parse().map_err(|_| bad("group is a number"))?;
    blocking(move || state.registry.subtree(levels, group).map(axum::Json).map_err(storage)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppendBody {
    commitments: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeBody {
    index: u64,
}

pub(crate) async fn append(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<Value>, ApiError> {
    let request = admit(&state, Signer::Issuer, &method, &uri, &headers, &body, Action::Unknown).await?;
    let parsed: Result<Vec<Fr>, ApiError> = (|| {
        let body: AppendBody = serde_json::from_slice(&body).map_err(|e| bad(format!("body: {e}")))?;
        if body.commitments.is_empty() || body.commitments.len() > MAX_BATCH {
            return Err(bad(format!("1 to {MAX_BATCH} commitments per request")));
        }
        body.commitments
            .iter()
            .enumerate()
            .map(|(i, c)| field::from_hex(c).map_err(|e| bad(format!("commitment {i}: {e}"))))
            .collect()
    })();
    let commitments = match parsed {
        Ok(c) => c,
        Err(e) => return Err(refuse(&state, request, Action::Unknown, e).await),
    };
    let count = commitments.len() as u64;
    let shared = state.clone();
    let appended =
        blocking(move || shared.registry.append_batch_by(&commitments, now(), &request).map_err(storage))
            .await?;
    state.metrics.appended(count);
    Ok(axum::Json(json!({ "first": appended.first, "count": count, "checkpoint": appended.checkpoint })))
}

pub(crate) async fn revoke(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<Value>, ApiError> {
    let request = admit(&state, Signer::Issuer, &method, &uri, &headers, &body, Action::Unknown).await?;
    let index = match serde_json::from_slice::<RevokeBody>(&body) {
        Ok(b) => b.index,
        Err(e) => return Err(refuse(&state, request, Action::Unknown, bad(format!("body: {e}"))).await),
    };
    blocking(move || {
        let checkpoint = state.registry.revoke_by(index, now(), &request).map_err(storage)?;
        Ok(axum::Json(json!({ "checkpoint": checkpoint })))
    })
    .await
}

/// `from` and `limit` of an audit query.
fn audit_query(uri: &Uri) -> Result<(u64, usize), ApiError> {
    let (mut from, mut limit) = (0u64, 100usize);
    for pair in uri.query().unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "from" => from = value.parse().map_err(|_| bad("from is a number"))?,
            "limit" => limit = value.parse().map_err(|_| bad("limit is a number"))?,
            other => {
                return Err(bad(format!(
                    "unknown parameter {:?}",
                    other.chars().take(32).collect::<String>()
                )));
            }
        }
    }
    if limit == 0 || limit > MAX_AUDIT_PAGE {
        return Err(bad(format!("limit is 1 to {MAX_AUDIT_PAGE}")));
    }
    Ok((from, limit))
}

/// The audit log, for the operator. Reads are not themselves logged (paging would never
/// reach the end); refused attempts are.
pub(crate) async fn audit(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Result<axum::Json<Value>, ApiError> {
    admit(&state, Signer::Operator, &method, &uri, &headers, b"", Action::ReadAudit).await?;
    let (from, limit) = audit_query(&uri)?;
    blocking(move || {
        let entries = state.registry.audit(from, limit).map_err(storage)?;
        let next = from + entries.len() as u64;
        Ok(axum::Json(json!({ "entries": entries, "next": next })))
    })
    .await
}

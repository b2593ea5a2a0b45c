//! `POST /v1/import/shc`: a wallet's SMART Health Card, imported by the registry service.
//!
//! A patient holds no issuer key and cannot append to the registry; the card's issuer has
//! signed the card, not medzk records. An operator who trusts a set of card issuers
//! ([`ShcImport`]) lets the service import cards for wallets: it verifies the card's ES256
//! signature against those issuers' keys (and their revocation lists), maps it as
//! `medzk import shc` does, derives each
//! record's salt from the record under the service's own key
//! ([`medzk_formats::map::salts`]) — so a card imported twice, or two cards repeating a
//! dose, give each fact one commitment, which no proof can count twice — appends every
//! commitment in one transaction as the import's own issuer (it owns the leaves and may
//! revoke them), and answers with the credentials. The card's content passes through the
//! service and is kept nowhere (the audit log records the body's hash).
//!
//! Pages of any origin may call it (no ambient credentials are involved; the answer is for
//! the caller that sent the card): it answers CORS preflights, and every answer on its path
//! allows any origin.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use medzk_circuits::credential::Credential;
use medzk_circuits::date::Day;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::holder::HolderId;
use medzk_formats::map::salts::SaltKey;
use medzk_formats::map::{self, Mapping, Options, VaccineCodes};
use medzk_formats::shc::{self, RevocationList, Trust};
use medzk_registry::Action;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::routes::{refuse, take_rate};
use crate::server::{ApiError, AppState, bad, blocking, now, storage};

/// Largest card text accepted (a `.smart-health-card` file or its QR chunks).
pub const MAX_CARD_BYTES: usize = 1 << 20;

/// What the service needs to import cards for wallets.
pub struct ShcImport {
    /// The card issuers it trusts: key sets bound to their issuer (`iss`).
    pub trust: Trust,
    /// Their revocation lists (`/.well-known/crl/<kid>.json`): a listed card is refused.
    pub revocations: Vec<RevocationList>,
    /// The key salts are derived under; its loss only stops re-imports from matching.
    pub salt_key: SaltKey,
    /// The issuer name imports append as (it owns the leaves; the audit log names it).
    pub issuer: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportBody {
    /// `shc:/…` QR text (chunks one per line), a compact JWS, or a `.smart-health-card` file.
    card: String,
    /// The wallet's holder id, 0x… .
    holder_id: String,
}

fn unprocessable(kind: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, kind, message)
}

/// The verified cards' records and what describes their sources.
fn verify_and_map(bridge: &ShcImport, body: &ImportBody, at: i64) -> Result<(Mapping, Vec<Value>), ApiError> {
    let holder = HolderId(field::from_hex(&body.holder_id).map_err(|e| bad(format!("holder_id: {e}")))?);
    let card_error =
        |e: medzk_formats::FormatError| unprocessable("invalid_card", format!("{e} [step: {}]", e.step()));
    let cards = shc::jws_of_input(&body.card).map_err(card_error)?;
    let mut mapping = Mapping::default();
    let mut sources = Vec::new();
    for (i, jws) in cards.iter().enumerate() {
        let card = shc::verify(jws, &bridge.trust, at, &bridge.revocations).map_err(card_error)?;
        let options = Options {
            holder,
            issuer: String::new(),
            vaccine_codes: VaccineCodes::AsIssued,
            today: Day::from_unix_seconds(at),
        };
        let mut m = card.import(options).map_err(card_error)?;
        if cards.len() > 1 {
            for r in &mut m.records {
                r.source = format!("card {i}: {}", r.source);
            }
        }
        sources.push(json!({
            "iss": card.iss, "kid": card.kid, "issued": medzk_formats::bytes::rfc3339(card.nbf),
            "signature": "ES256, verified", "issuer_slot": card.issuer_slot(),
        }));
        mapping.records.extend(m.records);
        mapping.skipped.append(&mut m.skipped);
    }
    if mapping.records.is_empty() {
        return Err(unprocessable(
            "nothing_to_import",
            format!("the card holds no record medzk imports ({} skipped)", mapping.skipped.len()),
        ));
    }
    Ok((mapping, sources))
}

pub(crate) async fn import_shc(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Result<Response, ApiError> {
    let Some(bridge) = state.shc_import.as_ref() else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_enabled",
            "this registry service does not import SMART Health Cards (its operator enables it with --shc-trust-dir)",
        ));
    };
    let request = medzk_registry::Request::issuer(&bridge.issuer, &body).on(method.as_str(), uri.path());
    if let Err(e) = take_rate(&state, &bridge.issuer, "more card imports than the service's limit") {
        return Err(refuse(&state, request, Action::Unknown, e).await);
    }
    let checked = (|| {
        if body.len() > MAX_CARD_BYTES {
            return Err(bad(format!("a card is at most {MAX_CARD_BYTES} bytes")));
        }
        let parsed: ImportBody = serde_json::from_slice(&body).map_err(|e| bad(format!("body: {e}")))?;
        verify_and_map(bridge, &parsed, now())
    })();
    let (mapping, sources) = match checked {
        Ok(c) => c,
        Err(e) => return Err(refuse(&state, request, Action::Unknown, e).await),
    };
    let salts = mapping.derived_salts(&bridge.salt_key);
    let pending: Vec<Credential> = mapping
        .records
        .iter()
        .zip(salts)
        .map(|(m, salt)| Credential::new(m.record.clone(), salt, 0))
        .collect();
    let commitments: Vec<Fr> = pending.iter().map(|c| c.commitment).collect();
    let count = commitments.len() as u64;
    let shared = state.clone();
    let appended =
        blocking(move || shared.registry.append_batch_by(&commitments, now(), &request).map_err(storage))
            .await?;
    state.metrics.appended(count);
    let credentials = pending
        .into_iter()
        .enumerate()
        .map(|(i, c)| serde_json::to_value(Credential::new(c.record, c.salt, appended.first + i as u64)))
        .collect::<Result<Vec<Value>, _>>()
        .map_err(|_| {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the credentials were not written")
        })?;
    let records: Vec<Value> = mapping
        .records
        .iter()
        .map(|m| json!({ "source": m.source, "kind": map::kind_name(m.record.kind), "notes": m.notes }))
        .collect();
    let answer = json!({
        "first": appended.first, "count": count, "checkpoint": appended.checkpoint, "cards": sources,
        "credentials": credentials, "records": records, "skipped": mapping.skipped,
    });
    Ok((StatusCode::OK, axum::Json(answer)).into_response())
}

/// The preflight of a page's import request (the origin header is added with every
/// answer of this path, errors included: `routes::public_reads_cors`).
pub(crate) async fn import_preflight() -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("POST"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("content-type"));
    h.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
    response
}

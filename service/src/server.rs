//! The HTTP service (axum on tokio). Endpoints, all JSON:
//!
//! | method and path | who | what |
//! |---|---|---|
//! | `GET /healthz` | anyone | `ok`, `leaves`, `root` |
//! | `GET /v1/head` | verifiers | a [`SignedHead`] signed now by the operator key |
//! | `GET /v1/path/{index}` | holders | the leaf's inclusion path file |
//! | `POST /v1/append` | enrolled issuers, signed | `{"commitments": ["0x…", …]}` → `first`, `count`, `checkpoint` |
//! | `POST /v1/revoke` | the issuer that appended the leaf, signed | `{"index": n}` → `checkpoint` |
//!
//! Errors are `{"error": {"kind", "message"}}` with a status that says who is at fault
//! (400 malformed, 401 unsigned or badly signed, 403 not this issuer's leaf, 404 no such
//! leaf, 409 replay, 413 too large, 503 storage). Registry work runs on the blocking pool;
//! writers queue in the backend, readers never wait for them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ed25519_dalek::VerifyingKey;
use medzk_circuits::credential::InclusionFile;
use medzk_circuits::field::{self, Fr};
use medzk_registry::{OperatorSecret, Registry, RegistryError, SignedHead};
use redb::{Database, TableDefinition};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::{self, MAX_SKEW, SignedHeaders};

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 4 << 20;
/// Most commitments in one append request.
pub const MAX_BATCH: usize = 50_000;
/// Checkpoints a head carries before the signed one.
pub const HEAD_TAIL: usize = 64;

const OWNERS: TableDefinition<u64, &str> = TableDefinition::new("owners");

/// What the service needs to start.
pub struct ServiceConfig {
    /// The registry it serves.
    pub registry: Registry,
    /// The registry's name in signed heads.
    pub name: String,
    /// The operator's signing key.
    pub operator: OperatorSecret,
    /// Enrolled issuers: name and Ed25519 public key.
    pub issuers: Vec<(String, VerifyingKey)>,
    /// The service's own state file (which issuer appended each leaf).
    pub state: std::path::PathBuf,
}

struct Shared {
    registry: Registry,
    name: String,
    operator: OperatorSecret,
    issuers: HashMap<String, VerifyingKey>,
    owners: Database,
    nonces: Mutex<HashMap<[u8; 16], i64>>,
    started: i64,
}

type AppState = Arc<Shared>;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A failed request.
struct ApiError(StatusCode, &'static str, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(json!({ "error": { "kind": self.1, "message": self.2 } }))).into_response()
    }
}

fn bad(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::BAD_REQUEST, "bad_request", message.into())
}

fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError(StatusCode::UNAUTHORIZED, "unauthorized", message.into())
}

fn storage(e: RegistryError) -> ApiError {
    match e {
        RegistryError::NoSuchLeaf(i) => {
            ApiError(StatusCode::NOT_FOUND, "no_such_leaf", format!("leaf {i} does not exist"))
        }
        RegistryError::AlreadyRevoked(i) => {
            ApiError(StatusCode::CONFLICT, "already_revoked", format!("leaf {i} is already revoked"))
        }
        RegistryError::Full(n) => {
            ApiError(StatusCode::CONFLICT, "full", format!("the registry is full ({n} leaves)"))
        }
        RegistryError::EmptyCommitment => bad("the empty value cannot be appended"),
        other => ApiError(StatusCode::SERVICE_UNAVAILABLE, "storage", other.to_string()),
    }
}

/// Runs registry work on a thread outside the async runtime: the storage backends are
/// blocking, and the PostgreSQL client refuses to run inside a runtime's context (even on
/// its blocking pool).
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = done.send(f());
    });
    result.await.unwrap_or_else(|_| {
        Err(ApiError(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the request failed".into()))
    })
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

/// Checks a write request: an enrolled issuer, a valid signature, a fresh timestamp, a
/// nonce never seen. Returns the issuer's name.
fn authenticate(
    state: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<String, ApiError> {
    let signed = signed_headers(headers)?;
    let key = state
        .issuers
        .get(&signed.issuer)
        .ok_or_else(|| unauthorized(format!("issuer {:?} is not enrolled", signed.issuer)))?;
    auth::verify(key, method.as_str(), uri.path(), &signed, body).map_err(|e| unauthorized(e.to_string()))?;
    let now = now();
    if (signed.timestamp - now).abs() > MAX_SKEW || signed.timestamp < state.started - 1 {
        return Err(unauthorized(format!(
            "the request was signed at {}, the server's clock says {now} (at most {MAX_SKEW} s apart, and not \
             before the server started): sign it again",
            signed.timestamp
        )));
    }
    let mut nonces = state.nonces.lock().unwrap_or_else(|e| e.into_inner());
    nonces.retain(|_, seen| *seen >= now - 2 * MAX_SKEW);
    if nonces.insert(signed.nonce, now).is_some() {
        return Err(ApiError(StatusCode::CONFLICT, "replay", "this request was already received".into()));
    }
    Ok(signed.issuer)
}

/// An authenticated write request's issuer and its JSON body.
fn signed_json<T: serde::de::DeserializeOwned>(
    state: &Shared,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(String, T), ApiError> {
    let issuer = authenticate(state, method, uri, headers, body)?;
    let request = serde_json::from_slice(body).map_err(|e| bad(format!("body: {e}")))?;
    Ok((issuer, request))
}

async fn healthz(State(state): State<AppState>) -> Result<axum::Json<Value>, ApiError> {
    blocking(move || {
        let last = state.registry.last_checkpoint().map_err(storage)?;
        Ok(axum::Json(json!({ "ok": true, "leaves": last.leaves, "root": field::to_hex(&last.root) })))
    })
    .await
}

async fn head(State(state): State<AppState>) -> Result<axum::Json<SignedHead>, ApiError> {
    blocking(move || {
        SignedHead::sign(&state.registry, &state.name, &state.operator, HEAD_TAIL, now())
            .map(axum::Json)
            .map_err(storage)
    })
    .await
}

async fn path(State(state): State<AppState>, UrlPath(index): UrlPath<u64>) -> Result<Response, ApiError> {
    blocking(move || {
        let (path, root) = state.registry.path(index).map_err(storage)?;
        let text = InclusionFile::new(path, root).to_json();
        Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], text).into_response())
    })
    .await
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

async fn append(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<Value>, ApiError> {
    let (issuer, request): (String, AppendBody) = signed_json(&state, &method, &uri, &headers, &body)?;
    if request.commitments.is_empty() || request.commitments.len() > MAX_BATCH {
        return Err(bad(format!("1 to {MAX_BATCH} commitments per request")));
    }
    let commitments: Vec<Fr> = request
        .commitments
        .iter()
        .enumerate()
        .map(|(i, c)| field::from_hex(c).map_err(|e| bad(format!("commitment {i}: {e}"))))
        .collect::<Result<_, _>>()?;
    blocking(move || {
        let appended = state.registry.append_batch(&commitments, now()).map_err(storage)?;
        let count = commitments.len() as u64;
        record_owner(&state.owners, appended.first, count, &issuer)?;
        Ok(axum::Json(json!({ "first": appended.first, "count": count, "checkpoint": appended.checkpoint })))
    })
    .await
}

fn state_error(e: String) -> ApiError {
    ApiError(StatusCode::SERVICE_UNAVAILABLE, "storage", format!("service state: {e}"))
}

fn record_owner(db: &Database, first: u64, count: u64, issuer: &str) -> Result<(), ApiError> {
    let fail = state_error;
    let txn = db.begin_write().map_err(|e| fail(e.to_string()))?;
    {
        let mut owners = txn.open_table(OWNERS).map_err(|e| fail(e.to_string()))?;
        for i in first..first + count {
            owners.insert(i, issuer).map_err(|e| fail(e.to_string()))?;
        }
    }
    txn.commit().map_err(|e| fail(e.to_string()))
}

fn owner(db: &Database, index: u64) -> Result<Option<String>, ApiError> {
    let fail = state_error;
    let txn = db.begin_read().map_err(|e| fail(e.to_string()))?;
    let owners = match txn.open_table(OWNERS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
        Err(e) => return Err(fail(e.to_string())),
    };
    Ok(owners.get(index).map_err(|e| fail(e.to_string()))?.map(|v| v.value().to_string()))
}

async fn revoke(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<Value>, ApiError> {
    let (issuer, request): (String, RevokeBody) = signed_json(&state, &method, &uri, &headers, &body)?;
    blocking(move || {
        match owner(&state.owners, request.index)? {
            Some(owner) if owner == issuer => {}
            Some(_) => {
                return Err(ApiError(
                    StatusCode::FORBIDDEN,
                    "not_your_leaf",
                    format!("leaf {} was appended by another issuer", request.index),
                ));
            }
            None => {
                return Err(ApiError(
                    StatusCode::NOT_FOUND,
                    "no_such_leaf",
                    format!("leaf {} was not appended through this service", request.index),
                ));
            }
        }
        let checkpoint = state.registry.revoke(request.index, now()).map_err(storage)?;
        Ok(axum::Json(json!({ "checkpoint": checkpoint })))
    })
    .await
}

/// A configured service: its state, and routers over it.
#[derive(Clone)]
pub struct Service(AppState);

impl Service {
    /// Opens the service's state.
    pub fn new(config: ServiceConfig) -> Result<Service, RegistryError> {
        let owners = open_state(&config.state)?;
        Ok(Service(Arc::new(Shared {
            registry: config.registry,
            name: config.name,
            operator: config.operator,
            issuers: config.issuers.into_iter().collect(),
            owners,
            nonces: Mutex::new(HashMap::new()),
            started: now(),
        })))
    }

    /// The HTTP routes. Keep the `Service` alive outside the runtime: its storage
    /// connections must be closed off the runtime's threads.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/healthz", get(healthz))
            .route("/v1/head", get(head))
            .route("/v1/path/{index}", get(path))
            .route("/v1/append", post(append))
            .route("/v1/revoke", post(revoke))
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(self.0.clone())
    }
}

fn open_state(path: &Path) -> Result<Database, RegistryError> {
    Database::create(path)
        .map_err(|e| RegistryError::Open { path: path.display().to_string(), reason: e.to_string() })
}

/// Serves until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}

/// A service running on its own runtime thread (tests, the demo).
pub struct Running {
    /// Where it listens.
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// Starts the service on `addr` (port 0: any free loopback port).
    pub fn start(config: ServiceConfig, addr: SocketAddr) -> Result<Running, RegistryError> {
        let io = |e: std::io::Error| RegistryError::Storage(e.to_string());
        let service = Service::new(config)?;
        let router = service.router();
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(io)?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(addr)).map_err(io)?;
        let addr = listener.local_addr().map_err(io)?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let served = runtime.block_on(serve(listener, router, async {
                let _ = stopped.await;
            }));
            // The runtime first, then the state (its connections close off the runtime).
            drop(runtime);
            drop(service);
            served
        });
        Ok(Running { addr, stop: Some(stop), thread: Some(thread) })
    }

    /// The base URL, `http://addr`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

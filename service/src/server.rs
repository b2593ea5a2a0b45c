//! The HTTP service (axum on tokio). Endpoints, all JSON but `/metrics`:
//!
//! | method and path | who | what |
//! |---|---|---|
//! | `GET /healthz` | anyone | `ok`, `leaves`, `root` |
//! | `GET /metrics` | anyone (monitoring) | Prometheus text: requests, latency, limits, size |
//! | `GET /v1/head` | verifiers | a [`SignedHead`](medzk_registry::SignedHead) signed now by the operator key |
//! | `GET /v1/path/{index}` | holders | the leaf's inclusion path file |
//! | `GET /v1/subtree/{levels}/{group}` | holders | `4^levels` leaves and the path above them ([`Subtree`](medzk_registry::Subtree)): the private fetch |
//! | `POST /v1/append` | enrolled issuers, signed | `{"commitments": ["0x…", …]}` → `first`, `count`, `checkpoint` |
//! | `POST /v1/revoke` | the issuer that appended the leaf, signed | `{"index": n}` → `checkpoint` |
//! | `GET /v1/audit?from=&limit=` | the operator, signed | audit entries, oldest first |
//! | `POST /v1/import/shc` | wallets, where the operator enables it ([`ShcImport`]) | `{"card", "holder_id"}` → the verified card's `credentials`, `first`, `count`, `checkpoint` ([`crate::import`]) |
//!
//! Errors are `{"error": {"kind", "message"}}` with a status that says who is at fault
//! (400 malformed, 401 unsigned or badly signed, 403 not this issuer's leaf, 404 no such
//! leaf, 409 replay, 413 too large, 422 a card refused, 429 over the issuer's rate, 503 storage). Every write
//! request, accepted or refused, lands in the registry's audit log ([`medzk_registry::audit`]);
//! registry work runs off the async runtime; writers queue in the backend, readers never
//! wait for them.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use ed25519_dalek::VerifyingKey;
use medzk_registry::{OperatorSecret, Registry, RegistryError};
use serde_json::json;

use crate::auth::OPERATOR;
use crate::import::{self, ShcImport};
use crate::limits::{Buckets, Limits};
use crate::metrics::Metrics;
use crate::routes;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 4 << 20;
/// Most commitments in one append request.
pub const MAX_BATCH: usize = 50_000;
/// Checkpoints a head carries before the signed one.
pub const HEAD_TAIL: usize = 64;
/// Most audit entries in one answer.
pub const MAX_AUDIT_PAGE: usize = 1_000;

/// What the service needs to start.
pub struct ServiceConfig {
    /// The registry it serves (its owners and audit log live in it too).
    pub registry: Registry,
    /// The registry's name in signed heads.
    pub name: String,
    /// The operator's signing key.
    pub operator: OperatorSecret,
    /// Enrolled issuers: name and Ed25519 public key.
    pub issuers: Vec<(String, VerifyingKey)>,
    /// Request-rate limits.
    pub limits: Limits,
    /// Card imports for wallets (`POST /v1/import/shc`), if the operator enables them.
    pub shc_import: Option<ShcImport>,
}

pub(crate) struct Shared {
    pub(crate) registry: Registry,
    pub(crate) name: String,
    pub(crate) operator: OperatorSecret,
    pub(crate) issuers: HashMap<String, VerifyingKey>,
    pub(crate) nonces: Mutex<HashMap<[u8; 16], i64>>,
    pub(crate) started: i64,
    pub(crate) issuer_limits: Buckets,
    pub(crate) refusal_log: Buckets,
    pub(crate) metrics: Metrics,
    pub(crate) shc_import: Option<ShcImport>,
}

pub(crate) type AppState = Arc<Shared>;

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A failed request: status, kind, message, and (for 429) seconds to wait.
pub(crate) struct ApiError(pub StatusCode, pub &'static str, pub String, pub Option<u64>);

impl ApiError {
    pub(crate) fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> ApiError {
        ApiError(status, kind, message.into(), None)
    }

    /// How the audit log words it.
    pub(crate) fn reason(&self) -> String {
        format!("{}: {}", self.1, self.2)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = axum::Json(json!({ "error": { "kind": self.1, "message": self.2 } }));
        match self.3 {
            Some(wait) => {
                (self.0, [(axum::http::header::RETRY_AFTER, wait.to_string())], body).into_response()
            }
            None => (self.0, body).into_response(),
        }
    }
}

pub(crate) fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
}

pub(crate) fn unauthorized(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
}

pub(crate) fn storage(e: RegistryError) -> ApiError {
    match e {
        RegistryError::NoSuchLeaf(i) => {
            ApiError::new(StatusCode::NOT_FOUND, "no_such_leaf", format!("leaf {i} does not exist"))
        }
        RegistryError::AlreadyRevoked(i) => {
            ApiError::new(StatusCode::CONFLICT, "already_revoked", format!("leaf {i} is already revoked"))
        }
        RegistryError::NotYourLeaf(i) => ApiError::new(
            StatusCode::FORBIDDEN,
            "not_your_leaf",
            format!("leaf {i} was not appended by this issuer"),
        ),
        RegistryError::Full(n) => {
            ApiError::new(StatusCode::CONFLICT, "full", format!("the registry is full ({n} leaves)"))
        }
        RegistryError::EmptyCommitment => bad("the empty value cannot be appended"),
        RegistryError::BadRequest(m) => bad(m),
        other => ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "storage", other.to_string()),
    }
}

/// Runs registry work on a thread outside the async runtime: the storage backends are
/// blocking, and the PostgreSQL client refuses to run inside a runtime's context (even on
/// its blocking pool).
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = done.send(f());
    });
    result.await.unwrap_or_else(|_| {
        Err(ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "the request failed"))
    })
}

/// A configured service: its state, and routers over it.
#[derive(Clone)]
pub struct Service(pub(crate) AppState);

impl Service {
    /// Checks the configuration and builds the service's state.
    pub fn new(config: ServiceConfig) -> Result<Service, RegistryError> {
        if config.issuers.iter().any(|(name, _)| name == OPERATOR || name.is_empty()) {
            return Err(RegistryError::BadRequest(format!(
                "no issuer may be enrolled under the name {OPERATOR:?} (or an empty name)"
            )));
        }
        if let Some(import) = &config.shc_import {
            let name = &import.issuer;
            if name.is_empty() || name == OPERATOR || config.issuers.iter().any(|(n, _)| n == name) {
                return Err(RegistryError::BadRequest(format!(
                    "card imports need an issuer name of their own, not {name:?} (empty, the operator's or an enrolled issuer's)"
                )));
            }
        }
        let limits = config.limits;
        Ok(Service(Arc::new(Shared {
            registry: config.registry,
            name: config.name,
            operator: config.operator,
            issuers: config.issuers.into_iter().collect(),
            nonces: Mutex::new(HashMap::new()),
            started: now(),
            issuer_limits: Buckets::new(limits.issuer_rate, limits.issuer_burst),
            refusal_log: Buckets::new(limits.refusal_log_rate, limits.refusal_log_burst),
            metrics: Metrics::default(),
            shc_import: config.shc_import,
        })))
    }

    /// The HTTP routes. Keep the `Service` alive outside the runtime: its storage
    /// connections must be closed off the runtime's threads.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/healthz", get(routes::healthz))
            .route("/metrics", get(routes::metrics))
            .route("/v1/head", get(routes::head))
            .route("/v1/path/{index}", get(routes::path))
            .route("/v1/subtree/{levels}/{group}", get(routes::subtree))
            .route("/v1/append", post(routes::append))
            .route("/v1/revoke", post(routes::revoke))
            .route("/v1/audit", get(routes::audit))
            .route("/v1/import/shc", post(import::import_shc).options(import::import_preflight))
            .route_layer(axum::middleware::from_fn_with_state(self.0.clone(), routes::track))
            .fallback(routes::not_found)
            .layer(axum::middleware::from_fn(routes::public_reads_cors))
            .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
            .with_state(self.0.clone())
    }
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

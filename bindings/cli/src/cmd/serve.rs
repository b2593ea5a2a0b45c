//! `medzk serve` and `medzk issuer keygen`: the registry as an HTTP service, and the keys
//! issuers sign their requests with.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;
use medzk_formats::map::salts::SaltKey;
use medzk_formats::shc::{RevocationList, Trust, keys};
use medzk_registry::OperatorSecret;
use medzk_service::auth::{self, IssuerSecret};
use medzk_service::{Limits, Service, ServiceConfig, ShcImport};
use serde::Deserialize;
use serde_json::json;

use super::registry;
use crate::io::{self, CliError, CliResult};
use crate::report::{Report, shown};

/// Arguments of `serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The registry to serve (a file, or a postgresql:// URL).
    #[arg(long)]
    pub registry: PathBuf,
    /// The registry's name in its signed heads (for example `registry:NO`).
    #[arg(long)]
    pub name: String,
    /// The operator's secret key (from `registry operator-keygen`), which signs every head.
    #[arg(long)]
    pub operator_secret: PathBuf,
    /// The enrolled issuers: a JSON list of {"name": …, "public_key": …} (from `issuer keygen`).
    #[arg(long)]
    pub issuers: PathBuf,
    /// Sustained write requests per second each issuer may send (more get 429).
    #[arg(long, default_value_t = 50.0)]
    pub rate_limit: f64,
    /// Write requests an issuer may send at once after a quiet period.
    #[arg(long, default_value_t = 100.0)]
    pub burst: f64,
    /// Where to listen.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Import SMART Health Cards for wallets (`POST /v1/import/shc`) from the issuers whose
    /// key sets are in this directory (one JWKS per issuer, each naming its "iss").
    #[arg(long, requires = "import_salt_key")]
    pub shc_trust_dir: Option<PathBuf>,
    /// The secret imported records' salts are derived under (64 hex digits), so that a card
    /// imported twice gives the same commitments; created (readable only by you) if absent.
    #[arg(long, requires = "shc_trust_dir")]
    pub import_salt_key: Option<PathBuf>,
    /// The trusted issuers' revocation lists for card imports (every `*.json` here, each an
    /// issuer's `/.well-known/crl/<kid>.json`): a listed card is refused.
    #[arg(long, requires = "shc_trust_dir")]
    pub shc_revocation_dir: Option<PathBuf>,
    /// The issuer name card imports append as (it owns their leaves; the audit log names it).
    #[arg(long, default_value = "shc-import")]
    pub import_issuer: String,
}

/// Arguments of `issuer keygen`.
#[derive(Args)]
pub struct IssuerKeygenArgs {
    /// The issuer's name, as it appears in its records (for example `clinic:oslo-1`).
    #[arg(long)]
    pub name: String,
    /// Where to write the secret key (readable only by you; never replaced without --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing key file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Enrolled {
    name: String,
    public_key: String,
}

/// Writes an issuer key; the public key is what the operator enrolls.
pub fn issuer_keygen(args: &IssuerKeygenArgs) -> CliResult<Report> {
    if args.name.trim().is_empty() {
        return Err(CliError::Input("--name is empty".into()));
    }
    let key = IssuerSecret::generate(&args.name);
    io::write_private(&args.out, key.to_json().as_bytes(), args.force)?;
    let public = key.public_hex();
    Ok(Report::new(
        public.clone(),
        json!({ "issuer": args.name, "public_key": public, "key_file": shown(&args.out) }),
    ))
}

/// The card-import configuration, if asked for: the trusted issuers' key sets (each bound
/// to its issuer) and the salt key, created on first use.
fn shc_import(args: &ServeArgs) -> CliResult<Option<ShcImport>> {
    let (Some(dir), Some(key_file)) = (&args.shc_trust_dir, &args.import_salt_key) else {
        return Ok(None);
    };
    let mut trust = Trust::new();
    let keys = trust.add_dir(dir).map_err(|e| CliError::file(dir, format!("{e} [step: {}]", e.step())))?;
    if keys == 0 {
        return Err(CliError::file(dir, "holds no issuer key set (*.json, each naming its \"iss\")"));
    }
    if !key_file.exists() {
        let key = SaltKey::generate(&mut rand::rngs::OsRng);
        io::write_private(key_file, key.to_hex().as_bytes(), false)?;
        eprintln!(
            "medzk: created the import salt key {} (keep it: re-imports match only under it)",
            key_file.display()
        );
    }
    let salt_key = SaltKey::from_hex(&io::read_text(key_file)?).map_err(|e| CliError::file(key_file, e))?;
    let mut revocations = Vec::new();
    if let Some(dir) = &args.shc_revocation_dir {
        for f in keys::json_files(dir).map_err(|e| CliError::file(dir, io::plain(&e)))? {
            let list = RevocationList::parse(&io::read_text(&f)?)
                .map_err(|e| CliError::file(&f, format!("{e} [step: {}]", e.step())))?;
            revocations.push(list);
        }
    }
    Ok(Some(ShcImport { trust, revocations, salt_key, issuer: args.import_issuer.clone() }))
}

/// Serves until interrupted (Ctrl-C or SIGTERM), then finishes the requests in flight.
pub fn serve(args: &ServeArgs) -> CliResult<Report> {
    let operator = OperatorSecret::from_json(&io::read_text(&args.operator_secret)?)
        .map_err(|e| CliError::file(&args.operator_secret, e))?;
    let enrolled: Vec<Enrolled> =
        serde_json::from_str(&io::read_text(&args.issuers)?).map_err(|e| CliError::file(&args.issuers, e))?;
    let issuers = enrolled
        .iter()
        .map(|i| {
            let key = auth::public_key(&i.public_key)
                .map_err(|e| CliError::file(&args.issuers, format!("issuer {:?}: {e}", i.name)))?;
            Ok((i.name.clone(), key))
        })
        .collect::<CliResult<Vec<_>>>()?;
    let registry = registry::open(&args.registry)?;
    let operator_key = operator.public().to_string();
    let valid =
        args.rate_limit > 0.0 && args.rate_limit.is_finite() && args.burst >= 1.0 && args.burst.is_finite();
    if !valid {
        return Err(CliError::Input("--rate-limit must be above 0 and --burst at least 1".into()));
    }
    let limits = Limits { issuer_rate: args.rate_limit, issuer_burst: args.burst, ..Limits::default() };
    let shc_import = shc_import(args)?;
    let config = ServiceConfig { registry, name: args.name.clone(), operator, issuers, limits, shc_import };
    let service = Service::new(config).map_err(|e| CliError::file(&args.issuers, e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Input(format!("cannot start the runtime: {e}")))?;
    let served = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| CliError::Input(format!("cannot listen on {}: {e}", args.listen)))?;
        let addr = listener.local_addr().map_err(|e| CliError::Input(e.to_string()))?;
        eprintln!(
            "medzk: serving registry {} ({}) on http://{addr} for {} issuer(s); operator key {operator_key}",
            args.name,
            io::redacted(&args.registry).display(),
            enrolled.len()
        );
        medzk_service::server::serve(listener, service.router(), shutdown())
            .await
            .map_err(|e| CliError::Input(format!("the service stopped: {e}")))
    });
    drop(runtime);
    drop(service);
    served?;
    Ok(Report::new("stopped", json!({ "stopped": true })))
}

async fn shutdown() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
    eprintln!("medzk: stopping (finishing the requests in flight)");
}

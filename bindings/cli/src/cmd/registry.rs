//! `medzk registry …`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use medzk_circuits::credential::InclusionFile;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::tree::{DEFAULT_DEPTH, Depth};
use medzk_registry::{AuditEntry, Checkpoint, Ledger, Location, OperatorKey, OperatorSecret, Registry};
use medzk_service::Client;
use serde_json::json;

use super::now_unix;
use crate::io::{self, CliError, CliResult};
use crate::report::{Report, shown};

/// `medzk registry …`.
#[derive(Subcommand)]
pub enum RegistryCommand {
    /// Create an empty registry.
    Init(InitArgs),
    /// Print size, root and ledger as JSON.
    Info(RegistryArg),
    /// Write the inclusion path of a leaf.
    Path(PathArgs),
    /// Revoke a leaf (its record no longer proves against new roots).
    Revoke(RevokeArgs),
    /// Print the roots a verifier should trust now, as JSON.
    Roots(RootsArgs),
    /// Check the ledger's hash chain, the tree against the last root, and the audit log
    /// against the ledger.
    Check(RegistryArg),
    /// Print the audit log (every write request, accepted or refused) as JSON lines, from
    /// the storage or, as the operator, from a registry service.
    Audit(AuditArgs),
    /// Copy a registry to another backend (file ↔ PostgreSQL) and verify the copy.
    Migrate(MigrateArgs),
    /// Operator: generate the Ed25519 key that signs the registry's heads; prints the
    /// public key verifiers pin.
    OperatorKeygen(OperatorKeygenArgs),
    /// Operator: sign the latest checkpoint (with the recent ones) into a head file that
    /// verifiers accept offline (`verify --signed-head … --operator-key …`).
    SignHead(SignHeadArgs),
}

/// Arguments of `registry operator-keygen`.
#[derive(Args)]
pub struct OperatorKeygenArgs {
    /// Where to write the secret key (readable only by you; never replaced without --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing key file (heads it signed stop verifying under the new key).
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `registry sign-head`.
#[derive(Args)]
pub struct SignHeadArgs {
    /// The registry (a file, or a postgresql:// URL).
    #[arg(long)]
    pub registry: PathBuf,
    /// The operator's secret key file.
    #[arg(long)]
    pub operator_secret: PathBuf,
    /// The registry's name, as verifiers know it (for example `registry:NO`).
    #[arg(long)]
    pub name: String,
    /// Earlier checkpoints to include before the signed one.
    #[arg(long, default_value_t = 64)]
    pub tail: usize,
    /// Where to write the signed head.
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `registry audit`.
#[derive(Args)]
pub struct AuditArgs {
    /// The registry (a file, or a postgresql:// URL).
    #[arg(long, required_unless_present = "registry_url", conflicts_with = "registry_url")]
    pub registry: Option<PathBuf>,
    /// A registry service (`medzk serve`); needs --operator-secret.
    #[arg(long, requires = "operator_secret")]
    pub registry_url: Option<String>,
    /// The operator's secret key file (only the operator reads a service's audit log).
    #[arg(long)]
    pub operator_secret: Option<PathBuf>,
    /// First entry to print.
    #[arg(long, default_value_t = 0)]
    pub from: u64,
    /// Most entries to print.
    #[arg(long, default_value_t = 1000)]
    pub limit: usize,
}

/// Arguments of `registry migrate`.
#[derive(Args)]
pub struct MigrateArgs {
    /// The registry to copy (a file, or a postgresql:// URL).
    #[arg(long)]
    pub from: PathBuf,
    /// Where to copy it: a new file, or a postgresql:// URL of a database without a registry.
    #[arg(long)]
    pub to: PathBuf,
}

/// Copies a registry; on any failure the target is left as it was (no file, no tables).
pub fn migrate(args: &MigrateArgs) -> CliResult<Registry> {
    let source = open(&args.from)?;
    let target = Location::parse(&args.to);
    let backend = target.empty_backend(source.depth()).map_err(storage(&args.to))?;
    source.migrate_to(backend).map_err(|e| {
        let _ = target.discard_new();
        CliError::file(&args.to, e)
    })
}

/// The registry file alone.
#[derive(Args)]
pub struct RegistryArg {
    /// The registry database file.
    #[arg(long)]
    pub registry: PathBuf,
}

/// Runs a registry command.
pub fn run(command: RegistryCommand) -> CliResult<Report> {
    Ok(match command {
        RegistryCommand::Init(a) => {
            let reg = init(&a)?;
            let root = field::to_hex(&reg.root().map_err(storage(&a.registry))?);
            Report::new(
                root.clone(),
                json!({ "registry": shown(&a.registry), "depth": a.depth, "leaves": 0, "root": root }),
            )
        }
        RegistryCommand::Info(a) => Report::json_only(info(&a.registry)?),
        RegistryCommand::Path(a) => {
            let root = field::to_hex(&path(&a)?);
            Report::new(root.clone(), json!({ "index": a.index, "root": root, "path_file": shown(&a.out) }))
        }
        RegistryCommand::Audit(a) => {
            let entries = audit(&a)?;
            let lines: Vec<String> =
                entries.iter().map(|e| serde_json::to_string(e).expect("serializable")).collect();
            Report::new(lines.join("\n"), json!({ "entries": entries }))
        }
        RegistryCommand::Revoke(a) => {
            let checkpoint = revoke(&a)?;
            Report::new(
                field::to_hex(&checkpoint.root),
                json!({ "index": a.index, "checkpoint": checkpoint }),
            )
        }
        RegistryCommand::Roots(a) => {
            let roots: Vec<String> = roots(&a)?.iter().map(field::to_hex).collect();
            Report::json_only(json!(roots))
        }
        RegistryCommand::Migrate(a) => {
            let copy = migrate(&a)?;
            let last = copy.last_checkpoint().map_err(storage(&a.to))?;
            let root = field::to_hex(&last.root);
            Report::new(
                format!("copied {} leaves and {} checkpoints; root {root}", last.leaves, last.seq + 1),
                json!({
                    "from": shown(&io::redacted(&a.from)),
                    "to": shown(&io::redacted(&a.to)),
                    "leaves": last.leaves,
                    "checkpoints": last.seq + 1,
                    "root": root,
                }),
            )
        }
        RegistryCommand::OperatorKeygen(a) => {
            let key = OperatorSecret::generate();
            io::write_private(&a.out, key.to_json().as_bytes(), a.force)?;
            let public = key.public().to_string();
            Report::new(public.clone(), json!({ "operator_key": public, "key_file": shown(&a.out) }))
        }
        RegistryCommand::SignHead(a) => {
            let key = OperatorSecret::from_json(&io::read_text(&a.operator_secret)?)
                .map_err(|e| CliError::file(&a.operator_secret, e))?;
            let reg = open(&a.registry)?;
            let head = medzk_registry::head::sign(&reg, &a.name, &key, a.tail, now_unix())
                .map_err(storage(&a.registry))?;
            io::write(&a.out, head.to_json().as_bytes())?;
            let last = head.checkpoints.last().expect("never empty");
            let root = field::to_hex(&last.root);
            Report::new(
                format!("signed checkpoint {} (root {root}) as {}", last.seq, head.operator),
                json!({
                    "head_file": shown(&a.out),
                    "seq": last.seq,
                    "root": root,
                    "checkpoints": head.checkpoints.len(),
                    "operator_key": head.operator,
                    "signed_at": head.signed_at,
                }),
            )
        }
        RegistryCommand::Check(a) => {
            check(&a.registry)?;
            let facts = info(&a.registry)?;
            Report::new("ok", json!({ "ok": true, "leaves": facts["leaves"], "root": facts["root"] }))
        }
    })
}

/// Arguments of `registry init`.
#[derive(Args)]
pub struct InitArgs {
    /// The registry database file to create.
    #[arg(long)]
    pub registry: PathBuf,
    /// Tree depth in bits (2^depth leaves; even, up to 40).
    #[arg(long, default_value_t = DEFAULT_DEPTH)]
    pub depth: u8,
}

/// Arguments of `registry path`.
#[derive(Args)]
pub struct PathArgs {
    /// The registry (a file, or a postgresql:// URL).
    #[arg(long, required_unless_present = "registry_url", conflicts_with = "registry_url")]
    pub registry: Option<PathBuf>,
    /// A registry service (`medzk serve`) to fetch the path from.
    #[arg(long)]
    pub registry_url: Option<String>,
    /// With --registry-url: fetch the whole subtree of 4^k leaves around the leaf, so the
    /// service does not learn which leaf is yours (0: ask for the leaf itself).
    #[arg(long, default_value_t = PRIVATE_SUBTREE_LEVELS, value_parser = clap::value_parser!(u8).range(0..=6))]
    pub subtree_levels: u8,
    /// The leaf index (from the credential).
    #[arg(long)]
    pub index: u64,
    /// Where to write the inclusion path.
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `registry revoke`.
#[derive(Args)]
pub struct RevokeArgs {
    /// The registry database file.
    #[arg(long)]
    pub registry: PathBuf,
    /// The leaf index to revoke.
    #[arg(long)]
    pub index: u64,
}

/// Arguments of `registry roots`.
#[derive(Args)]
pub struct RootsArgs {
    /// The registry (a file, or a postgresql:// URL).
    #[arg(long, required_unless_present = "registry_url", conflicts_with = "registry_url")]
    pub registry: Option<PathBuf>,
    /// A registry service (`medzk serve`): its signed head, checked under --operator-key.
    #[arg(long, requires = "operator_key")]
    pub registry_url: Option<String>,
    /// The operator's public key to pin (64 hex digits).
    #[arg(long)]
    pub operator_key: Option<String>,
    /// The registry's name in its signed heads, if you know it (another is refused).
    #[arg(long)]
    pub registry_name: Option<String>,
    /// Oldest root to trust, in hours (roots before the latest revocation never are).
    #[arg(long, default_value_t = 24)]
    pub max_age_hours: u32,
    /// Oldest signed head to accept, in hours.
    #[arg(long, default_value_t = 24)]
    pub max_head_age_hours: u32,
}

/// How many levels of subtree a private path fetch asks for by default: 4^4 = 256 leaves
/// (about 17 KB).
pub const PRIVATE_SUBTREE_LEVELS: u8 = 4;

/// A leaf's path from a registry service: privately (a subtree of 4^levels leaves) or,
/// with 0 levels, by its index.
pub fn fetch_path(url: &str, index: u64, levels: u8) -> CliResult<InclusionFile> {
    let client = Client::new(url);
    let file = if levels == 0 { client.path(index) } else { client.private_path(index, levels) };
    file.map_err(|e| CliError::Input(e.to_string()))
}

/// Opens a registry (a file, or a `postgresql://` URL), naming it in errors.
pub fn open(path: &Path) -> CliResult<Registry> {
    Location::parse(path).open().map_err(|e| CliError::file(path, e))
}

/// The checked ledger of a registry: the published file beside a redb registry (the
/// database is never opened), or a snapshot of a PostgreSQL one.
pub fn ledger(path: &Path) -> CliResult<Ledger> {
    Location::parse(path).ledger().map_err(|e| CliError::file(path, e))
}

fn storage(path: &Path) -> impl Fn(medzk_registry::RegistryError) -> CliError + '_ {
    move |e| CliError::file(path, e)
}

/// Creates a registry; returns it.
pub fn init(args: &InitArgs) -> CliResult<Registry> {
    let depth = Depth::new(args.depth).map_err(|e| CliError::Input(e.to_string()))?;
    Location::parse(&args.registry).create(depth, now_unix()).map_err(storage(&args.registry))
}

/// Registry facts as JSON, from the published ledger (never waits for a writer).
pub fn info(path: &Path) -> CliResult<serde_json::Value> {
    let ledger = ledger(path)?;
    let last = ledger.last();
    Ok(json!({
        "depth": ledger.depth,
        "leaves": last.leaves,
        "root": field::to_hex(&last.root),
        "checkpoints": ledger.checkpoints,
    }))
}

/// Writes a leaf's inclusion path; returns the root it leads to.
pub fn path(args: &PathArgs) -> CliResult<Fr> {
    let file = match (&args.registry, &args.registry_url) {
        (Some(registry), _) => {
            let (path, root) = open(registry)?.path(args.index).map_err(storage(registry))?;
            InclusionFile::new(path, root)
        }
        (None, Some(url)) => fetch_path(url, args.index, args.subtree_levels)?,
        (None, None) => return Err(CliError::Input("give --registry or --registry-url".into())),
    };
    io::write(&args.out, file.to_json().as_bytes())?;
    Ok(file.root)
}

/// The audit log's entries: from the storage (checked against the ledger first), or from
/// a service as the operator (each entry checked to link to the one before).
pub fn audit(args: &AuditArgs) -> CliResult<Vec<AuditEntry>> {
    match (&args.registry, &args.registry_url, &args.operator_secret) {
        (Some(registry), _, _) => {
            let reg = open(registry)?;
            reg.verify().map_err(storage(registry))?;
            reg.audit(args.from, args.limit).map_err(storage(registry))
        }
        (None, Some(url), Some(secret)) => {
            let key =
                OperatorSecret::from_json(&io::read_text(secret)?).map_err(|e| CliError::file(secret, e))?;
            let client = Client::new(url);
            let mut entries = Vec::new();
            let mut at = args.from;
            while entries.len() < args.limit {
                let want = (args.limit - entries.len()).min(medzk_service::server::MAX_AUDIT_PAGE);
                let page = client.audit(&key, at, want).map_err(|e| CliError::Input(e.to_string()))?;
                if page.entries.is_empty() {
                    break;
                }
                at = page.next;
                entries.extend(page.entries);
            }
            medzk_registry::audit::verify_links(&entries)
                .map_err(|e| CliError::Input(format!("{url}: {e}")))?;
            Ok(entries)
        }
        _ => Err(CliError::Input("give --registry, or --registry-url with --operator-secret".into())),
    }
}

/// Revokes a leaf; returns the new checkpoint.
pub fn revoke(args: &RevokeArgs) -> CliResult<Checkpoint> {
    let reg = open(&args.registry)?;
    reg.revoke(args.index, now_unix()).map_err(storage(&args.registry))
}

/// The roots to trust now: from the published ledger, or from a service's signed head
/// checked under the pinned operator key.
pub fn roots(args: &RootsArgs) -> CliResult<Vec<Fr>> {
    let max_age = args.max_age_hours as i64 * 3600;
    match (&args.registry, &args.registry_url) {
        (Some(registry), _) => Ok(ledger(registry)?.trusted_roots(now_unix(), max_age)),
        (None, Some(url)) => {
            let pinned = OperatorKey::from_hex(args.operator_key.as_deref().unwrap_or_default())
                .map_err(|e| CliError::Input(format!("--operator-key: {e}")))?;
            let head = Client::new(url).head().map_err(|e| CliError::Input(e.to_string()))?;
            head.trusted_roots(
                &pinned,
                args.registry_name.as_deref(),
                now_unix(),
                max_age,
                args.max_head_age_hours as i64 * 3600,
            )
            .map_err(|e| CliError::Input(format!("{url}: {e}")))
        }
        (None, None) => Err(CliError::Input("give --registry or --registry-url".into())),
    }
}

/// Verifies the ledger and tree.
pub fn check(path: &Path) -> CliResult {
    open(path)?.verify().map_err(storage(path))
}

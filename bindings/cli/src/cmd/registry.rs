//! `medzk registry …`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use medzk_circuits::credential::InclusionFile;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::tree::{DEFAULT_DEPTH, Depth};
use medzk_registry::{Checkpoint, Ledger, Location, OperatorSecret, Registry, SignedHead};
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
    /// Check the ledger's hash chain and the tree against the last root.
    Check(RegistryArg),
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
            let head =
                SignedHead::sign(&reg, &a.name, &key, a.tail, now_unix()).map_err(storage(&a.registry))?;
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
    /// The registry database file.
    #[arg(long)]
    pub registry: PathBuf,
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
    /// The registry database file.
    #[arg(long)]
    pub registry: PathBuf,
    /// Oldest root to trust, in hours (roots before the latest revocation never are).
    #[arg(long, default_value_t = 24)]
    pub max_age_hours: u32,
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
    let reg = open(&args.registry)?;
    let (path, root) = reg.path(args.index).map_err(storage(&args.registry))?;
    io::write(&args.out, InclusionFile::new(path, root).to_json().as_bytes())?;
    Ok(root)
}

/// Revokes a leaf; returns the new checkpoint.
pub fn revoke(args: &RevokeArgs) -> CliResult<Checkpoint> {
    let reg = open(&args.registry)?;
    reg.revoke(args.index, now_unix()).map_err(storage(&args.registry))
}

/// The roots to trust now, from the published ledger.
pub fn roots(args: &RootsArgs) -> CliResult<Vec<Fr>> {
    Ok(ledger(&args.registry)?.trusted_roots(now_unix(), args.max_age_hours as i64 * 3600))
}

/// Verifies the ledger and tree.
pub fn check(path: &Path) -> CliResult {
    open(path)?.verify().map_err(storage(path))
}

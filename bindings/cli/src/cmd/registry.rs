//! `medzk registry …`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use medzk_circuits::credential::InclusionFile;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::tree::{DEFAULT_DEPTH, Depth};
use medzk_registry::{Checkpoint, Ledger, Registry};
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

/// Opens a registry, naming the file in errors.
pub fn open(path: &Path) -> CliResult<Registry> {
    Registry::open(path).map_err(|e| CliError::file(path, e))
}

fn storage(path: &Path) -> impl Fn(medzk_registry::RegistryError) -> CliError + '_ {
    move |e| CliError::file(path, e)
}

/// Creates a registry; returns it.
pub fn init(args: &InitArgs) -> CliResult<Registry> {
    let depth = Depth::new(args.depth).map_err(|e| CliError::Input(e.to_string()))?;
    Registry::create(&args.registry, depth, now_unix()).map_err(storage(&args.registry))
}

/// Registry facts as JSON, from the published ledger (never waits for a writer).
pub fn info(path: &Path) -> CliResult<serde_json::Value> {
    let ledger = Ledger::read(path).map_err(storage(path))?;
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
    let ledger = Ledger::read(&args.registry).map_err(storage(&args.registry))?;
    Ok(ledger.trusted_roots(now_unix(), args.max_age_hours as i64 * 3600))
}

/// Verifies the ledger and tree.
pub fn check(path: &Path) -> CliResult {
    open(path)?.verify().map_err(storage(path))
}

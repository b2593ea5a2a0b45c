//! `medzk registry …`.

use std::path::{Path, PathBuf};

use clap::Args;
use medzk_circuits::credential::InclusionFile;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::tree::{DEFAULT_DEPTH, Depth};
use medzk_registry::{Checkpoint, Ledger, Registry};
use serde_json::json;

use super::now_unix;
use crate::io::{self, CliError, CliResult};

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

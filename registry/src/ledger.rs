//! The published ledger: the registry's checkpoint chain as a file next to the database,
//! for readers.
//!
//! The database (redb) admits one process at a time. Verifiers need only the roots, so
//! every writer, after each committed change and while it still holds the database,
//! replaces `<registry>.ledger.json` atomically (a temporary file renamed over it). A
//! verifier reads that file: it is never blocked by an issuer that is appending, and it
//! never writes. Readers check the whole hash chain before trusting any root of it. If a
//! writer dies between its commit and the rename, the file lags by that change (readers
//! see the previous roots) until the next writer opens the registry and republishes it.

use std::io::Read;
use std::path::{Path, PathBuf};

use medzk_circuits::field::Fr;
use medzk_circuits::tree::Depth;
use serde::{Deserialize, Serialize};

use crate::{Checkpoint, RegistryError};

/// Largest ledger file a reader accepts (about a million checkpoints).
pub const MAX_LEDGER_BYTES: u64 = 512 << 20;
/// Version of the published ledger's layout.
pub const LEDGER_FORMAT: u32 = 1;

/// The published checkpoint chain of a registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// Layout version ([`LEDGER_FORMAT`]).
    pub format: u32,
    /// Tree depth in bits.
    pub depth: u8,
    /// Every checkpoint, oldest first.
    pub checkpoints: Vec<Checkpoint>,
}

/// The published ledger's file for the registry database at `db`.
pub fn ledger_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".ledger.json");
    PathBuf::from(name)
}

fn corrupt(path: &Path, why: impl std::fmt::Display) -> RegistryError {
    RegistryError::Corrupt(format!("published ledger {}: {why}", path.display()))
}

/// Checks a checkpoint chain: consecutive sequence numbers, each hash correct, each
/// linked to the one before.
pub fn verify_chain(checkpoints: &[Checkpoint]) -> Result<(), RegistryError> {
    let mut previous = Fr::from(0u64);
    for (i, c) in checkpoints.iter().enumerate() {
        if c.seq != i as u64 || c.previous != previous || c.hash != c.compute_hash() {
            return Err(RegistryError::Corrupt(format!("ledger broken at checkpoint {i}")));
        }
        previous = c.hash;
    }
    if checkpoints.is_empty() {
        return Err(RegistryError::Corrupt("empty ledger".into()));
    }
    Ok(())
}

pub use medzk_verifier::signed_head::trusted_roots;

impl Ledger {
    /// Reads and checks the published ledger of the registry database at `db` (never
    /// opens the database itself).
    pub fn read(db: &Path) -> Result<Ledger, RegistryError> {
        let path = ledger_path(db);
        let file = std::fs::File::open(&path).map_err(|e| {
            let reason = if e.kind() == std::io::ErrorKind::NotFound {
                if db.exists() {
                    "no published ledger next to it (open it once as its operator, \
                     for example `medzk registry check`, to publish one)"
                        .to_string()
                } else {
                    "no such registry".to_string()
                }
            } else {
                e.to_string()
            };
            RegistryError::Open { path: db.display().to_string(), reason }
        })?;
        let mut text = String::new();
        file.take(MAX_LEDGER_BYTES + 1).read_to_string(&mut text).map_err(|e| corrupt(&path, e))?;
        if text.len() as u64 > MAX_LEDGER_BYTES {
            return Err(corrupt(&path, "file is too large"));
        }
        let ledger: Ledger = serde_json::from_str(&text).map_err(|e| corrupt(&path, e))?;
        if ledger.format != LEDGER_FORMAT {
            return Err(corrupt(&path, format!("unsupported format {}", ledger.format)));
        }
        Depth::new(ledger.depth).map_err(|e| corrupt(&path, e))?;
        verify_chain(&ledger.checkpoints)?;
        Ok(ledger)
    }

    /// Replaces the published ledger of `db` atomically.
    pub(crate) fn publish(
        db: &Path,
        depth: Depth,
        checkpoints: Vec<Checkpoint>,
    ) -> Result<(), RegistryError> {
        let path = ledger_path(db);
        let ledger = Ledger { format: LEDGER_FORMAT, depth: depth.bits(), checkpoints };
        let text = serde_json::to_vec(&ledger).map_err(|e| RegistryError::Storage(e.to_string()))?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let fail = |e: std::io::Error| {
            RegistryError::Storage(format!("cannot publish the ledger {}: {}", path.display(), e.kind()))
        };
        let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(fail)?;
        std::io::Write::write_all(&mut tmp, &text).map_err(fail)?;
        tmp.as_file().sync_data().map_err(fail)?;
        tmp.persist(&path).map_err(|e| fail(e.error))?;
        Ok(())
    }

    /// The latest checkpoint.
    pub fn last(&self) -> &Checkpoint {
        self.checkpoints.last().expect("a checked ledger is not empty")
    }

    /// The roots to accept at `now` (see [`trusted_roots`]).
    pub fn trusted_roots(&self, now: i64, max_age: i64) -> Vec<Fr> {
        trusted_roots(&self.checkpoints, now, max_age)
    }
}

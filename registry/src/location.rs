//! Where a registry lives: a redb file (a path), or a PostgreSQL database (a
//! `postgresql://` or `postgres://` URL, such as
//! `postgresql://issuer@db.example/registry` or `postgresql:///registry?host=/run/pg`).

use std::fmt;
use std::path::{Path, PathBuf};

use medzk_circuits::tree::Depth;

use crate::ledger::{LEDGER_FORMAT, Ledger, verify_chain};
use crate::{PgStore, RedbStore, Registry, RegistryError};

/// A registry's location.
#[derive(Clone, PartialEq, Eq)]
pub enum Location {
    /// A redb file.
    File(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

impl Location {
    /// A URL that starts with `postgresql://` or `postgres://` names a PostgreSQL database;
    /// anything else is a file path.
    pub fn parse(text: &Path) -> Location {
        match text.to_str() {
            Some(url) if url.starts_with("postgresql://") || url.starts_with("postgres://") => {
                Location::Postgres(url.to_string())
            }
            _ => Location::File(text.to_path_buf()),
        }
    }

    /// Creates a registry there (a new file, or the tables in an existing database).
    pub fn create(&self, depth: Depth, now: i64) -> Result<Registry, RegistryError> {
        match self {
            Location::File(path) => Registry::create(path, depth, now),
            Location::Postgres(url) => Registry::init(Box::new(PgStore::create(url, depth)?), now),
        }
    }

    /// Opens the registry there.
    pub fn open(&self) -> Result<Registry, RegistryError> {
        match self {
            Location::File(path) => Registry::open(path),
            Location::Postgres(url) => Ok(Registry::on(Box::new(PgStore::open(url)?))),
        }
    }

    /// An empty backend there, for [`Registry::migrate_to`].
    pub fn empty_backend(&self, depth: Depth) -> Result<Box<dyn crate::Backend>, RegistryError> {
        Ok(match self {
            Location::File(path) => Box::new(RedbStore::create(path, depth)?),
            Location::Postgres(url) => Box::new(PgStore::create(url, depth)?),
        })
    }

    /// Removes what a failed [`empty_backend`](Location::empty_backend) left: the new file
    /// and its published ledger, or the empty tables. Never touches a registry with a
    /// ledger in PostgreSQL; a file is removed only by the caller that created it.
    pub fn discard_new(&self) -> Result<(), RegistryError> {
        match self {
            Location::File(path) => {
                let _ = std::fs::remove_file(crate::ledger::ledger_path(path));
                std::fs::remove_file(path).map_err(|e| RegistryError::Storage(e.to_string()))
            }
            Location::Postgres(url) => PgStore::discard_empty(url),
        }
    }

    /// The checked ledger, as a verifier reads it: the published file beside a redb
    /// registry (never the database), or a read-only snapshot of a PostgreSQL one.
    pub fn ledger(&self) -> Result<Ledger, RegistryError> {
        match self {
            Location::File(path) => Ledger::read(path),
            Location::Postgres(_) => {
                let registry = self.open()?;
                let checkpoints = registry.history()?;
                verify_chain(&checkpoints)?;
                Ok(Ledger { format: LEDGER_FORMAT, depth: registry.depth().bits(), checkpoints })
            }
        }
    }
}

impl fmt::Display for Location {
    /// The path, or the database without any password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File(path) => write!(f, "{}", path.display()),
            Location::Postgres(url) => f.write_str(&crate::postgres::describe(url)),
        }
    }
}

impl fmt::Debug for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Location({self})")
    }
}

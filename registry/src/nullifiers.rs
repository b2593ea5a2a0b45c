//! A verifier's persistent nullifier store (redb): one entry per (scope, nullifier).

use std::path::Path;

use medzk_circuits::field::{self, Fr};
use medzk_verifier::NullifierStore;
use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};

use crate::RegistryError;

const SEEN: TableDefinition<([u8; 32], [u8; 32]), i64> = TableDefinition::new("nullifiers");

/// Nullifiers seen by a verifier, with the time they were first presented.
pub struct NullifierDb {
    db: Database,
    now: i64,
}

impl NullifierDb {
    /// Opens the store at `path`, creating it if needed; `now` stamps new entries.
    pub fn open(path: &Path, now: i64) -> Result<NullifierDb, RegistryError> {
        let db = Database::create(path)
            .map_err(|e| RegistryError::Open { path: path.display().to_string(), reason: e.to_string() })?;
        let txn = db.begin_write()?;
        txn.open_table(SEEN)?;
        txn.commit()?;
        Ok(NullifierDb { db, now })
    }

    /// Number of nullifiers recorded.
    pub fn len(&self) -> Result<u64, RegistryError> {
        let txn = self.db.begin_read()?;
        Ok(txn.open_table(SEEN)?.len()?)
    }

    /// Whether none is recorded.
    pub fn is_empty(&self) -> Result<bool, RegistryError> {
        Ok(self.len()? == 0)
    }
}

impl NullifierStore for NullifierDb {
    type Error = RegistryError;

    fn insert(&mut self, scope: &Fr, nullifier: &Fr) -> Result<bool, RegistryError> {
        let key = (field::to_bytes(scope), field::to_bytes(nullifier));
        let txn = self.db.begin_write()?;
        let fresh = {
            let mut table = txn.open_table(SEEN)?;
            let seen = table.get(key)?.is_some();
            if !seen {
                table.insert(key, self.now)?;
            }
            !seen
        };
        txn.commit()?;
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_across_openings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seen.redb");
        let (scope, other, n) = (Fr::from(1u64), Fr::from(2u64), Fr::from(3u64));
        let mut db = NullifierDb::open(&path, 10).unwrap();
        assert!(db.insert(&scope, &n).unwrap());
        assert!(!db.insert(&scope, &n).unwrap());
        assert!(db.insert(&other, &n).unwrap());
        drop(db);
        let mut db = NullifierDb::open(&path, 11).unwrap();
        assert!(!db.insert(&scope, &n).unwrap());
        assert_eq!(db.len().unwrap(), 2);
    }
}

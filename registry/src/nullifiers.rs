//! A verifier's persistent nullifier store (redb): one entry per (scope, nullifier).

use std::path::Path;

use medzk_circuits::field::{self, Fr};
use medzk_verifier::NullifierStore;
use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};

use crate::RegistryError;

const SEEN: TableDefinition<([u8; 32], [u8; 32]), i64> = TableDefinition::new("nullifiers");
const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
/// What the `kind` entry of a nullifier store's `meta` table holds.
const KIND: &[u8] = b"medzk/nullifiers";

/// Nullifiers seen by a verifier, with the time they were first presented.
pub struct NullifierDb {
    db: Database,
    now: i64,
}

impl NullifierDb {
    /// Opens the store at `path`, creating it if needed; `now` stamps new entries. Refuses
    /// a file of another kind (a registry above all), before writing anything to it.
    pub fn open(path: &Path, now: i64) -> Result<NullifierDb, RegistryError> {
        let refuse = |what: &str| RegistryError::Open {
            path: path.display().to_string(),
            reason: format!("{what}, not a nullifier store; name a file of its own"),
        };
        if crate::ledger::ledger_path(path).exists() {
            return Err(refuse("this is a medzk registry"));
        }
        let existed = std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(false);
        let db = crate::open_database(path, true)?;
        if existed {
            let txn = db.begin_read()?;
            let kind = match txn.open_table(META) {
                Ok(meta) => Some(meta.get("kind")?.map(|v| v.value().to_vec())),
                Err(redb::TableError::TableDoesNotExist(_)) => None,
                Err(e) => return Err(e.into()),
            };
            // Stores written before the kind marker have the nullifier table and no meta.
            let legacy = kind.is_none() && txn.open_table(SEEN).is_ok();
            match kind {
                Some(Some(k)) if k == KIND => {}
                _ if legacy => {}
                Some(Some(_)) => return Err(refuse("this is another kind of medzk file")),
                _ => return Err(refuse("this is not a medzk nullifier store")),
            }
        } else {
            let txn = db.begin_write()?;
            txn.open_table(SEEN)?;
            txn.open_table(META)?.insert("kind", KIND)?;
            txn.commit()?;
        }
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

    #[test]
    fn verify_nullifiers_refuses_a_registry_file() {
        let dir = tempfile::tempdir().unwrap();
        let reg = dir.path().join("reg.redb");
        crate::Registry::create(&reg, medzk_circuits::tree::Depth::new(4).unwrap(), 0).unwrap();
        let before = std::fs::read(&reg).unwrap();
        let e = NullifierDb::open(&reg, 1).err().unwrap().to_string();
        assert!(e.contains("registry, not a nullifier store"), "{e}");
        assert_eq!(std::fs::read(&reg).unwrap(), before);
        // Even without its published ledger beside it, a registry is not taken.
        std::fs::remove_file(crate::ledger::ledger_path(&reg)).unwrap();
        let e = NullifierDb::open(&reg, 1).err().unwrap().to_string();
        assert!(e.contains("not a nullifier store"), "{e}");
        assert!(crate::Registry::open(&reg).is_ok());
    }
}

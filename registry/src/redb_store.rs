//! The embedded backend: one redb file, one writer process at a time (others wait with
//! backoff), and the ledger published beside it for readers that never open it.

use std::path::{Path, PathBuf};

use medzk_circuits::field::{self, Fr};
use medzk_circuits::tree::Depth;
use redb::{Database, ReadOnlyTable, ReadableTable, Table, TableDefinition};

use crate::audit::AuditEntry;
use crate::ledger::Ledger;
use crate::storage::{Backend, View, WriteView, decode_owner, encode_owner};
use crate::{Checkpoint, RegistryError, STORAGE_FORMAT, open_database};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const NODES: TableDefinition<(u8, u64), [u8; 32]> = TableDefinition::new("nodes");
const CHECKPOINTS: TableDefinition<u64, &[u8]> = TableDefinition::new("checkpoints");
/// Owner runs: first index → count (8 bytes) and the issuer's name.
const OWNERS: TableDefinition<u64, &[u8]> = TableDefinition::new("owners");
/// The audit log: sequence number → the entry's JSON.
const AUDIT: TableDefinition<u64, &[u8]> = TableDefinition::new("audit");

/// A registry in a redb file.
pub struct RedbStore {
    db: Database,
    depth: Depth,
    path: PathBuf,
}

pub(crate) fn decode_node(bytes: &[u8]) -> Result<Fr, RegistryError> {
    field::from_bytes(bytes).map_err(|_| RegistryError::Corrupt("a node is not a field element".into()))
}

fn decode_checkpoint(bytes: &[u8]) -> Result<Checkpoint, RegistryError> {
    Checkpoint::from_bytes(bytes).ok_or_else(|| RegistryError::Corrupt("bad checkpoint".into()))
}

impl RedbStore {
    /// Creates the file with empty tables (the registry then writes its first checkpoint);
    /// fails if the file exists.
    pub fn create(path: &Path, depth: Depth) -> Result<RedbStore, RegistryError> {
        if path.exists() {
            return Err(RegistryError::Open {
                path: path.display().to_string(),
                reason: "file exists".into(),
            });
        }
        let db = open_database(path, true)?;
        let txn = db.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            meta.insert("format", [STORAGE_FORMAT].as_slice())?;
            meta.insert("depth", [depth.bits()].as_slice())?;
            meta.insert("leaves", 0u64.to_le_bytes().as_slice())?;
            txn.open_table(NODES)?;
            txn.open_table(CHECKPOINTS)?;
            txn.open_table(OWNERS)?;
            txn.open_table(AUDIT)?;
        }
        txn.commit()?;
        Ok(RedbStore { db, depth, path: path.to_path_buf() })
    }

    /// Opens an existing registry file, waiting while another process holds it.
    pub fn open(path: &Path) -> Result<RedbStore, RegistryError> {
        if !path.exists() {
            return Err(RegistryError::Open {
                path: path.display().to_string(),
                reason: "no such file".into(),
            });
        }
        let db = open_database(path, false)?;
        let txn = db.begin_read()?;
        let meta = txn.open_table(META).map_err(|_| RegistryError::Corrupt("not a medzk registry".into()))?;
        let byte = |key: &str| -> Result<u8, RegistryError> {
            let v = meta.get(key)?.ok_or_else(|| RegistryError::Corrupt(format!("missing {key}")))?;
            v.value().first().copied().ok_or_else(|| RegistryError::Corrupt(format!("empty {key}")))
        };
        if byte("format")? != STORAGE_FORMAT {
            return Err(RegistryError::Corrupt("unsupported storage format".into()));
        }
        let depth = Depth::new(byte("depth")?).map_err(|e| RegistryError::Corrupt(e.to_string()))?;
        drop(meta);
        drop(txn);
        Ok(RedbStore { db, depth, path: path.to_path_buf() })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn leaves_in(meta: &impl ReadableTable<&'static str, &'static [u8]>) -> Result<u64, RegistryError> {
    let v = meta.get("leaves")?.ok_or_else(|| RegistryError::Corrupt("missing leaf count".into()))?;
    let bytes: [u8; 8] = v.value().try_into().map_err(|_| RegistryError::Corrupt("bad leaf count".into()))?;
    Ok(u64::from_le_bytes(bytes))
}

fn node_in(
    nodes: &impl ReadableTable<(u8, u64), [u8; 32]>,
    level: usize,
    index: u64,
) -> Result<Option<Fr>, RegistryError> {
    nodes.get((level as u8, index))?.map(|g| decode_node(&g.value())).transpose()
}

fn leaves_in_range(
    nodes: &impl ReadableTable<(u8, u64), [u8; 32]>,
    start: u64,
    end: u64,
) -> Result<Vec<(u64, Fr)>, RegistryError> {
    let mut out = Vec::new();
    if end <= start {
        return Ok(out);
    }
    for entry in nodes.range((0u8, start)..(0u8, end))? {
        let (key, value) = entry?;
        out.push((key.value().1, decode_node(&value.value())?));
    }
    Ok(out)
}

fn last_in(table: &impl ReadableTable<u64, &'static [u8]>) -> Result<Checkpoint, RegistryError> {
    let (_, v) = table.last()?.ok_or_else(|| RegistryError::Corrupt("empty ledger".into()))?;
    decode_checkpoint(v.value())
}

fn all_in(table: &impl ReadableTable<u64, &'static [u8]>) -> Result<Vec<Checkpoint>, RegistryError> {
    let mut out = Vec::with_capacity(table.len()? as usize);
    for entry in table.iter()? {
        out.push(decode_checkpoint(entry?.1.value())?);
    }
    Ok(out)
}

fn owner_run_in(
    table: Option<&impl ReadableTable<u64, &'static [u8]>>,
    index: u64,
) -> Result<Option<(u64, u64, String)>, RegistryError> {
    let Some(table) = table else { return Ok(None) };
    let Some(entry) = table.range(..=index)?.next_back() else { return Ok(None) };
    let (first, value) = entry?;
    let (count, name) = decode_owner(value.value())?;
    let first = first.value();
    Ok((index - first < count).then_some((first, count, name)))
}

fn owner_runs_in(
    table: Option<&impl ReadableTable<u64, &'static [u8]>>,
) -> Result<Vec<(u64, u64, String)>, RegistryError> {
    let mut out = Vec::new();
    if let Some(table) = table {
        for entry in table.iter()? {
            let (first, value) = entry?;
            let (count, name) = decode_owner(value.value())?;
            out.push((first.value(), count, name));
        }
    }
    Ok(out)
}

fn audit_in(
    table: Option<&impl ReadableTable<u64, &'static [u8]>>,
    from: u64,
    limit: usize,
) -> Result<Vec<AuditEntry>, RegistryError> {
    let mut out = Vec::new();
    if let Some(table) = table {
        for entry in table.range(from..)?.take(limit) {
            out.push(AuditEntry::from_bytes(entry?.1.value())?);
        }
    }
    Ok(out)
}

fn last_audit_in(
    table: Option<&impl ReadableTable<u64, &'static [u8]>>,
) -> Result<Option<AuditEntry>, RegistryError> {
    match table {
        Some(table) => table.last()?.map(|(_, v)| AuditEntry::from_bytes(v.value())).transpose(),
        None => Ok(None),
    }
}

/// A table a registry created before it existed may lack (read as empty).
fn optional<T>(opened: Result<T, redb::TableError>) -> Result<Option<T>, RegistryError> {
    match opened {
        Ok(t) => Ok(Some(t)),
        Err(redb::TableError::TableDoesNotExist(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

struct ReadTables {
    meta: ReadOnlyTable<&'static str, &'static [u8]>,
    nodes: ReadOnlyTable<(u8, u64), [u8; 32]>,
    checkpoints: ReadOnlyTable<u64, &'static [u8]>,
    owners: Option<ReadOnlyTable<u64, &'static [u8]>>,
    audit: Option<ReadOnlyTable<u64, &'static [u8]>>,
}

/// The same reads in a snapshot and inside a write.
macro_rules! tables_view {
    ($t:ty) => {
        impl View for $t {
            fn node(&self, level: usize, index: u64) -> Result<Option<Fr>, RegistryError> {
                node_in(&self.nodes, level, index)
            }
            fn leaves(&self) -> Result<u64, RegistryError> {
                leaves_in(&self.meta)
            }
            fn stored_leaves(&self, start: u64, end: u64) -> Result<Vec<(u64, Fr)>, RegistryError> {
                leaves_in_range(&self.nodes, start, end)
            }
            fn last_checkpoint(&self) -> Result<Checkpoint, RegistryError> {
                last_in(&self.checkpoints)
            }
            fn checkpoints(&self) -> Result<Vec<Checkpoint>, RegistryError> {
                all_in(&self.checkpoints)
            }
            fn owner_run(&self, index: u64) -> Result<Option<(u64, u64, String)>, RegistryError> {
                owner_run_in(self.owners.as_ref(), index)
            }
            fn owner_runs(&self) -> Result<Vec<(u64, u64, String)>, RegistryError> {
                owner_runs_in(self.owners.as_ref())
            }
            fn audit(&self, from: u64, limit: usize) -> Result<Vec<AuditEntry>, RegistryError> {
                audit_in(self.audit.as_ref(), from, limit)
            }
            fn last_audit(&self) -> Result<Option<AuditEntry>, RegistryError> {
                last_audit_in(self.audit.as_ref())
            }
        }
    };
}

tables_view!(ReadTables);

struct WriteTables<'t> {
    meta: Table<'t, &'static str, &'static [u8]>,
    nodes: Table<'t, (u8, u64), [u8; 32]>,
    checkpoints: Table<'t, u64, &'static [u8]>,
    owners: Option<Table<'t, u64, &'static [u8]>>,
    audit: Option<Table<'t, u64, &'static [u8]>>,
}

tables_view!(WriteTables<'_>);

impl WriteView for WriteTables<'_> {
    fn set_node(&mut self, level: usize, index: u64, value: Fr) -> Result<(), RegistryError> {
        self.nodes.insert((level as u8, index), field::to_bytes(&value))?;
        Ok(())
    }
    fn set_leaves(&mut self, leaves: u64) -> Result<(), RegistryError> {
        self.meta.insert("leaves", leaves.to_le_bytes().as_slice())?;
        Ok(())
    }
    fn push_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), RegistryError> {
        self.checkpoints.insert(checkpoint.seq, checkpoint.to_bytes().as_slice())?;
        Ok(())
    }
    fn set_owner(&mut self, first: u64, count: u64, owner: &str) -> Result<(), RegistryError> {
        let table = self.owners.as_mut().ok_or_else(|| RegistryError::Storage("no owner table".into()))?;
        table.insert(first, encode_owner(count, owner).as_slice())?;
        Ok(())
    }
    fn push_audit(&mut self, entry: &AuditEntry) -> Result<(), RegistryError> {
        let table = self.audit.as_mut().ok_or_else(|| RegistryError::Storage("no audit table".into()))?;
        table.insert(entry.seq, entry.to_bytes().as_slice())?;
        Ok(())
    }
}

impl Backend for RedbStore {
    fn depth(&self) -> Depth {
        self.depth
    }

    fn describe(&self) -> String {
        format!("redb file {}", self.path.display())
    }

    fn read(
        &self,
        f: &mut dyn FnMut(&mut dyn View) -> Result<(), RegistryError>,
    ) -> Result<(), RegistryError> {
        let txn = self.db.begin_read()?;
        let mut tables = ReadTables {
            meta: txn.open_table(META)?,
            nodes: txn.open_table(NODES)?,
            checkpoints: txn.open_table(CHECKPOINTS)?,
            owners: optional(txn.open_table(OWNERS))?,
            audit: optional(txn.open_table(AUDIT))?,
        };
        f(&mut tables)
    }

    fn write(
        &self,
        f: &mut dyn FnMut(&mut dyn WriteView) -> Result<(), RegistryError>,
    ) -> Result<(), RegistryError> {
        let txn = self.db.begin_write()?;
        {
            let mut tables = WriteTables {
                meta: txn.open_table(META)?,
                nodes: txn.open_table(NODES)?,
                checkpoints: txn.open_table(CHECKPOINTS)?,
                owners: Some(txn.open_table(OWNERS)?),
                audit: Some(txn.open_table(AUDIT)?),
            };
            // On an error the transaction is dropped uncommitted: nothing changes.
            f(&mut tables)?;
        }
        txn.commit()?;
        Ok(())
    }

    fn publishes_ledger(&self) -> bool {
        true
    }

    fn committed(&self, history: &[Checkpoint]) -> Result<(), RegistryError> {
        Ledger::publish(&self.path, self.depth, history.to_vec())
    }
}

//! The PostgreSQL backend: the registry that outgrows one machine (replication, backup
//! and failover are PostgreSQL's). Three tables, prefixed `medzk_`:
//!
//! * `medzk_meta (key text primary key, value bytea)`: `format`, `depth`, `leaves`;
//! * `medzk_nodes (level smallint, idx bigint, value bytea, primary key (level, idx))`:
//!   the non-empty tree nodes, 32 bytes each;
//! * `medzk_checkpoints (seq bigint primary key, body bytea)`: the ledger, in the same
//!   byte layout as the embedded backend;
//! * `medzk_owners (first bigint primary key, count bigint, issuer text)`: which issuer
//!   appended each run of leaves;
//! * `medzk_audit (seq bigint primary key, body bytea)`: the audit log, each entry's JSON.
//!
//! Writers serialise on the `leaves` row (`SELECT … FOR UPDATE`), buffer their node
//! writes and flush them at the end of the transaction (COPY for large batches), so a
//! bulk append is one round trip per level boundary plus one bulk load. Readers use
//! `REPEATABLE READ READ ONLY` snapshots on connections of their own ([`READERS`] per
//! store), so a path and its root always match and a reader never waits for a writer.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Mutex;

use medzk_circuits::field::{self, Fr};
use medzk_circuits::tree::Depth;
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;
use postgres::{Client, IsolationLevel, NoTls, Transaction};

use crate::audit::AuditEntry;
use crate::redb_store::decode_node;
use crate::storage::{Backend, View, WriteView};
use crate::{Checkpoint, RegistryError, STORAGE_FORMAT};

/// Node writes at or above this count are flushed with COPY, below it with one INSERT.
const COPY_THRESHOLD: usize = 512;

/// Reader connections per store: snapshots run on whichever is free.
pub const READERS: usize = 4;

/// A registry in a PostgreSQL database.
pub struct PgStore {
    writer: Mutex<Client>,
    readers: Vec<Mutex<Client>>,
    next_reader: std::sync::atomic::AtomicUsize,
    depth: Depth,
    describe: String,
}

fn pg(e: postgres::Error) -> RegistryError {
    // The server's message, never the connection string (it may hold a password).
    match e.as_db_error() {
        Some(db) => RegistryError::Storage(format!("postgresql: {}", db.message())),
        None => RegistryError::Storage(format!("postgresql: {e}")),
    }
}

/// Where a connection string points, without its password.
pub fn describe(url: &str) -> String {
    match url.parse::<postgres::Config>() {
        Ok(config) => {
            let hosts: Vec<String> = config
                .get_hosts()
                .iter()
                .map(|h| match h {
                    postgres::config::Host::Tcp(name) => name.clone(),
                    postgres::config::Host::Unix(path) => path.display().to_string(),
                })
                .collect();
            format!(
                "postgresql database {} on {}",
                config.get_dbname().unwrap_or("(default)"),
                if hosts.is_empty() { "localhost".to_string() } else { hosts.join(",") }
            )
        }
        Err(_) => "postgresql (unparsable connection string)".into(),
    }
}

fn connect(url: &str) -> Result<Client, RegistryError> {
    Client::connect(url, NoTls)
        .map_err(|e| RegistryError::Open { path: describe(url), reason: pg_reason(&e) })
}

fn pg_reason(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_string(),
        None => e.to_string(),
    }
}

const SCHEMA: &str = "
    CREATE TABLE medzk_meta (key text PRIMARY KEY, value bytea NOT NULL);
    CREATE TABLE medzk_nodes (
        level smallint NOT NULL, idx bigint NOT NULL, value bytea NOT NULL,
        PRIMARY KEY (level, idx));
    CREATE TABLE medzk_checkpoints (seq bigint PRIMARY KEY, body bytea NOT NULL);
";

/// Tables added after the first layout; created where a registry lacks them.
const SCHEMA_ADDITIONS: &str = "
    CREATE TABLE IF NOT EXISTS medzk_owners (
        first bigint PRIMARY KEY, count bigint NOT NULL, issuer text NOT NULL);
    CREATE TABLE IF NOT EXISTS medzk_audit (seq bigint PRIMARY KEY, body bytea NOT NULL);
";

impl PgStore {
    /// Creates the registry's tables in the database `url` names (a libpq connection
    /// string or URL); fails if a registry is already there.
    pub fn create(url: &str, depth: Depth) -> Result<PgStore, RegistryError> {
        let mut client = connect(url)?;
        let mut txn = client.transaction().map_err(pg)?;
        let exists: bool =
            txn.query_one("SELECT to_regclass('medzk_meta') IS NOT NULL", &[]).map_err(pg)?.get(0);
        if exists {
            return Err(RegistryError::Open {
                path: describe(url),
                reason: "a registry already exists there".into(),
            });
        }
        txn.batch_execute(SCHEMA).map_err(pg)?;
        txn.batch_execute(SCHEMA_ADDITIONS).map_err(pg)?;
        for (key, value) in [
            ("format", vec![STORAGE_FORMAT]),
            ("depth", vec![depth.bits()]),
            ("leaves", 0u64.to_le_bytes().to_vec()),
        ] {
            txn.execute("INSERT INTO medzk_meta (key, value) VALUES ($1, $2)", &[&key, &value])
                .map_err(pg)?;
        }
        txn.commit().map_err(pg)?;
        drop(client);
        PgStore::open(url)
    }

    /// Drops the registry's tables if they hold no ledger yet (a creation that was never
    /// completed); a registry with a ledger is never touched.
    pub fn discard_empty(url: &str) -> Result<(), RegistryError> {
        let mut client = connect(url)?;
        let mut txn = client.transaction().map_err(pg)?;
        let exists: bool =
            txn.query_one("SELECT to_regclass('medzk_checkpoints') IS NOT NULL", &[]).map_err(pg)?.get(0);
        if !exists {
            return Ok(());
        }
        let used: bool =
            txn.query_one("SELECT EXISTS (SELECT 1 FROM medzk_checkpoints)", &[]).map_err(pg)?.get(0);
        if !used {
            txn.batch_execute(
                "DROP TABLE medzk_meta, medzk_nodes, medzk_checkpoints;
                 DROP TABLE IF EXISTS medzk_owners, medzk_audit",
            )
            .map_err(pg)?;
        }
        txn.commit().map_err(pg)
    }

    /// Opens the registry in the database `url` names.
    pub fn open(url: &str) -> Result<PgStore, RegistryError> {
        let mut writer = connect(url)?;
        let readers = (0..READERS).map(|_| connect(url).map(Mutex::new)).collect::<Result<Vec<_>, _>>()?;
        let not_registry =
            || RegistryError::Open { path: describe(url), reason: "no medzk registry there".into() };
        let exists: bool =
            writer.query_one("SELECT to_regclass('medzk_meta') IS NOT NULL", &[]).map_err(pg)?.get(0);
        if !exists {
            return Err(not_registry());
        }
        let byte = |client: &mut Client, key: &str| -> Result<u8, RegistryError> {
            let row = client.query_opt("SELECT value FROM medzk_meta WHERE key = $1", &[&key]).map_err(pg)?;
            let value: Vec<u8> = row.ok_or_else(|| RegistryError::Corrupt(format!("missing {key}")))?.get(0);
            value.first().copied().ok_or_else(|| RegistryError::Corrupt(format!("empty {key}")))
        };
        if byte(&mut writer, "format")? != STORAGE_FORMAT {
            return Err(RegistryError::Corrupt("unsupported storage format".into()));
        }
        let depth =
            Depth::new(byte(&mut writer, "depth")?).map_err(|e| RegistryError::Corrupt(e.to_string()))?;
        let complete: bool = writer
            .query_one(
                "SELECT to_regclass('medzk_owners') IS NOT NULL AND to_regclass('medzk_audit') IS NOT NULL",
                &[],
            )
            .map_err(pg)?
            .get(0);
        if !complete {
            writer.batch_execute(SCHEMA_ADDITIONS).map_err(pg)?;
        }
        Ok(PgStore {
            writer: Mutex::new(writer),
            readers,
            next_reader: std::sync::atomic::AtomicUsize::new(0),
            depth,
            describe: describe(url),
        })
    }
}

fn decode_leaves(value: &[u8]) -> Result<u64, RegistryError> {
    let bytes: [u8; 8] = value.try_into().map_err(|_| RegistryError::Corrupt("bad leaf count".into()))?;
    Ok(u64::from_le_bytes(bytes))
}

fn decode_checkpoint(bytes: &[u8]) -> Result<Checkpoint, RegistryError> {
    Checkpoint::from_bytes(bytes).ok_or_else(|| RegistryError::Corrupt("bad checkpoint".into()))
}

fn key_index(index: u64) -> Result<i64, RegistryError> {
    i64::try_from(index).map_err(|_| RegistryError::NoSuchLeaf(index))
}

/// A transaction with the nodes it has read or written so far.
struct PgView<'a> {
    txn: RefCell<Transaction<'a>>,
    /// Nodes read (or prefetched): `None` for an empty subtree.
    seen: RefCell<HashMap<(usize, u64), Option<Fr>>>,
    /// Nodes written, flushed at the end.
    pending: HashMap<(usize, u64), Fr>,
    leaves: Option<u64>,
    new_checkpoints: Vec<Checkpoint>,
    new_owners: Vec<(u64, u64, String)>,
    new_audit: Vec<AuditEntry>,
}

impl<'a> PgView<'a> {
    fn new(txn: Transaction<'a>) -> PgView<'a> {
        PgView {
            txn: RefCell::new(txn),
            seen: RefCell::new(HashMap::new()),
            pending: HashMap::new(),
            leaves: None,
            new_checkpoints: Vec::new(),
            new_owners: Vec::new(),
            new_audit: Vec::new(),
        }
    }

    fn stored_leaves(&self) -> Result<u64, RegistryError> {
        let row = self
            .txn
            .borrow_mut()
            .query_opt("SELECT value FROM medzk_meta WHERE key = 'leaves'", &[])
            .map_err(pg)?
            .ok_or_else(|| RegistryError::Corrupt("missing leaf count".into()))?;
        decode_leaves(&row.get::<_, Vec<u8>>(0))
    }

    fn stored_checkpoints(&self) -> Result<Vec<Checkpoint>, RegistryError> {
        let rows = self
            .txn
            .borrow_mut()
            .query("SELECT body FROM medzk_checkpoints ORDER BY seq", &[])
            .map_err(pg)?;
        rows.iter().map(|r| decode_checkpoint(&r.get::<_, Vec<u8>>(0))).collect()
    }

    /// Writes the buffered nodes, the leaf count and the new checkpoints.
    fn flush(mut self) -> Result<Transaction<'a>, RegistryError> {
        let mut txn = self.txn.into_inner();
        let nodes: Vec<((usize, u64), Fr)> = self.pending.drain().collect();
        if nodes.len() >= COPY_THRESHOLD {
            txn.batch_execute(
                "CREATE TEMP TABLE IF NOT EXISTS medzk_nodes_stage
                     (level smallint, idx bigint, value bytea) ON COMMIT DELETE ROWS",
            )
            .map_err(pg)?;
            let sink =
                txn.copy_in("COPY medzk_nodes_stage (level, idx, value) FROM STDIN BINARY").map_err(pg)?;
            let mut writer = BinaryCopyInWriter::new(sink, &[Type::INT2, Type::INT8, Type::BYTEA]);
            for ((level, index), value) in &nodes {
                let bytes = field::to_bytes(value).to_vec();
                writer.write(&[&(*level as i16), &key_index(*index)?, &bytes]).map_err(pg)?;
            }
            writer.finish().map_err(pg)?;
            txn.batch_execute(
                "INSERT INTO medzk_nodes (level, idx, value) SELECT level, idx, value FROM medzk_nodes_stage
                 ON CONFLICT (level, idx) DO UPDATE SET value = EXCLUDED.value",
            )
            .map_err(pg)?;
        } else if !nodes.is_empty() {
            let levels: Vec<i16> = nodes.iter().map(|((l, _), _)| *l as i16).collect();
            let indices: Vec<i64> =
                nodes.iter().map(|((_, i), _)| key_index(*i)).collect::<Result<_, _>>()?;
            let values: Vec<Vec<u8>> = nodes.iter().map(|(_, v)| field::to_bytes(v).to_vec()).collect();
            txn.execute(
                "INSERT INTO medzk_nodes (level, idx, value)
                 SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])
                 ON CONFLICT (level, idx) DO UPDATE SET value = EXCLUDED.value",
                &[&levels, &indices, &values],
            )
            .map_err(pg)?;
        }
        if let Some(leaves) = self.leaves {
            let value = leaves.to_le_bytes().to_vec();
            txn.execute("UPDATE medzk_meta SET value = $1 WHERE key = 'leaves'", &[&value]).map_err(pg)?;
        }
        for c in &self.new_checkpoints {
            let seq = key_index(c.seq)?;
            txn.execute("INSERT INTO medzk_checkpoints (seq, body) VALUES ($1, $2)", &[&seq, &c.to_bytes()])
                .map_err(pg)?;
        }
        for (first, count, issuer) in &self.new_owners {
            txn.execute(
                "INSERT INTO medzk_owners (first, count, issuer) VALUES ($1, $2, $3)",
                &[&key_index(*first)?, &key_index(*count)?, issuer],
            )
            .map_err(pg)?;
        }
        for e in &self.new_audit {
            txn.execute(
                "INSERT INTO medzk_audit (seq, body) VALUES ($1, $2)",
                &[&key_index(e.seq)?, &e.to_bytes()],
            )
            .map_err(pg)?;
        }
        Ok(txn)
    }
}

impl View for PgView<'_> {
    fn node(&self, level: usize, index: u64) -> Result<Option<Fr>, RegistryError> {
        if let Some(v) = self.pending.get(&(level, index)) {
            return Ok(Some(*v));
        }
        if let Some(v) = self.seen.borrow().get(&(level, index)) {
            return Ok(*v);
        }
        let row = self
            .txn
            .borrow_mut()
            .query_opt(
                "SELECT value FROM medzk_nodes WHERE level = $1 AND idx = $2",
                &[&(level as i16), &key_index(index)?],
            )
            .map_err(pg)?;
        let value = row.map(|r| decode_node(&r.get::<_, Vec<u8>>(0))).transpose()?;
        self.seen.borrow_mut().insert((level, index), value);
        Ok(value)
    }

    fn prefetch(&mut self, keys: &[(usize, u64)]) -> Result<(), RegistryError> {
        let wanted: Vec<(usize, u64)> = {
            let seen = self.seen.borrow();
            keys.iter().filter(|k| !seen.contains_key(k) && !self.pending.contains_key(k)).copied().collect()
        };
        if wanted.is_empty() {
            return Ok(());
        }
        let levels: Vec<i16> = wanted.iter().map(|(l, _)| *l as i16).collect();
        let indices: Vec<i64> = wanted.iter().map(|(_, i)| key_index(*i)).collect::<Result<_, _>>()?;
        let rows = self
            .txn
            .borrow_mut()
            .query(
                "SELECT n.level, n.idx, n.value FROM medzk_nodes n
                 JOIN unnest($1::smallint[], $2::bigint[]) AS k(level, idx)
                   ON n.level = k.level AND n.idx = k.idx",
                &[&levels, &indices],
            )
            .map_err(pg)?;
        let mut seen = self.seen.borrow_mut();
        for key in wanted {
            seen.insert(key, None);
        }
        for row in rows {
            let (level, index): (i16, i64) = (row.get(0), row.get(1));
            seen.insert((level as usize, index as u64), Some(decode_node(&row.get::<_, Vec<u8>>(2))?));
        }
        Ok(())
    }

    fn leaves(&self) -> Result<u64, RegistryError> {
        match self.leaves {
            Some(n) => Ok(n),
            None => self.stored_leaves(),
        }
    }

    fn stored_leaves(&self, start: u64, end: u64) -> Result<Vec<(u64, Fr)>, RegistryError> {
        if end <= start {
            return Ok(Vec::new());
        }
        let (from, to) = (key_index(start)?, key_index(end)?);
        let rows = self
            .txn
            .borrow_mut()
            .query(
                "SELECT idx, value FROM medzk_nodes WHERE level = 0 AND idx >= $1 AND idx < $2 ORDER BY idx",
                &[&from, &to],
            )
            .map_err(pg)?;
        let mut out: Vec<(u64, Fr)> = rows
            .iter()
            .map(|r| Ok((r.get::<_, i64>(0) as u64, decode_node(&r.get::<_, Vec<u8>>(1))?)))
            .collect::<Result<_, RegistryError>>()?;
        out.retain(|(i, _)| !self.pending.contains_key(&(0, *i)));
        out.extend(
            self.pending
                .iter()
                .filter(|((l, i), _)| *l == 0 && (start..end).contains(i))
                .map(|((_, i), v)| (*i, *v)),
        );
        out.sort_by_key(|(i, _)| *i);
        Ok(out)
    }

    fn last_checkpoint(&self) -> Result<Checkpoint, RegistryError> {
        if let Some(c) = self.new_checkpoints.last() {
            return Ok(*c);
        }
        let row = self
            .txn
            .borrow_mut()
            .query_opt("SELECT body FROM medzk_checkpoints ORDER BY seq DESC LIMIT 1", &[])
            .map_err(pg)?
            .ok_or_else(|| RegistryError::Corrupt("empty ledger".into()))?;
        decode_checkpoint(&row.get::<_, Vec<u8>>(0))
    }

    fn checkpoints(&self) -> Result<Vec<Checkpoint>, RegistryError> {
        let mut all = self.stored_checkpoints()?;
        all.extend(self.new_checkpoints.iter().copied());
        Ok(all)
    }

    fn owner_run(&self, index: u64) -> Result<Option<(u64, u64, String)>, RegistryError> {
        let in_run = |(first, count, _): &(u64, u64, String)| index >= *first && index - first < *count;
        if let Some(run) = self.new_owners.iter().find(|r| in_run(r)) {
            return Ok(Some(run.clone()));
        }
        let row = self
            .txn
            .borrow_mut()
            .query_opt(
                "SELECT first, count, issuer FROM medzk_owners WHERE first <= $1 ORDER BY first DESC LIMIT 1",
                &[&key_index(index)?],
            )
            .map_err(pg)?;
        Ok(row
            .map(|r| (r.get::<_, i64>(0) as u64, r.get::<_, i64>(1) as u64, r.get::<_, String>(2)))
            .filter(|run| in_run(run)))
    }

    fn owner_runs(&self) -> Result<Vec<(u64, u64, String)>, RegistryError> {
        let rows = self
            .txn
            .borrow_mut()
            .query("SELECT first, count, issuer FROM medzk_owners ORDER BY first", &[])
            .map_err(pg)?;
        let mut out: Vec<(u64, u64, String)> = rows
            .iter()
            .map(|r| (r.get::<_, i64>(0) as u64, r.get::<_, i64>(1) as u64, r.get::<_, String>(2)))
            .collect();
        out.extend(self.new_owners.iter().cloned());
        out.sort_by_key(|r| r.0);
        Ok(out)
    }

    fn audit(&self, from: u64, limit: usize) -> Result<Vec<AuditEntry>, RegistryError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = self
            .txn
            .borrow_mut()
            .query(
                "SELECT body FROM medzk_audit WHERE seq >= $1 ORDER BY seq LIMIT $2",
                &[&key_index(from)?, &limit],
            )
            .map_err(pg)?;
        let mut out: Vec<AuditEntry> =
            rows.iter().map(|r| AuditEntry::from_bytes(&r.get::<_, Vec<u8>>(0))).collect::<Result<_, _>>()?;
        out.extend(self.new_audit.iter().filter(|e| e.seq >= from).cloned());
        out.truncate(limit as usize);
        Ok(out)
    }

    fn last_audit(&self) -> Result<Option<AuditEntry>, RegistryError> {
        if let Some(e) = self.new_audit.last() {
            return Ok(Some(e.clone()));
        }
        let row = self
            .txn
            .borrow_mut()
            .query_opt("SELECT body FROM medzk_audit ORDER BY seq DESC LIMIT 1", &[])
            .map_err(pg)?;
        row.map(|r| AuditEntry::from_bytes(&r.get::<_, Vec<u8>>(0))).transpose()
    }
}

impl WriteView for PgView<'_> {
    fn set_node(&mut self, level: usize, index: u64, value: Fr) -> Result<(), RegistryError> {
        self.pending.insert((level, index), value);
        Ok(())
    }
    fn set_leaves(&mut self, leaves: u64) -> Result<(), RegistryError> {
        self.leaves = Some(leaves);
        Ok(())
    }
    fn push_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), RegistryError> {
        self.new_checkpoints.push(*checkpoint);
        Ok(())
    }
    fn set_owner(&mut self, first: u64, count: u64, owner: &str) -> Result<(), RegistryError> {
        self.new_owners.push((first, count, owner.to_string()));
        Ok(())
    }
    fn push_audit(&mut self, entry: &AuditEntry) -> Result<(), RegistryError> {
        self.new_audit.push(entry.clone());
        Ok(())
    }
}

impl Backend for PgStore {
    fn depth(&self) -> Depth {
        self.depth
    }

    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn read(
        &self,
        f: &mut dyn FnMut(&mut dyn View) -> Result<(), RegistryError>,
    ) -> Result<(), RegistryError> {
        // A free reader if there is one, else wait for the next in turn.
        let free = self.readers.iter().find_map(|r| r.try_lock().ok());
        let mut client = match free {
            Some(client) => client,
            None => {
                let turn =
                    self.next_reader.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % self.readers.len();
                self.readers[turn].lock().unwrap_or_else(|e| e.into_inner())
            }
        };
        let txn = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .map_err(pg)?;
        let mut view = PgView::new(txn);
        f(&mut view)?;
        view.txn.into_inner().commit().map_err(pg)
    }

    fn write(
        &self,
        f: &mut dyn FnMut(&mut dyn WriteView) -> Result<(), RegistryError>,
    ) -> Result<(), RegistryError> {
        let mut client = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut txn = client.transaction().map_err(pg)?;
        // One writer at a time, across processes and machines: the leaf-count row is
        // locked until this transaction ends.
        txn.query_opt("SELECT value FROM medzk_meta WHERE key = 'leaves' FOR UPDATE", &[]).map_err(pg)?;
        let mut view = PgView::new(txn);
        // On an error the transaction is dropped, which rolls it back.
        f(&mut view)?;
        view.flush()?.commit().map_err(pg)
    }
}

//! The registry: an append-only 4-ary Poseidon Merkle tree of record commitments,
//! persisted in an embedded database (redb), with a ledger of roots.
//!
//! * Issuers [`append`](Registry::append) commitments (never records); each write is one
//!   ACID transaction, so an interrupted append leaves the registry exactly as it was
//!   after the last completed one.
//! * [`revoke`](Registry::revoke) replaces a leaf by the empty value; the new root no
//!   longer contains the record.
//! * Every change adds a [`Checkpoint`] (root, size, time, event) that hashes the previous
//!   one, so the roots form a tamper-evident chain.
//! * [`trusted_roots`](Registry::trusted_roots) lists the roots a verifier should accept:
//!   recent ones, and none from before the latest revocation (those still contain the
//!   revoked record).
//! * The database admits one process at a time: a second writer waits for it (with
//!   backoff, up to [`LOCK_WAIT`]) and is then told to retry. Readers of roots never open
//!   it: every change republishes the ledger beside it ([`ledger`]).

pub mod cluster;
pub mod head;
pub mod ledger;
pub mod location;
pub mod nullifiers;
pub mod postgres;
pub mod redb_store;
pub mod storage;

use std::path::Path;
use std::time::{Duration, Instant};

use medzk_circuits::field::{self, Fr};
use medzk_circuits::poseidon::Poseidon;
use medzk_circuits::tags;
use medzk_circuits::tree::{Depth, EMPTY_LEAF, MerklePath, Tree};
use redb::Database;
use serde::{Deserialize, Serialize};

pub use head::{OperatorKey, OperatorSecret, SignedHead};
pub use location::Location;
pub use postgres::PgStore;
pub use redb_store::RedbStore;
pub use storage::{Backend, View, WriteView};
use storage::{Nodes, NodesMut};

/// Version of the registry's on-disk layout.
pub const STORAGE_FORMAT: u8 = 1;

/// Registry failures.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The database could not be opened or created.
    #[error("cannot open registry {path}: {reason}")]
    Open {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A database operation failed.
    #[error("registry storage error: {0}")]
    Storage(String),
    /// The file is not a medzk registry or is damaged.
    #[error("corrupted registry: {0}")]
    Corrupt(String),
    /// No more leaves fit.
    #[error("the registry is full ({0} leaves)")]
    Full(u64),
    /// The leaf was never appended.
    #[error("leaf {0} does not exist")]
    NoSuchLeaf(u64),
    /// The leaf is already empty.
    #[error("leaf {0} is already revoked")]
    AlreadyRevoked(u64),
    /// The empty value cannot be appended.
    #[error("the empty value cannot be appended as a commitment")]
    EmptyCommitment,
    /// Another process held the database for longer than [`LOCK_WAIT`].
    #[error("registry {path} is busy (another process is writing to it); try again")]
    Busy {
        /// The file.
        path: String,
    },
}

/// How long opening a database waits for another process to release it.
pub const LOCK_WAIT: Duration = Duration::from_secs(60);

/// Opens (or creates) a redb database, waiting with backoff while another process holds it.
pub(crate) fn open_database(path: &Path, create: bool) -> Result<Database, RegistryError> {
    let start = Instant::now();
    // Jitter from the clock and the process id keeps waiting writers out of lockstep.
    let mut seed = start.elapsed().as_nanos() as u64 ^ (std::process::id() as u64).wrapping_mul(0x9e37_79b9);
    let mut delay = Duration::from_millis(2);
    loop {
        let opened = if create { Database::create(path) } else { Database::open(path) };
        match opened {
            Ok(db) => return Ok(db),
            Err(redb::DatabaseError::DatabaseAlreadyOpen) if start.elapsed() < LOCK_WAIT => {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                let jitter = Duration::from_micros((seed >> 33) % (delay.as_micros() as u64 + 1));
                std::thread::sleep(delay + jitter);
                delay = (delay * 2).min(Duration::from_millis(100));
            }
            Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                return Err(RegistryError::Busy { path: path.display().to_string() });
            }
            Err(e) => {
                return Err(RegistryError::Open { path: path.display().to_string(), reason: e.to_string() });
            }
        }
    }
}

macro_rules! storage_errors {
    ($($t:ty),*) => {$(
        impl From<$t> for RegistryError {
            fn from(e: $t) -> RegistryError {
                RegistryError::Storage(e.to_string())
            }
        }
    )*};
}
storage_errors!(redb::Error, redb::StorageError, redb::TableError, redb::TransactionError, redb::CommitError);

/// What a checkpoint records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    /// The empty registry.
    Create,
    /// `count` leaves appended from index `first`.
    Append {
        /// First new index.
        first: u64,
        /// Number of leaves.
        count: u64,
    },
    /// A leaf emptied.
    Revoke {
        /// The revoked index.
        index: u64,
    },
}

impl Event {
    fn code(self) -> [u64; 3] {
        match self {
            Event::Create => [0, 0, 0],
            Event::Append { first, count } => [1, first, count],
            Event::Revoke { index } => [2, index, 0],
        }
    }

    fn from_code(code: [u64; 3]) -> Option<Event> {
        match code {
            [0, 0, 0] => Some(Event::Create),
            [1, first, count] => Some(Event::Append { first, count }),
            [2, index, 0] => Some(Event::Revoke { index }),
            _ => None,
        }
    }
}

/// One entry of the root ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Position in the ledger, from 0.
    pub seq: u64,
    /// The root after the event.
    #[serde(with = "field::serde_hex")]
    pub root: Fr,
    /// Leaves appended so far (revoked ones included).
    pub leaves: u64,
    /// Unix time of the event, in seconds.
    pub timestamp: i64,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
    /// Hash of the previous checkpoint (0 for the first).
    #[serde(with = "field::serde_hex")]
    pub previous: Fr,
    /// `Poseidon10(CHECKPOINT; previous, root, leaves, timestamp, seq, event…)`.
    #[serde(with = "field::serde_hex")]
    pub hash: Fr,
}

const CHECKPOINT_BYTES: usize = 8 + 32 + 8 + 8 + 24 + 32 + 32;

impl Checkpoint {
    pub(crate) fn new(
        seq: u64,
        root: Fr,
        leaves: u64,
        timestamp: i64,
        event: Event,
        previous: Fr,
    ) -> Checkpoint {
        let mut c = Checkpoint { seq, root, leaves, timestamp, event, previous, hash: Fr::from(0u64) };
        c.hash = c.compute_hash();
        c
    }

    /// The hash this checkpoint should carry.
    pub fn compute_hash(&self) -> Fr {
        let [kind, a, b] = self.event.code();
        Poseidon::t10().hash(
            tags::CHECKPOINT,
            &[
                self.previous,
                self.root,
                Fr::from(self.leaves),
                Fr::from(self.timestamp),
                Fr::from(self.seq),
                Fr::from(kind),
                Fr::from(a),
                Fr::from(b),
            ],
        )
    }

    pub(crate) fn to_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(CHECKPOINT_BYTES);
        out.extend_from_slice(&self.seq.to_le_bytes());
        out.extend_from_slice(&field::to_bytes(&self.root));
        out.extend_from_slice(&self.leaves.to_le_bytes());
        out.extend_from_slice(&self.timestamp.to_le_bytes());
        for x in self.event.code() {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.extend_from_slice(&field::to_bytes(&self.previous));
        out.extend_from_slice(&field::to_bytes(&self.hash));
        out
    }

    pub(crate) fn from_bytes(b: &[u8]) -> Option<Checkpoint> {
        if b.len() != CHECKPOINT_BYTES {
            return None;
        }
        let u = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        let f = |at: usize| field::from_bytes(&b[at..at + 32]).ok();
        Some(Checkpoint {
            seq: u(0),
            root: f(8)?,
            leaves: u(40),
            timestamp: u(48) as i64,
            event: Event::from_code([u(56), u(64), u(72)])?,
            previous: f(80)?,
            hash: f(112)?,
        })
    }
}

/// Result of an append.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Appended {
    /// Index of the first appended leaf (the others follow in order).
    pub first: u64,
    /// The checkpoint made.
    pub checkpoint: Checkpoint,
}

/// A registry over a storage backend ([`RedbStore`] by default, [`PgStore`] for
/// PostgreSQL).
pub struct Registry {
    store: Box<dyn Backend>,
    depth: Depth,
}

/// Runs `f` on a snapshot and returns its value.
fn read_with<T>(
    store: &dyn Backend,
    mut f: impl FnMut(&mut dyn View) -> Result<T, RegistryError>,
) -> Result<T, RegistryError> {
    let mut out = None;
    store.read(&mut |view| {
        out = Some(f(view)?);
        Ok(())
    })?;
    out.ok_or_else(|| RegistryError::Storage("the backend skipped a read".into()))
}

/// Runs `f` in one write transaction and returns its value.
fn write_with<T>(
    store: &dyn Backend,
    mut f: impl FnMut(&mut dyn WriteView) -> Result<T, RegistryError>,
) -> Result<T, RegistryError> {
    let mut out = None;
    store.write(&mut |txn| {
        out = Some(f(txn)?);
        Ok(())
    })?;
    out.ok_or_else(|| RegistryError::Storage("the backend skipped a write".into()))
}

impl Registry {
    /// Creates a new registry file of `depth` (redb); fails if the file exists.
    pub fn create(path: &Path, depth: Depth, now: i64) -> Result<Registry, RegistryError> {
        Registry::init(Box::new(RedbStore::create(path, depth)?), now)
    }

    /// Opens an existing registry file (waiting while another process holds it), and
    /// republishes its ledger if the published one lags.
    pub fn open(path: &Path) -> Result<Registry, RegistryError> {
        let reg = Registry::on(Box::new(RedbStore::open(path)?));
        let published = Ledger::read(path).ok().map(|l| *l.last());
        if published != Some(reg.last_checkpoint()?) {
            reg.store.committed(&reg.history()?)?;
        }
        Ok(reg)
    }

    /// Writes the first checkpoint into an empty backend.
    pub fn init(store: Box<dyn Backend>, now: i64) -> Result<Registry, RegistryError> {
        let depth = store.depth();
        let root = medzk_circuits::tree::empty(depth.levels());
        let first = Checkpoint::new(0, root, 0, now, Event::Create, Fr::from(0u64));
        write_with(store.as_ref(), |txn| {
            if !txn.checkpoints()?.is_empty() {
                return Err(RegistryError::Open {
                    path: store.describe(),
                    reason: "a registry already exists there".into(),
                });
            }
            txn.set_leaves(0)?;
            txn.push_checkpoint(&first)
        })?;
        let reg = Registry::on(store);
        reg.store.committed(&[first])?;
        Ok(reg)
    }

    /// A registry over an existing backend.
    pub fn on(store: Box<dyn Backend>) -> Registry {
        let depth = store.depth();
        Registry { store, depth }
    }

    /// The backend, in words.
    pub fn describe(&self) -> String {
        self.store.describe()
    }

    /// The tree depth.
    pub fn depth(&self) -> Depth {
        self.depth
    }

    /// Number of leaves appended (revoked ones included).
    pub fn len(&self) -> Result<u64, RegistryError> {
        read_with(self.store.as_ref(), |view| view.leaves())
    }

    /// Whether nothing was appended yet.
    pub fn is_empty(&self) -> Result<bool, RegistryError> {
        Ok(self.len()? == 0)
    }

    /// Appends one commitment.
    pub fn append(&self, commitment: Fr, now: i64) -> Result<Appended, RegistryError> {
        self.append_batch(&[commitment], now)
    }

    /// Appends commitments in one transaction, with one checkpoint. The tree is updated
    /// level by level, each changed node hashed once.
    pub fn append_batch(&self, commitments: &[Fr], now: i64) -> Result<Appended, RegistryError> {
        if commitments.contains(&EMPTY_LEAF) {
            return Err(RegistryError::EmptyCommitment);
        }
        let depth = self.depth;
        let appended = write_with(self.store.as_ref(), |txn| {
            let first = txn.leaves()?;
            let count = commitments.len() as u64;
            let end = first.checked_add(count).filter(|end| *end <= depth.capacity());
            let end = end.ok_or(RegistryError::Full(depth.capacity()))?;
            txn.prefetch(&storage::update_keys(depth, first, end))?;
            let root = Tree::new(depth, NodesMut(txn)).set_leaves(first, commitments)?;
            txn.set_leaves(end)?;
            let checkpoint = Registry::push_checkpoint(txn, root, end, now, Event::Append { first, count })?;
            Ok(Appended { first, checkpoint })
        })?;
        self.publish()?;
        Ok(appended)
    }

    /// Revokes the leaf at `index`: it becomes empty and a new root is recorded.
    pub fn revoke(&self, index: u64, now: i64) -> Result<Checkpoint, RegistryError> {
        let depth = self.depth;
        let checkpoint = write_with(self.store.as_ref(), |txn| {
            let leaves = txn.leaves()?;
            if index >= leaves {
                return Err(RegistryError::NoSuchLeaf(index));
            }
            txn.prefetch(&storage::update_keys(depth, index, index + 1))?;
            if Tree::new(depth, Nodes(txn)).leaf(index)? == EMPTY_LEAF {
                return Err(RegistryError::AlreadyRevoked(index));
            }
            let root = Tree::new(depth, NodesMut(txn)).set_leaves(index, &[EMPTY_LEAF])?;
            Registry::push_checkpoint(txn, root, leaves, now, Event::Revoke { index })
        })?;
        self.publish()?;
        Ok(checkpoint)
    }

    fn push_checkpoint(
        txn: &mut dyn WriteView,
        root: Fr,
        leaves: u64,
        now: i64,
        event: Event,
    ) -> Result<Checkpoint, RegistryError> {
        let last = txn.last_checkpoint()?;
        let next = Checkpoint::new(last.seq + 1, root, leaves, now, event, last.hash);
        txn.push_checkpoint(&next)?;
        Ok(next)
    }

    fn publish(&self) -> Result<(), RegistryError> {
        if self.store.publishes_ledger() { self.store.committed(&self.history()?) } else { Ok(()) }
    }

    /// The current root.
    pub fn root(&self) -> Result<Fr, RegistryError> {
        let depth = self.depth;
        read_with(self.store.as_ref(), |view| Tree::new(depth, Nodes(view)).root())
    }

    /// The leaf at `index` (the empty value if revoked or never appended).
    pub fn leaf(&self, index: u64) -> Result<Fr, RegistryError> {
        if index >= self.depth.capacity() {
            return Err(RegistryError::NoSuchLeaf(index));
        }
        let depth = self.depth;
        read_with(self.store.as_ref(), |view| Tree::new(depth, Nodes(view)).leaf(index))
    }

    /// The inclusion path of an appended leaf, with the root it leads to (both read
    /// from one snapshot, so they match).
    pub fn path(&self, index: u64) -> Result<(MerklePath, Fr), RegistryError> {
        let depth = self.depth;
        read_with(self.store.as_ref(), |view| {
            if index >= view.leaves()? {
                return Err(RegistryError::NoSuchLeaf(index));
            }
            view.prefetch(&storage::path_keys(depth, index))?;
            let tree = Tree::new(depth, Nodes(view));
            Ok((tree.path(index)?, tree.root()?))
        })
    }

    /// Every checkpoint, oldest first.
    pub fn history(&self) -> Result<Vec<Checkpoint>, RegistryError> {
        read_with(self.store.as_ref(), |view| view.checkpoints())
    }

    /// The latest checkpoint.
    pub fn last_checkpoint(&self) -> Result<Checkpoint, RegistryError> {
        read_with(self.store.as_ref(), |view| view.last_checkpoint())
    }

    /// Roots a verifier should accept at time `now`: the current root, and earlier ones
    /// at most `max_age` seconds old — but none older than the latest revocation.
    pub fn trusted_roots(&self, now: i64, max_age: i64) -> Result<Vec<Fr>, RegistryError> {
        Ok(ledger::trusted_roots(&self.history()?, now, max_age))
    }

    /// Copies this registry into an empty backend and returns it there: the leaves and the
    /// whole ledger as they are (same roots, times and hashes); the tree is rebuilt from the
    /// leaves and must lead to the last checkpoint's root, or nothing is written. The copy
    /// is then verified.
    pub fn migrate_to(&self, target: Box<dyn Backend>) -> Result<Registry, RegistryError> {
        if target.depth() != self.depth {
            return Err(RegistryError::Storage(format!(
                "the target has depth {}, this registry {}",
                target.depth().bits(),
                self.depth.bits()
            )));
        }
        let (leaves, stored, history) = read_with(self.store.as_ref(), |view| {
            let leaves = view.leaves()?;
            Ok((leaves, view.stored_leaves(leaves)?, view.checkpoints()?))
        })?;
        ledger::verify_chain(&history)?;
        let last = *history.last().ok_or_else(|| RegistryError::Corrupt("empty ledger".into()))?;
        let mut values = vec![EMPTY_LEAF; leaves as usize];
        for (i, v) in stored {
            values[i as usize] = v;
        }
        let depth = self.depth;
        let target_name = target.describe();
        write_with(target.as_ref(), |txn| {
            if !txn.checkpoints()?.is_empty() {
                return Err(RegistryError::Open {
                    path: target_name.clone(),
                    reason: "a registry already exists there".into(),
                });
            }
            let root = Tree::new(depth, NodesMut(txn)).set_leaves(0, &values)?;
            if root != last.root || last.leaves != leaves {
                return Err(RegistryError::Corrupt(
                    "the leaves do not lead to the last checkpoint's root".into(),
                ));
            }
            txn.set_leaves(leaves)?;
            for c in &history {
                txn.push_checkpoint(c)?;
            }
            Ok(())
        })?;
        let copy = Registry::on(target);
        copy.store.committed(&history)?;
        copy.verify()?;
        if copy.history()? != history || copy.root()? != self.root()? {
            return Err(RegistryError::Corrupt("the copy differs from the source".into()));
        }
        Ok(copy)
    }

    /// Checks the ledger's hash chain and that the stored tree matches the last root.
    pub fn verify(&self) -> Result<(), RegistryError> {
        let history = self.history()?;
        ledger::verify_chain(&history)?;
        let last = history.last().ok_or_else(|| RegistryError::Corrupt("empty ledger".into()))?;
        if last.root != self.root()? || last.leaves != self.len()? {
            return Err(RegistryError::Corrupt("tree does not match the last checkpoint".into()));
        }
        Ok(())
    }
}

pub use ledger::Ledger;
pub use nullifiers::NullifierDb;

#[cfg(test)]
mod tests;

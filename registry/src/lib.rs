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

pub mod audit;
pub mod cluster;
pub mod head;
pub mod ledger;
pub mod location;
mod migrate;
pub mod nullifiers;
pub mod postgres;
pub mod redb_store;
pub mod storage;
pub mod subtree;

use std::path::Path;
use std::time::{Duration, Instant};

use medzk_circuits::field::Fr;
use medzk_circuits::tree::{Depth, EMPTY_LEAF, MerklePath, Tree};
use redb::Database;

pub use audit::{Action, ActorKind, AuditEntry, Request};
pub use head::{OperatorKey, OperatorSecret, SignedHead};
pub use location::Location;
pub use medzk_verifier::signed_head::{Checkpoint, Event};
pub use postgres::PgStore;
pub use redb_store::RedbStore;
pub use storage::{Backend, View, WriteView};
use storage::{Nodes, NodesMut};
pub use subtree::Subtree;

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
    /// An issuer asked to revoke a leaf it did not append.
    #[error("leaf {0} was not appended by this issuer")]
    NotYourLeaf(u64),
    /// A request that does not fit the registry (for example a subtree too large).
    #[error("{0}")]
    BadRequest(String),
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
            txn.push_checkpoint(&first)?;
            txn.push_audit(&AuditEntry::next(None, now, &Request::local(), Action::Create, Ok(()), &first))
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

    /// Appends one commitment (a local write: audited as `local`, no owner recorded).
    pub fn append(&self, commitment: Fr, now: i64) -> Result<Appended, RegistryError> {
        self.append_batch(&[commitment], now)
    }

    /// Appends commitments in one transaction, with one checkpoint (a local write). The
    /// tree is updated level by level, each changed node hashed once.
    pub fn append_batch(&self, commitments: &[Fr], now: i64) -> Result<Appended, RegistryError> {
        self.append_batch_by(commitments, now, &Request::local())
    }

    /// Appends commitments for `request`, in one transaction with its audit entry; an
    /// issuer is recorded as the owner of the new leaves. A refused request (full
    /// registry, empty commitment) is audited too, unless it is local.
    pub fn append_batch_by(
        &self,
        commitments: &[Fr],
        now: i64,
        request: &Request,
    ) -> Result<Appended, RegistryError> {
        let count = commitments.len() as u64;
        let depth = self.depth;
        let result = write_with(self.store.as_ref(), |txn| {
            if commitments.contains(&EMPTY_LEAF) {
                return Err(RegistryError::EmptyCommitment);
            }
            let first = txn.leaves()?;
            let end = first.checked_add(count).filter(|end| *end <= depth.capacity());
            let end = end.ok_or(RegistryError::Full(depth.capacity()))?;
            txn.prefetch(&storage::update_keys(depth, first, end))?;
            let root = Tree::new(depth, NodesMut(txn)).set_leaves(first, commitments)?;
            txn.set_leaves(end)?;
            let checkpoint = Registry::push_checkpoint(txn, root, end, now, Event::Append { first, count })?;
            if request.kind == ActorKind::Issuer && count > 0 {
                txn.set_owner(first, count, &request.actor)?;
            }
            let action = Action::Append { first: Some(first), count };
            Registry::push_audit(txn, now, request, action, Ok(()), &checkpoint)?;
            Ok(Appended { first, checkpoint })
        });
        self.finish(result, now, request, Action::Append { first: None, count })
    }

    /// Revokes the leaf at `index` (a local write): it becomes empty and a new root is
    /// recorded.
    pub fn revoke(&self, index: u64, now: i64) -> Result<Checkpoint, RegistryError> {
        self.revoke_by(index, now, &Request::local())
    }

    /// Revokes the leaf at `index` for `request`, in one transaction with its audit entry.
    /// An issuer may revoke only leaves it appended ([`RegistryError::NotYourLeaf`]); the
    /// operator and local writers may revoke any.
    pub fn revoke_by(&self, index: u64, now: i64, request: &Request) -> Result<Checkpoint, RegistryError> {
        let depth = self.depth;
        let result = write_with(self.store.as_ref(), |txn| {
            let leaves = txn.leaves()?;
            if request.kind == ActorKind::Issuer {
                let owner = txn.owner_run(index)?;
                if owner.is_none_or(|(_, _, name)| name != request.actor) {
                    return Err(RegistryError::NotYourLeaf(index));
                }
            }
            if index >= leaves {
                return Err(RegistryError::NoSuchLeaf(index));
            }
            txn.prefetch(&storage::update_keys(depth, index, index + 1))?;
            if Tree::new(depth, Nodes(txn)).leaf(index)? == EMPTY_LEAF {
                return Err(RegistryError::AlreadyRevoked(index));
            }
            let root = Tree::new(depth, NodesMut(txn)).set_leaves(index, &[EMPTY_LEAF])?;
            let checkpoint = Registry::push_checkpoint(txn, root, leaves, now, Event::Revoke { index })?;
            Registry::push_audit(txn, now, request, Action::Revoke { index }, Ok(()), &checkpoint)?;
            Ok(checkpoint)
        });
        self.finish(result, now, request, Action::Revoke { index })
    }

    /// Publishes the ledger after a write; audits a refused one (unless local).
    fn finish<T>(
        &self,
        result: Result<T, RegistryError>,
        now: i64,
        request: &Request,
        action: Action,
    ) -> Result<T, RegistryError> {
        match result {
            Ok(value) => {
                self.publish()?;
                Ok(value)
            }
            Err(e) => {
                if request.kind != ActorKind::Local {
                    // The refusal is what the caller must hear, even if its entry fails.
                    let _ = self.record_refused(now, request, action, &refusal(&e));
                }
                Err(e)
            }
        }
    }

    /// Audits a refused request (one that never reached the tree: a bad signature, a
    /// replay, a rate limit). Returns the entry written.
    pub fn record_refused(
        &self,
        now: i64,
        request: &Request,
        action: Action,
        reason: &str,
    ) -> Result<AuditEntry, RegistryError> {
        write_with(self.store.as_ref(), |txn| {
            let checkpoint = txn.last_checkpoint()?;
            Registry::push_audit(txn, now, request, action, Err(reason.to_string()), &checkpoint)
        })
    }

    /// Audits an accepted request that changes nothing in the tree (an operator reading
    /// the audit log).
    pub fn record_accepted(
        &self,
        now: i64,
        request: &Request,
        action: Action,
    ) -> Result<AuditEntry, RegistryError> {
        write_with(self.store.as_ref(), |txn| {
            let checkpoint = txn.last_checkpoint()?;
            Registry::push_audit(txn, now, request, action, Ok(()), &checkpoint)
        })
    }

    fn push_audit(
        txn: &mut dyn WriteView,
        now: i64,
        request: &Request,
        action: Action,
        outcome: Result<(), String>,
        checkpoint: &Checkpoint,
    ) -> Result<AuditEntry, RegistryError> {
        let last = txn.last_audit()?;
        let entry = AuditEntry::next(last.as_ref(), now, request, action, outcome, checkpoint);
        txn.push_audit(&entry)?;
        Ok(entry)
    }

    /// Audit entries from sequence number `from`, at most `limit`, oldest first.
    pub fn audit(&self, from: u64, limit: usize) -> Result<Vec<AuditEntry>, RegistryError> {
        read_with(self.store.as_ref(), |view| view.audit(from, limit))
    }

    /// The issuer recorded as having appended the leaf at `index`.
    pub fn owner(&self, index: u64) -> Result<Option<String>, RegistryError> {
        read_with(self.store.as_ref(), |view| Ok(view.owner_run(index)?.map(|(_, _, name)| name)))
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

    /// Checks the ledger's hash chain, that the stored tree matches the last root, and the
    /// audit log against the ledger ([`audit::verify`]).
    pub fn verify(&self) -> Result<(), RegistryError> {
        let history = self.history()?;
        ledger::verify_chain(&history)?;
        audit::verify(&self.audit(0, usize::MAX)?, &history)?;
        let last = history.last().ok_or_else(|| RegistryError::Corrupt("empty ledger".into()))?;
        if last.root != self.root()? || last.leaves != self.len()? {
            return Err(RegistryError::Corrupt("tree does not match the last checkpoint".into()));
        }
        Ok(())
    }
}

/// How a refusal is written in the audit log: its kind, then its message.
fn refusal(e: &RegistryError) -> String {
    let kind = match e {
        RegistryError::Full(_) => "full",
        RegistryError::NoSuchLeaf(_) => "no_such_leaf",
        RegistryError::AlreadyRevoked(_) => "already_revoked",
        RegistryError::EmptyCommitment => "empty_commitment",
        RegistryError::NotYourLeaf(_) => "not_your_leaf",
        RegistryError::BadRequest(_) => "bad_request",
        RegistryError::Busy { .. } => "busy",
        _ => "storage",
    };
    format!("{kind}: {e}")
}

pub use ledger::Ledger;
pub use nullifiers::NullifierDb;

#[cfg(test)]
mod tests;

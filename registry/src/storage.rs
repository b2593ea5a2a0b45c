//! The storage behind a registry: one trait, two backends ([`RedbStore`](crate::redb_store::RedbStore),
//! embedded, the default; [`PgStore`](crate::postgres::PgStore), PostgreSQL). The tree
//! logic, the ledger and every check live in [`Registry`](crate::Registry) above it, so
//! the two backends cannot disagree on what a registry is; the same test suite runs on
//! both.
//!
//! A backend offers consistent read views and atomic write transactions. Node reads in a
//! view may be served from a prefetched set ([`View::prefetch`]): the registry knows in
//! advance every node a path or an append touches, and a networked backend fetches them
//! in one round trip.

use medzk_circuits::field::Fr;
use medzk_circuits::tree::{Depth, NodeStore};

use crate::audit::AuditEntry;
use crate::{Checkpoint, RegistryError};

/// A consistent view of the registry (a snapshot, or the state inside a write).
pub trait View {
    /// A stored node, `None` for an empty subtree.
    fn node(&self, level: usize, index: u64) -> Result<Option<Fr>, RegistryError>;
    /// Loads these nodes ahead of the `node` calls that follow (a hint; the default does
    /// nothing).
    fn prefetch(&mut self, keys: &[(usize, u64)]) -> Result<(), RegistryError> {
        let _ = keys;
        Ok(())
    }
    /// Leaves appended so far.
    fn leaves(&self) -> Result<u64, RegistryError>;
    /// Every stored leaf in `start..end`, in index order (revoked ones hold the empty
    /// value; absent ones are left out).
    fn stored_leaves(&self, start: u64, end: u64) -> Result<Vec<(u64, Fr)>, RegistryError>;
    /// The latest checkpoint.
    fn last_checkpoint(&self) -> Result<Checkpoint, RegistryError>;
    /// Every checkpoint, oldest first.
    fn checkpoints(&self) -> Result<Vec<Checkpoint>, RegistryError>;
    /// The owner recorded for the run of leaves that holds `index`: the run's first
    /// index, its length and the issuer's name.
    fn owner_run(&self, index: u64) -> Result<Option<(u64, u64, String)>, RegistryError>;
    /// Every recorded owner run, in index order.
    fn owner_runs(&self) -> Result<Vec<(u64, u64, String)>, RegistryError>;
    /// Audit entries from sequence number `from`, at most `limit`, oldest first.
    fn audit(&self, from: u64, limit: usize) -> Result<Vec<AuditEntry>, RegistryError>;
    /// The latest audit entry, if any.
    fn last_audit(&self) -> Result<Option<AuditEntry>, RegistryError>;
}

/// A write transaction: all or nothing, applied by the backend when the closure returns
/// `Ok`.
pub trait WriteView: View {
    /// Stores a node.
    fn set_node(&mut self, level: usize, index: u64, value: Fr) -> Result<(), RegistryError>;
    /// Records the new leaf count.
    fn set_leaves(&mut self, leaves: u64) -> Result<(), RegistryError>;
    /// Appends a checkpoint to the ledger.
    fn push_checkpoint(&mut self, checkpoint: &Checkpoint) -> Result<(), RegistryError>;
    /// Records that the leaves `first..first + count` were appended by `owner`.
    fn set_owner(&mut self, first: u64, count: u64, owner: &str) -> Result<(), RegistryError>;
    /// Appends an entry to the audit log.
    fn push_audit(&mut self, entry: &AuditEntry) -> Result<(), RegistryError>;
}

/// A registry backend.
pub trait Backend: Send + Sync {
    /// The tree depth, fixed at creation.
    fn depth(&self) -> Depth;
    /// The backend and where its data is, for messages (never a password).
    fn describe(&self) -> String;
    /// Runs `f` on a consistent snapshot.
    fn read(
        &self,
        f: &mut dyn FnMut(&mut dyn View) -> Result<(), RegistryError>,
    ) -> Result<(), RegistryError>;
    /// Runs `f` in one write transaction, serialised with every other writer; commits if
    /// `f` returns `Ok`, leaves everything as it was otherwise.
    fn write(
        &self,
        f: &mut dyn FnMut(&mut dyn WriteView) -> Result<(), RegistryError>,
    ) -> Result<(), RegistryError>;
    /// Whether [`committed`](Backend::committed) wants the whole ledger after each write
    /// (reading it costs a scan of every checkpoint, so only a backend that publishes it
    /// says yes).
    fn publishes_ledger(&self) -> bool {
        false
    }
    /// Called after each committed write with the whole ledger (the file backend publishes
    /// it beside the database for readers that never open it).
    fn committed(&self, history: &[Checkpoint]) -> Result<(), RegistryError> {
        let _ = history;
        Ok(())
    }
}

/// A view as a tree node store (reads only).
pub(crate) struct Nodes<'a>(pub &'a dyn View);

impl NodeStore for Nodes<'_> {
    type Error = RegistryError;
    fn get(&self, level: usize, index: u64) -> Result<Option<Fr>, RegistryError> {
        self.0.node(level, index)
    }
    fn set(&mut self, _: usize, _: u64, _: Fr) -> Result<(), RegistryError> {
        Err(RegistryError::Storage("a read view cannot change the tree".into()))
    }
}

/// A write view as a tree node store.
pub(crate) struct NodesMut<'a>(pub &'a mut dyn WriteView);

impl NodeStore for NodesMut<'_> {
    type Error = RegistryError;
    fn get(&self, level: usize, index: u64) -> Result<Option<Fr>, RegistryError> {
        self.0.node(level, index)
    }
    fn set(&mut self, level: usize, index: u64, value: Fr) -> Result<(), RegistryError> {
        self.0.set_node(level, index, value)
    }
}

/// Every node an inclusion path of `index` reads: the three siblings at each level.
pub(crate) fn path_keys(depth: Depth, index: u64) -> Vec<(usize, u64)> {
    let mut keys = Vec::with_capacity(depth.levels() * 3 + 1);
    let mut i = index;
    for level in 0..depth.levels() {
        let first = i & !3;
        keys.extend((first..first + 4).filter(|&k| k != i).map(|k| (level, k)));
        i >>= 2;
    }
    keys.push((depth.levels(), 0));
    keys
}

/// Encodes an owner run's value: the count (8 bytes little endian), then the name.
pub(crate) fn encode_owner(count: u64, owner: &str) -> Vec<u8> {
    let mut v = count.to_le_bytes().to_vec();
    v.extend_from_slice(owner.as_bytes());
    v
}

/// Decodes [`encode_owner`].
pub(crate) fn decode_owner(bytes: &[u8]) -> Result<(u64, String), RegistryError> {
    let corrupt = || RegistryError::Corrupt("bad owner record".into());
    let count = u64::from_le_bytes(bytes.get(..8).ok_or_else(corrupt)?.try_into().map_err(|_| corrupt())?);
    let name = std::str::from_utf8(&bytes[8..]).map_err(|_| corrupt())?;
    Ok((count, name.to_string()))
}

/// Every stored node an update of the leaves `first..end` reads: the neighbours that pad
/// the changed run to whole groups of four at each level, and the leaves themselves
/// (a revocation checks its leaf).
pub(crate) fn update_keys(depth: Depth, first: u64, end: u64) -> Vec<(usize, u64)> {
    let mut keys = Vec::new();
    if end <= first {
        return keys;
    }
    if end - first <= 4 {
        keys.extend((first..end).map(|k| (0, k)));
    }
    let (mut start, mut stop) = (first, end);
    for level in 0..depth.levels() {
        let group_start = start & !3;
        let group_end = (stop + 3) & !3;
        keys.extend((group_start..start).map(|k| (level, k)));
        keys.extend((stop..group_end).map(|k| (level, k)));
        start = group_start >> 2;
        stop = group_end >> 2;
    }
    keys.push((depth.levels(), 0));
    keys
}

//! Moving a registry between backends (`medzk registry migrate`).

use medzk_circuits::tree::{EMPTY_LEAF, Tree};

use crate::storage::{Backend, NodesMut};
use crate::{Registry, RegistryError, audit, ledger, read_with, write_with};

impl Registry {
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
        let (leaves, stored, history, owners, entries) = read_with(self.store.as_ref(), |view| {
            let leaves = view.leaves()?;
            Ok((
                leaves,
                view.stored_leaves(0, leaves)?,
                view.checkpoints()?,
                view.owner_runs()?,
                view.audit(0, usize::MAX)?,
            ))
        })?;
        ledger::verify_chain(&history)?;
        audit::verify(&entries, &history)?;
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
            for (first, count, owner) in &owners {
                txn.set_owner(*first, *count, owner)?;
            }
            for e in &entries {
                txn.push_audit(e)?;
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
}

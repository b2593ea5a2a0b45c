//! Subtrees for private path fetching: the registry side (reading one from a snapshot).
//! The type and the path computation live in `medzk-verifier` (`subtree`), so holders
//! compute paths with the same code natively and in wasm.

use medzk_circuits::tree::{EMPTY_LEAF, Tree};
pub use medzk_verifier::subtree::{MAX_SUBTREE_LEVELS, Subtree, SubtreeError};

use crate::storage::{self, Nodes};
use crate::{Registry, RegistryError, read_with};

impl From<SubtreeError> for RegistryError {
    fn from(e: SubtreeError) -> RegistryError {
        match e {
            SubtreeError::Corrupt(why) => RegistryError::Corrupt(format!("subtree: {why}")),
            SubtreeError::NoSuchLeaf(i) => RegistryError::NoSuchLeaf(i),
        }
    }
}

impl Registry {
    /// The subtree of `4^levels` leaves numbered `group` (see the module docs).
    pub fn subtree(&self, levels: u8, group: u64) -> Result<Subtree, RegistryError> {
        let depth = self.depth();
        if levels == 0 || levels > MAX_SUBTREE_LEVELS || levels as usize > depth.levels() {
            return Err(RegistryError::BadRequest(format!(
                "a subtree has 1 to {} levels",
                MAX_SUBTREE_LEVELS.min(depth.levels() as u8)
            )));
        }
        let width = 1u64 << (2 * levels as u32);
        let first = group.checked_mul(width).filter(|f| *f < depth.capacity());
        let first =
            first.ok_or_else(|| RegistryError::BadRequest(format!("no subtree {group} of that size")))?;
        read_with(self.store.as_ref(), |view| {
            let size = view.leaves()?;
            if first >= size {
                return Err(RegistryError::NoSuchLeaf(first));
            }
            let mut leaves = vec![EMPTY_LEAF; width as usize];
            for (i, v) in view.stored_leaves(first, first + width)? {
                leaves[(i - first) as usize] = v;
            }
            view.prefetch(&storage::path_keys(depth, first))?;
            let tree = Tree::new(depth, Nodes(view));
            let full = tree.path(first)?;
            let upper = full.siblings[levels as usize..].to_vec();
            Ok(Subtree { levels, group, size, leaves, upper, root: tree.root()? })
        })
    }
}

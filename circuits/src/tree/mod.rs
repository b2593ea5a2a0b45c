//! The registry tree: an append-only 4-ary Poseidon Merkle tree of record commitments.
//!
//! * Leaves are record commitments; an empty or revoked leaf holds [`EMPTY_LEAF`] (0),
//!   which no record commits to.
//! * A node is `Poseidon5(NODE; c0, c1, c2, c3)`. Commitments are width-10 hashes under
//!   another tag, so an internal node cannot be presented as a leaf.
//! * A tree of depth `d` bits holds `2^d` leaves in `d/2` levels; the default, 32 bits,
//!   has 16 levels. Empty subtrees are precomputed, so only non-empty nodes are stored.
//! * A leaf's position at each level is two bits of its index (least significant first);
//!   its inclusion path lists, per level, the three other children in order.

#[cfg(feature = "r1cs")]
pub mod constraints;

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::field::{self, Fr};
use crate::poseidon::Poseidon;
use crate::tags;

/// Children per node.
pub const ARITY: usize = 4;
/// The value of an empty (or revoked) leaf.
pub const EMPTY_LEAF: Fr = ark_ff::MontFp!("0");
/// Default depth in bits: 2^32 leaves.
pub const DEFAULT_DEPTH: u8 = 32;
/// Largest supported depth in bits.
pub const MAX_DEPTH: u8 = 40;

/// Tree depth in bits (even, 2 to 40).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Depth(u8);

/// A depth that is odd, zero or above [`MAX_DEPTH`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("tree depth must be an even number of bits from 2 to {MAX_DEPTH}, got {0}")]
pub struct DepthError(pub u8);

impl Depth {
    /// A depth of `bits` bits.
    pub const fn new(bits: u8) -> Result<Depth, DepthError> {
        if bits == 0 || bits % 2 == 1 || bits > MAX_DEPTH { Err(DepthError(bits)) } else { Ok(Depth(bits)) }
    }

    /// Depth in bits.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Number of 4-ary levels.
    pub const fn levels(self) -> usize {
        self.0 as usize / 2
    }

    /// Number of leaves.
    pub const fn capacity(self) -> u64 {
        1u64 << self.0
    }
}

impl Default for Depth {
    fn default() -> Depth {
        Depth(DEFAULT_DEPTH)
    }
}

impl TryFrom<u8> for Depth {
    type Error = DepthError;
    fn try_from(bits: u8) -> Result<Depth, DepthError> {
        Depth::new(bits)
    }
}

impl From<Depth> for u8 {
    fn from(d: Depth) -> u8 {
        d.0
    }
}

/// `Poseidon5(NODE; children)`.
pub fn node(children: &[Fr; ARITY]) -> Fr {
    Poseidon::t5().hash(tags::NODE, children)
}

/// Roots of empty subtrees: `empty(0) = EMPTY_LEAF`, `empty(l+1) = node([empty(l); 4])`.
pub fn empty(level: usize) -> Fr {
    static EMPTY: OnceLock<Vec<Fr>> = OnceLock::new();
    EMPTY.get_or_init(|| {
        let mut nodes = vec![EMPTY_LEAF];
        for _ in 0..MAX_DEPTH / 2 {
            let below = *nodes.last().expect("non-empty");
            nodes.push(node(&[below; ARITY]));
        }
        nodes
    })[level]
}

/// The inclusion path of one leaf.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MerklePath {
    /// The leaf's index.
    pub index: u64,
    /// Per level, from the leaves up, the three other children in order.
    #[serde(with = "siblings_hex")]
    pub siblings: Vec<[Fr; ARITY - 1]>,
}

/// A path that does not fit its tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// The path's length is not the tree's number of levels.
    #[error("path has {got} levels, the tree has {expected}")]
    Length {
        /// Levels of the tree.
        expected: usize,
        /// Levels of the path.
        got: usize,
    },
    /// The index does not fit the tree.
    #[error("leaf index {0} is outside the tree")]
    Index(u64),
}

impl MerklePath {
    /// Checks the path's shape against a tree depth.
    pub fn check_shape(&self, depth: Depth) -> Result<(), PathError> {
        if self.siblings.len() != depth.levels() {
            return Err(PathError::Length { expected: depth.levels(), got: self.siblings.len() });
        }
        if self.index >= depth.capacity() {
            return Err(PathError::Index(self.index));
        }
        Ok(())
    }

    /// The position (0–3) of the path's node at `level`.
    pub fn position(&self, level: usize) -> usize {
        ((self.index >> (2 * level)) & 3) as usize
    }

    /// The four children at `level`, given the path's node there.
    pub fn children(&self, level: usize, current: Fr) -> [Fr; ARITY] {
        let position = self.position(level);
        let mut others = self.siblings[level].iter();
        std::array::from_fn(|k| if k == position { current } else { *others.next().expect("3") })
    }

    /// The root this path leads to from `leaf`.
    pub fn root(&self, leaf: Fr) -> Fr {
        (0..self.siblings.len()).fold(leaf, |current, level| node(&self.children(level, current)))
    }
}

/// Storage of non-empty nodes, `(level, index)` with level 0 the leaves.
pub trait NodeStore {
    /// Storage error.
    type Error;
    /// The stored node, or `None` if that subtree is empty.
    fn get(&self, level: usize, index: u64) -> Result<Option<Fr>, Self::Error>;
    /// Stores a node.
    fn set(&mut self, level: usize, index: u64, value: Fr) -> Result<(), Self::Error>;
}

/// Tree operations over any [`NodeStore`].
#[derive(Clone)]
pub struct Tree<S> {
    depth: Depth,
    store: S,
}

impl<S: NodeStore> Tree<S> {
    /// A tree of `depth` over `store`.
    pub fn new(depth: Depth, store: S) -> Tree<S> {
        Tree { depth, store }
    }

    /// The tree's depth.
    pub fn depth(&self) -> Depth {
        self.depth
    }

    /// The underlying store.
    pub fn into_store(self) -> S {
        self.store
    }

    fn node_or_empty(&self, level: usize, index: u64) -> Result<Fr, S::Error> {
        Ok(self.store.get(level, index)?.unwrap_or_else(|| empty(level)))
    }

    /// The current root.
    pub fn root(&self) -> Result<Fr, S::Error> {
        self.node_or_empty(self.depth.levels(), 0)
    }

    /// The leaf at `index`.
    pub fn leaf(&self, index: u64) -> Result<Fr, S::Error> {
        self.node_or_empty(0, index)
    }

    /// Sets a leaf and recomputes its ancestors; returns the new root.
    /// `index` must be below the capacity.
    pub fn set_leaf(&mut self, index: u64, value: Fr) -> Result<Fr, S::Error> {
        assert!(index < self.depth.capacity(), "leaf index outside the tree");
        self.store.set(0, index, value)?;
        let mut current = value;
        let mut i = index;
        for level in 0..self.depth.levels() {
            let first = i & !3;
            let mut children = [Fr::from(0u64); ARITY];
            for (k, child) in children.iter_mut().enumerate() {
                let at = first + k as u64;
                *child = if at == i { current } else { self.node_or_empty(level, at)? };
            }
            current = node(&children);
            i >>= 2;
            self.store.set(level + 1, i, current)?;
        }
        Ok(current)
    }

    /// Sets the consecutive leaves `first, first + 1, …` to `values` and recomputes their
    /// ancestors level by level, hashing each changed node once (about n/3 node hashes for
    /// n leaves, not n × levels), in parallel with the `parallel` feature; returns the new
    /// root. The leaves must lie below the capacity. The same tree as `set_leaf` on each
    /// leaf in turn.
    pub fn set_leaves(&mut self, first: u64, values: &[Fr]) -> Result<Fr, S::Error> {
        if values.is_empty() {
            return self.root();
        }
        let end = first.checked_add(values.len() as u64).expect("leaf range overflows");
        assert!(end <= self.depth.capacity(), "leaf range outside the tree");
        for (k, v) in values.iter().enumerate() {
            self.store.set(0, first + k as u64, *v)?;
        }
        let mut current = values.to_vec();
        let mut start = first;
        for level in 0..self.depth.levels() {
            // Pad the run of changed nodes to whole groups of four with the stored
            // neighbours at both ends, then hash each group into its parent.
            let group_start = start & !3;
            let run_end = start + current.len() as u64;
            let group_end = (run_end + 3) & !3;
            let mut padded = Vec::with_capacity((group_end - group_start) as usize);
            for i in group_start..start {
                padded.push(self.node_or_empty(level, i)?);
            }
            padded.append(&mut current);
            for i in run_end..group_end {
                padded.push(self.node_or_empty(level, i)?);
            }
            current = hash_groups(&padded);
            start = group_start >> 2;
            for (k, v) in current.iter().enumerate() {
                self.store.set(level + 1, start + k as u64, *v)?;
            }
        }
        Ok(current[0])
    }

    /// The inclusion path of the leaf at `index` (below the capacity).
    pub fn path(&self, index: u64) -> Result<MerklePath, S::Error> {
        assert!(index < self.depth.capacity(), "leaf index outside the tree");
        let mut siblings = Vec::with_capacity(self.depth.levels());
        let mut i = index;
        for level in 0..self.depth.levels() {
            let first = i & !3;
            let mut others = [Fr::from(0u64); ARITY - 1];
            let mut slot = 0;
            for k in 0..ARITY as u64 {
                if first + k != i {
                    others[slot] = self.node_or_empty(level, first + k)?;
                    slot += 1;
                }
            }
            siblings.push(others);
            i >>= 2;
        }
        Ok(MerklePath { index, siblings })
    }
}

/// The parent of each group of four consecutive nodes.
fn hash_groups(nodes: &[Fr]) -> Vec<Fr> {
    debug_assert_eq!(nodes.len() % ARITY, 0);
    let parent = |group: &[Fr]| node(group.try_into().expect("groups of four"));
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        // Below a few hundred hashes the thread hand-off costs more than it saves.
        if nodes.len() >= 1024 {
            return nodes.par_chunks_exact(ARITY).map(parent).collect();
        }
    }
    nodes.chunks_exact(ARITY).map(parent).collect()
}

/// An in-memory node store.
#[derive(Clone, Debug, Default)]
pub struct MemoryStore(HashMap<(usize, u64), Fr>);

impl NodeStore for MemoryStore {
    type Error = Infallible;
    fn get(&self, level: usize, index: u64) -> Result<Option<Fr>, Infallible> {
        Ok(self.0.get(&(level, index)).copied())
    }
    fn set(&mut self, level: usize, index: u64, value: Fr) -> Result<(), Infallible> {
        self.0.insert((level, index), value);
        Ok(())
    }
}

/// An in-memory tree (tests, examples, benches).
pub type MemoryTree = Tree<MemoryStore>;

impl MemoryTree {
    /// An empty in-memory tree.
    pub fn empty(depth: Depth) -> MemoryTree {
        Tree::new(depth, MemoryStore::default())
    }

    /// The root (infallible for memory).
    pub fn current_root(&self) -> Fr {
        self.root().unwrap_or_else(|e| match e {})
    }

    /// Sets a leaf (infallible for memory).
    pub fn insert(&mut self, index: u64, value: Fr) -> Fr {
        self.set_leaf(index, value).unwrap_or_else(|e| match e {})
    }

    /// A path (infallible for memory).
    pub fn inclusion_path(&self, index: u64) -> MerklePath {
        self.path(index).unwrap_or_else(|e| match e {})
    }
}

mod siblings_hex {
    use super::{ARITY, Fr};
    use crate::field::{from_hex, to_hex};
    use serde::{Deserialize, Deserializer, Serializer, de::Error, ser::SerializeSeq};

    pub fn serialize<S: Serializer>(v: &[[Fr; ARITY - 1]], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for level in v {
            seq.serialize_element(&level.iter().map(to_hex).collect::<Vec<_>>())?;
        }
        seq.end()
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[Fr; ARITY - 1]>, D::Error> {
        let levels = Vec::<[String; ARITY - 1]>::deserialize(d)?;
        if levels.len() > super::MAX_DEPTH as usize / 2 {
            return Err(D::Error::custom("path has more levels than any tree"));
        }
        levels
            .iter()
            .map(|level| {
                let mut out = [Fr::from(0u64); ARITY - 1];
                for (o, text) in out.iter_mut().zip(level) {
                    *o = from_hex(text).map_err(D::Error::custom)?;
                }
                Ok(out)
            })
            .collect()
    }
}

/// Formats a root for display.
pub fn root_hex(root: &Fr) -> String {
    field::to_hex(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaf(i: u64) -> Fr {
        Fr::from(1000 + i)
    }

    #[test]
    fn depths() {
        assert_eq!(Depth::default().levels(), 16);
        assert!(Depth::new(31).is_err());
        assert!(Depth::new(0).is_err());
        assert!(Depth::new(42).is_err());
        assert_eq!(Depth::new(4).unwrap().capacity(), 16);
    }

    /// Independently computed by `tools/test_vectors.py`.
    #[test]
    fn empty_root_vector() {
        assert_eq!(
            field::to_hex(&empty(16)),
            "0x252405e06a3d8be622c37667da3d4a102b5b76dd22bdbad1ceefa6f7f79fcf36"
        );
        assert_eq!(MemoryTree::empty(Depth::default()).current_root(), empty(16));
    }

    #[test]
    fn paths_lead_to_the_root_for_every_position() {
        let depth = Depth::new(6).unwrap();
        let mut tree = MemoryTree::empty(depth);
        for i in 0..23 {
            tree.insert(i, leaf(i));
        }
        let root = tree.current_root();
        for i in 0..depth.capacity() {
            let path = tree.inclusion_path(i);
            path.check_shape(depth).unwrap();
            let value = if i < 23 { leaf(i) } else { EMPTY_LEAF };
            assert_eq!(path.root(value), root, "leaf {i}");
            assert_ne!(path.root(value + Fr::from(1u64)), root);
        }
    }

    /// Counts the node writes above the leaves (one per node hash).
    #[derive(Default)]
    struct Counting(MemoryStore, usize);

    impl NodeStore for Counting {
        type Error = Infallible;
        fn get(&self, level: usize, index: u64) -> Result<Option<Fr>, Infallible> {
            self.0.get(level, index)
        }
        fn set(&mut self, level: usize, index: u64, value: Fr) -> Result<(), Infallible> {
            self.1 += usize::from(level > 0);
            self.0.set(level, index, value)
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(64))]
        /// Batches at any offset and length, over a tree already holding leaves (some
        /// emptied), give the same nodes as one leaf at a time.
        #[test]
        fn set_leaves_equals_set_leaf_one_by_one(
            before in 0u64..40, emptied in 0u64..40, first in 0u64..60, len in 0usize..80
        ) {
            let depth = Depth::new(8).unwrap();
            let mut one = MemoryTree::empty(depth);
            let mut batch = MemoryTree::empty(depth);
            for i in 0..before {
                one.insert(i, leaf(i));
                batch.insert(i, leaf(i));
            }
            if emptied < before {
                one.insert(emptied, EMPTY_LEAF);
                batch.insert(emptied, EMPTY_LEAF);
            }
            let values: Vec<Fr> = (0..len as u64).map(|k| leaf(500 + k)).collect();
            for (k, v) in values.iter().enumerate() {
                one.insert(first + k as u64, *v);
            }
            let root = batch.set_leaves(first, &values).unwrap_or_else(|e| match e {});
            proptest::prop_assert_eq!(root, one.current_root());
            for i in 0..depth.capacity().min(160) {
                proptest::prop_assert_eq!(batch.inclusion_path(i), one.inclusion_path(i));
            }
        }
    }

    #[test]
    fn set_leaves_hashes_each_node_once() {
        let depth = Depth::new(12).unwrap();
        let n = 4096u64;
        let values: Vec<Fr> = (0..n).map(leaf).collect();
        let mut tree = Tree::new(depth, Counting::default());
        let root = tree.set_leaves(0, &values).unwrap_or_else(|e| match e {});
        // 1024 + 256 + 64 + 16 + 4 + 1 nodes: n/3 rounded down, each hashed once.
        assert_eq!(tree.into_store().1, 1365);
        let mut one = MemoryTree::empty(depth);
        for (i, v) in values.iter().enumerate() {
            one.insert(i as u64, *v);
        }
        assert_eq!(root, one.current_root());
        let mut blank = MemoryTree::empty(depth);
        assert_eq!(blank.set_leaves(3, &[]).unwrap_or_else(|e| match e {}), empty(6));
    }

    #[test]
    fn matches_a_direct_computation() {
        let depth = Depth::new(4).unwrap();
        let mut tree = MemoryTree::empty(depth);
        let leaves: Vec<Fr> = (0..16).map(leaf).collect();
        for (i, l) in leaves.iter().enumerate() {
            tree.insert(i as u64, *l);
        }
        let level1: Vec<Fr> = leaves.chunks(4).map(|c| node(&[c[0], c[1], c[2], c[3]])).collect();
        let root = node(&[level1[0], level1[1], level1[2], level1[3]]);
        assert_eq!(tree.current_root(), root);
    }

    #[test]
    fn revocation_changes_the_root_and_breaks_old_paths() {
        let depth = Depth::new(4).unwrap();
        let mut tree = MemoryTree::empty(depth);
        for i in 0..5 {
            tree.insert(i, leaf(i));
        }
        let before = tree.current_root();
        let path = tree.inclusion_path(3);
        let after = tree.insert(3, EMPTY_LEAF);
        assert_ne!(before, after);
        assert_eq!(path.root(leaf(3)), before);
        let new_path = tree.inclusion_path(3);
        assert_ne!(new_path.root(leaf(3)), after);
    }

    #[test]
    fn path_shape_and_json() {
        let depth = Depth::new(4).unwrap();
        let tree = MemoryTree::empty(depth);
        let path = tree.inclusion_path(7);
        let json = serde_json::to_string(&path).unwrap();
        let back: MerklePath = serde_json::from_str(&json).unwrap();
        assert_eq!(back, path);
        assert!(path.check_shape(Depth::new(6).unwrap()).is_err());
        let far = MerklePath { index: 16, ..path };
        assert_eq!(far.check_shape(depth), Err(PathError::Index(16)));
    }
}

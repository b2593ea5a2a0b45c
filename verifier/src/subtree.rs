//! Private path fetches: a holder asks for the whole subtree of `4^k` leaves around its
//! leaf (and the path from that subtree's root to the tree's root), and computes its own
//! inclusion path from it. The operator learns which group of `4^k` leaves the holder is
//! interested in, not which leaf.
//!
//! The trade-off, in numbers (32-byte leaves, hex in JSON): `k = 3` sends 64 leaves
//! (about 4 KB), `k = 4` 256 (about 17 KB, the CLI's default), `k = 5` 1,024 (about
//! 68 KB), `k = 6` 4,096 (about 270 KB, the most the service sends); the holder hashes
//! about `4^k / 3` nodes (a few milliseconds at `k = 4`). A larger `k` hides the leaf in a
//! larger crowd — but only among leaves that exist: in a young registry the last subtree
//! is partly empty. An operator who sees one holder fetch the same group repeatedly, or
//! correlates fetches with other traffic (addresses, times), learns more; fetch through
//! a network that hides the address if that matters.

use medzk_circuits::field::{self, Fr};
use medzk_circuits::tree::{self, ARITY, MerklePath};
use serde::{Deserialize, Serialize};

/// Why a subtree gives no path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubtreeError {
    /// Its parts do not fit together, or the leaf is not in it.
    #[error("subtree: {0}")]
    Corrupt(String),
    /// The leaf has not been appended yet.
    #[error("no leaf {0} in the registry")]
    NoSuchLeaf(u64),
}

/// Largest subtree a registry hands out: `4^6` = 4,096 leaves.
pub const MAX_SUBTREE_LEVELS: u8 = 6;

/// A subtree of `4^levels` leaves and the path from its root to the tree's root, read from
/// one snapshot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subtree {
    /// `k`: the subtree holds `4^k` leaves.
    pub levels: u8,
    /// Which subtree: it holds the leaves `group·4^k … (group+1)·4^k − 1`.
    pub group: u64,
    /// Leaves appended to the registry so far (the subtree's later leaves are empty).
    pub size: u64,
    /// The subtree's leaves, in order (empty ones are zero).
    #[serde(with = "hex_list")]
    pub leaves: Vec<Fr>,
    /// Per level above the subtree, the three other children, in order.
    #[serde(with = "hex_triples")]
    pub upper: Vec<[Fr; ARITY - 1]>,
    /// The root all of it leads to.
    #[serde(with = "field::serde_hex")]
    pub root: Fr,
}

impl Subtree {
    /// The group holding leaf `index` at `levels`.
    pub fn group_of(index: u64, levels: u8) -> u64 {
        index >> (2 * levels as u32)
    }

    /// The inclusion path of the leaf at `index` (which must lie in this subtree and have
    /// been appended; a revoked leaf's path leads from the empty value), and the root it
    /// leads to — checked against [`root`](Subtree::root), so a subtree whose parts
    /// do not fit together is refused rather than turned into a path that cannot prove.
    pub fn path(&self, index: u64) -> Result<(MerklePath, Fr), SubtreeError> {
        let bad = |why: String| SubtreeError::Corrupt(why);
        let width = 1u64 << (2 * self.levels as u32);
        if self.levels > MAX_SUBTREE_LEVELS || self.leaves.len() as u64 != width {
            return Err(bad(format!("{} leaves for {} levels", self.leaves.len(), self.levels)));
        }
        if Subtree::group_of(index, self.levels) != self.group {
            return Err(bad(format!("leaf {index} is not in group {}", self.group)));
        }
        let mut siblings = Vec::with_capacity(self.levels as usize + self.upper.len());
        let mut level_nodes = self.leaves.clone();
        let mut position = (index - self.group * width) as usize;
        for level in 0..self.levels as usize {
            let start = position & !3;
            siblings.push(std::array::from_fn(|k| {
                let k = if k >= position - start { k + 1 } else { k };
                level_nodes[start + k]
            }));
            // Groups of four empty nodes hash to the precomputed empty subtree.
            let empty = tree::empty(level);
            level_nodes = level_nodes
                .chunks(ARITY)
                .map(|c| {
                    if c.iter().all(|x| *x == empty) {
                        tree::empty(level + 1)
                    } else {
                        tree::node(&[c[0], c[1], c[2], c[3]])
                    }
                })
                .collect();
            position >>= 2;
        }
        siblings.extend(self.upper.iter().copied());
        let path = MerklePath { index, siblings };
        if index >= self.size {
            return Err(SubtreeError::NoSuchLeaf(index));
        }
        let leaf = self.leaves[(index - self.group * width) as usize];
        let root = path.root(leaf);
        if root != self.root {
            return Err(bad("its leaves and upper path do not lead to its root".into()));
        }
        Ok((path, root))
    }
}

mod hex_list {
    use medzk_circuits::field::{self, Fr};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(values: &[Fr], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(field::to_hex))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Fr>, D::Error> {
        let texts: Vec<String> = Vec::deserialize(d)?;
        texts.iter().map(|t| field::from_hex(t).map_err(serde::de::Error::custom)).collect()
    }
}

mod hex_triples {
    use medzk_circuits::field::{self, Fr};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(values: &[[Fr; 3]], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(values.iter().map(|t| t.iter().map(field::to_hex).collect::<Vec<_>>()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[Fr; 3]>, D::Error> {
        let texts: Vec<[String; 3]> = Vec::deserialize(d)?;
        texts
            .iter()
            .map(|t| {
                let mut out = [Fr::from(0u64); 3];
                for (o, x) in out.iter_mut().zip(t) {
                    *o = field::from_hex(x).map_err(serde::de::Error::custom)?;
                }
                Ok(out)
            })
            .collect()
    }
}

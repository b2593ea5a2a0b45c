//! Value sets: large sets of codes (for example 1,000 ICD-10 or SNOMED CT codes)
//! committed by one Merkle root, with membership and non-membership proofs.
//!
//! The values `v₁ < … < vₙ` (text values, all below 2^248) are chained in sorted order:
//! leaf `i` is `Poseidon3(VALUE_SET; aᵢ, aᵢ₊₁)` with `a₀ = 0`, `aᵢ = vᵢ`, `aₙ₊₁ = 2^248`,
//! in a 4-ary tree of depth [`VALUE_SET_DEPTH`] (4,096 leaves). `x` is in the set iff some
//! leaf has `aᵢ = x`, and is not in it iff some leaf has `aᵢ < x < aᵢ₊₁` — one path either
//! way.

use std::collections::BTreeSet;

use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField};
use serde::{Deserialize, Serialize};

use crate::code::Code;
use crate::field::{self, Fr};
use crate::poseidon::Poseidon;
use crate::tags;
use crate::text::TEXT_BITS;
use crate::tree::{Depth, MemoryTree, MerklePath};

/// Value-set tree depth in bits.
pub const VALUE_SET_DEPTH: Depth = match Depth::new(12) {
    Ok(d) => d,
    Err(_) => panic!("valid depth"),
};
/// Most values in one set (leaves minus the sentinel).
pub const MAX_VALUES: usize = (1 << 12) - 1;

/// `2^248`, the upper sentinel.
pub fn upper_sentinel() -> Fr {
    Fr::from(2u64).pow([TEXT_BITS as u64])
}

/// A value-set leaf.
pub fn leaf(low: Fr, next: Fr) -> Fr {
    Poseidon::t3().hash(tags::VALUE_SET, &[low, next])
}

/// Why a value set cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueSetError {
    /// No values.
    #[error("value set {0:?} is empty")]
    Empty(String),
    /// Too many values.
    #[error("value set {name:?} has {count} values; at most {MAX_VALUES} fit")]
    TooLarge {
        /// The set.
        name: String,
        /// Its size.
        count: usize,
    },
    /// A value is not a text value (at or above 2^248).
    #[error("value set {0:?} holds a value that is not a code")]
    NotText(String),
    /// Invalid JSON.
    #[error("invalid value-set file: {0}")]
    Json(String),
}

/// The value-set file: a name and its codes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSetDoc {
    /// `"medzk-value-set"`.
    pub format: String,
    /// 1.
    pub version: u32,
    /// Name of the set.
    pub name: String,
    /// The codes.
    pub codes: Vec<Code>,
}

/// A value set with its tree.
#[derive(Clone)]
pub struct ValueSet {
    name: String,
    values: Vec<Fr>,
    tree: MemoryTree,
}

/// A proof about one value: the leaf `(low, next)` and its path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueSetProof {
    /// The leaf's lower value.
    pub low: Fr,
    /// The leaf's next value.
    pub next: Fr,
    /// Path of the leaf.
    pub path: MerklePath,
}

fn sort_key(x: &Fr) -> Vec<u8> {
    x.into_bigint().to_bytes_be()
}

impl ValueSet {
    /// A set of text values.
    pub fn new(name: &str, values: impl IntoIterator<Item = Fr>) -> Result<ValueSet, ValueSetError> {
        let unique: BTreeSet<Vec<u8>> = values.into_iter().map(|v| sort_key(&v)).collect();
        let mut sorted: Vec<Fr> = Vec::with_capacity(unique.len());
        for key in unique {
            let v = Fr::from_be_bytes_mod_order(&key); // medzk-allow-mod-order: re-reading our own canonical bytes
            if v.into_bigint().num_bits() as usize > TEXT_BITS || v == Fr::ZERO {
                return Err(ValueSetError::NotText(name.into()));
            }
            sorted.push(v);
        }
        if sorted.is_empty() {
            return Err(ValueSetError::Empty(name.into()));
        }
        if sorted.len() > MAX_VALUES {
            return Err(ValueSetError::TooLarge { name: name.into(), count: sorted.len() });
        }
        let mut chain = vec![Fr::ZERO];
        chain.extend(sorted.iter().copied());
        chain.push(upper_sentinel());
        let mut tree = MemoryTree::empty(VALUE_SET_DEPTH);
        for (i, pair) in chain.windows(2).enumerate() {
            tree.insert(i as u64, leaf(pair[0], pair[1]));
        }
        Ok(ValueSet { name: name.into(), values: sorted, tree })
    }

    /// A set of codes.
    pub fn of_codes(name: &str, codes: &[Code]) -> Result<ValueSet, ValueSetError> {
        ValueSet::new(name, codes.iter().map(Code::to_field))
    }

    /// Parses a value-set file.
    pub fn from_json(text: &str) -> Result<ValueSet, ValueSetError> {
        let doc: ValueSetDoc = serde_json::from_str(text).map_err(|e| ValueSetError::Json(e.to_string()))?;
        if doc.format != "medzk-value-set" || doc.version != 1 {
            return Err(ValueSetError::Json("not a version-1 medzk-value-set file".into()));
        }
        ValueSet::of_codes(&doc.name, &doc.codes)
    }

    /// The set's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The root committing to the set.
    pub fn root(&self) -> Fr {
        self.tree.current_root()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether the set is empty (never, once built).
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether `x` is in the set.
    pub fn contains(&self, x: &Fr) -> bool {
        self.position(x).is_ok()
    }

    fn position(&self, x: &Fr) -> Result<usize, usize> {
        self.values.binary_search_by_key(&sort_key(x), sort_key)
    }

    /// The leaf proving `x` in the set (if it is) or not in it (if it is below 2^248).
    pub fn prove(&self, x: &Fr) -> Option<ValueSetProof> {
        let index = match self.position(x) {
            Ok(i) => i + 1,
            Err(_) if x.into_bigint().num_bits() as usize > TEXT_BITS || *x == Fr::ZERO => return None,
            Err(i) => i,
        };
        let low = if index == 0 { Fr::ZERO } else { self.values[index - 1] };
        let next = self.values.get(index).copied().unwrap_or_else(upper_sentinel);
        Some(ValueSetProof { low, next, path: self.tree.inclusion_path(index as u64) })
    }
}

impl std::fmt::Debug for ValueSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "ValueSet({:?}, {} values, root {})",
            self.name,
            self.values.len(),
            field::to_hex(&self.root())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(n: usize) -> Vec<Code> {
        (0..n).map(|i| Code::new("icd10", &format!("E{i:03}")).unwrap()).collect()
    }

    #[test]
    fn membership_and_non_membership_proofs() {
        let set = ValueSet::of_codes("diabetes", &codes(1000)).unwrap();
        assert_eq!(set.len(), 1000);
        let inside = codes(1000)[417].to_field();
        let p = set.prove(&inside).unwrap();
        assert_eq!(p.low, inside);
        assert_eq!(p.path.root(leaf(p.low, p.next)), set.root());
        let outside = Code::new("icd10", "I10").unwrap().to_field();
        assert!(!set.contains(&outside));
        let q = set.prove(&outside).unwrap();
        let key = |x: &Fr| sort_key(x);
        assert!(key(&q.low) < key(&outside) && key(&outside) < key(&q.next));
        assert_eq!(q.path.root(leaf(q.low, q.next)), set.root());
        // Values that are not text values have no proof.
        assert!(set.prove(&-Fr::ONE).is_none());
        assert!(set.prove(&Fr::ZERO).is_none());
    }

    #[test]
    fn order_and_duplicates_do_not_matter() {
        let mut c = codes(20);
        let a = ValueSet::of_codes("a", &c).unwrap();
        c.reverse();
        c.push(c[0].clone());
        let b = ValueSet::of_codes("a", &c).unwrap();
        assert_eq!(a.root(), b.root());
    }

    #[test]
    fn bounds() {
        assert!(matches!(ValueSet::of_codes("x", &[]), Err(ValueSetError::Empty(_))));
        assert!(matches!(ValueSet::new("x", [-Fr::ONE]), Err(ValueSetError::NotText(_))));
        assert!(matches!(
            ValueSet::of_codes("x", &codes(MAX_VALUES + 1)),
            Err(ValueSetError::TooLarge { .. })
        ));
        let json =
            r#"{"format":"medzk-value-set","version":1,"name":"t2d","codes":["icd10|E11","icd10|E11.9"]}"#;
        assert_eq!(ValueSet::from_json(json).unwrap().len(), 2);
        assert!(ValueSet::from_json("{}").is_err());
    }
}

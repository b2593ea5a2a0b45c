//! Inclusion-path gadget for the 4-ary registry tree.
//!
//! Per level: two position bits (2 booleanity constraints), the four children placed
//! by six conditional selections (6 constraints), and one node hash (297 constraints;
//! the capacity lane's first S-box is free) — 305 constraints per level, 4,880 for the
//! default 16 levels.

use ark_r1cs_std::{
    alloc::{AllocVar, AllocationMode},
    boolean::Boolean,
    fields::fp::FpVar,
};
use ark_relations::gr1cs::{Namespace, SynthesisError};

use super::{ARITY, MerklePath};
use crate::field::Fr;
use crate::poseidon::Poseidon;
use crate::tags;

/// Constraints per tree level.
pub const CONSTRAINTS_PER_LEVEL: usize = 305;

/// An allocated inclusion path: per level, the position as two bits (least significant
/// first) and the three other children.
#[derive(Clone)]
pub struct MerklePathVar {
    /// Position bits `(b0, b1)` per level, position = b0 + 2·b1.
    pub positions: Vec<[Boolean<Fr>; 2]>,
    /// The three other children per level.
    pub siblings: Vec<[FpVar<Fr>; ARITY - 1]>,
}

impl AllocVar<MerklePath, Fr> for MerklePathVar {
    fn new_variable<T: std::borrow::Borrow<MerklePath>>(
        cs: impl Into<Namespace<Fr>>,
        f: impl FnOnce() -> Result<T, SynthesisError>,
        mode: AllocationMode,
    ) -> Result<Self, SynthesisError> {
        let cs = cs.into().cs();
        let path = f()?;
        let path = path.borrow();
        let mut positions = Vec::with_capacity(path.siblings.len());
        let mut siblings = Vec::with_capacity(path.siblings.len());
        for (level, others) in path.siblings.iter().enumerate() {
            let p = path.position(level);
            positions.push([
                Boolean::new_variable(cs.clone(), || Ok(p & 1 == 1), mode)?,
                Boolean::new_variable(cs.clone(), || Ok(p & 2 == 2), mode)?,
            ]);
            let mut vars = Vec::with_capacity(ARITY - 1);
            for s in others {
                vars.push(FpVar::new_variable(cs.clone(), || Ok(*s), mode)?);
            }
            siblings.push(vars.try_into().map_err(|_| SynthesisError::Unsatisfiable)?);
        }
        Ok(MerklePathVar { positions, siblings })
    }
}

impl MerklePathVar {
    /// The root this path leads to from `leaf`.
    pub fn root(&self, leaf: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
        let mut current = leaf.clone();
        for ([b0, b1], [s0, s1, s2]) in self.positions.iter().zip(&self.siblings) {
            let children = place(&current, [b0, b1], [s0, s1, s2])?;
            current = Poseidon::t5().hash_var(tags::NODE, &children)?;
        }
        Ok(current)
    }
}

/// Places `x` at position `b0 + 2·b1` among its siblings `s0, s1, s2` (in order).
fn place(
    x: &FpVar<Fr>,
    [b0, b1]: [&Boolean<Fr>; 2],
    [s0, s1, s2]: [&FpVar<Fr>; 3],
) -> Result<[FpVar<Fr>; ARITY], SynthesisError> {
    // The pair holding x: x and its partner t (s0 if x is in the lower half, else s2),
    // ordered by b0. The other pair: (s1, s2) in the lower half case, else (s0, s1).
    let t = b1.select(s2, s0)?;
    let p0 = b0.select(&t, x)?;
    let p1 = x + &t - &p0;
    let q0 = b1.select(s0, s1)?;
    let q1 = b1.select(s1, s2)?;
    // Lower half first unless b1 is set.
    let c0 = b1.select(&q0, &p0)?;
    let c1 = b1.select(&q1, &p1)?;
    let c2 = &p0 + &q0 - &c0;
    let c3 = &p1 + &q1 - &c1;
    Ok([c0, c1, c2, c3])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{Depth, EMPTY_LEAF, MemoryTree};
    use ark_r1cs_std::eq::EqGadget;
    use ark_relations::gr1cs::ConstraintSystem;

    fn setup(depth: Depth, n: u64) -> MemoryTree {
        let mut tree = MemoryTree::empty(depth);
        for i in 0..n {
            tree.insert(i, Fr::from(500 + i));
        }
        tree
    }

    /// Allocates the leaf and path, enforces the computed root equals `root`.
    fn check(leaf: Fr, path: &MerklePath, root: Fr) -> (bool, usize) {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let leaf = FpVar::new_witness(cs.clone(), || Ok(leaf)).unwrap();
        let path = MerklePathVar::new_witness(cs.clone(), || Ok(path.clone())).unwrap();
        let root_var = FpVar::new_input(cs.clone(), || Ok(root)).unwrap();
        path.root(&leaf).unwrap().enforce_equal(&root_var).unwrap();
        (crate::r1cs::holds(&cs), cs.num_constraints())
    }

    #[test]
    fn gadget_equals_native_at_every_position_with_pinned_cost() {
        let depth = Depth::new(4).unwrap();
        let tree = setup(depth, 13);
        let root = tree.current_root();
        for i in 0..16 {
            let path = tree.inclusion_path(i);
            let leaf = if i < 13 { Fr::from(500 + i) } else { EMPTY_LEAF };
            let (ok, n) = check(leaf, &path, root);
            assert!(ok, "leaf {i}");
            assert_eq!(n, 2 * CONSTRAINTS_PER_LEVEL + 1, "levels plus the root equality");
        }
    }

    #[test]
    fn wrong_sibling_position_or_root_is_unsatisfied() {
        let depth = Depth::new(6).unwrap();
        let tree = setup(depth, 40);
        let root = tree.current_root();
        let leaf = Fr::from(500 + 21);
        let path = tree.inclusion_path(21);
        assert!(check(leaf, &path, root).0);
        for level in 0..3 {
            for k in 0..3 {
                let mut bad = path.clone();
                bad.siblings[level][k] += Fr::from(1u64);
                assert!(!check(leaf, &bad, root).0, "sibling {level}/{k}");
            }
        }
        for index in [20, 22, 25, 37] {
            let bad = MerklePath { index, ..path.clone() };
            assert!(!check(leaf, &bad, root).0, "position {index}");
        }
        let foreign = setup(depth, 41).current_root();
        assert!(!check(leaf, &path, foreign).0);
    }

    #[test]
    fn an_internal_node_is_not_a_leaf() {
        // A level-1 node with the upper part of its path, padded to full length with
        // any siblings, does not reach the root.
        let depth = Depth::new(4).unwrap();
        let tree = setup(depth, 16);
        let root = tree.current_root();
        let full = tree.inclusion_path(5);
        let internal = node(&full.children(0, Fr::from(505u64)));
        let mut shifted = full.clone();
        shifted.index = 1; // the level-1 node's position at the bottom
        shifted.siblings[0] = full.siblings[1];
        shifted.siblings[1] = full.siblings[1];
        assert!(!check(internal, &shifted, root).0);
        // One level shorter, it would reach the root natively — the fixed depth is what stops it.
        let short = MerklePath { index: 1, siblings: vec![full.siblings[1]] };
        assert_eq!(short.root(internal), root);
    }

    #[test]
    fn a_position_bit_assigned_two_is_unsatisfied() {
        use crate::r1cs::R1cs;
        let depth = Depth::new(4).unwrap();
        let tree = setup(depth, 16);
        let root = tree.current_root();
        let path = tree.inclusion_path(6);
        let mut r1cs = R1cs::synthesize(|cs| {
            let leaf = FpVar::new_witness(cs.clone(), || Ok(Fr::from(506u64)))?;
            let root_var = FpVar::new_input(cs.clone(), || Ok(root))?;
            let path_var = MerklePathVar::new_witness(cs.clone(), || Ok(path))?;
            path_var.root(&leaf)?.enforce_equal(&root_var)?;
            Ok(vec![])
        })
        .unwrap();
        assert!(r1cs.is_satisfied());
        // Witness order: leaf, then per level b0, b1, three siblings.
        let bits = [1, 2, 6, 7];
        for bad in [Fr::from(2u64), -Fr::from(1u64)] {
            for w in bits {
                let old = r1cs.witness(w);
                assert!(old == Fr::from(0u64) || old == Fr::from(1u64));
                r1cs.set_witness(w, bad);
                assert!(!r1cs.is_satisfied(), "bit {w} = {bad}");
                r1cs.set_witness(w, old);
            }
        }
        assert!(r1cs.is_satisfied());
    }

    use crate::tree::node;
}

//! Poseidon over the BLS12-381 scalar field: x^5 S-box, 8 full rounds, round constants
//! and MDS matrices from the reference Grain LFSR procedure.
//!
//! Three widths are used, each for the job it fits:
//!
//! | width `t` | rate | partial rounds | constraints | used for |
//! |---|---|---|---|---|
//! | 3  | 2 | 57 | 243 | holder id, nullifier (reference instance `poseidonperm_x5_255_3`) |
//! | 5  | 4 | 60 | 300 | registry tree nodes, 4 children (reference instance `poseidonperm_x5_255_5`) |
//! | 10 | 9 | 60 | 420 | record commitment (9 slots in one permutation), policy and text hashing |
//!
//! The width-10 instance follows the same generation procedure; its 60 partial rounds
//! are above what the reference round-number script asks for t = 10 (57) — see
//! `docs/poseidon.md`, which also records the MDS checks run by the tests.
//!
//! **Hashing.** Every use of the hash has its own [`Tag`]. The capacity element starts
//! as `tag + n·2^128`, where `n` is the number of inputs; the inputs are added to the rate
//! elements block by block with a permutation after each block (missing elements of the
//! last block stay zero); the output is the first rate element. Because the tag and the
//! length sit in the capacity, a value of one kind (say an internal tree node) cannot be
//! presented as a value of another kind (a record commitment).

mod constants;
#[cfg(feature = "r1cs")]
pub mod constraints;
mod fast;

use std::sync::OnceLock;

#[cfg(test)]
use ark_crypto_primitives::sponge::poseidon::find_poseidon_ark_and_mds;
use ark_ff::{AdditiveGroup, Field};

use crate::field::{Fr, from_short_bytes};

/// The S-box exponent.
pub const ALPHA: u64 = 5;
/// Number of full rounds of every instance.
pub const FULL_ROUNDS: usize = 8;
/// Bits of the BLS12-381 scalar field modulus, an input of the Grain LFSR.
#[cfg(test)]
const PRIME_BITS: u64 = 255;

/// A domain tag: up to 16 ASCII bytes, placed in the sponge's capacity element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Tag(&'static str);

impl Tag {
    /// A tag from its name; panics at compile time (in `const` use) if longer than 16 bytes.
    pub const fn new(name: &'static str) -> Self {
        assert!(name.len() <= 16, "a tag has at most 16 bytes");
        Tag(name)
    }

    /// The tag's name.
    pub const fn name(self) -> &'static str {
        self.0
    }

    /// The tag as a field element (its bytes, little-endian), below 2^128.
    pub fn to_field(self) -> Fr {
        from_short_bytes(self.0.as_bytes())
    }

    /// The initial capacity element for hashing `n` inputs: `tag + n·2^128`.
    pub fn capacity(self, n: usize) -> Fr {
        let two_128 = Fr::from(u128::MAX) + Fr::ONE;
        self.to_field() + Fr::from(n as u64) * two_128
    }
}

/// One Poseidon instance: width, rounds, constants.
#[derive(Debug)]
pub struct Poseidon {
    width: usize,
    partial_rounds: usize,
    /// Round constants, `ark[round][lane]`.
    ark: Vec<Vec<Fr>>,
    /// MDS matrix, `mds[row][column]`.
    mds: Vec<Vec<Fr>>,
    /// The same permutation with sparse partial rounds, for native hashing.
    optimised: fast::Optimised,
}

impl Poseidon {
    /// The instance from its embedded constants ([`constants`], the Grain LFSR's output,
    /// checked by a test: generating them costs every process about 10 ms at start).
    fn generate<const W: usize>(partial_rounds: usize, ark: &[[Fr; W]], mds: &[[Fr; W]; W]) -> Self {
        let width = W;
        assert_eq!(ark.len(), FULL_ROUNDS + partial_rounds, "one row of constants per round");
        let ark: Vec<Vec<Fr>> = ark.iter().map(|row| row.to_vec()).collect();
        let mds: Vec<Vec<Fr>> = mds.iter().map(|row| row.to_vec()).collect();
        let optimised = fast::Optimised::new(&ark, &mds, FULL_ROUNDS, partial_rounds);
        Poseidon { width, partial_rounds, ark, mds, optimised }
    }

    /// The width-3 instance (reference `poseidonperm_x5_255_3`).
    pub fn t3() -> &'static Poseidon {
        static P: OnceLock<Poseidon> = OnceLock::new();
        P.get_or_init(|| Poseidon::generate(57, &constants::T3_ARK, &constants::T3_MDS))
    }

    /// The width-5 instance (reference `poseidonperm_x5_255_5`).
    pub fn t5() -> &'static Poseidon {
        static P: OnceLock<Poseidon> = OnceLock::new();
        P.get_or_init(|| Poseidon::generate(60, &constants::T5_ARK, &constants::T5_MDS))
    }

    /// The width-10 instance (rate 9).
    pub fn t10() -> &'static Poseidon {
        static P: OnceLock<Poseidon> = OnceLock::new();
        P.get_or_init(|| Poseidon::generate(60, &constants::T10_ARK, &constants::T10_MDS))
    }

    /// State width `t`.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Rate: inputs absorbed per permutation (`t − 1`).
    pub fn rate(&self) -> usize {
        self.width - 1
    }

    /// Number of partial rounds.
    pub fn partial_rounds(&self) -> usize {
        self.partial_rounds
    }

    /// Round constants, `ark[round][lane]`.
    pub fn round_constants(&self) -> &[Vec<Fr>] {
        &self.ark
    }

    /// MDS matrix, `mds[row][column]`.
    pub fn mds(&self) -> &[Vec<Fr>] {
        &self.mds
    }

    /// R1CS constraints of one permutation: three per S-box.
    pub fn constraints_per_permutation(&self) -> usize {
        3 * (FULL_ROUNDS * self.width + self.partial_rounds)
    }

    /// Whether `round` is a full round (S-box on every lane).
    pub fn is_full_round(&self, round: usize) -> bool {
        let half = FULL_ROUNDS / 2;
        round < half || round >= half + self.partial_rounds
    }

    /// Total number of rounds.
    pub fn rounds(&self) -> usize {
        FULL_ROUNDS + self.partial_rounds
    }

    /// Applies the permutation in place; `state.len()` must equal the width. Uses the
    /// optimised rounds of [`fast`] (the same function as
    /// [`permute_reference`](Poseidon::permute_reference), in about half the
    /// multiplications).
    pub fn permute(&self, state: &mut [Fr]) {
        assert_eq!(state.len(), self.width, "state length must equal the width");
        self.optimised.permute(state);
    }

    /// The permutation round by round, as the specification (and the R1CS gadget) states
    /// it: constants, S-boxes, the full MDS matrix in every round.
    pub fn permute_reference(&self, state: &mut [Fr]) {
        assert_eq!(state.len(), self.width, "state length must equal the width");
        let mut next = [Fr::ZERO; 16];
        for round in 0..self.rounds() {
            for (lane, c) in state.iter_mut().zip(&self.ark[round]) {
                *lane += c;
            }
            if self.is_full_round(round) {
                state.iter_mut().for_each(fast::sbox);
            } else {
                fast::sbox(&mut state[0]);
            }
            for (row, out) in self.mds.iter().zip(next.iter_mut()) {
                *out = row.iter().zip(state.iter()).map(|(m, x)| *m * x).sum();
            }
            state.copy_from_slice(&next[..self.width]);
        }
    }

    /// Hashes `inputs` under `tag` (see the module docs for the exact sponge).
    pub fn hash(&self, tag: Tag, inputs: &[Fr]) -> Fr {
        let mut lanes = [Fr::ZERO; 16];
        let state = &mut lanes[..self.width];
        state[0] = tag.capacity(inputs.len());
        if inputs.is_empty() {
            self.permute(state);
        }
        for block in inputs.chunks(self.rate()) {
            for (lane, x) in state[1..].iter_mut().zip(block) {
                *lane += x;
            }
            self.permute(state);
        }
        state[1]
    }
}

#[cfg(test)]
mod tests;

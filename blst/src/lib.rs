//! medzk's blst backend, for native targets: arkworks' BLS12-381 points as `blst`'s,
//! multi-scalar multiplication ([`msm`]) and pairing products ([`pairing`]).
//!
//! On the 2-core reference machine blst's MSM is 1.24–1.53× faster than arkworks 0.6 on
//! the proving key's bases and its pairing product about 1.4× (BENCHMARKS.md). The rest of
//! medzk stays on arkworks types: points convert at the boundary by copying limbs
//! ([`convert`]), which costs about a millisecond for a whole proving key.
//!
//! The unsafe code is confined to the calls into blst, each with the reason it is sound.
#![deny(missing_docs)]

pub mod convert;
pub mod decode;
pub mod msm;
pub mod pairing;

pub use convert::{G1Bases, G2Bases};

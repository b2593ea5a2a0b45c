//! The pairing product behind every Groth16 check, `Π e(Pᵢ, Qᵢ) = 1`, on one of two
//! backends: blst natively (about 1.4× faster, BENCHMARKS.md) and arkworks in WebAssembly
//! (blst is C and assembly; the wasm verifier stays pure Rust).
//!
//! Tests and benchmarks compare the two on the same inputs with [`with_backend`], which
//! switches the backend for the calling thread only.

use std::cell::Cell;

use ark_bls12_381::{Bls12_381, G1Affine, G2Affine};
use ark_ec::pairing::Pairing;
use ark_ff::One;

/// Which code computes pairing products.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// blst's multi-Miller loop and final exponentiation (native targets only).
    #[cfg(not(target_arch = "wasm32"))]
    Blst,
    /// arkworks' (every target).
    Arkworks,
}

impl Backend {
    /// The backend used unless [`with_backend`] says otherwise: blst where it builds.
    pub const DEFAULT: Backend = {
        #[cfg(not(target_arch = "wasm32"))]
        {
            Backend::Blst
        }
        #[cfg(target_arch = "wasm32")]
        {
            Backend::Arkworks
        }
    };
}

thread_local! {
    static BACKEND: Cell<Backend> = const { Cell::new(Backend::DEFAULT) };
}

/// Runs `f` with pairing products on `backend` on this thread (restored afterwards, also
/// when `f` panics).
pub fn with_backend<R>(backend: Backend, f: impl FnOnce() -> R) -> R {
    struct Restore(Backend);
    impl Drop for Restore {
        fn drop(&mut self) {
            BACKEND.with(|b| b.set(self.0));
        }
    }
    let _restore = Restore(BACKEND.with(|b| b.replace(backend)));
    f()
}

/// The calling thread's backend.
pub fn backend() -> Backend {
    BACKEND.with(Cell::get)
}

/// Whether `Π e(g1[i], g2[i])` is one, on the calling thread's backend.
pub fn product_is_one(g1: &[G1Affine], g2: &[G2Affine]) -> bool {
    match backend() {
        #[cfg(not(target_arch = "wasm32"))]
        Backend::Blst => medzk_blst::pairing::product_is_one(g1, g2),
        Backend::Arkworks => {
            let prepared: Vec<<Bls12_381 as Pairing>::G2Prepared> = g2.iter().map(|q| (*q).into()).collect();
            let product = Bls12_381::multi_miller_loop(g1.iter().copied(), prepared);
            Bls12_381::final_exponentiation(product).is_some_and(|p| p.0.is_one())
        }
    }
}

//! medzk's trusted setup without a trusted party: a multi-party ceremony for Groth16 over
//! BLS12-381 in two phases (Bowe, Gabizon and Miers, 2017), with transcripts anyone can
//! verify and keys a wallet can check against them.
//!
//! * **Phase 1** ([`phase1`]): powers of tau, independent of any circuit. Each participant
//!   multiplies in secrets τ, α, β and proves knowledge of them; one honest participant
//!   who destroys its secrets suffices.
//! * **Phase 2** ([`phase2`]): per statement, the Groth16 parameters computed from phase 1
//!   and the circuit's R1CS ([`qap`]), then δ contributions.
//! * **Verification**: every contribution's proofs of knowledge (bound to the transcript
//!   hash before it), same-ratio pairing checks against the previous contribution, the hash
//!   chain, no reused secret, and the final state checked with random linear combinations
//!   (a few multi-exponentiations and pairings, not one pairing per power). The final keys
//!   must be exactly what the transcripts and the circuit determine ([`phase2::verify_keys`]).
//! * **Beacon** ([`beacon`]): an optional last contribution from a public random value.
//!
//! docs/ceremony.md describes how a health authority runs one; docs/formats.md the files.
// The one exception, `blst_ops`, calls blst's C functions on points it owns.
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod beacon;
mod blst_ops;
pub mod codec;
pub mod phase1;
pub mod phase2;
pub mod pok;
pub mod qap;

pub use beacon::Beacon;
pub use phase1::{Phase1, Phase1Report};
pub use phase2::{Phase2, Phase2Report, keys_match, verify_keys};

/// Runs `f` on a thread pool whose threads have large stacks: arkworks' FFTs and
/// multi-scalar multiplications over group elements recurse with large frames, more than
/// rayon's default 2 MiB allows at the sizes of a ceremony.
pub(crate) fn on_big_stacks<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .stack_size(64 << 20)
            .thread_name(|i| format!("medzk-ceremony-{i}"))
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// Longest participant name, in bytes.
pub const MAX_NAME_BYTES: usize = 256;

/// Why a ceremony step or check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CeremonyError {
    /// A file or argument that is not what it should be.
    #[error("{0}")]
    Format(String),
    /// A contribution failed a check.
    #[error("phase {phase}, contribution {index} ({name:?}): {check}")]
    Contribution {
        /// 1 or 2.
        phase: u8,
        /// Its position, from 1.
        index: usize,
        /// The name it gave.
        name: String,
        /// The check that failed.
        check: String,
    },
    /// The final state does not follow from the contributions.
    #[error("{0}")]
    Accumulator(String),
    /// The circuit does not fit, or the transcript is for another circuit or phase 1.
    #[error("{0}")]
    Circuit(String),
    /// A key does not match the transcript.
    #[error("{0}")]
    Key(String),
}

#[cfg(test)]
mod tests;

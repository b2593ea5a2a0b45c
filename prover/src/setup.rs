//! Key generation.

use ark_bls12_381::Bls12_381;
use ark_groth16::Groth16;
use medzk_circuits::statement::StatementId;
use medzk_verifier::key::VerifyingKey;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use sha2::{Digest, Sha256};

use crate::ProveError;
use crate::circuit::blank_circuit;
use crate::key::ProvingKey;

/// Generates a key pair for `statement` from `seed`.
///
/// **Insecure — for development, tests and demos only.** Groth16 keys come from secret
/// randomness ("toxic waste"); whoever knows it can forge proofs of false statements.
/// Here that randomness is derived from `seed`, so anyone who knows the seed can forge.
/// A deployment uses keys from a multi-party ceremony instead.
pub fn insecure_dev_setup(
    statement: StatementId,
    seed: &[u8],
) -> Result<(ProvingKey, VerifyingKey), ProveError> {
    let mut rng = ChaCha20Rng::from_seed(Sha256::digest(seed).into());
    let circuit = blank_circuit(statement)?;
    let pk = Groth16::<Bls12_381>::generate_random_parameters_with_reduction(circuit, &mut rng)
        .map_err(|e| ProveError::Synthesis(e.to_string()))?;
    let pk = ProvingKey::new(statement, pk)?;
    let vk = pk.verifying_key().clone();
    Ok((pk, vk))
}

//! Shared fixtures for medzk's benchmarks.
#![forbid(unsafe_code)]

use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::fixtures::VaccinationFixture;
use medzk_circuits::statement::StatementId;
use medzk_circuits::tree::Depth;
use medzk_prover::{Prover, VaccinationRequest, insecure_dev_setup};
use medzk_verifier::{Presentation, Verifier, VerifyingKey};
use merlin::Transcript;
use rand::{SeedableRng, rngs::StdRng};

/// Verifier id used by the benches.
pub const VERIFIER: &str = "bench:verifier";
/// Session nonce used by the benches.
pub const NONCE: &[u8] = b"bench-nonce-0001";

/// Keys, a registry and a holder for the vaccination statement.
pub struct VaccinationBench {
    /// The prover (key and cached circuit).
    pub prover: Prover,
    /// The verifying key.
    pub vk: VerifyingKey,
    /// Registry and holder.
    pub fixture: VaccinationFixture,
}

impl VaccinationBench {
    /// Development keys for the vaccination statement at `depth` and a small registry.
    pub fn new(depth: Depth) -> VaccinationBench {
        let (pk, vk) = insecure_dev_setup(StatementId::vaccination(depth), b"medzk benches").expect("setup");
        VaccinationBench {
            prover: Prover::new(pk).expect("prover"),
            vk,
            fixture: VaccinationFixture::new(depth, 100, 40, 7),
        }
    }

    /// One presentation.
    pub fn prove(&self, seed: u64) -> Presentation {
        let f = &self.fixture;
        let witness = f.witness();
        let request = VaccinationRequest {
            policy: &f.policy,
            witness: &witness,
            root: f.root(),
            session: Session { verifier_id: VERIFIER, nonce: NONCE },
            today: f.today,
        };
        let mut rng = StdRng::seed_from_u64(seed);
        self.prover
            .prove_vaccination(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut rng)
            .expect("proof")
    }

    /// A verifier trusting the fixture's root.
    pub fn verifier(&self) -> Verifier {
        Verifier::new(self.vk.clone(), &self.fixture.policy, [self.fixture.root()]).expect("verifier")
    }
}

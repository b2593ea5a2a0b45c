//! Shared fixtures for medzk's benchmarks.
#![forbid(unsafe_code)]

use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::date::Day;
use medzk_circuits::field::Fr;
use medzk_circuits::fixtures::{PolicyFixture, TrialPatient, VaccinationFixture, trial_policy};
use medzk_circuits::holder::HolderSecret;
use medzk_circuits::policy::Policy;
use medzk_circuits::statement::{PublicInputs, StatementId};
use medzk_circuits::tree::Depth;
use medzk_circuits::vaccination::circuit::VaccinationCircuit;
use medzk_prover::{PolicyRequest, Prover, VaccinationRequest, insecure_dev_setup};
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
        self.prove_with(&self.prover, seed)
    }

    /// One presentation from `prover` (a prover for the same key, e.g. with tables).
    pub fn prove_with(&self, prover: &Prover, seed: u64) -> Presentation {
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
        prover.prove_vaccination(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut rng).expect("proof")
    }

    /// The fixture's circuit with its witness (a fixed context: the circuit does not
    /// constrain it), for benches that run the prover's steps one at a time.
    pub fn circuit(&self) -> VaccinationCircuit {
        let f = &self.fixture;
        let witness = f.witness();
        let public = PublicInputs {
            root: f.root(),
            policy_hash: f.policy.hash(),
            today: f.today,
            context: Fr::from(1u64),
            nullifier: witness.nullifier(&f.policy),
        };
        VaccinationCircuit::new(self.prover.key().statement().depth, f.policy.clone(), public, witness)
    }

    /// A verifier trusting the fixture's root.
    pub fn verifier(&self) -> Verifier {
        Verifier::new(self.vk.clone(), &self.fixture.policy, [self.fixture.root()]).expect("verifier")
    }
}

/// Keys, a registry and an eligible patient for the trial policy (shape K = 4, M = 16).
pub struct PolicyBench {
    /// The prover.
    pub prover: Prover,
    /// The verifying key.
    pub vk: VerifyingKey,
    /// The sponsor's policy.
    pub policy: Policy,
    /// Registry and patient.
    pub fixture: PolicyFixture,
}

impl PolicyBench {
    /// Development keys for the trial policy's shape at `depth` and one eligible patient.
    pub fn new(depth: Depth) -> PolicyBench {
        PolicyBench::for_policy(depth, trial_policy(), &[0, 1, 2, 3])
    }

    /// A rule of 8 groups of 4 clauses (32 clauses; the patient meets the last group
    /// only, as a traveller meets one of a country's variants) over `records` records: 1
    /// (an HbA1c result) or 3 (demographics, diagnosis, HbA1c), in a shape of exactly that
    /// size.
    pub fn wide(depth: Depth, records: u8) -> PolicyBench {
        let (specs, shown): (&str, &[usize]) = match records {
            1 => (r#"{ "name": "hba1c", "kind": "observation" }"#, &[2]),
            3 => (
                r#"{ "name": "patient", "kind": "demographics" },
                   { "name": "diagnosis", "kind": "condition" },
                   { "name": "hba1c", "kind": "observation" }"#,
                &[0, 1, 2],
            ),
            _ => panic!("wide policies over 1 or 3 records"),
        };
        let groups: Vec<String> = (0..8)
            .map(|i| {
                let le = if i == 7 { 100 } else { 70 }; // the patient's HbA1c is 78
                let first = if records == 1 {
                    format!(
                        r#"{{ "record": "hba1c", "slot": "date", "op": "date_within", "min": 0, "max": {} }}"#,
                        60 + 10 * i
                    )
                } else {
                    format!(r#"{{ "record": "patient", "op": "age_between", "min": 18, "max": {} }}"#, 60 + i)
                };
                let second = if records == 1 {
                    r#"{ "record": "hba1c", "slot": "code", "op": "eq", "value": "loinc|4548-4" }"#
                } else {
                    r#"{ "record": "diagnosis", "slot": "code", "op": "in", "values": ["icd10|E11", "icd10|E11.9"] }"#
                };
                format!(
                    r#"{{ "name": "variant {i}", "clauses": [ {first}, {second},
                       {{ "record": "hba1c", "slot": "value", "op": "ge", "value": 65 }},
                       {{ "record": "hba1c", "slot": "value", "op": "le", "value": {le} }} ] }}"#
                )
            })
            .collect();
        let json = format!(
            r#"{{ "statement": "policy", "version": 1, "scope": {{ "shared": "bench:wide" }},
                 "shape": {{ "records": {records}, "clauses": 32, "groups": 8 }},
                 "records": [ {specs} ], "groups": [ {} ] }}"#,
            groups.join(",")
        );
        let policy = Policy::from_json(&json).expect("valid policy");
        PolicyBench::for_policy(depth, policy, shown)
    }

    /// Keys for `policy`'s shape and a patient showing the eligible trial patient's records
    /// at `shown` (indices into [`TrialPatient::records`]).
    fn for_policy(depth: Depth, policy: Policy, shown: &[usize]) -> PolicyBench {
        let (pk, vk) = insecure_dev_setup(policy.statement(depth), b"medzk benches").expect("setup");
        let today = Day::from_ymd(2026, 11, 24).expect("date");
        let secret = HolderSecret::generate(&mut StdRng::seed_from_u64(9));
        let all = TrialPatient::eligible().records(&secret, today);
        let records: Vec<_> = shown.iter().map(|&i| all[i].clone()).collect();
        let fixture = PolicyFixture::new(depth, secret, &records, 100, today, 3);
        PolicyBench { prover: Prover::new(pk).expect("prover"), vk, policy, fixture }
    }

    /// One presentation.
    pub fn prove(&self, seed: u64) -> Presentation {
        self.prove_with(&self.prover, seed)
    }

    /// One presentation from `prover` (a prover for the same key, e.g. on another MSM
    /// backend).
    pub fn prove_with(&self, prover: &Prover, seed: u64) -> Presentation {
        let f = &self.fixture;
        let records = f.credentials();
        let request = PolicyRequest {
            policy: &self.policy,
            records: &records,
            secret: &f.secret,
            value_sets: &[],
            root: f.root(),
            session: Session { verifier_id: VERIFIER, nonce: NONCE },
            today: f.today,
        };
        let mut rng = StdRng::seed_from_u64(seed);
        prover.prove_policy(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut rng).expect("proof")
    }
}

/// The thread count rayon will use, for bench names.
pub fn threads() -> String {
    std::env::var("RAYON_NUM_THREADS").map_or_else(|_| "all-threads".into(), |n| format!("{n}-threads"))
}

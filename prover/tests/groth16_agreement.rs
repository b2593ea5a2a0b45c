//! medzk's Groth16 prover makes exactly the proof arkworks makes for the same assignment
//! and blinding on every MSM backend (blst, arkworks, window tables), and the proof
//! verifies.

use ark_bls12_381::Bls12_381;
use ark_ff::UniformRand;
use ark_groth16::Groth16;
use medzk_circuits::field::Fr;
use medzk_circuits::fixtures::VaccinationFixture;
use medzk_circuits::statement::{PublicInputs, StatementId};
use medzk_circuits::tree::Depth;
use medzk_circuits::vaccination::circuit::VaccinationCircuit;
use medzk_prover::backend::{MsmBackend, Msms};
use medzk_prover::circuit::AnyCircuit;
use medzk_prover::groth16::create_proof;
use medzk_prover::{Prover, ProvingKey, insecure_dev_setup};
use rand::{SeedableRng, rngs::StdRng};

#[test]
fn proofs_equal_arkworks_on_every_msm_backend() {
    let depth = Depth::new(8).unwrap();
    let (pk, _) = insecure_dev_setup(StatementId::vaccination(depth), b"agreement").unwrap();
    let prover = Prover::new(pk).unwrap();
    let tabled = prover.clone().with_tables();
    let f = VaccinationFixture::new(depth, 20, 40, 3);
    let witness = f.witness();
    let public = PublicInputs {
        root: f.root(),
        policy_hash: f.policy.hash(),
        today: f.today,
        context: Fr::from(77u64),
        nullifier: witness.nullifier(&f.policy),
    };
    let circuit = VaccinationCircuit::new(depth, f.policy.clone(), public, witness);
    let z = prover.assignment(AnyCircuit::Vaccination(Box::new(circuit))).unwrap();
    assert_eq!(prover.shape().first_unsatisfied(&z), None);
    let shape = prover.shape();
    let inner = prover.key().inner();
    let pvk = ark_groth16::prepare_verifying_key(&inner.vk);
    let mut rng = StdRng::seed_from_u64(1);
    for (r, s) in [(Fr::rand(&mut rng), Fr::rand(&mut rng)), (Fr::from(0u64), Fr::from(5u64))] {
        let expected = Groth16::<Bls12_381>::create_proof_with_reduction_and_matrices(
            inner,
            r,
            s,
            shape.matrices(),
            shape.num_instance(),
            shape.num_constraints(),
            &z,
        )
        .unwrap();
        let plain = create_proof(inner, shape, Msms::Arkworks, &z, r, s).unwrap();
        let blst = create_proof(inner, shape, prover.msms(), &z, r, s).unwrap();
        let tables = create_proof(inner, shape, tabled.msms(), &z, r, s).unwrap();
        assert!(matches!(prover.msms(), Msms::Blst(_)));
        assert!(matches!(tabled.msms(), Msms::Tables(_)));
        let arkworks = prover.clone().with_msm_backend(MsmBackend::Arkworks);
        assert!(matches!(arkworks.msms(), Msms::Arkworks));
        assert_eq!(plain, expected);
        assert_eq!(blst, expected);
        assert_eq!(tables, expected);
        let inputs = &z[1..shape.num_instance()];
        assert!(Groth16::<Bls12_381>::verify_proof(&pvk, &plain, inputs).unwrap());
    }
    // A wrong-size assignment is an error, not a panic.
    assert!(create_proof(inner, shape, Msms::Arkworks, &z[1..], Fr::from(1u64), Fr::from(1u64)).is_err());
}

#[test]
fn proving_key_round_trips_with_its_shape() {
    let depth = Depth::new(4).unwrap();
    let (pk, _) = insecure_dev_setup(StatementId::vaccination(depth), b"shape").unwrap();
    let bytes = pk.to_bytes();
    let back = ProvingKey::from_bytes(&bytes, &pk.verifying_key().hash()).unwrap();
    assert_eq!(back.shape(), pk.shape());
    assert_eq!(back.to_bytes(), bytes);
}

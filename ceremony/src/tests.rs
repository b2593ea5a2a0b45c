//! The ceremony's parameters equal arkworks' own generator's for the same secrets; the
//! decoders refuse damaged files.

use ark_bls12_381::{Bls12_381, Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::{Field, UniformRand};
use ark_groth16::Groth16;
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use ark_relations::gr1cs::{
    ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, OptimizationGoal, R1CS_PREDICATE_LABEL,
    SynthesisError, SynthesisMode, Variable,
};
use ark_relations::lc;
use medzk_prover::key::Groth16ProvingKey;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

use crate::phase1::{Phase1, Secrets};
use crate::phase2::Phase2;
use crate::qap::{R1csRef, check_params, initial_params};

/// A small circuit with public inputs, products, linear combinations with coefficients
/// other than one, and a variable in many rows.
#[derive(Clone)]
struct Small;

impl ConstraintSynthesizer<Fr> for Small {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        let x = cs.new_input_variable(|| Ok(Fr::from(3u64)))?;
        let y = cs.new_input_variable(|| Ok(Fr::from(20u64)))?;
        let a = cs.new_witness_variable(|| Ok(Fr::from(2u64)))?;
        let b = cs.new_witness_variable(|| Ok(Fr::from(5u64)))?;
        let c = cs.new_witness_variable(|| Ok(Fr::from(10u64)))?;
        cs.enforce_r1cs_constraint(|| lc!() + a, || lc!() + b, || lc!() + c)?;
        cs.enforce_r1cs_constraint(|| lc!() + (Fr::from(2u64), c), || lc!() + Variable::One, || lc!() + y)?;
        cs.enforce_r1cs_constraint(
            || lc!() + x + a,
            || lc!() + (Fr::from(7u64), b) - x,
            || lc!() + (Fr::from(160u64), Variable::One),
        )?;
        for k in 0..5u64 {
            cs.enforce_r1cs_constraint(
                || lc!() + a + (Fr::from(k), b),
                || lc!() + Variable::One,
                || lc!() + a + (Fr::from(k), b),
            )?;
        }
        Ok(())
    }
}

type Matrices = [Vec<Vec<(Fr, usize)>>; 3];
type Change = fn(&mut Groth16ProvingKey, G1Affine);

fn small_r1cs() -> (Matrices, usize, usize) {
    let cs = ConstraintSystem::<Fr>::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    cs.set_mode(SynthesisMode::Setup);
    Small.generate_constraints(cs.clone()).unwrap();
    cs.finalize();
    let mut m = cs.to_matrices().unwrap().remove(R1CS_PREDICATE_LABEL).unwrap();
    let (c, b, a) = (m.pop().unwrap(), m.pop().unwrap(), m.pop().unwrap());
    let inputs = cs.num_instance_variables();
    ([a, b, c], inputs, inputs + cs.num_witness_variables())
}

/// With τ, α, β and δ known, phase 1 then the phase-2 computation give exactly the proving
/// key that `Groth16::generate_parameters_with_qap` makes with γ = 1 and the standard
/// generators — the Lagrange conversion, every query and the input constraints included;
/// and the cheap check of the parameters accepts them and refuses any changed query.
#[test]
fn initial_params_equal_arkworks_generator_for_the_same_secrets() {
    let (matrices, inputs, variables) = small_r1cs();
    let r1cs = R1csRef { matrices: &matrices, inputs, variables };
    let n = GeneralEvaluationDomain::<Fr>::new(matrices[0].len() + inputs).unwrap().size();
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let (alpha, beta, delta) = (Fr::rand(&mut rng), Fr::rand(&mut rng), Fr::rand(&mut rng));
    // The τ arkworks will draw: the first element outside the domain from this generator.
    let mut probe = rng.clone();
    let tau = GeneralEvaluationDomain::<Fr>::new(n).unwrap().sample_element_outside_domain(&mut probe);
    let expected = Groth16::<Bls12_381>::generate_parameters_with_qap(
        Small,
        alpha,
        beta,
        Fr::from(1u64),
        delta,
        G1Projective::generator(),
        G2Projective::generator(),
        &mut rng,
    )
    .unwrap();

    // A phase 1 one size larger than needed: the first powers serve.
    let mut p1 = Phase1::new(n.trailing_zeros() as u8 + 1).unwrap();
    p1.contribute_known(Secrets { tau, alpha, beta });
    p1.verify().unwrap();
    let mut params = initial_params(&p1.accumulator, r1cs).unwrap();
    let inv = delta.inverse().unwrap();
    params.delta_g1 = (params.delta_g1 * delta).into_affine();
    params.vk.delta_g2 = (params.vk.delta_g2 * delta).into_affine();
    params.l_query = params.l_query.iter().map(|p| (*p * inv).into_affine()).collect();
    params.h_query = params.h_query.iter().map(|p| (*p * inv).into_affine()).collect();
    assert_eq!(params.vk, expected.vk);
    assert_eq!(params.a_query, expected.a_query);
    assert_eq!(params.b_g1_query, expected.b_g1_query);
    assert_eq!(params.b_g2_query, expected.b_g2_query);
    assert_eq!(params.h_query, expected.h_query);
    assert_eq!(params.l_query, expected.l_query);
    assert_eq!(params, expected);

    check_params(&p1.accumulator, r1cs, &params, &mut rng).unwrap();
    let g1 = G1Affine::generator();
    let changes: [(&str, Change); 6] = [
        ("A query", |p, g| p.a_query[2] = g),
        ("B query in G1", |p, g| p.b_g1_query[3] = g),
        ("B query in G2", |p, _| p.b_g2_query[1] = G2Affine::generator()),
        ("γ_abc", |p, g| p.vk.gamma_abc_g1[1] = g),
        ("L query", |p, g| p.l_query[0] = g),
        ("H query", |p, g| {
            let last = p.h_query.len() - 1;
            p.h_query[last] = g
        }),
    ];
    for (name, change) in changes {
        let mut bad = params.clone();
        change(&mut bad, g1);
        let err = check_params(&p1.accumulator, r1cs, &bad, &mut rng).unwrap_err().to_string();
        assert!(err.contains(name), "{name}: {err}");
    }
}

/// Every file decoder refuses truncations and changed bytes without panicking.
#[test]
fn decoders_refuse_damaged_files() {
    let mut p1 = Phase1::new(2).unwrap();
    p1.contribute("a", b"").unwrap();
    let bytes = p1.to_bytes();
    assert_eq!(Phase1::from_bytes(&bytes).unwrap(), p1);
    for cut in [0, 5, 6, 37, bytes.len() / 2, bytes.len() - 1] {
        assert!(Phase1::from_bytes(&bytes[..cut]).is_err());
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Phase1::from_bytes(&longer).is_err());
    assert!(Phase2::from_bytes(&bytes).is_err(), "a phase-1 file is not a phase-2 file");
    // A body that is internally inconsistent but carries a valid digest.
    let mut w = crate::codec::Writer::new(crate::codec::FileKind::Phase1);
    w.u32(u32::MAX);
    assert!(Phase1::from_bytes(&w.finish()).is_err());
    let mut w = crate::codec::Writer::new(crate::codec::FileKind::Phase1);
    w.u32(0);
    w.u8(2);
    w.u32(1 << 30);
    assert!(Phase1::from_bytes(&w.finish()).is_err());
    let _ = crate::codec::Reader::bare(&[]);
}

//! From a phase-1 accumulator and a circuit's R1CS to the Groth16 parameters with δ = 1:
//! the conversion to the Lagrange basis and the A, B, C, H and L queries, exactly as
//! arkworks' generator (libsnark's reduction) computes them from known secrets, but in
//! the exponent.
//!
//! For the evaluation domain of size `n` (the next power of two above the constraints
//! plus the public inputs), `L_j(τ)·G = (1/n)·Σ_i ω^{−ij}·τ^i·G`: an inverse FFT over the
//! group elements `τ^i·G`, `α·τ^i·G1` and `β·τ^i·G1`. Then, for each variable `i`,
//! `u_i(τ) = Σ_j A_ji·L_j(τ)` (and, for a public input, `+ L_{m+i}(τ)` of the input
//! constraints arkworks adds), `v_i` and `w_i` likewise from B and C:
//!
//! * A query `u_i(τ)·G1`, B queries `v_i(τ)·G1` and `v_i(τ)·G2`;
//! * `γ_abc`/L: `(β·u_i(τ) + α·v_i(τ) + w_i(τ))·G1` (γ = 1; δ = 1 until phase 2);
//! * H query `τ^i·(τ^n − 1)·G1 = τ^{n+i}·G1 − τ^i·G1` for `i < n − 1`.

use ark_bls12_381::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{One, Zero};
use ark_poly::{EvaluationDomain, GeneralEvaluationDomain};
use medzk_prover::key::Groth16ProvingKey;
use medzk_prover::shape::CircuitShape;
use rayon::prelude::*;

use crate::CeremonyError;
use crate::blst_ops::{Points1, Points2, combine_g1, combine_g2, lagrange_g1, lagrange_g2};
use crate::phase1::Accumulator;
use crate::pok::g2_generator;

/// A circuit's R1CS as the reduction reads it: the A, B, C matrices (rows of
/// (coefficient, variable) terms, the constant one and the public inputs first) and the
/// number of public inputs (the constant one included).
#[derive(Clone, Copy)]
pub struct R1csRef<'a> {
    /// A, B and C.
    pub matrices: &'a [Vec<Vec<(Fr, usize)>>; 3],
    /// Public inputs, the constant one included.
    pub inputs: usize,
    /// All variables.
    pub variables: usize,
}

impl<'a> From<&'a CircuitShape> for R1csRef<'a> {
    fn from(shape: &'a CircuitShape) -> R1csRef<'a> {
        R1csRef { matrices: shape.matrices(), inputs: shape.num_instance(), variables: shape.num_variables() }
    }
}

impl R1csRef<'_> {
    fn constraints(&self) -> usize {
        self.matrices[0].len()
    }

    fn domain(&self) -> Result<GeneralEvaluationDomain<Fr>, CeremonyError> {
        GeneralEvaluationDomain::<Fr>::new(self.constraints() + self.inputs).ok_or_else(|| {
            CeremonyError::Circuit("the circuit is too large for any evaluation domain".into())
        })
    }
}

/// The domain size for a circuit: constraints plus public inputs, to the next power of two.
pub fn domain_size(shape: &CircuitShape) -> Result<usize, CeremonyError> {
    Ok(R1csRef::from(shape).domain()?.size())
}

/// The matrix's columns: for each variable, its (row, coefficient) terms.
fn columns(matrix: &[Vec<(Fr, usize)>], variables: usize) -> Vec<Vec<(usize, Fr)>> {
    let mut cols = vec![Vec::new(); variables];
    for (row, terms) in matrix.iter().enumerate() {
        for (coeff, col) in terms {
            if !coeff.is_zero() {
                cols[*col].push((row, *coeff));
            }
        }
    }
    cols
}

/// The parameters of a circuit from `acc`, with δ = 1 (before any phase-2 contribution).
pub fn initial_params(acc: &Accumulator, shape: R1csRef<'_>) -> Result<Groth16ProvingKey, CeremonyError> {
    let m = shape.constraints();
    let inputs = shape.inputs;
    let variables = shape.variables;
    let domain = shape.domain()?;
    let n = domain.size();
    if n > acc.size() {
        return Err(CeremonyError::Circuit(format!(
            "the circuit needs powers of tau of size {n} (2^{}); this phase 1 has 2^{}",
            n.trailing_zeros(),
            acc.power()
        )));
    }
    let l_g1 = lagrange_g1(&acc.tau_g1, n);
    let l_alpha = lagrange_g1(&acc.alpha_tau_g1, n);
    let l_beta = lagrange_g1(&acc.beta_tau_g1, n);
    let l_g2 = lagrange_g2(&acc.tau_g2, n);

    let [ma, mb, mc] = shape.matrices;
    let mut a = columns(ma, variables);
    // The input constraints arkworks adds: variable i (a public input, the constant one
    // first) times one, in row m + i.
    for (i, col) in a.iter_mut().enumerate().take(inputs) {
        col.push((m + i, Fr::one()));
    }
    let b = columns(mb, variables);
    let c = columns(mc, variables);

    let (p_g1, p_alpha, p_beta) = (Points1::new(&l_g1), Points1::new(&l_alpha), Points1::new(&l_beta));
    let a_query = combine_g1(&a, &p_g1);
    let b_g1 = combine_g1(&b, &p_g1);
    let b_g2 = combine_g2(&b, &Points2::new(&l_g2));
    let (ua, vb, wc) = (combine_g1(&a, &p_beta), combine_g1(&b, &p_alpha), combine_g1(&c, &p_g1));
    let abc: Vec<G1Projective> = ua.par_iter().zip(&vb).zip(&wc).map(|((x, y), z)| *x + y + z).collect();
    let h: Vec<G1Projective> =
        (0..n - 1).into_par_iter().map(|i| acc.tau_g1[n + i].into_group() - acc.tau_g1[i]).collect();

    let abc = G1Projective::normalize_batch(&abc);
    let vk = ark_groth16::VerifyingKey {
        alpha_g1: acc.alpha_tau_g1[0],
        beta_g2: acc.beta_g2,
        gamma_g2: g2_generator(),
        delta_g2: g2_generator(),
        gamma_abc_g1: abc[..inputs].to_vec(),
    };
    Ok(Groth16ProvingKey {
        vk,
        beta_g1: acc.beta_tau_g1[0],
        delta_g1: G1Affine::generator(),
        a_query: G1Projective::normalize_batch(&a_query),
        b_g1_query: G1Projective::normalize_batch(&b_g1),
        b_g2_query: G2Projective::normalize_batch(&b_g2),
        h_query: G1Projective::normalize_batch(&h),
        l_query: abc[inputs..].to_vec(),
    })
}

/// `r_j = Σ_i M_ji·ρ_i` for every row `j < n` (and, for A, the input constraints).
fn row_weights(matrix: &[Vec<(Fr, usize)>], rho: &[Fr], n: usize, inputs: Option<usize>) -> Vec<Fr> {
    let mut r = vec![Fr::zero(); n];
    for (row, terms) in matrix.iter().enumerate() {
        r[row] = terms.iter().map(|(c, col)| *c * rho[*col]).sum();
    }
    if let Some(inputs) = inputs {
        let m = matrix.len();
        for i in 0..inputs {
            r[m + i] += rho[i];
        }
    }
    r
}

/// Checks, without recomputing them, that the parameters' fixed parts are what phase 1
/// and the circuit determine, and that L and H are those divided by the parameters' δ.
///
/// For random weights `ρ` over the variables, `Σ_i ρ_i·u_i(τ)·G1 = Σ_j r_j·L_j(τ)·G1`
/// with `r = Aᵀ`-weights of `ρ`, and `Σ_j r_j·L_j(X)` is the polynomial that takes the
/// values `r_j` on the domain, whose coefficients `c = IFFT(r)` are computed in the field:
/// so `Σ ρ_i·A_i = Σ c_k·τ^k·G1`, two multi-scalar multiplications. A wrong query passes
/// with probability at most 2^−128. The same holds for B (in both groups), for γ_abc
/// and L (over β·τ^k, α·τ^k and τ^k) and for H (`τ^{n+i} − τ^i`).
pub fn check_params(
    acc: &Accumulator,
    shape: R1csRef<'_>,
    p: &Groth16ProvingKey,
    rng: &mut impl rand::RngCore,
) -> Result<(), CeremonyError> {
    let bad = |what: &str| {
        CeremonyError::Accumulator(format!(
            "the parameters' {what} is not what phase 1 and the circuit determine"
        ))
    };
    let inputs = shape.inputs;
    let variables = shape.variables;
    let domain = shape.domain()?;
    let n = domain.size();
    if n > acc.size() {
        return Err(CeremonyError::Circuit(format!("the circuit needs powers of tau of size {n}")));
    }
    let lengths = p.a_query.len() == variables
        && p.b_g1_query.len() == variables
        && p.b_g2_query.len() == variables
        && p.vk.gamma_abc_g1.len() == inputs
        && p.l_query.len() == variables - inputs
        && p.h_query.len() == n - 1;
    if !lengths {
        return Err(CeremonyError::Accumulator(
            "the parameters' query lengths do not fit the circuit".into(),
        ));
    }
    if p.vk.alpha_g1 != acc.alpha_tau_g1[0] {
        return Err(bad("α·G1"));
    }
    if p.beta_g1 != acc.beta_tau_g1[0] {
        return Err(bad("β·G1"));
    }
    if p.vk.beta_g2 != acc.beta_g2 {
        return Err(bad("β·G2"));
    }
    if p.vk.gamma_g2 != g2_generator() {
        return Err(bad("γ·G2"));
    }
    let [ma, mb, mc] = shape.matrices;
    let msm1 = |bases: &[G1Affine], scalars: &[Fr]| G1Projective::msm(bases, scalars).expect("equal lengths");
    let msm2 = |bases: &[G2Affine], scalars: &[Fr]| G2Projective::msm(bases, scalars).expect("equal lengths");
    let tau = &acc.tau_g1[..n];
    let (alpha, beta) = (&acc.alpha_tau_g1[..n], &acc.beta_tau_g1[..n]);

    // A and B: every variable.
    let rho = crate::phase1::combination(variables, rng);
    let ca = domain.ifft(&row_weights(ma, &rho, n, Some(inputs)));
    let cb = domain.ifft(&row_weights(mb, &rho, n, None));
    if msm1(&p.a_query, &rho) != msm1(tau, &ca) {
        return Err(bad("A query"));
    }
    if msm1(&p.b_g1_query, &rho) != msm1(tau, &cb) {
        return Err(bad("B query in G1"));
    }
    if msm2(&p.b_g2_query, &rho) != msm2(&acc.tau_g2[..n], &cb) {
        return Err(bad("B query in G2"));
    }

    // γ_abc (the inputs, γ = 1) and L (the witness, divided by δ).
    let abc = |weights: &[Fr]| {
        let ca = domain.ifft(&row_weights(ma, weights, n, Some(inputs)));
        let cb = domain.ifft(&row_weights(mb, weights, n, None));
        let cc = domain.ifft(&row_weights(mc, weights, n, None));
        msm1(beta, &ca) + msm1(alpha, &cb) + msm1(tau, &cc)
    };
    let mut weights = crate::phase1::combination(variables, rng);
    weights[inputs..].iter_mut().for_each(|w| *w = Fr::zero());
    if msm1(&p.vk.gamma_abc_g1, &weights[..inputs]) != abc(&weights) {
        return Err(bad("γ_abc"));
    }
    let mut weights = crate::phase1::combination(variables, rng);
    weights[..inputs].iter_mut().for_each(|w| *w = Fr::zero());
    let now = msm1(&p.l_query, &weights[inputs..]).into_affine();
    let then = abc(&weights).into_affine();
    let g2 = g2_generator();
    if !crate::pok::same_ratio(now, then, g2, p.vk.delta_g2) {
        return Err(bad("L query (the computed one divided by δ)"));
    }

    // H: τ^i·(τ^n − 1)·G1 / δ.
    let rho = crate::phase1::combination(n - 1, rng);
    let mut c = vec![Fr::zero(); 2 * n - 1];
    for (i, r) in rho.iter().enumerate() {
        c[n + i] += r;
        c[i] -= r;
    }
    let now = msm1(&p.h_query, &rho).into_affine();
    let then = msm1(&acc.tau_g1[..2 * n - 1], &c).into_affine();
    if !crate::pok::same_ratio(now, then, g2, p.vk.delta_g2) {
        return Err(bad("H query (the computed one divided by δ)"));
    }
    if !crate::pok::same_ratio(G1Affine::generator(), p.delta_g1, g2, p.vk.delta_g2) {
        return Err(CeremonyError::Accumulator("δ·G2 does not match δ·G1".into()));
    }
    Ok(())
}

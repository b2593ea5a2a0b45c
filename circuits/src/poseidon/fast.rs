//! The native permutation with the optimisations of the Poseidon paper (Grassi et al.,
//! USENIX Security 2021, appendix B), computing exactly the same function as the
//! round-by-round definition ([`Poseidon::permute_reference`](super::Poseidon::permute_reference)):
//!
//! * **Constants of the partial rounds moved forward.** A partial round's S-box touches
//!   lane 0 only, so the constants of lanes 1… pass through it unchanged; they are carried
//!   through the MDS matrix into the next round. Each partial round then adds one scalar
//!   to lane 0, and what is left is added with the next full round's constants.
//! * **Sparse matrices in the partial rounds.** Write a round's matrix `N = Q·P` with
//!   `P = diag(1, N̂)` (`N̂` the lower-right block of `N`) and `Q` sparse (first row, first
//!   column and the identity elsewhere). `P` leaves lane 0 alone, so it commutes with the
//!   partial round's S-box and moves into the round before, whose matrix becomes `P·M`.
//!   Going from the last partial round to the first, every partial round multiplies by a
//!   sparse `Q` (2t − 1 multiplications instead of t²), and the last full round before the
//!   partial rounds multiplies by `P₁·M`.
//!
//! A partial round of the width-5 instance costs 12 multiplications instead of 28; a
//! whole width-5 permutation about 1,040 instead of 2,000. The test
//! `optimised_equals_reference` checks every instance on random states.

use ark_ff::{AdditiveGroup, Field};

use crate::field::Fr;

/// A sparse matrix `Q`: `Q[0][j] = row[j]`, `Q[i][0] = column[i − 1]`, identity elsewhere.
#[derive(Debug)]
struct Sparse {
    row: Vec<Fr>,
    column: Vec<Fr>,
}

/// Precomputed constants and matrices of one instance.
#[derive(Debug)]
pub(super) struct Optimised {
    width: usize,
    /// Full rounds before the partial ones: constants and matrix of each.
    first: Vec<(Vec<Fr>, Vec<Vec<Fr>>)>,
    /// Per partial round: the scalar added to lane 0, and the sparse matrix.
    partial: Vec<(Fr, Sparse)>,
    /// Full rounds after the partial ones: constants (the first carries what the partial
    /// rounds moved forward); their matrix is the MDS matrix.
    last: Vec<Vec<Fr>>,
    mds: Vec<Vec<Fr>>,
}

fn mat_vec(m: &[Vec<Fr>], v: &[Fr]) -> Vec<Fr> {
    m.iter().map(|row| row.iter().zip(v).map(|(a, b)| *a * b).sum()).collect()
}

fn mat_mul(a: &[Vec<Fr>], b: &[Vec<Fr>]) -> Vec<Vec<Fr>> {
    let n = b[0].len();
    a.iter().map(|row| (0..n).map(|j| row.iter().zip(b).map(|(x, r)| *x * r[j]).sum()).collect()).collect()
}

fn vec_mat(v: &[Fr], m: &[Vec<Fr>]) -> Vec<Fr> {
    (0..m[0].len()).map(|j| v.iter().zip(m).map(|(x, row)| *x * row[j]).sum()).collect()
}

/// `m^e` by square and multiply (`m` square).
fn mat_pow(m: &[Vec<Fr>], mut e: usize) -> Vec<Vec<Fr>> {
    let n = m.len();
    let mut out: Vec<Vec<Fr>> =
        (0..n).map(|i| (0..n).map(|j| if i == j { Fr::ONE } else { Fr::ZERO }).collect()).collect();
    let mut base = m.to_vec();
    while e > 0 {
        if e & 1 == 1 {
            out = mat_mul(&out, &base);
        }
        e >>= 1;
        if e > 0 {
            base = mat_mul(&base, &base);
        }
    }
    out
}

/// The inverse of a square matrix by Gauss–Jordan elimination; `None` if singular.
fn invert(m: &[Vec<Fr>]) -> Option<Vec<Vec<Fr>>> {
    let n = m.len();
    let mut a: Vec<Vec<Fr>> = m
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut r = row.clone();
            r.extend((0..n).map(|j| if i == j { Fr::ONE } else { Fr::ZERO }));
            r
        })
        .collect();
    for col in 0..n {
        let pivot = (col..n).find(|&r| a[r][col] != Fr::ZERO)?;
        a.swap(col, pivot);
        let inv = a[col][col].inverse()?;
        a[col].iter_mut().for_each(|x| *x *= inv);
        for r in 0..n {
            if r != col && a[r][col] != Fr::ZERO {
                let factor = a[r][col];
                let pivot_row = a[col].clone();
                a[r].iter_mut().zip(&pivot_row).for_each(|(x, p)| *x -= factor * p);
            }
        }
    }
    Some(a.into_iter().map(|r| r[n..].to_vec()).collect())
}

impl Optimised {
    /// Precomputes the optimised form of an instance (`ark[round][lane]`, `mds[row][col]`,
    /// `full` full rounds split evenly around `partial` partial rounds).
    pub(super) fn new(ark: &[Vec<Fr>], mds: &[Vec<Fr>], full: usize, partial: usize) -> Optimised {
        let t = mds.len();
        let half = full / 2;
        // Constants: move the lanes 1… of each partial round's constants forward.
        let mut carry = vec![Fr::ZERO; t];
        let mut scalars = Vec::with_capacity(partial);
        for constants in &ark[half..half + partial] {
            let v: Vec<Fr> = constants.iter().zip(&carry).map(|(c, k)| *c + k).collect();
            scalars.push(v[0]);
            let mut rest = v;
            rest[0] = Fr::ZERO;
            carry = mat_vec(mds, &rest);
        }
        let mut last: Vec<Vec<Fr>> = ark[half + partial..].to_vec();
        last[0].iter_mut().zip(&carry).for_each(|(c, k)| *c += k);

        // Matrices: from the last partial round back to the first, N = Q·P. With M̂ the
        // lower-right block of M, the k-th step back (k = 0, 1, …) has N̂ = M̂^(k+1), first
        // row M[0], first column M̂^k·M[1..][0]; so Q's row is (M[0][0], M[0][1..]·M̂^−(k+1))
        // and its column M̂^k·M[1..][0]: one inversion and two vector products per round,
        // where inverting N̂ each round cost every process about 15 ms at start.
        let m_hat: Vec<Vec<Fr>> = mds[1..].iter().map(|row| row[1..].to_vec()).collect();
        let m_hat_inv = invert(&m_hat).expect("every square submatrix of an MDS matrix is invertible");
        let mut row_tail: Vec<Fr> = mds[0][1..].to_vec();
        let mut column: Vec<Fr> = mds[1..].iter().map(|r| r[0]).collect();
        let mut sparse = Vec::with_capacity(partial);
        for _ in 0..partial {
            row_tail = vec_mat(&row_tail, &m_hat_inv);
            let mut row = vec![mds[0][0]];
            row.extend_from_slice(&row_tail);
            sparse.push(Sparse { row, column: column.clone() });
            column = mat_vec(&m_hat, &column);
        }
        // The round before the partial ones multiplies by P·M, P = diag(1, M̂^partial).
        let mut p = vec![vec![Fr::ZERO; t]; t];
        p[0][0] = Fr::ONE;
        for (i, hrow) in mat_pow(&m_hat, partial).iter().enumerate() {
            p[i + 1][1..].copy_from_slice(hrow);
        }
        let n = mat_mul(&p, mds);
        sparse.reverse();
        let mut first: Vec<(Vec<Fr>, Vec<Vec<Fr>>)> =
            ark[..half].iter().map(|c| (c.clone(), mds.to_vec())).collect();
        if let Some(round) = first.last_mut() {
            round.1 = n;
        }
        Optimised {
            width: t,
            first,
            partial: scalars.into_iter().zip(sparse).collect(),
            last,
            mds: mds.to_vec(),
        }
    }

    /// The permutation, in place (`state.len()` is the width).
    pub(super) fn permute(&self, state: &mut [Fr]) {
        let t = self.width;
        let mut next = [Fr::ZERO; 16];
        let full = |state: &mut [Fr], next: &mut [Fr; 16], constants: &[Fr], m: &[Vec<Fr>]| {
            for (lane, c) in state.iter_mut().zip(constants) {
                *lane += c;
                sbox(lane);
            }
            for (row, out) in m.iter().zip(next.iter_mut()) {
                *out = row.iter().zip(state.iter()).map(|(a, x)| *a * x).sum();
            }
            state.copy_from_slice(&next[..t]);
        };
        for (constants, m) in &self.first {
            full(state, &mut next, constants, m);
        }
        for (scalar, q) in &self.partial {
            state[0] += scalar;
            sbox(&mut state[0]);
            let x0 = state[0];
            let mut first = Fr::ZERO;
            for (a, x) in q.row.iter().zip(state.iter()) {
                first += *a * x;
            }
            for (lane, c) in state[1..].iter_mut().zip(&q.column) {
                *lane += *c * x0;
            }
            state[0] = first;
        }
        for constants in &self.last {
            full(state, &mut next, constants, &self.mds);
        }
    }
}

/// `x ↦ x⁵`.
pub(super) fn sbox(x: &mut Fr) {
    let x2 = x.square();
    *x *= x2.square();
}

//! Phase 1: powers of tau over BLS12-381, independent of any circuit (BGM17).
//!
//! For `n = 2^k` the accumulator holds `τ^i·G1` for `i < 2n − 1`, `τ^i·G2`, `α·τ^i·G1`
//! and `β·τ^i·G1` for `i < n`, and `β·G2`. It starts with `τ = α = β = 1`; each
//! participant multiplies in secrets of its own and publishes a [`Contribution`]: the
//! accumulator's first elements after it, a proof of knowledge of each secret bound to
//! the transcript so far, and the transcript's new hash. The file holds the whole
//! transcript and the current accumulator, so one file is all a participant needs and
//! all anyone needs to check every contribution ([`Phase1::verify`]).

use ark_bls12_381::{Fr, G1Affine, G1Projective, G2Affine, G2Projective};
use ark_ec::{AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{One, UniformRand};
use rand::RngCore;
use rayon::prelude::*;
use zeroize::Zeroize;

use crate::beacon::{Beacon, contributor_rng};
use crate::blst_ops::{scale_g1, scale_g2};
use crate::codec::{FileKind, Reader, Writer, sha256};
use crate::pok::{PublicKey, g2_generator, nonzero, same_ratio};
use crate::{CeremonyError, MAX_NAME_BYTES};

/// Smallest supported size, 2^1.
pub const MIN_POWER: u8 = 1;
/// Largest supported size, 2^20 (a circuit of about a million constraints).
pub const MAX_POWER: u8 = 20;
/// Most contributions a transcript holds.
pub const MAX_CONTRIBUTIONS: usize = 1024;

/// Labels of the three secrets in proofs of knowledge.
pub const LABELS: [&[u8]; 3] = [b"medzk/phase1/tau", b"medzk/phase1/alpha", b"medzk/phase1/beta"];

/// The powers of tau.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Accumulator {
    power: u8,
    /// `τ^i·G1`, `i < 2n − 1`.
    pub tau_g1: Vec<G1Affine>,
    /// `τ^i·G2`, `i < n`.
    pub tau_g2: Vec<G2Affine>,
    /// `α·τ^i·G1`, `i < n`.
    pub alpha_tau_g1: Vec<G1Affine>,
    /// `β·τ^i·G1`, `i < n`.
    pub beta_tau_g1: Vec<G1Affine>,
    /// `β·G2`.
    pub beta_g2: G2Affine,
}

/// The accumulator's first elements, which each contribution records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Heads {
    /// `τ·G1`.
    pub tau_g1: G1Affine,
    /// `τ·G2`.
    pub tau_g2: G2Affine,
    /// `α·G1`.
    pub alpha_g1: G1Affine,
    /// `β·G1`.
    pub beta_g1: G1Affine,
    /// `β·G2`.
    pub beta_g2: G2Affine,
}

impl Heads {
    fn generators() -> Heads {
        let g1 = G1Affine::generator();
        let g2 = g2_generator();
        Heads { tau_g1: g1, tau_g2: g2, alpha_g1: g1, beta_g1: g1, beta_g2: g2 }
    }

    fn write(&self, w: &mut Writer) {
        w.g1(&self.tau_g1);
        w.g2(&self.tau_g2);
        w.g1(&self.alpha_g1);
        w.g1(&self.beta_g1);
        w.g2(&self.beta_g2);
    }

    fn read(r: &mut Reader<'_>) -> Result<Heads, CeremonyError> {
        Ok(Heads {
            tau_g1: r.g1("contribution τ·G1")?,
            tau_g2: r.g2("contribution τ·G2")?,
            alpha_g1: r.g1("contribution α·G1")?,
            beta_g1: r.g1("contribution β·G1")?,
            beta_g2: r.g2("contribution β·G2")?,
        })
    }
}

/// A contribution's secrets; wiped when dropped.
pub(crate) struct Secrets {
    pub(crate) tau: Fr,
    pub(crate) alpha: Fr,
    pub(crate) beta: Fr,
}

impl Drop for Secrets {
    fn drop(&mut self) {
        self.tau.zeroize();
        self.alpha.zeroize();
        self.beta.zeroize();
    }
}

impl Secrets {
    fn draw(rng: &mut impl RngCore) -> Secrets {
        Secrets { tau: nonzero(rng), alpha: nonzero(rng), beta: nonzero(rng) }
    }

    fn all(&self) -> [&Fr; 3] {
        [&self.tau, &self.alpha, &self.beta]
    }
}

/// One participant's contribution, as the transcript records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// The name the participant gave (public).
    pub name: String,
    /// The accumulator's first elements after this contribution.
    pub heads: Heads,
    /// Proofs of knowledge of τ, α and β (in that order).
    pub keys: [PublicKey; 3],
    /// The beacon its secrets came from, if it is a beacon contribution.
    pub beacon: Option<Beacon>,
    /// The transcript's hash after it: what the participant publishes to attest.
    pub hash: [u8; 32],
}

impl Contribution {
    fn write_record(&self, w: &mut Writer) {
        w.string(&self.name);
        self.heads.write(w);
        for k in &self.keys {
            k.write(w);
        }
        Beacon::write(self.beacon.as_ref(), w);
    }

    /// The transcript hash after this contribution, from the hash before it.
    fn chain(&self, before: &[u8; 32]) -> [u8; 32] {
        let mut w = Writer::bare();
        self.write_record(&mut w);
        sha256(&[b"medzk/ceremony/phase1/contribution/v1", before, w.bytes()])
    }
}

/// A phase-1 transcript and its current accumulator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase1 {
    /// Every contribution, in order.
    pub contributions: Vec<Contribution>,
    /// The accumulator after the last one.
    pub accumulator: Accumulator,
}

/// What a verified phase-1 transcript says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase1Report {
    /// `k`: the transcript supports circuits whose domain has at most 2^k elements.
    pub power: u8,
    /// Each contribution's name, transcript hash, and beacon (if any).
    pub contributions: Vec<(String, [u8; 32], Option<Beacon>)>,
    /// The hash phase 2 binds to ([`Phase1::output_hash`]).
    pub output_hash: [u8; 32],
}

/// 128-bit random scalars for a random linear combination.
pub(crate) fn combination(n: usize, rng: &mut impl RngCore) -> Vec<Fr> {
    (0..n).map(|_| Fr::from(u128::rand(rng))).collect()
}

/// `Σ ρ_i·p_i` and `Σ ρ_i·p_{i+1}`: a combination of consecutive pairs.
fn shifted_g1(points: &[G1Affine], rho: &[Fr]) -> (G1Affine, G1Affine) {
    let n = points.len() - 1;
    let a = G1Projective::msm(&points[..n], &rho[..n]).expect("equal lengths");
    let b = G1Projective::msm(&points[1..], &rho[..n]).expect("equal lengths");
    (a.into_affine(), b.into_affine())
}

fn shifted_g2(points: &[G2Affine], rho: &[Fr]) -> (G2Affine, G2Affine) {
    let n = points.len() - 1;
    let a = G2Projective::msm(&points[..n], &rho[..n]).expect("equal lengths");
    let b = G2Projective::msm(&points[1..], &rho[..n]).expect("equal lengths");
    (a.into_affine(), b.into_affine())
}

impl Accumulator {
    /// The starting accumulator of size 2^`power` (every secret 1).
    pub fn new(power: u8) -> Result<Accumulator, CeremonyError> {
        if !(MIN_POWER..=MAX_POWER).contains(&power) {
            return Err(CeremonyError::Format(format!(
                "the size is 2^k with k from {MIN_POWER} to {MAX_POWER}"
            )));
        }
        let n = 1usize << power;
        let g1 = G1Affine::generator();
        let g2 = g2_generator();
        Ok(Accumulator {
            power,
            tau_g1: vec![g1; 2 * n - 1],
            tau_g2: vec![g2; n],
            alpha_tau_g1: vec![g1; n],
            beta_tau_g1: vec![g1; n],
            beta_g2: g2,
        })
    }

    /// `k` of the size 2^k.
    pub fn power(&self) -> u8 {
        self.power
    }

    /// `n = 2^k`.
    pub fn size(&self) -> usize {
        1 << self.power
    }

    /// The first elements.
    pub fn heads(&self) -> Heads {
        Heads {
            tau_g1: self.tau_g1[1],
            tau_g2: self.tau_g2[1],
            alpha_g1: self.alpha_tau_g1[0],
            beta_g1: self.beta_tau_g1[0],
            beta_g2: self.beta_g2,
        }
    }

    /// Multiplies the secrets in.
    pub(crate) fn apply(&mut self, secrets: &Secrets) {
        let n = self.size();
        let mut powers = Vec::with_capacity(2 * n - 1);
        let mut x = Fr::one();
        for _ in 0..2 * n - 1 {
            powers.push(x);
            x *= secrets.tau;
        }
        x.zeroize();
        self.tau_g1 = scale_g1(&self.tau_g1, &powers);
        self.tau_g2 = scale_g2(&self.tau_g2, &powers[..n]);
        let alpha: Vec<Fr> = powers[..n].par_iter().map(|p| *p * secrets.alpha).collect();
        self.alpha_tau_g1 = scale_g1(&self.alpha_tau_g1, &alpha);
        let beta: Vec<Fr> = powers[..n].par_iter().map(|p| *p * secrets.beta).collect();
        self.beta_tau_g1 = scale_g1(&self.beta_tau_g1, &beta);
        self.beta_g2 = (self.beta_g2 * secrets.beta).into_affine();
        for mut v in [powers, alpha, beta] {
            v.iter_mut().for_each(Zeroize::zeroize);
        }
    }

    /// Checks that the accumulator is made of powers of one τ, with α and β consistent,
    /// by random linear combinations: a few multi-exponentiations and pairings, whatever
    /// the size.
    pub fn check_powers(&self, rng: &mut impl RngCore) -> Result<(), CeremonyError> {
        let bad = |what: &str| CeremonyError::Accumulator(format!("the accumulator's {what}"));
        let g1 = G1Affine::generator();
        let g2 = g2_generator();
        if self.tau_g1[0] != g1 || self.tau_g2[0] != g2 {
            return Err(bad("first powers are not the generators"));
        }
        if self.tau_g1[1].is_zero() || self.alpha_tau_g1[0].is_zero() || self.beta_tau_g1[0].is_zero() {
            return Err(bad("first elements include the identity"));
        }
        let tau_g2 = self.tau_g2[1];
        let rho = combination(self.tau_g1.len(), rng);
        let (a, b) = shifted_g1(&self.tau_g1, &rho);
        if !same_ratio(a, b, g2, tau_g2) {
            return Err(bad("τ·G1 powers are not successive powers of the τ in τ·G2"));
        }
        let (a, b) = shifted_g2(&self.tau_g2, &rho);
        if !same_ratio(g1, self.tau_g1[1], a, b) {
            return Err(bad("τ·G2 powers are not successive powers of τ"));
        }
        let (a, b) = shifted_g1(&self.alpha_tau_g1, &rho);
        if !same_ratio(a, b, g2, tau_g2) {
            return Err(bad("α·τ^i·G1 are not successive powers of τ"));
        }
        let (a, b) = shifted_g1(&self.beta_tau_g1, &rho);
        if !same_ratio(a, b, g2, tau_g2) {
            return Err(bad("β·τ^i·G1 are not successive powers of τ"));
        }
        if !same_ratio(g1, self.beta_tau_g1[0], g2, self.beta_g2) {
            return Err(bad("β·G2 does not match β·G1"));
        }
        Ok(())
    }

    fn write(&self, w: &mut Writer) {
        w.u8(self.power);
        w.g1s(&self.tau_g1);
        w.g2s(&self.tau_g2);
        w.g1s(&self.alpha_tau_g1);
        w.g1s(&self.beta_tau_g1);
        w.g2(&self.beta_g2);
    }

    fn read(r: &mut Reader<'_>) -> Result<Accumulator, CeremonyError> {
        let power = r.u8()?;
        if !(MIN_POWER..=MAX_POWER).contains(&power) {
            return Err(CeremonyError::Format(format!("size 2^{power} is not supported")));
        }
        let n = 1usize << power;
        Ok(Accumulator {
            power,
            tau_g1: r.g1s(2 * n - 1, "τ^i·G1")?,
            tau_g2: r.g2s(n, "τ^i·G2")?,
            alpha_tau_g1: r.g1s(n, "α·τ^i·G1")?,
            beta_tau_g1: r.g1s(n, "β·τ^i·G1")?,
            beta_g2: r.g2("β·G2")?,
        })
    }
}

impl Phase1 {
    /// A new transcript of size 2^`power`, with no contribution yet.
    pub fn new(power: u8) -> Result<Phase1, CeremonyError> {
        Ok(Phase1 { contributions: Vec::new(), accumulator: Accumulator::new(power)? })
    }

    /// The transcript's hash before any contribution.
    fn genesis(power: u8) -> [u8; 32] {
        sha256(&[b"medzk/ceremony/phase1/v1", &[power]])
    }

    /// The transcript's hash now (after the last contribution).
    pub fn transcript_hash(&self) -> [u8; 32] {
        self.contributions.last().map_or_else(|| Phase1::genesis(self.accumulator.power), |c| c.hash)
    }

    /// The hash phase 2 binds to: the transcript hash and the accumulator's digest.
    pub fn output_hash(&self) -> [u8; 32] {
        let mut w = Writer::bare();
        self.accumulator.write(&mut w);
        sha256(&[b"medzk/ceremony/phase1/output/v1", &self.transcript_hash(), &sha256(&[w.bytes()])])
    }

    /// Contributes fresh secrets from the operating system's generator, mixed with
    /// `entropy` (anything the participant types; may be empty). The secrets are wiped
    /// before this returns. Returns the contribution hash to publish.
    pub fn contribute(&mut self, name: &str, entropy: &[u8]) -> Result<[u8; 32], CeremonyError> {
        let mut rng = contributor_rng(entropy);
        self.contribute_from(name, &mut rng, None)
    }

    /// Contributes secrets derived from a public beacon (see [`crate::beacon`]).
    pub fn contribute_beacon(&mut self, name: &str, beacon: Beacon) -> Result<[u8; 32], CeremonyError> {
        self.contribute_from(name, &mut beacon.rng(), Some(beacon))
    }

    fn contribute_from(
        &mut self,
        name: &str,
        rng: &mut impl RngCore,
        beacon: Option<Beacon>,
    ) -> Result<[u8; 32], CeremonyError> {
        check_new_contribution(name, self.contributions.len())?;
        let secrets = Secrets::draw(rng);
        let before = self.transcript_hash();
        let keys = keys_for(&secrets, &before, rng);
        crate::on_big_stacks(|| self.accumulator.apply(&secrets));
        drop(secrets);
        let mut c = Contribution {
            name: name.to_string(),
            heads: self.accumulator.heads(),
            keys,
            beacon,
            hash: [0; 32],
        };
        c.hash = c.chain(&before);
        let hash = c.hash;
        self.contributions.push(c);
        Ok(hash)
    }

    /// Contributes known secrets (tests that compare with arkworks' own setup).
    #[cfg(test)]
    pub(crate) fn contribute_known(&mut self, secrets: Secrets) {
        let before = self.transcript_hash();
        let keys = keys_for(&secrets, &before, &mut rand::rngs::OsRng);
        self.accumulator.apply(&secrets);
        let mut c = Contribution {
            name: "known".into(),
            heads: self.accumulator.heads(),
            keys,
            beacon: None,
            hash: [0; 32],
        };
        c.hash = c.chain(&before);
        self.contributions.push(c);
    }

    /// Checks the whole transcript: each contribution's proofs of knowledge (bound to the
    /// transcript before it), that it multiplied the accumulator by the secrets it proved
    /// (same-ratio checks against the previous contribution's elements), that it reused
    /// no earlier contribution's secret, its beacon derivation (if any) and its hash; then
    /// that the accumulator is the last contribution's and is made of consistent powers.
    /// Errors name the contribution and the check.
    pub fn verify(&self) -> Result<Phase1Report, CeremonyError> {
        let power = self.accumulator.power;
        let mut before = Phase1::genesis(power);
        let mut heads = Heads::generators();
        let mut earlier: Vec<[(PublicKey, G2Affine); 3]> = Vec::new();
        let mut report = Vec::new();
        for (i, c) in self.contributions.iter().enumerate() {
            let fail = |check: &str| CeremonyError::Contribution {
                phase: 1,
                index: i + 1,
                name: c.name.clone(),
                check: check.to_string(),
            };
            let names = ["τ", "α", "β"];
            let mut rs = [G2Affine::zero(); 3];
            for (k, key) in c.keys.iter().enumerate() {
                if !key.verifies(&before, LABELS[k]) {
                    return Err(fail(&format!(
                        "the proof of knowledge of {} does not verify for this transcript",
                        names[k]
                    )));
                }
                rs[k] = key.r(&before, LABELS[k]);
            }
            let [tau, alpha, beta] = &c.keys;
            let h = &c.heads;
            if h.tau_g1.is_zero() || h.alpha_g1.is_zero() || h.beta_g1.is_zero() {
                return Err(fail("an element is the identity"));
            }
            if !same_ratio(heads.tau_g1, h.tau_g1, rs[0], tau.r_x) {
                return Err(fail("τ·G1 is not the previous contribution's times the proven τ"));
            }
            if !same_ratio(tau.s, tau.s_x, heads.tau_g2, h.tau_g2) {
                return Err(fail("τ·G2 is not the previous contribution's times the proven τ"));
            }
            if !same_ratio(heads.alpha_g1, h.alpha_g1, rs[1], alpha.r_x) {
                return Err(fail("α·G1 is not the previous contribution's times the proven α"));
            }
            if !same_ratio(heads.beta_g1, h.beta_g1, rs[2], beta.r_x) {
                return Err(fail("β·G1 is not the previous contribution's times the proven β"));
            }
            if !same_ratio(beta.s, beta.s_x, heads.beta_g2, h.beta_g2) {
                return Err(fail("β·G2 is not the previous contribution's times the proven β"));
            }
            for (j, prior) in earlier.iter().enumerate() {
                for k in 0..3 {
                    if c.keys[k].same_secret_as(&prior[k].0, prior[k].1) {
                        return Err(fail(&format!("it reuses the {} of contribution {}", names[k], j + 1)));
                    }
                }
            }
            if let Some(beacon) = &c.beacon {
                let mut rng = beacon.rng();
                let secrets = Secrets::draw(&mut rng);
                if keys_for(&secrets, &before, &mut rng) != c.keys {
                    return Err(fail("its secrets are not the ones its beacon derives"));
                }
            }
            let hash = c.chain(&before);
            if hash != c.hash {
                return Err(fail("its hash does not match its record"));
            }
            earlier.push([(c.keys[0], rs[0]), (c.keys[1], rs[1]), (c.keys[2], rs[2])]);
            report.push((c.name.clone(), c.hash, c.beacon));
            before = hash;
            heads = c.heads;
        }
        if self.accumulator.heads() != heads {
            return Err(CeremonyError::Accumulator(
                "the accumulator's first elements are not the last contribution's".into(),
            ));
        }
        crate::on_big_stacks(|| self.accumulator.check_powers(&mut rand::rngs::OsRng))?;
        Ok(Phase1Report { power, contributions: report, output_hash: self.output_hash() })
    }

    /// The file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(FileKind::Phase1);
        w.u32(self.contributions.len() as u32);
        for c in &self.contributions {
            c.write_record(&mut w);
            w.bytes32(&c.hash);
        }
        self.accumulator.write(&mut w);
        w.finish()
    }

    /// Reads a file (every point checked on the curve and in its subgroup); see
    /// [`verify`](Phase1::verify) for the checks of the transcript itself.
    pub fn from_bytes(bytes: &[u8]) -> Result<Phase1, CeremonyError> {
        let mut r = Reader::open(bytes, FileKind::Phase1)?;
        let count = r.u32()? as usize;
        if count > MAX_CONTRIBUTIONS {
            return Err(CeremonyError::Format(format!("more than {MAX_CONTRIBUTIONS} contributions")));
        }
        let mut contributions = Vec::with_capacity(count);
        for _ in 0..count {
            let name = r.string(MAX_NAME_BYTES, "contribution name")?;
            let heads = Heads::read(&mut r)?;
            let keys = [
                PublicKey::read(&mut r, "proof of knowledge")?,
                PublicKey::read(&mut r, "proof of knowledge")?,
                PublicKey::read(&mut r, "proof of knowledge")?,
            ];
            let beacon = Beacon::read(&mut r)?;
            let hash = r.bytes32()?;
            contributions.push(Contribution { name, heads, keys, beacon, hash });
        }
        let accumulator = Accumulator::read(&mut r)?;
        r.finish()?;
        Ok(Phase1 { contributions, accumulator })
    }
}

fn keys_for(secrets: &Secrets, transcript: &[u8; 32], rng: &mut impl RngCore) -> [PublicKey; 3] {
    let all = secrets.all();
    [
        PublicKey::new(all[0], transcript, LABELS[0], rng),
        PublicKey::new(all[1], transcript, LABELS[1], rng),
        PublicKey::new(all[2], transcript, LABELS[2], rng),
    ]
}

/// A participant's name: 1 to [`MAX_NAME_BYTES`] bytes, no control characters.
/// Whether a contribution by `name` may follow `count` others in a transcript.
pub(crate) fn check_new_contribution(name: &str, count: usize) -> Result<(), CeremonyError> {
    check_name(name)?;
    if count >= MAX_CONTRIBUTIONS {
        return Err(CeremonyError::Format(format!(
            "a transcript holds at most {MAX_CONTRIBUTIONS} contributions"
        )));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), CeremonyError> {
    if name.trim().is_empty() || name.len() > MAX_NAME_BYTES || name.chars().any(char::is_control) {
        return Err(CeremonyError::Format(format!(
            "a participant's name has 1 to {MAX_NAME_BYTES} bytes and no control characters"
        )));
    }
    Ok(())
}

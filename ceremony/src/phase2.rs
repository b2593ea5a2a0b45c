//! Phase 2: one circuit's parameters, and δ contributions.
//!
//! [`Phase2::new`] computes the Groth16 parameters of one statement from a verified
//! phase-1 transcript ([`crate::qap`]), with δ = 1; each participant then multiplies δ by
//! a secret `d` (δ·G1, δ·G2) and divides the L and H queries by it, publishing a proof of
//! knowledge of `d` bound to the transcript. Everything else is fixed by phase 1 and the
//! circuit, so [`Phase2::verify`] recomputes it and compares. [`Phase2::finalize`] turns
//! the parameters into a medzk proving key and verifying key that record the transcript
//! hash ([`Phase2::transcript_hash`]); [`verify_keys`] checks a key pair against a
//! transcript.

use ark_bls12_381::{Fr, G1Affine, G2Affine};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::Field;
use medzk_circuits::statement::{STATEMENT_ID_BYTES, StatementId};
use medzk_prover::ProvingKey;
use medzk_prover::key::Groth16ProvingKey;
use medzk_prover::shape::CircuitShape;
use medzk_verifier::key::{KeyHash, VerifyingKey};
use rand::RngCore;
use zeroize::Zeroize;

use crate::beacon::{Beacon, contributor_rng};
use crate::codec::{FileKind, Reader, Writer, sha256};
use crate::phase1::{MAX_CONTRIBUTIONS, Phase1, check_new_contribution};
use crate::pok::{PublicKey, nonzero, same_ratio};
use crate::qap::{check_params, initial_params};
use crate::{CeremonyError, MAX_NAME_BYTES};

/// Label of δ in proofs of knowledge.
pub const LABEL: &[u8] = b"medzk/phase2/delta";
/// Most variables or domain elements a phase-2 file may declare.
const MAX_QUERY: usize = 1 << 24;

/// One participant's δ contribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contribution {
    /// The participant's name (public).
    pub name: String,
    /// δ·G1 after this contribution.
    pub delta_g1: G1Affine,
    /// The proof of knowledge of its factor of δ.
    pub key: PublicKey,
    /// The beacon its secret came from, if any.
    pub beacon: Option<Beacon>,
    /// The transcript's hash after it.
    pub hash: [u8; 32],
}

impl Contribution {
    fn write_record(&self, w: &mut Writer) {
        w.string(&self.name);
        w.g1(&self.delta_g1);
        self.key.write(w);
        Beacon::write(self.beacon.as_ref(), w);
    }

    fn chain(&self, before: &[u8; 32]) -> [u8; 32] {
        let mut w = Writer::bare();
        self.write_record(&mut w);
        sha256(&[b"medzk/ceremony/phase2/contribution/v1", before, w.bytes()])
    }
}

/// A phase-2 transcript for one statement, with its current parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Phase2 {
    /// The statement (circuit and shape).
    pub statement: StatementId,
    /// The phase-1 output it was computed from ([`Phase1::output_hash`]).
    pub phase1_hash: [u8; 32],
    /// SHA-256 of the circuit's R1CS encoding.
    pub circuit_hash: [u8; 32],
    /// The parameters after the last contribution.
    pub params: Groth16ProvingKey,
    /// Every contribution, in order.
    pub contributions: Vec<Contribution>,
}

/// What a verified phase-2 transcript says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phase2Report {
    /// The statement.
    pub statement: StatementId,
    /// Each contribution's name, hash and beacon.
    pub contributions: Vec<(String, [u8; 32], Option<Beacon>)>,
    /// The hash the finalized keys record.
    pub transcript_hash: KeyHash,
}

/// The SHA-256 of a circuit's R1CS encoding.
pub fn circuit_hash(shape: &CircuitShape) -> [u8; 32] {
    let mut bytes = Vec::new();
    shape.encode(&mut bytes);
    sha256(&[b"medzk/ceremony/circuit/v1", &bytes])
}

fn shape_of(statement: StatementId) -> Result<CircuitShape, CeremonyError> {
    CircuitShape::of(statement).map_err(|e| CeremonyError::Circuit(e.to_string()))
}

fn write_params(p: &Groth16ProvingKey, w: &mut Writer) {
    w.g1(&p.vk.alpha_g1);
    w.g1(&p.beta_g1);
    w.g2(&p.vk.beta_g2);
    w.g2(&p.vk.gamma_g2);
    w.g1(&p.delta_g1);
    w.g2(&p.vk.delta_g2);
    w.g1s(&p.vk.gamma_abc_g1);
    w.g1s(&p.a_query);
    w.g1s(&p.b_g1_query);
    w.g2s(&p.b_g2_query);
    w.g1s(&p.h_query);
    w.g1s(&p.l_query);
}

fn read_params(
    r: &mut Reader<'_>,
    inputs: usize,
    variables: usize,
    domain: usize,
) -> Result<Groth16ProvingKey, CeremonyError> {
    let alpha_g1 = r.g1("α·G1")?;
    let beta_g1 = r.g1("β·G1")?;
    let beta_g2 = r.g2("β·G2")?;
    let gamma_g2 = r.g2("γ·G2")?;
    let delta_g1 = r.g1("δ·G1")?;
    let delta_g2 = r.g2("δ·G2")?;
    let gamma_abc_g1 = r.g1s(inputs, "γ_abc")?;
    let a_query = r.g1s(variables, "A query")?;
    let b_g1_query = r.g1s(variables, "B query in G1")?;
    let b_g2_query = r.g2s(variables, "B query in G2")?;
    let h_query = r.g1s(domain - 1, "H query")?;
    let l_query = r.g1s(variables - inputs, "L query")?;
    Ok(Groth16ProvingKey {
        vk: ark_groth16::VerifyingKey { alpha_g1, beta_g2, gamma_g2, delta_g2, gamma_abc_g1 },
        beta_g1,
        delta_g1,
        a_query,
        b_g1_query,
        b_g2_query,
        h_query,
        l_query,
    })
}

fn params_digest(p: &Groth16ProvingKey) -> [u8; 32] {
    let mut w = Writer::bare();
    write_params(p, &mut w);
    sha256(&[w.bytes()])
}

/// The first field (in encoding order) where two parameter sets differ.
fn first_difference(a: &Groth16ProvingKey, b: &Groth16ProvingKey) -> Option<&'static str> {
    let fields: [(&'static str, bool); 12] = [
        ("α·G1", a.vk.alpha_g1 == b.vk.alpha_g1),
        ("β·G1", a.beta_g1 == b.beta_g1),
        ("β·G2", a.vk.beta_g2 == b.vk.beta_g2),
        ("γ·G2", a.vk.gamma_g2 == b.vk.gamma_g2),
        ("δ·G1", a.delta_g1 == b.delta_g1),
        ("δ·G2", a.vk.delta_g2 == b.vk.delta_g2),
        ("γ_abc", a.vk.gamma_abc_g1 == b.vk.gamma_abc_g1),
        ("A query", a.a_query == b.a_query),
        ("B query in G1", a.b_g1_query == b.b_g1_query),
        ("B query in G2", a.b_g2_query == b.b_g2_query),
        ("H query", a.h_query == b.h_query),
        ("L query", a.l_query == b.l_query),
    ];
    fields.iter().find(|(_, same)| !same).map(|(name, _)| *name)
}

impl Phase2 {
    /// The parameters of `statement` from a phase-1 transcript, before any δ contribution.
    /// The transcript must have at least one contribution; verify it first
    /// ([`Phase1::verify`]) — [`Phase2::verify`] does.
    pub fn new(phase1: &Phase1, statement: StatementId) -> Result<Phase2, CeremonyError> {
        if phase1.contributions.is_empty() {
            return Err(CeremonyError::Circuit(
                "phase 1 has no contribution yet: its secrets are all 1".into(),
            ));
        }
        let shape = shape_of(statement)?;
        let params = crate::on_big_stacks(|| initial_params(&phase1.accumulator, (&shape).into()))?;
        Ok(Phase2 {
            statement,
            phase1_hash: phase1.output_hash(),
            circuit_hash: circuit_hash(&shape),
            params,
            contributions: Vec::new(),
        })
    }

    fn genesis(&self) -> [u8; 32] {
        sha256(&[
            b"medzk/ceremony/phase2/v1",
            &self.phase1_hash,
            &self.statement.to_bytes(),
            &self.circuit_hash,
        ])
    }

    fn chain_hash(&self) -> [u8; 32] {
        self.contributions.last().map_or_else(|| self.genesis(), |c| c.hash)
    }

    /// The hash the finalized keys record: the transcript's hash and the parameters'
    /// digest.
    pub fn transcript_hash(&self) -> KeyHash {
        KeyHash(sha256(&[b"medzk/ceremony/keys/v1", &self.chain_hash(), &params_digest(&self.params)]))
    }

    /// Contributes a fresh factor of δ from the operating system's generator mixed with
    /// `entropy`; the secret is wiped before this returns. Returns the contribution hash.
    pub fn contribute(&mut self, name: &str, entropy: &[u8]) -> Result<[u8; 32], CeremonyError> {
        self.contribute_from(name, &mut contributor_rng(entropy), None)
    }

    /// Contributes a factor of δ derived from a public beacon.
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
        let mut d = nonzero(rng);
        let before = self.chain_hash();
        let key = PublicKey::new(&d, &before, LABEL, rng);
        crate::on_big_stacks(|| self.apply(&d));
        d.zeroize();
        let mut c = Contribution {
            name: name.to_string(),
            delta_g1: self.params.delta_g1,
            key,
            beacon,
            hash: [0; 32],
        };
        c.hash = c.chain(&before);
        let hash = c.hash;
        self.contributions.push(c);
        Ok(hash)
    }

    /// Multiplies δ by `d`: δ·G1, δ·G2 times `d`; L and H divided by it.
    pub(crate) fn apply(&mut self, d: &Fr) {
        let mut inv = d.inverse().expect("a non-zero secret");
        let p = &mut self.params;
        p.delta_g1 = (p.delta_g1 * d).into_affine();
        p.vk.delta_g2 = (p.vk.delta_g2 * d).into_affine();
        p.l_query = crate::blst_ops::scale_all_g1(&p.l_query, &inv);
        p.h_query = crate::blst_ops::scale_all_g1(&p.h_query, &inv);
        inv.zeroize();
    }

    /// Checks the transcript against a phase-1 transcript (verified first) and the
    /// statement's circuit: the binding to both; each contribution's proof of knowledge,
    /// that it multiplied δ by the proven secret, that it reused no earlier secret, its
    /// beacon and its hash; and that the parameters are what phase 1 and the circuit
    /// determine with L and H divided by the final δ ([`check_params`]: random linear
    /// combinations, a few multi-scalar multiplications instead of recomputing the
    /// parameters). Errors name the contribution and the check.
    pub fn verify(&self, phase1: &Phase1) -> Result<Phase2Report, CeremonyError> {
        phase1.verify()?;
        if self.phase1_hash != phase1.output_hash() {
            return Err(CeremonyError::Circuit(
                "this phase 2 was computed from another phase-1 transcript".into(),
            ));
        }
        let shape = shape_of(self.statement)?;
        if self.circuit_hash != circuit_hash(&shape) {
            return Err(CeremonyError::Circuit(format!(
                "this phase 2 was made for another circuit than {}",
                self.statement
            )));
        }
        let mut before = self.genesis();
        let mut delta = G1Affine::generator();
        let mut earlier: Vec<(PublicKey, G2Affine)> = Vec::new();
        let mut report = Vec::new();
        for (i, c) in self.contributions.iter().enumerate() {
            let fail = |check: &str| CeremonyError::Contribution {
                phase: 2,
                index: i + 1,
                name: c.name.clone(),
                check: check.to_string(),
            };
            if !c.key.verifies(&before, LABEL) {
                return Err(fail(
                    "the proof of knowledge of its factor of δ does not verify for this transcript",
                ));
            }
            let r = c.key.r(&before, LABEL);
            if c.delta_g1.is_zero() || !same_ratio(delta, c.delta_g1, r, c.key.r_x) {
                return Err(fail("δ·G1 is not the previous contribution's times the proven factor"));
            }
            for (j, (key, r)) in earlier.iter().enumerate() {
                if c.key.same_secret_as(key, *r) {
                    return Err(fail(&format!("it reuses the factor of δ of contribution {}", j + 1)));
                }
            }
            if let Some(beacon) = &c.beacon {
                let mut rng = beacon.rng();
                let mut d = nonzero(&mut rng);
                let key = PublicKey::new(&d, &before, LABEL, &mut rng);
                d.zeroize();
                if key != c.key {
                    return Err(fail("its secret is not the one its beacon derives"));
                }
            }
            let hash = c.chain(&before);
            if hash != c.hash {
                return Err(fail("its hash does not match its record"));
            }
            earlier.push((c.key, r));
            report.push((c.name.clone(), c.hash, c.beacon));
            before = hash;
            delta = c.delta_g1;
        }
        if self.params.delta_g1 != delta {
            return Err(CeremonyError::Accumulator(
                "δ·G1 of the parameters is not the last contribution's".into(),
            ));
        }
        crate::on_big_stacks(|| {
            check_params(&phase1.accumulator, (&shape).into(), &self.params, &mut rand::rngs::OsRng)
        })?;
        Ok(Phase2Report {
            statement: self.statement,
            contributions: report,
            transcript_hash: self.transcript_hash(),
        })
    }

    /// The proving and verifying keys of the transcript, recording its hash. Needs at
    /// least one contribution (with none, δ = 1 and anyone could forge); verify the
    /// transcript first.
    pub fn finalize(&self) -> Result<(ProvingKey, VerifyingKey), CeremonyError> {
        if self.contributions.is_empty() {
            return Err(CeremonyError::Circuit(
                "no phase-2 contribution yet: δ is 1, anyone could forge".into(),
            ));
        }
        let shape = shape_of(self.statement)?;
        let key = ProvingKey::with_shape(self.statement, self.params.clone(), shape)
            .and_then(|k| k.with_transcript(self.transcript_hash()))
            .map_err(|e| CeremonyError::Key(e.to_string()))?;
        let vk = key.verifying_key().clone();
        Ok((key, vk))
    }

    /// The file.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut w = Writer::new(FileKind::Phase2);
        w.raw(&self.statement.to_bytes());
        w.bytes32(&self.phase1_hash);
        w.bytes32(&self.circuit_hash);
        w.u32(self.contributions.len() as u32);
        for c in &self.contributions {
            c.write_record(&mut w);
            w.bytes32(&c.hash);
        }
        write_params(&self.params, &mut w);
        w.finish()
    }

    /// Reads a file (every point checked on the curve and in its subgroup; the query
    /// lengths checked against the statement's circuit).
    pub fn from_bytes(bytes: &[u8]) -> Result<Phase2, CeremonyError> {
        let mut r = Reader::open(bytes, FileKind::Phase2)?;
        let id: [u8; STATEMENT_ID_BYTES] = r.raw(STATEMENT_ID_BYTES)?.try_into().expect("length");
        let statement =
            StatementId::from_bytes(id).map_err(|e| CeremonyError::Format(format!("statement: {e}")))?;
        let phase1_hash = r.bytes32()?;
        let circuit_hash = r.bytes32()?;
        let count = r.u32()? as usize;
        if count > MAX_CONTRIBUTIONS {
            return Err(CeremonyError::Format(format!("more than {MAX_CONTRIBUTIONS} contributions")));
        }
        let mut contributions = Vec::with_capacity(count);
        for _ in 0..count {
            let name = r.string(MAX_NAME_BYTES, "contribution name")?;
            let delta_g1 = r.g1("contribution δ·G1")?;
            let key = PublicKey::read(&mut r, "proof of knowledge")?;
            let beacon = Beacon::read(&mut r)?;
            let hash = r.bytes32()?;
            contributions.push(Contribution { name, delta_g1, key, beacon, hash });
        }
        let shape = shape_of(statement)?;
        let (inputs, variables) = (shape.num_instance(), shape.num_variables());
        let domain = crate::qap::domain_size(&shape)?;
        if variables > MAX_QUERY || domain > MAX_QUERY {
            return Err(CeremonyError::Format("the circuit is too large".into()));
        }
        let params = read_params(&mut r, inputs, variables, domain)?;
        r.finish()?;
        Ok(Phase2 { statement, phase1_hash, circuit_hash, params, contributions })
    }
}

/// Checks a key pair against a ceremony: both transcripts verify, the keys record the
/// transcript's hash, the proving key's circuit is the statement's, and every element of
/// the keys is the transcript's. Returns the transcript hash.
pub fn verify_keys(
    pk: &ProvingKey,
    vk: &VerifyingKey,
    phase1: &Phase1,
    phase2: &Phase2,
) -> Result<KeyHash, CeremonyError> {
    let report = phase2.verify(phase1)?;
    keys_match(pk, vk, phase2, &report)
}

/// The part of [`verify_keys`] after the transcripts: checks a key pair against a phase 2
/// whose verification (against its phase 1) gave `report`, so that several key pairs can
/// be checked against one verified transcript.
pub fn keys_match(
    pk: &ProvingKey,
    vk: &VerifyingKey,
    phase2: &Phase2,
    report: &Phase2Report,
) -> Result<KeyHash, CeremonyError> {
    if report.transcript_hash != phase2.transcript_hash() {
        return Err(CeremonyError::Key("the report is of another transcript".into()));
    }
    let bad = |why: String| CeremonyError::Key(why);
    if pk.statement() != phase2.statement || vk.statement() != phase2.statement {
        return Err(bad(format!(
            "the keys are for another statement than the transcript's {}",
            phase2.statement
        )));
    }
    let expected = report.transcript_hash;
    match pk.transcript() {
        Some(t) if t == expected => {}
        Some(t) => return Err(bad(format!("the proving key records transcript {t}, not {expected}"))),
        None => return Err(bad("the proving key records no transcript (a development key?)".into())),
    }
    if vk.to_bytes() != pk.verifying_key().to_bytes() {
        return Err(bad("the verifying key is not the proving key's".into()));
    }
    let shape = shape_of(phase2.statement)?;
    if circuit_hash(pk.shape()) != circuit_hash(&shape) {
        return Err(bad("the proving key's circuit matrices are not the statement's".into()));
    }
    if let Some(field) = first_difference(pk.inner(), &phase2.params) {
        return Err(bad(format!("the proving key's {field} is not the transcript's")));
    }
    Ok(expected)
}

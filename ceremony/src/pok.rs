//! Proofs of knowledge of a contribution's secrets, and same-ratio checks.
//!
//! For a secret `x`, a contributor picks a random `s ∈ G1` and publishes `(s, s·x, r·x)`,
//! where `r ∈ G2` is hashed to the curve from the transcript hash before the contribution,
//! the secret's label and `(s, s·x)` (hash-to-curve, SSWU with SHA-256,
//! RFC 9380). `e(s, r·x) = e(s·x, r)` shows the same `x` in both groups; since `r` depends
//! on the transcript, a key made for another transcript (or copied from another
//! contribution) does not verify. The `r·x` then proves that each element of the
//! accumulator was multiplied by that `x` (a same-ratio check).

use ark_bls12_381::{Bls12_381, Fr, G1Affine, G1Projective, G2Affine, G2Projective, g2};
use ark_ec::hashing::HashToCurve;
use ark_ec::hashing::curve_maps::wb::WBMap;
use ark_ec::hashing::map_to_curve_hasher::MapToCurveBasedHasher;
use ark_ec::pairing::{Pairing, PairingOutput};
use ark_ec::{AffineRepr, CurveGroup, PrimeGroup};
use ark_ff::field_hashers::DefaultFieldHasher;
use ark_ff::{UniformRand, Zero};
use rand::RngCore;
use sha2::Sha256;

use crate::CeremonyError;
use crate::codec::{Reader, Writer};

/// Domain separation of the hash to G2.
const DST: &[u8] = b"MEDZK-CEREMONY-V1_BLS12381G2_XMD:SHA-256_SSWU_RO_";

type G2Hasher = MapToCurveBasedHasher<G2Projective, DefaultFieldHasher<Sha256, 128>, WBMap<g2::Config>>;

/// The public key of one secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicKey {
    /// A random point `s` of G1.
    pub s: G1Affine,
    /// `s·x`.
    pub s_x: G1Affine,
    /// `r·x`, where `r` is hashed from the transcript, the label and `(s, s·x)`.
    pub r_x: G2Affine,
}

/// The point `r` a public key's `r·x` must be a multiple of.
pub fn r_point(transcript: &[u8; 32], label: &[u8], s: &G1Affine, s_x: &G1Affine) -> G2Affine {
    let mut w = Writer::bare();
    w.raw(label);
    w.bytes32(transcript);
    w.g1(s);
    w.g1(s_x);
    let hasher = G2Hasher::new(DST).expect("a valid domain separation tag");
    hasher.hash(w.bytes()).expect("hashing to G2 succeeds")
}

/// `b/a` in G1 equals `d/c` in G2, that is `e(a, d) = e(b, c)`.
pub fn same_ratio(a: G1Affine, b: G1Affine, c: G2Affine, d: G2Affine) -> bool {
    Bls12_381::multi_pairing([a, (-b.into_group()).into_affine()], [d, c]) == PairingOutput::zero()
}

/// A random non-zero scalar.
pub(crate) fn nonzero(rng: &mut impl RngCore) -> Fr {
    loop {
        let x = Fr::rand(rng);
        if !x.is_zero() {
            return x;
        }
    }
}

impl PublicKey {
    /// The public key of `x` for the transcript `transcript` and the secret's `label`.
    pub(crate) fn new(x: &Fr, transcript: &[u8; 32], label: &[u8], rng: &mut impl RngCore) -> PublicKey {
        let s = (G1Projective::generator() * nonzero(rng)).into_affine();
        let s_x = (s * x).into_affine();
        let r = r_point(transcript, label, &s, &s_x);
        PublicKey { s, s_x, r_x: (r * x).into_affine() }
    }

    /// The key's `r`.
    pub fn r(&self, transcript: &[u8; 32], label: &[u8]) -> G2Affine {
        r_point(transcript, label, &self.s, &self.s_x)
    }

    /// Whether the key proves knowledge of a non-zero secret for this transcript and label.
    pub fn verifies(&self, transcript: &[u8; 32], label: &[u8]) -> bool {
        !self.s.is_zero()
            && !self.s_x.is_zero()
            && !self.r_x.is_zero()
            && same_ratio(self.s, self.s_x, self.r(transcript, label), self.r_x)
    }

    /// Whether this key's secret is the same as `earlier`'s (whose `r` is given): then
    /// `e(s·x, r) = e(s, r·x′)`.
    pub fn same_secret_as(&self, earlier: &PublicKey, earlier_r: G2Affine) -> bool {
        same_ratio(self.s, self.s_x, earlier_r, earlier.r_x)
    }

    pub(crate) fn write(&self, w: &mut Writer) {
        w.g1(&self.s);
        w.g1(&self.s_x);
        w.g2(&self.r_x);
    }

    pub(crate) fn read(r: &mut Reader<'_>, what: &str) -> Result<PublicKey, CeremonyError> {
        Ok(PublicKey { s: r.g1(what)?, s_x: r.g1(what)?, r_x: r.g2(what)? })
    }
}

/// The G2 generator in affine form.
pub(crate) fn g2_generator() -> G2Affine {
    G2Affine::generator()
}

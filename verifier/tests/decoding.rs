//! Untrusted bytes: every malformed point, field element, flag and length is a typed
//! error, and whatever decodes re-encodes to the same bytes (security checklist items
//! 21, 24, 26–28).

use std::path::PathBuf;

use ark_bls12_381::{Fq, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInteger, PrimeField, UniformRand};
use ark_serialize::CanonicalSerialize;
use medzk_verifier::VerifyingKey;
use medzk_verifier::envelope::{DecodeError, HEADER_BYTES};
use medzk_verifier::presentation::{PRESENTATION_BYTES, Presentation};
use rand::{SeedableRng, rngs::StdRng};

fn vectors() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors")
}

fn valid() -> Vec<u8> {
    std::fs::read(vectors().join("valid.bin")).unwrap()
}

fn vk_bytes() -> Vec<u8> {
    std::fs::read(vectors().join("vaccination.vk")).unwrap()
}

/// Offsets of A, B, C in a presentation.
const A: usize = HEADER_BYTES + 32;
const B: usize = A + 48;
const C: usize = B + 96;

fn with(bytes: &[u8], at: usize, patch: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    out[at..at + patch.len()].copy_from_slice(patch);
    out
}

fn point_error(bytes: &[u8]) {
    assert_eq!(Presentation::from_bytes(bytes).unwrap_err(), DecodeError::InvalidPoint("proof"));
}

#[test]
fn decode_then_encode_is_byte_identical() {
    let bytes = valid();
    assert_eq!(bytes.len(), PRESENTATION_BYTES);
    assert_eq!(Presentation::from_bytes(&bytes).unwrap().to_bytes(), bytes);
    let vk = vk_bytes();
    assert_eq!(VerifyingKey::from_bytes(&vk).unwrap().to_bytes(), vk);
}

#[test]
fn points_outside_the_subgroup_are_rejected_in_g1_and_g2() {
    let mut rng = StdRng::seed_from_u64(1);
    let g1 = loop {
        if let Some(p) = G1Affine::get_point_from_x_unchecked(Fq::rand(&mut rng), true) {
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                break p;
            }
        }
    };
    let g2 = loop {
        let x = ark_bls12_381::Fq2::rand(&mut rng);
        if let Some(p) = G2Affine::get_point_from_x_unchecked(x, true) {
            if !p.is_in_correct_subgroup_assuming_on_curve() {
                break p;
            }
        }
    };
    let (mut a, mut b) = ([0u8; 48], [0u8; 96]);
    g1.serialize_compressed(&mut a[..]).unwrap();
    g2.serialize_compressed(&mut b[..]).unwrap();
    point_error(&with(&valid(), A, &a));
    point_error(&with(&valid(), C, &a));
    point_error(&with(&valid(), B, &b));
    // The same points in a verifying key (alpha in G1, beta in G2).
    let vk = vk_bytes();
    assert_eq!(
        VerifyingKey::from_bytes(&with(&vk, HEADER_BYTES, &a)).unwrap_err(),
        DecodeError::InvalidPoint("verifying key")
    );
    assert_eq!(
        VerifyingKey::from_bytes(&with(&vk, HEADER_BYTES + 48, &b)).unwrap_err(),
        DecodeError::InvalidPoint("verifying key")
    );
}

#[test]
fn off_curve_points_large_coordinates_and_bad_flags_are_rejected() {
    let bytes = valid();
    // x ≥ q: the modulus itself with the compression flag.
    let mut q = Fq::MODULUS.to_bytes_be();
    q[0] |= 0x80;
    point_error(&with(&bytes, A, &q));
    // All ones: every flag set and x ≥ q.
    point_error(&with(&bytes, A, &[0xff; 48]));
    // The compression flag cleared (an uncompressed encoding is not accepted here).
    let mut cleared = bytes[A..A + 48].to_vec();
    cleared[0] &= 0x7f;
    point_error(&with(&bytes, A, &cleared));
    // The infinity flag with nonzero coordinate bits.
    let mut inf = [0u8; 48];
    inf[0] = 0xc0;
    inf[47] = 1;
    point_error(&with(&bytes, A, &inf));
    // An x with no point on the curve.
    let mut rng = StdRng::seed_from_u64(2);
    let off = loop {
        let x = Fq::rand(&mut rng);
        if G1Affine::get_point_from_x_unchecked(x, true).is_none() {
            let mut b = x.into_bigint().to_bytes_be();
            b[0] |= 0x80;
            break b;
        }
    };
    point_error(&with(&bytes, A, &off));
}

#[test]
fn public_values_at_or_above_r_are_rejected() {
    let bytes = valid();
    let r = ark_bls12_381::Fr::MODULUS.to_bytes_le();
    let root_at = HEADER_BYTES + 32 + 192;
    assert_eq!(
        Presentation::from_bytes(&with(&bytes, root_at, &r)).unwrap_err(),
        DecodeError::NonCanonicalField("root")
    );
    let nullifier_at = root_at + 32 + 4;
    // nullifier + r: the same residue, another encoding — not accepted.
    let p = Presentation::from_bytes(&bytes).unwrap();
    let plus_r = p.nullifier.into_bigint();
    let mut wide = plus_r;
    let carry = wide.add_with_carry(&ark_bls12_381::Fr::MODULUS);
    let encoded = wide.to_bytes_le();
    if !carry {
        assert_eq!(
            Presentation::from_bytes(&with(&bytes, nullifier_at, &encoded)).unwrap_err(),
            DecodeError::NonCanonicalField("nullifier")
        );
    }
    assert_eq!(
        Presentation::from_bytes(&with(&bytes, nullifier_at, &r)).unwrap_err(),
        DecodeError::NonCanonicalField("nullifier")
    );
}

#[test]
fn lengths_and_envelope_fields_are_checked() {
    let bytes = valid();
    for n in 0..bytes.len() {
        assert!(Presentation::from_bytes(&bytes[..n]).is_err(), "truncated to {n}");
    }
    assert!(matches!(
        Presentation::from_bytes(&[bytes.clone(), vec![7]].concat()),
        Err(DecodeError::TrailingBytes(1))
    ));
    // Another statement version.
    let mut v2 = bytes.clone();
    v2[7] = 2;
    assert!(matches!(Presentation::from_bytes(&v2), Err(DecodeError::Statement(_))));
    // A declared length that disagrees with the bytes.
    let mut long = bytes.clone();
    long[12] = long[12].wrapping_add(1);
    assert!(Presentation::from_bytes(&long).is_err());
}

#[test]
fn a_verifying_key_with_the_wrong_number_of_inputs_is_an_error() {
    let vk = VerifyingKey::from_bytes(&vk_bytes()).unwrap();
    let mut inner = vk.inner().clone();
    inner.gamma_abc_g1.push(G1Affine::generator());
    assert_eq!(
        VerifyingKey::new(vk.statement(), inner.clone()).unwrap_err(),
        DecodeError::Malformed("verifying key: wrong number of public inputs")
    );
    inner.gamma_abc_g1.truncate(5);
    assert!(VerifyingKey::new(vk.statement(), inner).is_err());
}

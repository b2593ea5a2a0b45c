//! The ceremony's file encoding: `"MZKC"`, a version byte, a kind byte, the body, and the
//! SHA-256 of everything before it. Integers are little endian; points are uncompressed
//! (arkworks layout: 96 bytes in G1, 192 in G2) and every one is checked on the curve and
//! in the prime-order subgroup when read (in parallel). Every count is checked against
//! its limit and against the bytes left before anything is allocated.

use ark_bls12_381::{G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize, Compress, Validate};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use crate::CeremonyError;

/// The first bytes of every ceremony file.
pub const MAGIC: [u8; 4] = *b"MZKC";
/// The encoding's version.
pub const VERSION: u8 = 1;
/// Bytes of an uncompressed G1 point.
pub const G1_BYTES: usize = 96;
/// Bytes of an uncompressed G2 point.
pub const G2_BYTES: usize = 192;

/// What a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A phase-1 transcript and accumulator.
    Phase1 = 1,
    /// A phase-2 transcript and parameters.
    Phase2 = 2,
}

fn format(why: impl Into<String>) -> CeremonyError {
    CeremonyError::Format(why.into())
}

/// Builds a file.
pub(crate) struct Writer {
    out: Vec<u8>,
}

impl Writer {
    pub(crate) fn new(kind: FileKind) -> Writer {
        let mut out = MAGIC.to_vec();
        out.push(VERSION);
        out.push(kind as u8);
        Writer { out }
    }

    /// A writer for hashing a record (no header).
    pub(crate) fn bare() -> Writer {
        Writer { out: Vec::new() }
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.out.push(v);
    }

    pub(crate) fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }

    pub(crate) fn bytes32(&mut self, v: &[u8; 32]) {
        self.out.extend_from_slice(v);
    }

    pub(crate) fn raw(&mut self, v: &[u8]) {
        self.out.extend_from_slice(v);
    }

    pub(crate) fn string(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.out.extend_from_slice(s.as_bytes());
    }

    pub(crate) fn g1(&mut self, p: &G1Affine) {
        p.serialize_uncompressed(&mut self.out).expect("writing to memory succeeds");
    }

    pub(crate) fn g2(&mut self, p: &G2Affine) {
        p.serialize_uncompressed(&mut self.out).expect("writing to memory succeeds");
    }

    pub(crate) fn g1s(&mut self, ps: &[G1Affine]) {
        self.u32(ps.len() as u32);
        self.out.reserve(ps.len() * G1_BYTES);
        for p in ps {
            self.g1(p);
        }
    }

    pub(crate) fn g2s(&mut self, ps: &[G2Affine]) {
        self.u32(ps.len() as u32);
        self.out.reserve(ps.len() * G2_BYTES);
        for p in ps {
            self.g2(p);
        }
    }

    /// The bytes so far (for hashing a record).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.out
    }

    /// The file: the bytes and their SHA-256.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        let digest = Sha256::digest(&self.out);
        self.out.extend_from_slice(&digest);
        self.out
    }
}

/// Reads a file.
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
}

fn point<P: CanonicalDeserialize + AffineRepr>(bytes: &[u8], what: &str) -> Result<P, CeremonyError> {
    let p = P::deserialize_with_mode(bytes, Compress::No, Validate::No)
        .map_err(|_| format(format!("{what}: not a point encoding")))?;
    // `AffineRepr` points from arkworks are on the curve by construction only if checked.
    let mut check = Vec::new();
    p.serialize_uncompressed(&mut check).expect("writing to memory succeeds");
    if check != bytes {
        return Err(format(format!("{what}: non-canonical point encoding")));
    }
    Ok(p)
}

use crate::blst_ops::{valid_g1, valid_g2};

impl<'a> Reader<'a> {
    /// Checks the header and the digest; the reader then stands at the body.
    pub(crate) fn open(bytes: &'a [u8], kind: FileKind) -> Result<Reader<'a>, CeremonyError> {
        if bytes.len() < 6 + 32 {
            return Err(format("truncated: not a ceremony file"));
        }
        if bytes[..4] != MAGIC {
            return Err(format("not a medzk ceremony file (bad magic bytes)"));
        }
        if bytes[4] != VERSION {
            return Err(format(format!("unsupported ceremony file version {}", bytes[4])));
        }
        if bytes[5] != kind as u8 {
            let found = match bytes[5] {
                1 => "a phase-1 file".to_string(),
                2 => "a phase-2 file".to_string(),
                other => format!("unknown kind {other}"),
            };
            return Err(format(format!("expected a {} file, found {found}", kind.name())));
        }
        let (content, digest) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(content).as_slice() != digest {
            return Err(format("the file's digest does not match: it is damaged or truncated"));
        }
        Ok(Reader { bytes: &content[6..] })
    }

    /// A reader over a record's bytes (no header, no digest).
    #[cfg(test)]
    pub(crate) fn bare(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], CeremonyError> {
        if self.bytes.len() < n {
            return Err(format("truncated"));
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Ok(head)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, CeremonyError> {
        Ok(self.take(1)?[0])
    }

    pub(crate) fn u32(&mut self) -> Result<u32, CeremonyError> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))
    }

    pub(crate) fn bytes32(&mut self) -> Result<[u8; 32], CeremonyError> {
        Ok(self.take(32)?.try_into().expect("32 bytes"))
    }

    pub(crate) fn raw(&mut self, n: usize) -> Result<&'a [u8], CeremonyError> {
        self.take(n)
    }

    pub(crate) fn string(&mut self, max: usize, what: &str) -> Result<String, CeremonyError> {
        let n = self.u32()? as usize;
        if n > max {
            return Err(format(format!("{what}: longer than {max} bytes")));
        }
        let bytes = self.take(n)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| format(format!("{what}: not UTF-8")))
    }

    pub(crate) fn g1(&mut self, what: &str) -> Result<G1Affine, CeremonyError> {
        let p: G1Affine = point(self.take(G1_BYTES)?, what)?;
        if !valid_g1(&p) {
            return Err(format(format!("{what}: not a point of the prime-order subgroup of G1")));
        }
        Ok(p)
    }

    pub(crate) fn g2(&mut self, what: &str) -> Result<G2Affine, CeremonyError> {
        let p: G2Affine = point(self.take(G2_BYTES)?, what)?;
        if !valid_g2(&p) {
            return Err(format(format!("{what}: not a point of the prime-order subgroup of G2")));
        }
        Ok(p)
    }

    fn count(&mut self, max: usize, size: usize, what: &str) -> Result<usize, CeremonyError> {
        let n = self.u32()? as usize;
        if n > max {
            return Err(format(format!("{what}: {n} points, more than {max}")));
        }
        if n.checked_mul(size).is_none_or(|b| b > self.bytes.len()) {
            return Err(format(format!("{what}: truncated")));
        }
        Ok(n)
    }

    /// A list of exactly `expected` G1 points.
    pub(crate) fn g1s(&mut self, expected: usize, what: &str) -> Result<Vec<G1Affine>, CeremonyError> {
        let n = self.count(expected, G1_BYTES, what)?;
        if n != expected {
            return Err(format(format!("{what}: {n} points, expected {expected}")));
        }
        let bytes = self.take(n * G1_BYTES)?;
        let points: Vec<G1Affine> =
            bytes.par_chunks_exact(G1_BYTES).map(|b| point(b, what)).collect::<Result<_, _>>()?;
        if !points.par_iter().all(valid_g1) {
            return Err(format(format!("{what}: a point outside the prime-order subgroup of G1")));
        }
        Ok(points)
    }

    /// A list of exactly `expected` G2 points.
    pub(crate) fn g2s(&mut self, expected: usize, what: &str) -> Result<Vec<G2Affine>, CeremonyError> {
        let n = self.count(expected, G2_BYTES, what)?;
        if n != expected {
            return Err(format(format!("{what}: {n} points, expected {expected}")));
        }
        let bytes = self.take(n * G2_BYTES)?;
        let points: Vec<G2Affine> =
            bytes.par_chunks_exact(G2_BYTES).map(|b| point(b, what)).collect::<Result<_, _>>()?;
        if !points.par_iter().all(valid_g2) {
            return Err(format(format!("{what}: a point outside the prime-order subgroup of G2")));
        }
        Ok(points)
    }

    /// Ends the body: nothing may follow.
    pub(crate) fn finish(self) -> Result<(), CeremonyError> {
        if self.bytes.is_empty() {
            Ok(())
        } else {
            Err(format(format!("{} trailing bytes", self.bytes.len())))
        }
    }
}

impl FileKind {
    fn name(self) -> &'static str {
        match self {
            FileKind::Phase1 => "phase-1",
            FileKind::Phase2 => "phase-2",
        }
    }
}

/// SHA-256 over the concatenated parts.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

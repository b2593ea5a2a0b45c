//! Where a contribution's secrets come from: the operating system's generator (mixed with
//! any entropy the participant types), or a public random beacon.
//!
//! A beacon contribution derives its secrets from a value nobody could know in advance
//! (for example a future block hash or a NIST beacon output), hashed 2^e times with
//! SHA-256 so that nobody can try many values before it is published. Anyone can derive
//! the same secrets and check the contribution exactly. Per Kohlweiss, Maller, Siim and
//! Volkhov (2021), Groth16's setup is sound without a final beacon as long as one
//! participant was honest; it is offered for ceremonies that want the output to be
//! unpredictable even to a last participant who colludes with all others.

use rand::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zeroize::Zeroizing;

use crate::CeremonyError;
use crate::codec::{Reader, Writer, sha256};

/// Largest exponent: 2^30 hashes (minutes).
pub const MAX_BEACON_EXP: u8 = 30;

/// A public random beacon: its value and the exponent `e` of its 2^e hashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Beacon {
    /// The beacon's output.
    pub value: [u8; 32],
    /// The value is hashed 2^`iterations_exp` times.
    pub iterations_exp: u8,
}

impl Beacon {
    /// A beacon from 64 hex digits and an exponent.
    pub fn new(value_hex: &str, iterations_exp: u8) -> Result<Beacon, CeremonyError> {
        let digits = value_hex.trim().trim_start_matches("0x");
        let mut value = [0u8; 32];
        if digits.len() != 64 {
            return Err(CeremonyError::Format("a beacon value is 64 hex digits".into()));
        }
        for (i, byte) in value.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&digits[2 * i..2 * i + 2], 16)
                .map_err(|_| CeremonyError::Format("a beacon value is 64 hex digits".into()))?;
        }
        if iterations_exp > MAX_BEACON_EXP {
            return Err(CeremonyError::Format(format!("the beacon exponent is at most {MAX_BEACON_EXP}")));
        }
        Ok(Beacon { value, iterations_exp })
    }

    /// The generator the beacon's secrets are drawn from.
    pub(crate) fn rng(&self) -> ChaCha20Rng {
        let mut h = self.value;
        for _ in 0..(1u64 << self.iterations_exp) {
            h = sha256(&[&h]);
        }
        ChaCha20Rng::from_seed(sha256(&[b"medzk/ceremony/beacon/v1", &h]))
    }

    pub(crate) fn write(beacon: Option<&Beacon>, w: &mut Writer) {
        match beacon {
            None => w.u8(0),
            Some(b) => {
                w.u8(1);
                w.bytes32(&b.value);
                w.u8(b.iterations_exp);
            }
        }
    }

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Option<Beacon>, CeremonyError> {
        match r.u8()? {
            0 => Ok(None),
            1 => {
                let value = r.bytes32()?;
                let iterations_exp = r.u8()?;
                if iterations_exp > MAX_BEACON_EXP {
                    return Err(CeremonyError::Format("beacon exponent too large".into()));
                }
                Ok(Some(Beacon { value, iterations_exp }))
            }
            _ => Err(CeremonyError::Format("bad beacon flag".into())),
        }
    }
}

/// A participant's generator: 64 bytes from the operating system mixed with `entropy`.
/// The seed is wiped once the generator is made.
pub(crate) fn contributor_rng(entropy: &[u8]) -> ChaCha20Rng {
    let mut os = Zeroizing::new([0u8; 64]);
    rand::rngs::OsRng.fill_bytes(os.as_mut());
    let seed = Zeroizing::new(sha256(&[b"medzk/ceremony/entropy/v1", os.as_ref(), entropy]));
    ChaCha20Rng::from_seed(*seed)
}

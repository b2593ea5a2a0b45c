//! Holder keys, scopes and nullifiers.
//!
//! * holder id `= Poseidon3(HOLDER; s)`, written by issuers into every record of the holder;
//! * nullifier `= Poseidon3(NULLIFIER; s, scope)`: one value per holder and scope (for
//!   example one clinical trial), so a second enrolment is visible, while nullifiers of
//!   different scopes cannot be linked without `s`.

use std::fmt;

use ark_ff::UniformRand;
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::field::{self, FieldError, Fr};
use crate::poseidon::Poseidon;
use crate::{tags, text::hash_text};

/// The holder's secret. Never printed; zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct HolderSecret(Fr);

impl HolderSecret {
    /// A fresh secret from a cryptographically secure generator.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> HolderSecret {
        HolderSecret(Fr::rand(rng))
    }

    /// The secret from its 32-byte encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<HolderSecret, FieldError> {
        field::from_bytes(bytes).map(HolderSecret)
    }

    /// The 32-byte encoding (for the holder's key file).
    pub fn to_bytes(&self) -> [u8; 32] {
        field::to_bytes(&self.0)
    }

    /// The secret as a field element, for witness assembly.
    pub fn expose(&self) -> Fr {
        self.0
    }

    /// The public holder id that issuers write into records.
    pub fn id(&self) -> HolderId {
        HolderId(Poseidon::t3().hash(tags::HOLDER, &[self.0]))
    }

    /// The nullifier of this holder in `scope`.
    pub fn nullifier(&self, scope: &Scope) -> Fr {
        Poseidon::t3().hash(tags::NULLIFIER, &[self.0, scope.to_field()])
    }
}

impl fmt::Debug for HolderSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HolderSecret(<redacted>)")
    }
}

/// A holder id: `Poseidon3(HOLDER; secret)`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HolderId(#[serde(with = "field::serde_hex")] pub Fr);

impl fmt::Debug for HolderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HolderId({})", field::to_hex(&self.0))
    }
}

impl fmt::Display for HolderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&field::to_hex(&self.0))
    }
}

/// A nullifier scope, named by text (for example `trial:NCT01234567`).
#[derive(Clone, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Scope(String);

/// Longest scope name, in bytes.
pub const MAX_SCOPE_BYTES: usize = 256;

/// A scope name that is empty or too long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a scope name has 1 to {MAX_SCOPE_BYTES} bytes")]
pub struct ScopeError;

impl Scope {
    /// A scope from its name.
    pub fn new(name: &str) -> Result<Scope, ScopeError> {
        if name.is_empty() || name.len() > MAX_SCOPE_BYTES {
            return Err(ScopeError);
        }
        Ok(Scope(name.to_string()))
    }

    /// The scope's name.
    pub fn name(&self) -> &str {
        &self.0
    }

    /// `hash_text(SCOPE, name)`.
    pub fn to_field(&self) -> Fr {
        hash_text(tags::SCOPE, &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{SeedableRng, rngs::StdRng};

    #[test]
    fn nullifiers_are_per_scope_and_stable() {
        let mut rng = StdRng::seed_from_u64(1);
        let s = HolderSecret::generate(&mut rng);
        let t = HolderSecret::generate(&mut rng);
        let a = Scope::new("trial:A").unwrap();
        let b = Scope::new("trial:B").unwrap();
        assert_eq!(s.nullifier(&a), s.clone().nullifier(&a));
        assert_ne!(s.nullifier(&a), s.nullifier(&b));
        assert_ne!(s.nullifier(&a), t.nullifier(&a));
        assert_ne!(s.id(), t.id());
        assert_ne!(s.id().0, s.nullifier(&a));
    }

    #[test]
    fn secret_is_redacted_and_round_trips() {
        let mut rng = StdRng::seed_from_u64(2);
        let s = HolderSecret::generate(&mut rng);
        let printed = format!("{s:?}");
        assert_eq!(printed, "HolderSecret(<redacted>)");
        assert!(!printed.contains(&field::to_hex(&s.expose())[2..10]));
        assert_eq!(HolderSecret::from_bytes(&s.to_bytes()).unwrap(), s);
        assert!(HolderSecret::from_bytes(&[0xff; 32]).is_err());
    }

    #[test]
    fn scope_names_are_bounded() {
        assert!(Scope::new("").is_err());
        assert!(Scope::new(&"x".repeat(257)).is_err());
        assert_eq!(Scope::new("border").unwrap().name(), "border");
    }
}

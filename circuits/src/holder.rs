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

/// A nullifier scope: the set of presentations in which one holder has one pseudonym.
///
/// * **Bound** (the default; written as a string, for example `"border:NO"`): the scope
///   belongs to the verifier of that id. A prover makes a nullifier in it only for a
///   session whose verifier id is the scope's name or starts with `name:` (a verifier's
///   own gates and kiosks, `border:NO:OSL-gate-7`), so a verifier that copies another's
///   scope into its own policy gets no presentation in it from an honest wallet.
/// * **Shared** (written `{"shared": "trial:NCT01234567"}`): any verifier may ask for it;
///   for one trial with several sites that must recognise a second enrolment anywhere.
///   Every verifier naming it can link the presentations it sees with the others'.
///
/// The two kinds are hashed under different tags, so a shared scope never equals a bound
/// one of the same name.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub enum Scope {
    /// Bound to the verifier named by the scope (and its sub-ids).
    Bound(String),
    /// Shared by every verifier that names it.
    Shared(String),
}

/// Longest scope name, in bytes.
pub const MAX_SCOPE_BYTES: usize = 256;

/// A scope name that is empty or too long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a scope name has 1 to {MAX_SCOPE_BYTES} bytes")]
pub struct ScopeError;

fn check_name(name: &str) -> Result<String, ScopeError> {
    if name.is_empty() || name.len() > MAX_SCOPE_BYTES {
        return Err(ScopeError);
    }
    Ok(name.to_string())
}

impl Scope {
    /// A scope bound to the verifier `name` (see the type's docs).
    pub fn new(name: &str) -> Result<Scope, ScopeError> {
        check_name(name).map(Scope::Bound)
    }

    /// A scope shared by every verifier that names it.
    pub fn shared(name: &str) -> Result<Scope, ScopeError> {
        check_name(name).map(Scope::Shared)
    }

    /// The scope's name.
    pub fn name(&self) -> &str {
        match self {
            Scope::Bound(n) | Scope::Shared(n) => n,
        }
    }

    /// Whether a presentation to `verifier_id` may use this scope: any verifier for a
    /// shared scope; for a bound one, the verifier it names or one of its sub-ids.
    pub fn permits(&self, verifier_id: &str) -> bool {
        match self {
            Scope::Shared(_) => true,
            Scope::Bound(n) => {
                verifier_id == n
                    || verifier_id.strip_prefix(n.as_str()).is_some_and(|rest| rest.starts_with(':'))
            }
        }
    }

    /// `hash_text(SCOPE, name)` for a bound scope, `hash_text(SHARED_SCOPE, name)` for a
    /// shared one.
    pub fn to_field(&self) -> Fr {
        match self {
            Scope::Bound(n) => hash_text(tags::SCOPE, n),
            Scope::Shared(n) => hash_text(tags::SHARED_SCOPE, n),
        }
    }
}

impl Serialize for Scope {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Scope::Bound(n) => s.serialize_str(n),
            Scope::Shared(n) => {
                use serde::ser::SerializeMap;
                let mut m = s.serialize_map(Some(1))?;
                m.serialize_entry("shared", n)?;
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Scope {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scope, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged, deny_unknown_fields)]
        enum Form {
            Bound(String),
            Shared {
                #[serde(rename = "shared")]
                name: String,
            },
        }
        use serde::de::Error;
        let bad = |_| D::Error::custom(ScopeError);
        match Form::deserialize(d).map_err(|_| {
            D::Error::custom("a scope is a verifier's name (\"border:NO\") or {\"shared\": \"name\"}")
        })? {
            Form::Bound(n) => Scope::new(&n).map_err(bad),
            Form::Shared { name } => Scope::shared(&name).map_err(bad),
        }
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

//! Domain tags: one per use of the hash, so no value of one kind stands in for another.
//!
//! | tag | width | inputs | hashes |
//! |---|---|---|---|
//! | [`COMMITMENT`] | 10 | 9 | a record's slots into its commitment (a registry leaf) |
//! | [`NODE`] | 5 | 4 | four children into a registry tree node |
//! | [`HOLDER`] | 3 | 1 | a holder secret into the holder id |
//! | [`NULLIFIER`] | 3 | 2 | holder secret and scope into a nullifier |
//! | [`POLICY_VACCINATION`] | 10 | 18 | the vaccination policy's canonical encoding |
//! | [`POLICY`] | 10 | varies | a general policy's canonical encoding |
//! | [`POLICY_TEMPLATE`] | 10 | varies | a policy with hour windows not yet set to a minute (its name, never a statement's) |
//! | [`CODE`], [`ISSUER`], [`SCOPE`], [`SHARED_SCOPE`], [`LOT`], [`TEXT`] | 10 | varies | text into a field element |
//! | [`CHECKPOINT`] | 10 | 8 | a registry checkpoint, linking the previous one |
//! | [`VALUE_SET`] | 3 | 2 | a value-set leaf: a value and the next larger one |

use crate::poseidon::Tag;

/// Record commitment (registry leaf).
pub const COMMITMENT: Tag = Tag::new("medzk/commit");
/// Registry tree node.
pub const NODE: Tag = Tag::new("medzk/node");
/// Holder id from the holder secret.
pub const HOLDER: Tag = Tag::new("medzk/holder");
/// Nullifier from holder secret and scope.
pub const NULLIFIER: Tag = Tag::new("medzk/nullifier");
/// Vaccination policy hash.
pub const POLICY_VACCINATION: Tag = Tag::new("medzk/policy/vax");
/// General policy hash.
pub const POLICY: Tag = Tag::new("medzk/policy");
/// A general policy with hour windows not yet instantiated at a minute.
pub const POLICY_TEMPLATE: Tag = Tag::new("medzk/policy/tpl");
/// Coded concept `system|code`.
pub const CODE: Tag = Tag::new("medzk/code");
/// Issuer identifier.
pub const ISSUER: Tag = Tag::new("medzk/issuer");
/// Nullifier scope name.
pub const SCOPE: Tag = Tag::new("medzk/scope");
/// A scope shared by several verifiers.
pub const SHARED_SCOPE: Tag = Tag::new("medzk/scope/shr");
/// Vaccine lot number.
pub const LOT: Tag = Tag::new("medzk/lot");
/// Free text in a record slot.
pub const TEXT: Tag = Tag::new("medzk/text");
/// Registry checkpoint.
pub const CHECKPOINT: Tag = Tag::new("medzk/checkpoint");
/// Value-set leaf.
pub const VALUE_SET: Tag = Tag::new("medzk/valueset");
/// Every tag, for the uniqueness test.
pub const ALL: [Tag; 15] = [
    COMMITMENT,
    NODE,
    HOLDER,
    NULLIFIER,
    POLICY_VACCINATION,
    POLICY,
    POLICY_TEMPLATE,
    CODE,
    ISSUER,
    SCOPE,
    SHARED_SCOPE,
    LOT,
    TEXT,
    CHECKPOINT,
    VALUE_SET,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_distinct() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a.to_field(), b.to_field(), "{} and {}", a.name(), b.name());
            }
        }
    }
}

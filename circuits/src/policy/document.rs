//! The policy document as written (JSON): records, value sets, groups and clauses, before
//! validation turns it into normalised checks (`validate`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::field::{self, Fr};
use crate::holder::Scope;
use crate::record::RecordKind;
use crate::statement::PolicyShape;

/// Every clause operator, as written in a clause's `op`.
pub const OPERATORS: [&str; 17] = [
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "between",
    "in",
    "not_in",
    "in_value_set",
    "not_in_value_set",
    "date_within",
    "time_within",
    "age_between",
    "series_complete",
    "absent",
    "present",
];

/// Every slot a clause can read, as written in a clause's `slot`.
pub const SLOTS: [&str; 7] = ["code", "date", "value", "aux", "ext", "issuer", "time"];

/// A named record slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RecordSpec {
    /// Its name, used by clauses.
    pub name: String,
    /// The kind of record that fills it.
    pub kind: RecordKind,
    /// How many distinct records of the kind it stands for (default 1): `n` record slots
    /// named `name[1]` … `name[n]`. A clause on `name` applies to each of them, so the
    /// group holds only with `n` distinct records that each satisfy it ("at least two
    /// doses"); a clause on `name[i]` reads one of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(range(min = 1, max = 8)))]
    pub count: Option<u8>,
    /// For a record of kind `codes`: the record whose further codes it holds (its
    /// companion, issued with it: a vaccination's manufacturer and vaccine type, a test's
    /// device). A group that reads it reads that record too, and the proof ties the two.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
}

/// A named value set reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ValueSetRef {
    /// Its name, used by clauses.
    pub name: String,
    /// Its root (from `medzk policy value-set`).
    #[serde(with = "field::serde_hex")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::schema::field_hex"))]
    pub root: Fr,
}

/// A clause as written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ClauseDoc {
    /// Record name.
    pub record: String,
    /// Slot name (not needed for `age_between` and `series_complete`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::schema::slot"))]
    pub slot: Option<String>,
    /// Operator.
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::schema::operator"))]
    pub op: String,
    /// Operand of `eq`, `ne`, `lt`, `le`, `gt`, `ge`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::schema::Operand>"))]
    pub value: Option<Value>,
    /// Operands of `in`, `not_in`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::schema::operands"))]
    pub values: Option<Vec<Value>>,
    /// Lower bound of `between`, `date_within` (days), `time_within` (hours, or `"N min"`),
    /// `age_between` (years).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::schema::Operand>"))]
    pub min: Option<Value>,
    /// Upper bound of `between`, `date_within` (days), `time_within` (hours, or `"N min"`),
    /// `age_between` (years).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "Option<crate::schema::Operand>"))]
    pub max: Option<Value>,
    /// Value-set name of `in_value_set`, `not_in_value_set`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_set: Option<String>,
    /// Compare `slot` with another slot instead of a constant (`eq`, `lt`, `le`, `gt`,
    /// `ge`, `between`): `"aux"` or `"value"` of the same immunization (dose against series
    /// size), or `"RECORD.SLOT"`, the same date slot of another record (`"dose1.date"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "crate::schema::other_slot"))]
    pub other: Option<String>,
    /// With `other`: `slot OP other + offset` (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<i64>,
}

/// A group as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct GroupDoc {
    /// Group name.
    pub name: String,
    /// Its clauses.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub clauses: Vec<ClauseDoc>,
}

/// The policy document (JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(
    feature = "schema",
    schemars(
        title = "General policy",
        description = "Several records against any-of groups of clauses (docs/policies.md)."
    )
)]
pub struct PolicyDoc {
    /// Always `"policy"`.
    #[cfg_attr(feature = "schema", schemars(extend("const" = "policy")))]
    pub statement: String,
    /// [`POLICY_VERSION`](super::POLICY_VERSION).
    #[cfg_attr(
        feature = "schema",
        schemars(extend("const" = super::POLICY_VERSION), description = "The document version.")
    )]
    pub version: u32,
    /// Nullifier scope (for example the trial).
    pub scope: Scope,
    /// Circuit shape; the default is 4 records, 16 clauses, 4 groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<PolicyShape>,
    /// Record slots.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub records: Vec<RecordSpec>,
    /// Value sets referenced by clauses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_sets: Vec<ValueSetRef>,
    /// Any-of groups.
    #[cfg_attr(feature = "schema", schemars(length(min = 1)))]
    pub groups: Vec<GroupDoc>,
}

//! General policies: clinical rules over several records, committed by a policy hash.
//!
//! A policy names up to K record slots (each of one [`RecordKind`]) and up to G any-of
//! groups of clauses; it holds if every clause of at least one group holds, over records
//! of one holder, each in the registry, pairwise distinct. Clauses compare one slot of one
//! record with constants; the operators and their exact semantics are in
//! `docs/policies.md`. Validation turns the JSON document into normalised [`Check`]s and
//! the canonical [`encode`](Policy::encode)ing that the circuit hashes, so the same
//! circuit (one setup per shape) serves every policy of its shape.

pub mod eval;

#[cfg(feature = "r1cs")]
pub mod circuit;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use ark_ff::{AdditiveGroup, BigInteger, PrimeField};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::code::Code;
use crate::date::Day;
use crate::field::{self, Fr};
use crate::holder::Scope;
use crate::poseidon::Poseidon;
use crate::record::{ABSENT, Ext, RecordKind, Slot, issuer_id};
use crate::statement::{PolicyShape, StatementId, StatementKind, StatementPolicy};
use crate::tags;

/// Entries of the shared table of inline set values.
pub const TABLE_SIZE: usize = 16;
/// Width of every interval check.
pub const RANGE_BITS: usize = 64;
/// Offset that maps signed slots (date, aux) to non-negative values.
pub const SIGNED_BIAS: i128 = 1 << 31;
/// Longest `date_within` window, in days (about 2.9 million years). Together with the
/// absent value −2^31 this makes an absent date fail every window for any verifier's day
/// after −2^30 (year −2,937,000): `today − (−2^31) > 2^30`.
pub const MAX_WINDOW_DAYS: u32 = 1 << 30;
/// Oldest age a clause may name, in years.
pub const MAX_AGE_YEARS: u32 = 200;
/// Value-set clauses per group (the circuit has one value-set lane).
pub const VALUE_SET_LANES: usize = 1;
/// The default shape: 4 records, 16 clauses, 4 groups.
pub const DEFAULT_SHAPE: PolicyShape = PolicyShape { records: 4, clauses: 16, groups: 4 };
/// Supported policy document version.
pub const POLICY_VERSION: u32 = 1;

/// A slot a clause can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClauseSlot {
    /// The coded concept.
    Code,
    /// The date (signed day number).
    Date,
    /// The value (integer below 2^64).
    Value,
    /// The auxiliary value (signed 32-bit).
    Aux,
    /// The extension value.
    Ext,
    /// The issuer id.
    Issuer,
}

impl ClauseSlot {
    /// Every clause slot, in encoding order.
    pub const ALL: [ClauseSlot; 6] = [
        ClauseSlot::Code,
        ClauseSlot::Date,
        ClauseSlot::Value,
        ClauseSlot::Aux,
        ClauseSlot::Ext,
        ClauseSlot::Issuer,
    ];

    /// The record slot it reads.
    pub fn slot(self) -> Slot {
        match self {
            ClauseSlot::Code => Slot::Code,
            ClauseSlot::Date => Slot::Date,
            ClauseSlot::Value => Slot::Value,
            ClauseSlot::Aux => Slot::Aux,
            ClauseSlot::Ext => Slot::Ext,
            ClauseSlot::Issuer => Slot::Issuer,
        }
    }

    /// Position in the encoding.
    pub fn index(self) -> usize {
        ClauseSlot::ALL.iter().position(|s| *s == self).expect("listed")
    }

    /// Whether the slot holds a signed integer (date, aux).
    pub fn signed(self) -> bool {
        matches!(self, ClauseSlot::Date | ClauseSlot::Aux)
    }

    /// Whether the slot holds an integer (date, value, aux).
    pub fn numeric(self) -> bool {
        matches!(self, ClauseSlot::Date | ClauseSlot::Value | ClauseSlot::Aux)
    }

    /// Smallest value of a numeric slot a comparison can match: for the signed slots one
    /// above [`ABSENT`], which only the `absent` operator matches.
    pub fn min(self) -> i128 {
        if self.signed() { ABSENT as i128 + 1 } else { 0 }
    }

    /// Largest value of a numeric slot.
    pub fn max(self) -> i128 {
        if self.signed() { SIGNED_BIAS - 1 } else { u64::MAX as i128 }
    }

    /// The bias added before interval checks.
    pub fn bias(self) -> i128 {
        if self.signed() { SIGNED_BIAS } else { 0 }
    }

    fn name(self) -> &'static str {
        match self {
            ClauseSlot::Code => "code",
            ClauseSlot::Date => "date",
            ClauseSlot::Value => "value",
            ClauseSlot::Aux => "aux",
            ClauseSlot::Ext => "ext",
            ClauseSlot::Issuer => "issuer",
        }
    }
}

impl fmt::Display for ClauseSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kinds of check the circuit implements, in encoding order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckType {
    /// `lo ≤ x + bias ≤ hi`.
    Range = 0,
    /// `lo ≤ today − x ≤ hi`.
    DateWithin = 1,
    /// `lo ≤ cal(today) − x ≤ hi` on a demographics record's calendar birth number.
    Age = 2,
    /// `value ≥ aux` (dose completes its series).
    Series = 3,
    /// `x ∈ S`.
    In = 4,
    /// `x ∉ S`.
    NotIn = 5,
    /// `x` in a value set.
    InValueSet = 6,
    /// `x` not in a value set.
    NotInValueSet = 7,
}

/// Number of check types.
pub const CHECK_TYPES: usize = 8;

/// A normalised clause check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Check {
    /// `lo ≤ x ≤ hi` on a numeric slot (inclusive; `eq`, `lt`, `le`, `gt`, `ge`, `between`).
    Range {
        /// The slot.
        slot: ClauseSlot,
        /// Lower bound.
        lo: i128,
        /// Upper bound.
        hi: i128,
    },
    /// `min ≤ today − x ≤ max` days on the date or aux slot.
    DateWithin {
        /// The slot.
        slot: ClauseSlot,
        /// Fewest days.
        min: u32,
        /// Most days.
        max: u32,
    },
    /// Age in completed years in `[min, max]`, from a demographics record.
    Age {
        /// Youngest.
        min: u32,
        /// Oldest.
        max: u32,
    },
    /// Dose number at least the series size (immunizations).
    Series,
    /// The slot's value is one of `values` (`eq` on text slots, `in`).
    In {
        /// The slot.
        slot: ClauseSlot,
        /// The accepted values (field encodings).
        values: Vec<Fr>,
    },
    /// The slot's value is none of `values` (`ne`, `not_in`).
    NotIn {
        /// The slot.
        slot: ClauseSlot,
        /// The excluded values.
        values: Vec<Fr>,
    },
    /// The slot's value is in the named value set.
    InValueSet {
        /// The slot.
        slot: ClauseSlot,
        /// The set's name.
        set: String,
        /// The set's root.
        root: Fr,
    },
    /// The slot's value is not in the named value set.
    NotInValueSet {
        /// The slot.
        slot: ClauseSlot,
        /// The set's name.
        set: String,
        /// The set's root.
        root: Fr,
    },
}

impl Check {
    /// The check's type.
    pub fn check_type(&self) -> CheckType {
        match self {
            Check::Range { .. } => CheckType::Range,
            Check::DateWithin { .. } => CheckType::DateWithin,
            Check::Age { .. } => CheckType::Age,
            Check::Series => CheckType::Series,
            Check::In { .. } => CheckType::In,
            Check::NotIn { .. } => CheckType::NotIn,
            Check::InValueSet { .. } => CheckType::InValueSet,
            Check::NotInValueSet { .. } => CheckType::NotInValueSet,
        }
    }

    /// The slot the check reads.
    pub fn slot(&self) -> ClauseSlot {
        match self {
            Check::Range { slot, .. }
            | Check::DateWithin { slot, .. }
            | Check::In { slot, .. }
            | Check::NotIn { slot, .. }
            | Check::InValueSet { slot, .. }
            | Check::NotInValueSet { slot, .. } => *slot,
            Check::Age { .. } => ClauseSlot::Aux,
            Check::Series => ClauseSlot::Value,
        }
    }

    /// `(lo, hi)` of the interval checks, as encoded (biased, in [0, 2^64)).
    pub fn bounds(&self) -> (Fr, Fr) {
        let f = |x: i128| Fr::from(x as u128);
        match self {
            Check::Range { slot, lo, hi } => (f(lo + slot.bias()), f(hi + slot.bias())),
            Check::DateWithin { min, max, .. } => (f(*min as i128), f(*max as i128)),
            Check::Age { min, max } => (f(*min as i128 * 10_000), f(*max as i128 * 10_000 + 9_999)),
            Check::Series => (f(SIGNED_BIAS), f(u64::MAX as i128)),
            Check::InValueSet { root, .. } | Check::NotInValueSet { root, .. } => (*root, Fr::ZERO),
            Check::In { .. } | Check::NotIn { .. } => (Fr::ZERO, Fr::ZERO),
        }
    }

    fn set_values(&self) -> &[Fr] {
        match self {
            Check::In { values, .. } | Check::NotIn { values, .. } => values,
            _ => &[],
        }
    }
}

/// One clause: a check on one record slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    /// The record it reads (index into the policy's records).
    pub record: usize,
    /// The check.
    pub check: Check,
    /// The clause as written, for messages (`hba1c.value between 65 and 100`).
    pub text: String,
}

/// An any-of group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Its name.
    pub name: String,
    /// Its clauses (all must hold).
    pub clauses: Vec<Clause>,
}

/// A named record slot.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordSpec {
    /// Its name, used by clauses.
    pub name: String,
    /// The kind of record that fills it.
    pub kind: RecordKind,
}

/// A named value set reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSetRef {
    /// Its name, used by clauses.
    pub name: String,
    /// Its root (from `medzk policy value-set-root`).
    #[serde(with = "field::serde_hex")]
    pub root: Fr,
}

/// A clause as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClauseDoc {
    /// Record name.
    pub record: String,
    /// Slot name (not needed for `age_between` and `series_complete`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<String>,
    /// Operator.
    pub op: String,
    /// Operand of `eq`, `ne`, `lt`, `le`, `gt`, `ge`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Operands of `in`, `not_in`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<Value>>,
    /// Lower bound of `between`, `date_within` (days), `age_between` (years).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Value>,
    /// Upper bound of `between`, `date_within` (days), `age_between` (years).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Value>,
    /// Value-set name of `in_value_set`, `not_in_value_set`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_set: Option<String>,
}

/// A group as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupDoc {
    /// Group name.
    pub name: String,
    /// Its clauses.
    pub clauses: Vec<ClauseDoc>,
}

/// The policy document (JSON).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDoc {
    /// Always `"policy"`.
    pub statement: String,
    /// [`POLICY_VERSION`].
    pub version: u32,
    /// Nullifier scope (for example the trial).
    pub scope: Scope,
    /// Circuit shape; the default is 4 records, 16 clauses, 4 groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shape: Option<PolicyShape>,
    /// Record slots.
    pub records: Vec<RecordSpec>,
    /// Value sets referenced by clauses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_sets: Vec<ValueSetRef>,
    /// Any-of groups.
    pub groups: Vec<GroupDoc>,
}

/// Why a policy document is not a valid policy for its shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not valid JSON for a policy document.
    #[error("invalid policy JSON: {0}")]
    Json(String),
    /// Another statement.
    #[error("policy is for statement {0:?}, not \"policy\"")]
    Statement(String),
    /// Unsupported version.
    #[error("unsupported policy version {0} (supported: {POLICY_VERSION})")]
    Version(u32),
    /// A shape no circuit is defined for.
    #[error("invalid shape: {0}")]
    Shape(String),
    /// No record, group, or a group without clauses.
    #[error("{0}")]
    Empty(String),
    /// More than the shape holds.
    #[error("the policy has {count} {what}; the shape holds at most {max}")]
    TooMany {
        /// What.
        what: &'static str,
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The inline set values of all clauses do not fit the shared table.
    #[error(
        "set too large for the shape: the clauses need {needed} distinct set values, the table holds {max}"
    )]
    SetTooLarge {
        /// Values needed.
        needed: usize,
        /// Table size.
        max: usize,
    },
    /// The same name twice.
    #[error("duplicate {what} name {name:?}")]
    Duplicate {
        /// Record, group or value set.
        what: &'static str,
        /// The name.
        name: String,
    },
    /// A clause's problem.
    #[error("group {group:?}, clause {clause}: {reason}")]
    Clause {
        /// Group name.
        group: String,
        /// Clause number from 1.
        clause: usize,
        /// What is wrong.
        reason: String,
    },
}

/// A valid policy for one shape.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    doc: PolicyDoc,
    shape: PolicyShape,
    scope: Scope,
    records: Vec<RecordSpec>,
    groups: Vec<Group>,
    table: Vec<Fr>,
}

fn sort_key(x: &Fr) -> Vec<u8> {
    x.into_bigint().to_bytes_be()
}

fn clause_error(group: &str, clause: usize, reason: impl Into<String>) -> PolicyError {
    PolicyError::Clause { group: group.to_string(), clause: clause + 1, reason: reason.into() }
}

/// Parses a slot's operand into its field encoding (text slots) or integer (numeric slots).
enum Operand {
    Field(Fr),
    Int(i128),
}

fn parse_operand(slot: ClauseSlot, v: &Value) -> Result<Operand, String> {
    match slot {
        ClauseSlot::Code => {
            let text = v.as_str().ok_or("a code operand is a \"system|code\" string")?;
            text.parse::<Code>().map(|c| Operand::Field(c.to_field())).map_err(|e| e.to_string())
        }
        ClauseSlot::Issuer => {
            let text = v.as_str().ok_or("an issuer operand is a string")?;
            Ok(Operand::Field(issuer_id(text)))
        }
        ClauseSlot::Ext => {
            let ext: Ext = serde_json::from_value(v.clone())
                .map_err(|_| "an ext operand is {\"lot\": …}, {\"code\": …} or {\"number\": …}")?;
            Ok(Operand::Field(ext.to_field()))
        }
        ClauseSlot::Date => {
            let text = v.as_str().ok_or("a date operand is a YYYY-MM-DD string")?;
            text.parse::<Day>().map(|d| Operand::Int(d.0 as i128)).map_err(|e| e.to_string())
        }
        ClauseSlot::Aux if v.is_string() => {
            // The aux slot holds a day for some kinds (a condition's abatement date).
            let text = v.as_str().unwrap_or_default();
            text.parse::<Day>().map(|d| Operand::Int(d.0 as i128)).map_err(|e| e.to_string())
        }
        ClauseSlot::Value | ClauseSlot::Aux => {
            let n = v.as_i64().map(i128::from).or_else(|| v.as_u64().map(i128::from));
            let n = n.ok_or("a numeric operand is an integer (or, in the aux slot, a YYYY-MM-DD date)")?;
            if n < slot.min() || n > slot.max() {
                return Err(format!(
                    "{n} is outside the {slot} slot's range {}..={}",
                    slot.min(),
                    slot.max()
                ));
            }
            Ok(Operand::Int(n))
        }
    }
}

fn operand_field(slot: ClauseSlot, op: Operand) -> Fr {
    match op {
        Operand::Field(f) => f,
        Operand::Int(n) if slot.signed() => Fr::from(n as i64),
        Operand::Int(n) => Fr::from(n as u64),
    }
}

fn as_u32(v: &Value, what: &str) -> Result<u32, String> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("{what} must be a non-negative integer"))
}

impl ClauseDoc {
    fn normalize(
        &self,
        records: &[RecordSpec],
        sets: &BTreeMap<String, Fr>,
        group: &str,
        index: usize,
    ) -> Result<Clause, PolicyError> {
        let err = |reason: String| clause_error(group, index, reason);
        let record = records
            .iter()
            .position(|r| r.name == self.record)
            .ok_or_else(|| err(format!("unknown record {:?}", self.record)))?;
        let kind = records[record].kind;
        let op = self.op.as_str();
        let slot = match (&self.slot, op) {
            (_, "age_between") | (_, "series_complete") => None,
            (None, _) => return Err(err(format!("operator {op:?} needs a \"slot\""))),
            (Some(s), _) => Some(match s.as_str() {
                "code" => ClauseSlot::Code,
                "date" => ClauseSlot::Date,
                "value" => ClauseSlot::Value,
                "aux" => ClauseSlot::Aux,
                "ext" => ClauseSlot::Ext,
                "issuer" => ClauseSlot::Issuer,
                other => {
                    return Err(err(format!(
                        "slot {other:?} cannot be compared (slots: code, date, value, aux, ext, issuer)"
                    )));
                }
            }),
        };
        let need = |field: &str, v: &Option<Value>| -> Result<Value, PolicyError> {
            v.clone().ok_or_else(|| err(format!("operator {op:?} needs \"{field}\"")))
        };
        let operand = |v: &Value| -> Result<Operand, PolicyError> {
            parse_operand(slot.expect("slot checked"), v).map_err(err)
        };
        let present: Vec<&str> = [
            ("value", self.value.is_some()),
            ("values", self.values.is_some()),
            ("min", self.min.is_some()),
            ("max", self.max.is_some()),
            ("value_set", self.value_set.is_some()),
        ]
        .iter()
        .filter(|(_, p)| *p)
        .map(|(n, _)| *n)
        .collect();
        let allowed: &[&str] = match op {
            "eq" | "ne" | "lt" | "le" | "gt" | "ge" => &["value"],
            "in" | "not_in" => &["values"],
            "between" | "date_within" | "age_between" => &["min", "max"],
            "in_value_set" | "not_in_value_set" => &["value_set"],
            "series_complete" | "absent" | "present" => &[],
            other => {
                return Err(err(format!(
                    "unknown operator {other:?} (operators: eq, ne, lt, le, gt, ge, between, in, not_in, \
                     in_value_set, not_in_value_set, date_within, age_between, series_complete, absent, \
                     present)"
                )));
            }
        };
        if let Some(extra) = present.iter().find(|p| !allowed.contains(p)) {
            return Err(err(format!("operator {op:?} does not take \"{extra}\"")));
        }
        let numeric = |what: &str| -> Result<ClauseSlot, PolicyError> {
            let s = slot.expect("slot checked");
            if s.numeric() {
                Ok(s)
            } else {
                Err(err(format!("{what} compares numbers; the {s} slot is not numeric")))
            }
        };
        let range = |s: ClauseSlot, lo: i128, hi: i128| -> Result<Check, PolicyError> {
            let (lo, hi) = (lo.max(s.min()), hi.min(s.max()));
            if lo > hi {
                return Err(err("the range is empty: no value can satisfy it".into()));
            }
            Ok(Check::Range { slot: s, lo, hi })
        };
        let int = |v: &Value| -> Result<i128, PolicyError> {
            match operand(v)? {
                Operand::Int(n) => Ok(n),
                Operand::Field(_) => Err(err("expected a number".into())),
            }
        };
        let check = match op {
            "eq" | "ne" | "in" | "not_in" => {
                let s = slot.expect("slot checked");
                let raw: Vec<Value> = match op {
                    "eq" | "ne" => vec![need("value", &self.value)?],
                    _ => self.values.clone().unwrap_or_default(),
                };
                if raw.is_empty() {
                    return Err(err(format!("operator {op:?} needs at least one value")));
                }
                if raw.len() > TABLE_SIZE {
                    return Err(PolicyError::SetTooLarge { needed: raw.len(), max: TABLE_SIZE });
                }
                if op == "eq" && s.numeric() {
                    let n = int(&raw[0])?;
                    range(s, n, n)?
                } else {
                    let mut values = Vec::with_capacity(raw.len());
                    for v in &raw {
                        values.push(operand_field(s, operand(v)?));
                    }
                    if matches!(op, "eq" | "in") {
                        Check::In { slot: s, values }
                    } else {
                        if s.signed() {
                            // An absent date satisfies no comparison, `ne` and `not_in` included.
                            values.push(Fr::from(ABSENT as i64));
                        }
                        Check::NotIn { slot: s, values }
                    }
                }
            }
            "lt" | "le" | "gt" | "ge" => {
                let s = numeric(op)?;
                let n = int(&need("value", &self.value)?)?;
                match op {
                    "lt" => range(s, s.min(), n - 1)?,
                    "le" => range(s, s.min(), n)?,
                    "gt" => range(s, n + 1, s.max())?,
                    _ => range(s, n, s.max())?,
                }
            }
            "between" => {
                let s = numeric(op)?;
                let (lo, hi) = (int(&need("min", &self.min)?)?, int(&need("max", &self.max)?)?);
                range(s, lo, hi)?
            }
            "date_within" => {
                let s = slot.expect("slot checked");
                if !s.signed() {
                    return Err(err(format!("date_within reads a date: the date or aux slot, not {s}")));
                }
                let min = as_u32(&need("min", &self.min)?, "min (days)").map_err(err)?;
                let max = as_u32(&need("max", &self.max)?, "max (days)").map_err(err)?;
                if min > max {
                    return Err(err(format!("min ({min} days) is above max ({max} days)")));
                }
                if max > MAX_WINDOW_DAYS {
                    return Err(err(format!(
                        "max ({max} days) is above the longest window ({MAX_WINDOW_DAYS})"
                    )));
                }
                Check::DateWithin { slot: s, min, max }
            }
            "absent" | "present" => {
                let s = slot.expect("slot checked");
                if !s.signed() {
                    return Err(err(format!(
                        "{op} reads a date that may be absent: the date or aux slot, not {s}"
                    )));
                }
                if op == "absent" {
                    Check::In { slot: s, values: vec![Fr::from(ABSENT as i64)] }
                } else {
                    range(s, s.min(), s.max())?
                }
            }
            "age_between" => {
                if kind != RecordKind::Demographics {
                    return Err(err(format!(
                        "age_between reads a demographics record; {:?} is {kind:?}",
                        self.record
                    )));
                }
                let min = as_u32(&need("min", &self.min)?, "min (years)").map_err(err)?;
                let max = as_u32(&need("max", &self.max)?, "max (years)").map_err(err)?;
                if min > max || max > MAX_AGE_YEARS {
                    return Err(err(format!("ages must satisfy min ≤ max ≤ {MAX_AGE_YEARS}")));
                }
                Check::Age { min, max }
            }
            "series_complete" => {
                if kind != RecordKind::Immunization {
                    return Err(err(format!(
                        "series_complete reads an immunization record; {:?} is {kind:?}",
                        self.record
                    )));
                }
                Check::Series
            }
            _ => {
                let s = slot.expect("slot checked");
                if s.numeric() {
                    return Err(err(format!("value sets hold codes; the {s} slot is numeric")));
                }
                let name = need("value_set", &self.value_set.clone().map(Value::String))?;
                let name = name.as_str().unwrap_or_default().to_string();
                let root = *sets.get(&name).ok_or_else(|| err(format!("unknown value set {name:?}")))?;
                if op == "in_value_set" {
                    Check::InValueSet { slot: s, set: name, root }
                } else {
                    Check::NotInValueSet { slot: s, set: name, root }
                }
            }
        };
        Ok(Clause { record, check, text: self.describe() })
    }

    fn describe(&self) -> String {
        let show = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let target = match &self.slot {
            Some(s) => format!("{}.{}", self.record, s),
            None => self.record.clone(),
        };
        let (min, max) = (self.min.as_ref().map(show), self.max.as_ref().map(show));
        let (min, max) = (min.unwrap_or_default(), max.unwrap_or_default());
        match self.op.as_str() {
            "between" => format!("{target} between {min} and {max}"),
            "date_within" => format!("{target} within {min} to {max} days ago"),
            "age_between" => format!("{} aged {min} to {max}", self.record),
            "series_complete" => format!("{} series complete", self.record),
            "absent" => format!("{target} absent"),
            "present" => format!("{target} present"),
            "in" | "not_in" => {
                let values: Vec<String> = self.values.iter().flatten().map(show).collect();
                let list = if values.len() > 4 {
                    format!("{}, … ({} values)", values[..3].join(", "), values.len())
                } else {
                    values.join(", ")
                };
                format!("{target} {} [{list}]", self.op.replace('_', " "))
            }
            "in_value_set" | "not_in_value_set" => {
                format!(
                    "{target} {} {}",
                    self.op.replace('_', " "),
                    self.value_set.clone().unwrap_or_default()
                )
            }
            op => format!("{target} {op} {}", self.value.as_ref().map(show).unwrap_or_default()),
        }
    }
}

/// Validates a shape against the circuit's limits.
pub fn validate_shape(shape: PolicyShape) -> Result<(), PolicyError> {
    let ok = (1..=8).contains(&shape.records)
        && (1..=32).contains(&shape.clauses)
        && (1..=8).contains(&shape.groups);
    if ok {
        Ok(())
    } else {
        Err(PolicyError::Shape(format!(
            "records 1-8, clauses 1-32, groups 1-8; got {}/{}/{}",
            shape.records, shape.clauses, shape.groups
        )))
    }
}

impl TryFrom<PolicyDoc> for Policy {
    type Error = PolicyError;

    fn try_from(doc: PolicyDoc) -> Result<Policy, PolicyError> {
        if doc.statement != "policy" {
            return Err(PolicyError::Statement(doc.statement));
        }
        if doc.version != POLICY_VERSION {
            return Err(PolicyError::Version(doc.version));
        }
        let shape = doc.shape.unwrap_or(DEFAULT_SHAPE);
        validate_shape(shape)?;
        let too_many = |what, count: usize, max: u8| {
            if count > max as usize {
                Err(PolicyError::TooMany { what, count, max: max as usize })
            } else {
                Ok(())
            }
        };
        if doc.records.is_empty() {
            return Err(PolicyError::Empty("the policy names no record".into()));
        }
        if doc.groups.is_empty() {
            return Err(PolicyError::Empty("the policy has no group".into()));
        }
        too_many("records", doc.records.len(), shape.records)?;
        too_many("groups", doc.groups.len(), shape.groups)?;
        let clauses: usize = doc.groups.iter().map(|g| g.clauses.len()).sum();
        too_many("clauses", clauses, shape.clauses)?;
        let mut names = BTreeSet::new();
        for r in &doc.records {
            if !names.insert(r.name.clone()) {
                return Err(PolicyError::Duplicate { what: "record", name: r.name.clone() });
            }
        }
        let mut sets = BTreeMap::new();
        for v in &doc.value_sets {
            if sets.insert(v.name.clone(), v.root).is_some() {
                return Err(PolicyError::Duplicate { what: "value set", name: v.name.clone() });
            }
        }
        let mut group_names = BTreeSet::new();
        let mut groups = Vec::with_capacity(doc.groups.len());
        for g in &doc.groups {
            if !group_names.insert(g.name.clone()) {
                return Err(PolicyError::Duplicate { what: "group", name: g.name.clone() });
            }
            if g.clauses.is_empty() {
                return Err(PolicyError::Empty(format!("group {:?} has no clause", g.name)));
            }
            let clauses: Vec<Clause> = g
                .clauses
                .iter()
                .enumerate()
                .map(|(i, c)| c.normalize(&doc.records, &sets, &g.name, i))
                .collect::<Result<_, _>>()?;
            let lanes = clauses
                .iter()
                .filter(|c| matches!(c.check.check_type(), CheckType::InValueSet | CheckType::NotInValueSet))
                .count();
            if lanes > VALUE_SET_LANES {
                return Err(PolicyError::TooMany {
                    what: "value-set clauses in one group",
                    count: lanes,
                    max: VALUE_SET_LANES,
                });
            }
            groups.push(Group { name: g.name.clone(), clauses });
        }
        let values: BTreeSet<Vec<u8>> =
            groups.iter().flat_map(|g| &g.clauses).flat_map(|c| c.check.set_values()).map(sort_key).collect();
        if values.len() > TABLE_SIZE {
            return Err(PolicyError::SetTooLarge { needed: values.len(), max: TABLE_SIZE });
        }
        let table = values.iter().map(|k| Fr::from_be_bytes_mod_order(k)).collect(); // medzk-allow-mod-order: our canonical bytes
        Ok(Policy { scope: doc.scope.clone(), records: doc.records.clone(), shape, doc, groups, table })
    }
}

impl Policy {
    /// Parses and validates a JSON policy document.
    pub fn from_json(text: &str) -> Result<Policy, PolicyError> {
        let doc: PolicyDoc = serde_json::from_str(text).map_err(|e| PolicyError::Json(e.to_string()))?;
        Policy::try_from(doc)
    }

    /// The document (canonical JSON of the policy as written).
    pub fn doc(&self) -> &PolicyDoc {
        &self.doc
    }

    /// The circuit shape the policy is encoded for.
    pub fn shape(&self) -> PolicyShape {
        self.shape
    }

    /// The nullifier scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The record slots.
    pub fn records(&self) -> &[RecordSpec] {
        &self.records
    }

    /// The groups.
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }

    /// The shared table of inline set values (sorted, at most [`TABLE_SIZE`]).
    pub fn table(&self) -> &[Fr] {
        &self.table
    }

    /// The statement of this policy at `depth`.
    pub fn statement(&self, depth: crate::tree::Depth) -> StatementId {
        StatementId::policy(depth, self.shape)
    }

    /// Whether group `g` reads record `k`.
    pub fn uses(&self, group: usize, record: usize) -> bool {
        self.groups.get(group).is_some_and(|g| g.clauses.iter().any(|c| c.record == record))
    }

    /// The policy header: 3-bit kinds of the K records, then G×K "group uses record"
    /// bits, then G "group enabled" bits.
    pub fn header(&self) -> Fr {
        let (k, g) = (self.shape.records as usize, self.shape.groups as usize);
        let mut bits = vec![false; 3 * k + g * k + g];
        for (i, r) in self.records.iter().enumerate() {
            let kind = r.kind as u8;
            for b in 0..3 {
                bits[3 * i + b] = kind >> b & 1 == 1;
            }
        }
        for gi in 0..self.groups.len() {
            for ki in 0..self.records.len() {
                bits[3 * k + gi * k + ki] = self.uses(gi, ki);
            }
            bits[3 * k + g * k + gi] = true;
        }
        pack(&bits)
    }

    /// The clauses in encoding order: group by group, then padding.
    pub fn clause_slots(&self) -> Vec<Option<(usize, &Clause)>> {
        let mut out: Vec<Option<(usize, &Clause)>> = self
            .groups
            .iter()
            .enumerate()
            .flat_map(|(g, grp)| grp.clauses.iter().map(move |c| Some((g, c))))
            .collect();
        out.resize(self.shape.clauses as usize, None);
        out
    }

    /// The header of one clause slot: record one-hot (K), slot one-hot (6), check type
    /// one-hot (8), group one-hot (G), table mask (16). Padding clauses are all zero.
    pub fn clause_header_bits(&self, slot: Option<(usize, &Clause)>) -> Vec<bool> {
        let (k, g) = (self.shape.records as usize, self.shape.groups as usize);
        let mut bits = vec![false; clause_header_len(self.shape)];
        if let Some((group, clause)) = slot {
            bits[clause.record] = true;
            bits[k + clause.check.slot().index()] = true;
            bits[k + 6 + clause.check.check_type() as usize] = true;
            bits[k + 6 + CHECK_TYPES + group] = true;
            for v in clause.check.set_values() {
                let i = self.table.iter().position(|t| t == v).expect("table holds every set value");
                bits[k + 6 + CHECK_TYPES + g + i] = true;
            }
        }
        bits
    }

    /// The canonical encoding: scope, header, table (16, zero-padded), then for each of
    /// the M clause slots its header, `lo` and `hi`.
    pub fn encode(&self) -> Vec<Fr> {
        let mut out = vec![self.scope.to_field(), self.header()];
        out.extend((0..TABLE_SIZE).map(|i| self.table.get(i).copied().unwrap_or(Fr::ZERO)));
        for slot in self.clause_slots() {
            out.push(pack(&self.clause_header_bits(slot)));
            let (lo, hi) = slot.map_or((Fr::ZERO, Fr::ZERO), |(_, c)| c.check.bounds());
            out.push(lo);
            out.push(hi);
        }
        out
    }

    /// The policy hash (a public input).
    pub fn hash(&self) -> Fr {
        Poseidon::t10().hash(tags::POLICY, &self.encode())
    }

    /// The document as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.doc).expect("serializable")
    }
}

/// Bits of a clause header for `shape`.
pub fn clause_header_len(shape: PolicyShape) -> usize {
    shape.records as usize + 6 + CHECK_TYPES + shape.groups as usize + TABLE_SIZE
}

/// Bits of the policy header for `shape`.
pub fn policy_header_len(shape: PolicyShape) -> usize {
    let (k, g) = (shape.records as usize, shape.groups as usize);
    3 * k + g * k + g
}

/// The low `n` bits of `x`, little-endian.
pub fn unpack(x: Fr, n: usize) -> Vec<bool> {
    let bits = x.into_bigint().to_bits_le();
    (0..n).map(|i| bits[i]).collect()
}

/// Little-endian bits to a field element (fewer than 253 bits).
pub fn pack(bits: &[bool]) -> Fr {
    assert!(bits.len() < 253);
    bits.iter().rev().fold(Fr::ZERO, |acc, b| acc.double() + Fr::from(*b as u64))
}

impl StatementPolicy for Policy {
    fn statement_kind(&self) -> StatementKind {
        StatementKind::Policy
    }

    fn fits(&self, statement: StatementId) -> bool {
        statement.kind == StatementKind::Policy && statement.shape == self.shape
    }

    fn policy_hash(&self) -> Fr {
        self.hash()
    }

    fn scope_field(&self) -> Fr {
        self.scope().to_field()
    }
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "r1cs"))]
mod circuit_tests;

#[cfg(all(test, feature = "r1cs"))]
mod agreement_tests;

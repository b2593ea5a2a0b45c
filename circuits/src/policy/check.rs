//! Clause slots and the normalised checks validation makes of clauses: what each check
//! compares and its bounds as encoded (the circuit and the native evaluator read these).

use std::fmt;

use ark_ff::AdditiveGroup;
use serde::{Deserialize, Serialize};

use super::SIGNED_BIAS;
use crate::field::Fr;
use crate::record::{ABSENT, Slot};

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
    /// `lo ≤ value − aux ≤ hi` (a dose against its series: `series_complete`, `value lt aux`…).
    Series = 3,
    /// `x ∈ S`.
    In = 4,
    /// `x ∉ S`.
    NotIn = 5,
    /// `x` in a value set.
    InValueSet = 6,
    /// `x` not in a value set.
    NotInValueSet = 7,
    /// `lo ≤ x − y ≤ hi` where `y` is the same slot of another record.
    Relative = 8,
    /// `min ≤ now − time ≤ max` minutes on an observation's time: at the verifier's minute
    /// `now` it is the range check `now − max ≤ time ≤ now − min` ([`Policy::at`]).
    TimeWithin = 9,
}

impl CheckType {
    /// The type whose header bit the check sets: a relative check is a range check on
    /// `x − y` (the other record's bits say so).
    pub fn encoded(self) -> CheckType {
        match self {
            CheckType::Relative | CheckType::TimeWithin => CheckType::Range,
            t => t,
        }
    }

    /// Every check type, in encoding order.
    pub const ALL: [CheckType; CHECK_TYPES] = [
        CheckType::Range,
        CheckType::DateWithin,
        CheckType::Age,
        CheckType::Series,
        CheckType::In,
        CheckType::NotIn,
        CheckType::InValueSet,
        CheckType::NotInValueSet,
        CheckType::Relative,
        CheckType::TimeWithin,
    ];
}

/// Number of check types.
pub const CHECK_TYPES: usize = 10;
/// Check types with a header bit of their own ([`ClauseLayout`]).
pub const V1_CHECK_TYPES: usize = 8;

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
    /// `lo ≤ value − aux ≤ hi` on an immunization: the dose number against the series
    /// size (`series_complete` is `value − aux ≥ 0`; clauses with `"other": "aux"`).
    Series {
        /// Least difference.
        lo: i128,
        /// Greatest difference.
        hi: i128,
    },
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
    /// `lo ≤ x − y ≤ hi` days, `y` the same slot (date or aux) of record `other`: a dose
    /// at least 21 days after another (`"other": "dose1.date"`).
    Relative {
        /// The slot (of both records).
        slot: ClauseSlot,
        /// The other record (index into the policy's records).
        other: usize,
        /// Least difference.
        lo: i128,
        /// Greatest difference.
        hi: i128,
    },
    /// `min ≤ now − time ≤ max` minutes, `time` an observation's sample time (its aux
    /// slot, a [`Minute`](crate::clock::Minute)) and `now` the verifier's minute `at`
    /// (`None` until the policy is instantiated with [`Policy::at`]).
    TimeWithin {
        /// Fewest minutes.
        min: u32,
        /// Most minutes.
        max: u32,
        /// The verifier's minute the window is evaluated at.
        at: Option<i64>,
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
            Check::Series { .. } => CheckType::Series,
            Check::Relative { .. } => CheckType::Relative,
            Check::TimeWithin { .. } => CheckType::TimeWithin,
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
            | Check::NotInValueSet { slot, .. }
            | Check::Relative { slot, .. } => *slot,
            Check::Age { .. } | Check::TimeWithin { .. } => ClauseSlot::Aux,
            Check::Series { .. } => ClauseSlot::Value,
        }
    }

    /// `(lo, hi)` of the interval checks, as encoded (biased, in [0, 2^64)). An hour window
    /// not yet instantiated encodes its minutes (only in a template's hash, never proven).
    pub fn bounds(&self) -> (Fr, Fr) {
        let f = |x: i128| Fr::from(x as u128);
        match self {
            Check::TimeWithin { min, max, at: Some(now) } => {
                let now = *now as i128;
                (f(now - *max as i128 + SIGNED_BIAS), f(now - *min as i128 + SIGNED_BIAS))
            }
            Check::TimeWithin { min, max, at: None } => (f(*min as i128), f(*max as i128)),
            Check::Range { slot, lo, hi } => (f(lo + slot.bias()), f(hi + slot.bias())),
            Check::DateWithin { min, max, .. } => (f(*min as i128), f(*max as i128)),
            Check::Age { min, max } => (f(*min as i128 * 10_000), f(*max as i128 * 10_000 + 9_999)),
            Check::Series { lo, hi } | Check::Relative { lo, hi, .. } => {
                (f(lo + SIGNED_BIAS), f(hi + SIGNED_BIAS))
            }
            Check::InValueSet { root, .. } | Check::NotInValueSet { root, .. } => (*root, Fr::ZERO),
            Check::In { .. } | Check::NotIn { .. } => (Fr::ZERO, Fr::ZERO),
        }
    }

    /// The other record a relative check reads.
    pub fn other_record(&self) -> Option<usize> {
        match self {
            Check::Relative { other, .. } => Some(*other),
            _ => None,
        }
    }

    pub(super) fn set_values(&self) -> &[Fr] {
        match self {
            Check::In { values, .. } | Check::NotIn { values, .. } => values,
            _ => &[],
        }
    }
}

/// The greatest `value − aux` a series check states: its biased form is 2^64 − 1, the top
/// of the interval check's range (what `series_complete` has always encoded).
pub const SERIES_MAX_DIFF: i128 = u64::MAX as i128 - SIGNED_BIAS;

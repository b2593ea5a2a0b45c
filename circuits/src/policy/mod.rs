//! General policies: clinical rules over several records, committed by a policy hash.
//!
//! A policy names up to K record slots (each of one
//! [`RecordKind`](crate::record::RecordKind)) and up to G any-of groups of clauses; it
//! holds if every clause of at least one group holds, over records of one holder, each in
//! the registry, pairwise distinct. Clauses compare one slot of one record with constants;
//! the operators and their exact semantics are in `docs/policies.md`. Validation turns the
//! JSON document into normalised [`Check`]s and the canonical
//! [`encode`](Policy::encode)ing that the circuit hashes, so the same circuit (one setup
//! per shape) serves every policy of its shape.
//!
//! Modules: `document` (the JSON types as written), `validate` (document to checks, with
//! the errors), `check` (the normalised checks and their bounds), `describe` (a clause in
//! words), `counts` (counted records into copies, codes records and their records),
//! `encoding` (header sizes and bit packing; the encoding and hash are [`Policy::encode`]
//! and [`Policy::hash`]); the circuit and the native evaluator side by side in
//! [`circuit`] and [`eval`], tested against each other.

mod check;
mod counts;
mod describe;
mod document;
mod encoding;
pub mod eval;
mod validate;

#[cfg(feature = "r1cs")]
pub mod circuit;

pub use check::{CHECK_TYPES, Check, CheckType, ClauseSlot, SERIES_MAX_DIFF, V1_CHECK_TYPES};
pub use document::{ClauseDoc, GroupDoc, OPERATORS, PolicyDoc, RecordSpec, SLOTS, ValueSetRef};
pub use encoding::{ClauseLayout, clause_header_len, link_bit, pack, policy_header_len, unpack};
pub use validate::validate_shape;

use ark_ff::AdditiveGroup;

use crate::field::Fr;
use crate::holder::Scope;
use crate::poseidon::Poseidon;

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
/// Longest `time_within` window, in minutes (ten years of 366 days). With clocks from
/// [`EARLIEST_CLOCK`] on, a window never reaches back to 1970-01-01T00:00Z (the time slot
/// 0 of an observation without a time) nor to the absent value.
pub const MAX_TIME_WINDOW_MINUTES: u32 = 3_660 * 1_440;
/// The earliest minute a policy with hour windows is evaluated at (2000-01-01T00:00Z).
pub const EARLIEST_CLOCK: crate::clock::Minute = crate::clock::Minute(10_957 * 1_440);
/// Oldest age a clause may name, in years.
pub const MAX_AGE_YEARS: u32 = 200;
/// Value-set clauses per group (the circuit has one value-set lane).
pub const VALUE_SET_LANES: usize = 1;
/// The default shape: 4 records, 16 clauses, 4 groups.
pub const DEFAULT_SHAPE: PolicyShape = PolicyShape { records: 4, clauses: 16, groups: 4 };
/// Supported policy document version.
pub const POLICY_VERSION: u32 = 1;

/// One clause: a check on one record slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    /// The record it reads (index into the policy's records).
    pub record: usize,
    /// The check.
    pub check: Check,
    /// The clause as written (with a counted record's copy named).
    pub doc: ClauseDoc,
    /// The canonical unit and scale of the value it reads, where the group names the
    /// record's test (`crate::units`): messages show quantities in it.
    pub unit: Option<(&'static str, u32)>,
}

impl Clause {
    /// The clause in words, for messages (`hba1c.value between 6.5 % and 10.0 %`); made
    /// when asked, so a verifier that never explains does not carry the wording.
    pub fn text(&self) -> String {
        self.doc.describe(self.unit)
    }
}

/// An any-of group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Its name.
    pub name: String,
    /// Its clauses (all must hold).
    pub clauses: Vec<Clause>,
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
    /// A policy with hour windows evaluated without a minute, or at one out of range.
    #[error("{0}")]
    Clock(String),
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

    /// Whether group `g` reads record `k` (as a clause's record, a relative check's other
    /// record, or the record whose codes record a clause reads).
    pub fn uses(&self, group: usize, record: usize) -> bool {
        self.groups.get(group).is_some_and(|g| {
            g.clauses.iter().any(|c| {
                c.record == record
                    || c.check.other_record() == Some(record)
                    || self.codes_of(c.record) == Some(record)
            })
        })
    }

    /// The record whose codes record `k` is (`"of"`), if it is one.
    pub fn codes_of(&self, k: usize) -> Option<usize> {
        let of = self.records.get(k)?.of.as_deref()?;
        self.records.iter().position(|r| r.name == of)
    }

    /// The policy header: 3-bit kinds of the K records, then G×K "group uses record"
    /// bits, then G "group enabled" bits, then K·(K − 1) "codes record of" bits
    /// ([`link_bit`]).
    pub fn header(&self) -> Fr {
        let (k, g) = (self.shape.records as usize, self.shape.groups as usize);
        let mut bits = vec![false; policy_header_len(self.shape)];
        for c in 0..self.records.len() {
            if let Some(l) = self.codes_of(c) {
                bits[link_bit(self.shape, c, l)] = true;
            }
        }
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

    /// The header of one clause slot ([`ClauseLayout`]): record, slot, check type, group,
    /// table mask, other record. Padding clauses are all zero.
    pub fn clause_header_bits(&self, slot: Option<(usize, &Clause)>) -> Vec<bool> {
        let layout = ClauseLayout::new(self.shape);
        let mut bits = vec![false; layout.bits()];
        if let Some((group, clause)) = slot {
            bits[layout.record(clause.record)] = true;
            bits[layout.slot(clause.check.slot().index())] = true;
            bits[layout.check_type(clause.check.check_type())] = true;
            bits[layout.group(group)] = true;
            for v in clause.check.set_values() {
                let i = self.table.iter().position(|t| t == v).expect("table holds every set value");
                bits[layout.mask(i)] = true;
            }
            if let Some(other) = clause.check.other_record() {
                bits[layout.other(other)] = true;
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

    /// The policy hash. For a policy without hour windows, or one instantiated at a
    /// minute ([`Policy::at`]), it is the statement's public input; a policy with hour
    /// windows not yet instantiated (a *template*) hashes under another tag, so its hash
    /// names the policy (requests, files) but is never a statement's.
    pub fn hash(&self) -> Fr {
        let tag = if self.is_template() { tags::POLICY_TEMPLATE } else { tags::POLICY };
        Poseidon::t10().hash(tag, &self.encode())
    }

    /// Whether the policy has hour windows (`time_within`).
    pub fn has_hour_windows(&self) -> bool {
        self.checks().any(|c| matches!(c, Check::TimeWithin { .. }))
    }

    /// Whether the policy has hour windows not yet instantiated at a minute.
    pub fn is_template(&self) -> bool {
        self.checks().any(|c| matches!(c, Check::TimeWithin { at: None, .. }))
    }

    /// The minute the policy's hour windows are evaluated at, once instantiated.
    pub fn minute(&self) -> Option<crate::clock::Minute> {
        self.checks().find_map(|c| match c {
            Check::TimeWithin { at, .. } => at.map(crate::clock::Minute),
            _ => None,
        })
    }

    fn checks(&self) -> impl Iterator<Item = &Check> {
        self.groups.iter().flat_map(|g| g.clauses.iter().map(|c| &c.check))
    }

    /// The policy as proven and verified at `clock`: each hour window becomes a range
    /// check of the sample time at the clock's minute (`now − max ≤ time ≤ now − min`).
    /// A policy without hour windows is the same at every clock; one with them needs a
    /// minute, from [`EARLIEST_CLOCK`] on.
    pub fn at(&self, clock: crate::clock::Clock) -> Result<Policy, PolicyError> {
        if !self.has_hour_windows() {
            return Ok(self.clone());
        }
        let Some(now) = clock.minute() else {
            return Err(PolicyError::Clock(format!(
                "the policy's hour windows need the verifier's time of day: a clock such as {}T12:00Z, not only the date",
                clock.day()
            )));
        };
        if now < EARLIEST_CLOCK || now.0 > i64::from(i32::MAX) {
            return Err(PolicyError::Clock(format!(
                "the clock {now} is out of range (from {EARLIEST_CLOCK} on)"
            )));
        }
        let mut out = self.clone();
        for clause in out.groups.iter_mut().flat_map(|g| g.clauses.iter_mut()) {
            if let Check::TimeWithin { at, .. } = &mut clause.check {
                *at = Some(now.0);
            }
        }
        Ok(out)
    }

    /// The document as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.doc).expect("serializable")
    }
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

    fn hour_windows(&self) -> Option<Policy> {
        self.has_hour_windows().then(|| self.clone())
    }
}

#[cfg(test)]
mod tests;

#[cfg(all(test, feature = "r1cs"))]
mod circuit_tests;

#[cfg(all(test, feature = "r1cs"))]
mod agreement_tests;

#[cfg(all(test, feature = "r1cs"))]
mod v2_tests;

#[cfg(all(test, feature = "r1cs"))]
mod time_tests;

#[cfg(all(test, feature = "r1cs"))]
mod codes_tests;

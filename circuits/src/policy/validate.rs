//! Validation: a [`PolicyDoc`] into a [`Policy`] of normalised [`Check`]s, with errors
//! that name the group, the clause and the problem.

use std::collections::{BTreeMap, BTreeSet};

use ark_ff::{BigInteger, PrimeField};
use serde_json::Value;

use super::counts::{check_codes_records, copies, expand_records};
use super::*;
use crate::code::Code;
use crate::date::Day;
use crate::field::Fr;
use crate::record::{ABSENT, Ext, RecordKind, issuer_id};
use crate::statement::PolicyShape;
use crate::units::{self, Canonical};

/// The LOINC system URI (codes whose quantities have a canonical unit).
const LOINC: &str = "http://loinc.org";

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

fn parse_operand(slot: ClauseSlot, v: &Value, unit: Option<&'static Canonical>) -> Result<Operand, String> {
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
        ClauseSlot::Value if v.is_string() => {
            let text = v.as_str().unwrap_or_default();
            let Some(unit) = unit else {
                return Err(format!(
                    "the quantity {text:?} needs the record's test: add a clause on its code (eq or in LOINC codes measured in one unit) to this group"
                ));
            };
            unit.fixed(text).map(|n| Operand::Int(n as i128)).map_err(|e| e.to_string())
        }
        ClauseSlot::Value | ClauseSlot::Aux => {
            let n = v.as_i64().map(i128::from).or_else(|| v.as_u64().map(i128::from));
            let n = n.ok_or(
                "a numeric operand is an integer (a quantity with its unit, \"6.5 %\", in the value slot; a YYYY-MM-DD date in the aux slot)",
            )?;
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

/// A `time_within` bound in minutes: a whole number of hours (`72`), or a string with
/// its unit (`"72 h"`, `"4319 min"`).
fn minutes(v: &Value, what: &str) -> Result<u32, String> {
    let bad =
        || format!("{what} of time_within is whole hours (72) or a string \"N h\" or \"N min\", not {v}");
    let (n, per) = match v {
        Value::Number(n) => (n.as_u64().ok_or_else(bad)?, 60),
        Value::String(s) => match s.trim().split_once(' ') {
            Some((n, "h")) => (n.parse().map_err(|_| bad())?, 60),
            Some((n, "min")) => (n.parse().map_err(|_| bad())?, 1),
            _ => return Err(bad()),
        },
        _ => return Err(bad()),
    };
    n.checked_mul(per).and_then(|m| u32::try_from(m).ok()).ok_or_else(bad)
}

fn as_u32(v: &Value, what: &str) -> Result<u32, String> {
    v.as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| format!("{what} must be a non-negative integer"))
}

/// The canonical unit of each record's value in a group: the test its code clauses name,
/// when every LOINC code they allow is measured in one unit at one scale.
fn group_units(g: &GroupDoc, records: &[RecordSpec]) -> BTreeMap<String, &'static Canonical> {
    let mut out = BTreeMap::new();
    for r in records.iter().filter(|r| r.kind == RecordKind::Observation) {
        let mut found: Option<&'static Canonical> = None;
        let mut consistent = true;
        for c in g.clauses.iter().filter(|c| c.record == r.name && c.slot.as_deref() == Some("code")) {
            let values: Vec<&Value> = match c.op.as_str() {
                "eq" => c.value.iter().collect(),
                "in" => c.values.iter().flatten().collect(),
                _ => continue,
            };
            for v in values {
                let code = v.as_str().and_then(|t| t.parse::<Code>().ok());
                let unit = code.filter(|c| c.system() == LOINC).and_then(|c| units::canonical(c.code()));
                match (unit, found) {
                    (Some(u), None) => found = Some(u),
                    (Some(u), Some(f)) if u.unit == f.unit && u.scale == f.scale => {}
                    _ => consistent = false,
                }
            }
        }
        if let (true, Some(u)) = (consistent, found) {
            out.insert(r.name.clone(), u);
        }
    }
    out
}

impl ClauseDoc {
    fn normalize(
        &self,
        records: &[RecordSpec],
        sets: &BTreeMap<String, Fr>,
        group: &str,
        index: usize,
        units: &BTreeMap<String, &'static Canonical>,
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
                "time" if kind != RecordKind::Observation => {
                    return Err(err(format!(
                        "the time slot is an observation's sample time; {:?} is {kind:?}",
                        self.record
                    )));
                }
                "time" if op != "time_within" => {
                    return Err(err(format!("the time slot is compared with time_within, not {op:?}")));
                }
                "time" => ClauseSlot::Aux,
                other => {
                    return Err(err(format!(
                        "slot {other:?} cannot be compared (slots: {})",
                        SLOTS.join(", ")
                    )));
                }
            }),
        };
        if let Some((other, other_slot)) = self.other.as_deref().and_then(|o| o.rsplit_once('.')) {
            let check =
                self.relative_comparison(records, record, op, slot, other, other_slot).map_err(err)?;
            return Ok(Clause { record, check, doc: self.clone(), unit: None });
        }
        if self.other.is_some() || self.offset.is_some() {
            let check = self.slot_comparison(kind, op, slot).map_err(err)?;
            return Ok(Clause { record, check, doc: self.clone(), unit: None });
        }
        let need = |field: &str, v: &Option<Value>| -> Result<Value, PolicyError> {
            v.clone().ok_or_else(|| err(format!("operator {op:?} needs \"{field}\"")))
        };
        let unit = units.get(&self.record).copied().filter(|_| slot == Some(ClauseSlot::Value));
        let operand = |v: &Value| -> Result<Operand, PolicyError> {
            parse_operand(slot.expect("slot checked"), v, unit).map_err(err)
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
            "between" | "date_within" | "time_within" | "age_between" => &["min", "max"],
            "in_value_set" | "not_in_value_set" => &["value_set"],
            "series_complete" | "absent" | "present" => &[],
            other => {
                return Err(err(format!("unknown operator {other:?} (operators: {})", OPERATORS.join(", "))));
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
            "time_within" => {
                if self.slot.as_deref() != Some("time") {
                    return Err(err("time_within reads an observation's \"time\" slot".into()));
                }
                let min = minutes(&need("min", &self.min)?, "min").map_err(err)?;
                let max = minutes(&need("max", &self.max)?, "max").map_err(err)?;
                if min > max {
                    return Err(err(format!("min ({min} min) is above max ({max} min)")));
                }
                if max > MAX_TIME_WINDOW_MINUTES {
                    return Err(err(format!(
                        "max ({max} min) is above the longest hour window ({} h)",
                        MAX_TIME_WINDOW_MINUTES / 60
                    )));
                }
                Check::TimeWithin { min, max, at: None }
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
                Check::Series { lo: 0, hi: SERIES_MAX_DIFF }
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
        Ok(Clause { record, check, doc: self.clone(), unit: unit.map(|u| (u.unit, u.scale)) })
    }

    /// `slot OP other + offset` between one record's date (or aux) slot and the same slot
    /// of another record: `lo ≤ x − y ≤ hi` within ±[`MAX_WINDOW_DAYS`], so that an absent
    /// date (−2^31) on either side fails (every real day is within 2^30 of 1970).
    fn relative_comparison(
        &self,
        records: &[RecordSpec],
        record: usize,
        op: &str,
        slot: Option<ClauseSlot>,
        other: &str,
        other_slot: &str,
    ) -> Result<Check, String> {
        let slot = slot.ok_or("a comparison with another record needs a \"slot\"")?;
        if !slot.signed() || other_slot != slot.to_string() {
            return Err(format!(
                "{}.{slot} cannot be compared with {other}.{other_slot}: a comparison with another record reads the same date slot (date or aux) of both",
                self.record
            ));
        }
        let Some(other_index) = records.iter().position(|r| r.name == other) else {
            let copies = records.iter().filter(|r| r.name.starts_with(&format!("{other}["))).count();
            return Err(if copies > 0 {
                format!(
                    "{other:?} stands for {copies} records; compare with one of them: {other}[1] … {other}[{copies}]"
                )
            } else {
                format!("unknown record {other:?}")
            });
        };
        if other_index == record {
            return Err(format!("{other:?} is the clause's own record: compare two different records"));
        }
        if self.value.is_some() || self.values.is_some() || self.value_set.is_some() {
            return Err("a comparison with another record takes \"offset\" (or \"min\" and \"max\" with between), not a value".into());
        }
        let (lo, hi) = self.offset_bounds(op)?;
        let max = MAX_WINDOW_DAYS as i128;
        let (lo, hi) = (lo.max(-max), hi.min(max));
        if lo > hi {
            return Err(format!(
                "the range is empty: differences are at most {MAX_WINDOW_DAYS} days either way"
            ));
        }
        Ok(Check::Relative { slot, other: other_index, lo, hi })
    }

    /// `(lo, hi)` of `slot − other` for `slot OP other + offset` (or `between` offsets).
    fn offset_bounds(&self, op: &str) -> Result<(i128, i128), String> {
        let k = i128::from(self.offset.unwrap_or(0));
        let bound = |v: &Option<Value>, what: &str| -> Result<i128, String> {
            v.as_ref()
                .and_then(Value::as_i64)
                .map(i128::from)
                .ok_or(format!("between needs an integer \"{what}\" (an offset)"))
        };
        let bounds = match op {
            "eq" => (k, k),
            "lt" => (i128::MIN, k - 1),
            "le" => (i128::MIN, k),
            "gt" => (k + 1, i128::MAX),
            "ge" => (k, i128::MAX),
            "between" if self.offset.is_none() => (bound(&self.min, "min")?, bound(&self.max, "max")?),
            "between" => return Err("between takes \"min\" and \"max\" offsets, not \"offset\"".into()),
            other_op => {
                return Err(format!(
                    "operator {other_op:?} cannot compare two slots (eq, lt, le, gt, ge, between can)"
                ));
            }
        };
        if op != "between" && (self.min.is_some() || self.max.is_some()) {
            return Err(format!("operator {op:?} does not take \"min\" or \"max\""));
        }
        Ok(bounds)
    }

    /// `slot OP other + offset` on an immunization's dose number and series size.
    fn slot_comparison(&self, kind: RecordKind, op: &str, slot: Option<ClauseSlot>) -> Result<Check, String> {
        let Some(other) = self.other.as_deref() else {
            return Err("\"offset\" goes with \"other\" (a comparison between two slots)".into());
        };
        if kind != RecordKind::Immunization {
            return Err(format!(
                "comparisons between two slots read an immunization's value (dose) and aux (series size); {:?} is {kind:?}",
                self.record
            ));
        }
        // d = value − aux; `value OP aux + k` is `d OP k`, `aux OP value + k` is `−d OP k`.
        let mirrored = match (slot, other) {
            (Some(ClauseSlot::Value), "aux") => false,
            (Some(ClauseSlot::Aux), "value") => true,
            _ => {
                return Err(format!(
                    "slots {:?} and {other:?} cannot be compared: only an immunization's value and aux",
                    self.slot.as_deref().unwrap_or("")
                ));
            }
        };
        if self.value.is_some() || self.values.is_some() || self.value_set.is_some() {
            return Err("a comparison between two slots takes \"offset\" (or \"min\" and \"max\" with between), not a value".into());
        }
        let (lo, hi) = self.offset_bounds(op)?;
        let (lo, hi) = if mirrored { (hi.saturating_neg(), lo.saturating_neg()) } else { (lo, hi) };
        // The encodable differences: −2^31 … 2^64 − 1 − 2^31.
        let (lo, hi) = (lo.max(-SIGNED_BIAS), hi.min(SERIES_MAX_DIFF));
        if lo > hi {
            return Err("the range is empty: no value can satisfy it".into());
        }
        Ok(Check::Series { lo, hi })
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
        let records = expand_records(&doc.records)?;
        check_codes_records(&records, &doc.records)?;
        too_many("records", records.len(), shape.records)?;
        too_many("groups", doc.groups.len(), shape.groups)?;
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
            // A clause on a counted record reads each of its copies.
            let mut written = Vec::new();
            for (i, c) in g.clauses.iter().enumerate() {
                for name in copies(&doc.records, &c.record) {
                    written.push((i, ClauseDoc { record: name, ..c.clone() }));
                }
            }
            let expanded =
                GroupDoc { name: g.name.clone(), clauses: written.iter().map(|(_, c)| c.clone()).collect() };
            let units = group_units(&expanded, &records);
            let clauses: Vec<Clause> = written
                .iter()
                .map(|(i, c)| c.normalize(&records, &sets, &g.name, *i, &units))
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
        let clauses: usize = groups.iter().map(|g| g.clauses.len()).sum();
        too_many("clauses", clauses, shape.clauses)?;
        let values: BTreeSet<Vec<u8>> =
            groups.iter().flat_map(|g| &g.clauses).flat_map(|c| c.check.set_values()).map(sort_key).collect();
        if values.len() > TABLE_SIZE {
            return Err(PolicyError::SetTooLarge { needed: values.len(), max: TABLE_SIZE });
        }
        let table = values.iter().map(|k| Fr::from_be_bytes_mod_order(k)).collect(); // medzk-allow-mod-order: our canonical bytes
        Ok(Policy { scope: doc.scope.clone(), records, shape, doc, groups, table })
    }
}

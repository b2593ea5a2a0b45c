//! The native evaluator: the circuit's semantics, with reasons in words.
//!
//! Every check is computed on the same field elements as in the circuit (an interval
//! check holds iff `t − lo` and `hi − t` are both below 2^64 as field elements), so the
//! evaluator and the circuit agree on every input, valid or not; property tests check it.

use std::fmt;

use ark_ff::{AdditiveGroup, BigInteger, Field, PrimeField};

use super::{Check, Clause, ClauseSlot, Policy, RANGE_BITS, SIGNED_BIAS};
use crate::calendar::CivilWitness;
use crate::date::Day;
use crate::field::{self, Fr};
use crate::holder::HolderSecret;
use crate::record::{Record, RecordKind, Slot};
use crate::text::TEXT_BITS;
use crate::tree::{Depth, MerklePath};
use crate::valueset::{ValueSet, ValueSetProof};

/// Whether `t_lo − lo` and `hi − t_hi` both lie in `[0, 2^64)` (the two terms differ only
/// for an age, whose upper bound adds a partial birth date's width).
pub fn interval_holds(t_lo: Fr, t_hi: Fr, lo: Fr, hi: Fr) -> bool {
    let fits = |x: Fr| field::to_u64(&x).is_some();
    debug_assert_eq!(RANGE_BITS, 64);
    fits(t_lo - lo) && fits(hi - t_hi)
}

/// What the evaluator needs besides the records.
#[derive(Clone, Copy)]
pub struct EvalContext<'a> {
    /// The presentation day.
    pub today: Day,
    /// The value sets the policy's clauses name (matched by root).
    pub value_sets: &'a [ValueSet],
}

impl EvalContext<'_> {
    fn today_calendar(&self) -> Option<Fr> {
        CivilWitness::of(self.today).map(|w| Fr::from(w.calendar_number()))
    }

    fn value_set(&self, root: &Fr) -> Option<&ValueSet> {
        self.value_sets.iter().find(|v| v.root() == *root)
    }
}

fn show_int(x: &Fr) -> String {
    match field::to_i64(x) {
        Some(v) => v.to_string(),
        None => "out of range".into(),
    }
}

/// `75 h 12 min`.
fn duration(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// The term `t` an interval check compares, and its bounds (`other`: a relative check's
/// other record).
fn interval_term(
    check: &Check,
    record: &Record,
    other: Option<&Record>,
    ctx: &EvalContext<'_>,
) -> Option<(Fr, Fr, Fr)> {
    let (lo, hi) = check.bounds();
    let x = record.slot(check.slot().slot());
    let t = match check {
        Check::Range { slot, .. } => x + Fr::from(slot.bias() as u64),
        Check::DateWithin { .. } => ctx.today.to_field() - x,
        Check::Age { .. } => ctx.today_calendar()? - x,
        Check::Series { .. } => {
            record.slot(Slot::Value) - record.slot(Slot::Aux) + Fr::from(SIGNED_BIAS as u64)
        }
        Check::Relative { slot, .. } => x - other?.slot(slot.slot()) + Fr::from(SIGNED_BIAS as u64),
        Check::TimeWithin { at: Some(_), .. } => x + Fr::from(SIGNED_BIAS as u64),
        _ => return None,
    };
    Some((t, lo, hi))
}

/// Checks one clause against its record (and, for a relative check, the other record
/// `other`); the error says why it fails.
pub fn check_clause(
    clause: &Clause,
    record: &Record,
    other: Option<&Record>,
    ctx: &EvalContext<'_>,
) -> Result<(), String> {
    let x = record.slot(clause.check.slot().slot());
    let fail = |detail: String| Err(format!("{}: {detail}", clause.text()));
    match &clause.check {
        Check::Range { .. }
        | Check::DateWithin { .. }
        | Check::Age { .. }
        | Check::Series { .. }
        | Check::Relative { .. }
        | Check::TimeWithin { .. } => {
            let Some((t, lo, hi)) = interval_term(&clause.check, record, other, ctx) else {
                return match clause.check {
                    Check::Relative { .. } => fail("the other record is missing".into()),
                    Check::TimeWithin { .. } => fail("the verifier's time of day is not known".into()),
                    _ => fail("today's date is outside the supported calendar".into()),
                };
            };
            let t_hi = match clause.check {
                Check::Age { .. } => t + record.slot(Slot::Value),
                _ => t,
            };
            if interval_holds(t, t_hi, lo, hi) {
                return Ok(());
            }
            match &clause.check {
                Check::Range { slot: ClauseSlot::Value, .. } if clause.unit.is_some() => {
                    let (unit, scale) = clause.unit.unwrap_or_default();
                    match field::to_i64(&x).and_then(|v| u64::try_from(v).ok()) {
                        Some(v) => fail(format!("the value is {} {unit}", crate::units::decimal(v, scale))),
                        None => fail("the value is out of range".into()),
                    }
                }
                Check::Range { .. } => fail(format!("the value is {}", show_int(&x))),
                Check::DateWithin { .. } => match field::to_i64(&t) {
                    Some(d) if d < 0 => fail(format!("it is dated {} day(s) in the future", -d)),
                    Some(d) => fail(format!("it is {d} day(s) old")),
                    None => fail("its date is out of range".into()),
                },
                Check::Age { .. } => match (field::to_i64(&t), field::to_i64(&t_hi)) {
                    (Some(d), Some(e)) if d >= 0 && d / 10_000 != e / 10_000 => {
                        fail(format!("the age is {} to {} (a partial birth date)", d / 10_000, e / 10_000))
                    }
                    (Some(d), _) if d >= 0 => fail(format!("the age is {}", d / 10_000)),
                    _ => fail("the birth date is after today or out of range".into()),
                },
                Check::TimeWithin { at: Some(now), .. } => {
                    match field::to_i64(&x).filter(|m| *m != 0 && *m > i64::from(i32::MIN)) {
                        Some(m) if m > *now => {
                            fail(format!("the sample is {} in the future", duration(m - now)))
                        }
                        Some(m) => fail(format!("the sample is {} old", duration(now - m))),
                        None => fail("the record has no sample time".into()),
                    }
                }
                Check::Relative { .. } => match field::to_i64(&t).map(|d| d - SIGNED_BIAS as i64) {
                    Some(d) if d.unsigned_abs() <= super::MAX_WINDOW_DAYS as u64 => {
                        fail(format!("the difference is {d} day(s)"))
                    }
                    _ => fail("a date is absent or out of range".into()),
                },
                _ => fail(format!(
                    "dose {} of a {}-dose series",
                    show_int(&record.slot(Slot::Value)),
                    show_int(&record.slot(Slot::Aux))
                )),
            }
        }
        Check::In { values, .. } => {
            if values.contains(&x) {
                Ok(())
            } else {
                fail("the value is not among them".into())
            }
        }
        Check::NotIn { values, .. } => {
            if values.contains(&x) {
                fail("the value is excluded".into())
            } else {
                Ok(())
            }
        }
        Check::InValueSet { set, root, .. } | Check::NotInValueSet { set, root, .. } => {
            let Some(vs) = ctx.value_set(root) else {
                return fail(format!("value set {set:?} is not available to the prover"));
            };
            let inside = vs.contains(&x);
            let text_value = x != Fr::ZERO && x.into_bigint().num_bits() as usize <= TEXT_BITS;
            match (&clause.check, inside) {
                (Check::InValueSet { .. }, true) => Ok(()),
                (Check::InValueSet { .. }, false) => fail(format!("the value is not in {set}")),
                (_, true) => fail(format!("the value is in {set}")),
                (_, false) if !text_value => fail("the value is not a code".into()),
                _ => Ok(()),
            }
        }
    }
}

/// The failures of one group under the best assignment found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupReport {
    /// The group's name.
    pub group: String,
    /// Why it does not hold (at least one reason).
    pub reasons: Vec<String>,
}

impl fmt::Display for GroupReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "group {:?}: {}", self.group, self.reasons.join("; "))
    }
}

/// A group that holds and the records that make it hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// The group.
    pub group: usize,
    /// For each record slot of the policy, the index of the record filling it.
    pub assignment: Vec<Option<usize>>,
}

/// Finds a group that holds over `records` (all of one holder), trying every way to
/// fill the group's record slots with distinct records of the right kinds; otherwise
/// reports, for each group, the reasons under its best assignment.
pub fn select(
    policy: &Policy,
    records: &[Record],
    ctx: &EvalContext<'_>,
) -> Result<Selection, Vec<GroupReport>> {
    let mut reports = Vec::new();
    for (g, group) in policy.groups().iter().enumerate() {
        let used: Vec<usize> = (0..policy.records().len()).filter(|k| policy.uses(g, *k)).collect();
        let mut best: Option<Vec<String>> = None;
        let mut assignment = vec![None; policy.shape().records as usize];
        if search(policy, g, records, ctx, &used, 0, &mut assignment, &mut best) {
            return Ok(Selection { group: g, assignment });
        }
        let reasons = best.unwrap_or_else(|| {
            // No assignment at all: some kind has fewer records than the group reads.
            let mut reasons = Vec::new();
            for kind in RecordKind::ALL {
                let names: Vec<&str> = used
                    .iter()
                    .filter(|k| policy.records()[**k].kind == kind)
                    .map(|k| policy.records()[*k].name.as_str())
                    .collect();
                let have = records.iter().filter(|r| r.kind() == Some(kind)).count();
                if names.len() > have {
                    reasons.push(format!(
                        "needs {} {kind:?} record(s) ({}), the holder has {have}",
                        names.len(),
                        names.join(", ")
                    ));
                }
            }
            if reasons.is_empty() {
                reasons.push("no distinct records fill the group's slots".into());
            }
            reasons
        });
        reports.push(GroupReport { group: group.name.clone(), reasons });
    }
    Err(reports)
}

#[allow(clippy::too_many_arguments)]
fn search(
    policy: &Policy,
    g: usize,
    records: &[Record],
    ctx: &EvalContext<'_>,
    used: &[usize],
    depth: usize,
    assignment: &mut Vec<Option<usize>>,
    best: &mut Option<Vec<String>>,
) -> bool {
    if depth == used.len() {
        let mut reasons: Vec<String> = used
            .iter()
            .filter_map(|k| {
                let l = policy.codes_of(*k)?;
                let (c, m) = (&records[assignment[*k]?], &records[assignment[l]?]);
                (!codes_record_of(c, m)).then(|| {
                    let (name, of) = (&policy.records()[*k].name, &policy.records()[l].name);
                    format!("{name}: not the codes record of the {of} record shown")
                })
            })
            .collect();
        reasons.extend(policy.groups()[g].clauses.iter().filter_map(|c| {
            let r = &records[assignment[c.record].expect("used records are assigned")];
            let other = c.check.other_record().map(|o| &records[assignment[o].expect("assigned")]);
            check_clause(c, r, other, ctx).err()
        }));
        if reasons.is_empty() {
            return true;
        }
        if best.as_ref().is_none_or(|b| reasons.len() < b.len()) {
            *best = Some(reasons);
        }
        return false;
    }
    let slot = used[depth];
    let kind = policy.records()[slot].kind;
    for (i, r) in records.iter().enumerate() {
        let taken = assignment.contains(&Some(i));
        let same = assignment.iter().flatten().any(|j| records[*j].commitment() == r.commitment());
        if taken || same || r.kind() != Some(kind) {
            continue;
        }
        assignment[slot] = Some(i);
        if search(policy, g, records, ctx, used, depth + 1, assignment, best) {
            return true;
        }
        assignment[slot] = None;
    }
    false
}

/// Whether `codes` is the codes record of `main`: its salt is `main`'s plus one.
pub fn codes_record_of(codes: &Record, main: &Record) -> bool {
    codes.slot(Slot::Salt) == main.slot(Slot::Salt) + Fr::ONE
}

/// The private inputs of the policy statement.
#[derive(Clone)]
pub struct PolicyWitness {
    /// The holder's secret.
    pub secret: HolderSecret,
    /// The group proven.
    pub group: usize,
    /// Per record slot: the record and its inclusion path, or `None` if the group does
    /// not read the slot.
    pub records: Vec<Option<(Record, MerklePath)>>,
    /// The value-set proof for the group's value-set clause, if it has one.
    pub value_set: Option<ValueSetProof>,
}

impl fmt::Debug for PolicyWitness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PolicyWitness(group {}, <redacted>)", self.group)
    }
}

/// A condition of the policy statement that a witness does not meet.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyUnmet {
    /// No group holds; each group's reasons.
    #[error("no group of the policy holds: {}", .0.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(" | "))]
    NoGroup(Vec<GroupReport>),
    /// A clause fails.
    #[error("{0}")]
    Clause(String),
    /// The witness does not fit the policy's shape or group.
    #[error("the witness does not fit the policy: {0}")]
    Shape(&'static str),
    /// A record of another holder.
    #[error("record {0:?} was issued to another holder")]
    HolderMismatch(String),
    /// A record of the wrong kind.
    #[error("record {0:?} is not of the kind the policy names")]
    KindMismatch(String),
    /// A record not under the root.
    #[error("record {0:?} is not in the registry under this root (revoked, or a stale path)")]
    NotInRegistry(String),
    /// The same record in two slots.
    #[error("records {0:?} and {1:?} are the same record")]
    NotDistinct(String, String),
    /// No or a wrong value-set proof.
    #[error("the value-set proof does not fit the value set {0:?}")]
    ValueSet(String),
}

impl PolicyWitness {
    /// Builds the witness for the first group that holds over the holder's records (each
    /// with its inclusion path under one root).
    pub fn build(
        policy: &Policy,
        secret: HolderSecret,
        records: &[(Record, MerklePath)],
        ctx: &EvalContext<'_>,
    ) -> Result<PolicyWitness, PolicyUnmet> {
        // Only the holder's own records can fill slots.
        let holder = secret.id().0;
        let records: Vec<(Record, MerklePath)> =
            records.iter().filter(|(r, _)| r.slot(Slot::Holder) == holder).cloned().collect();
        let plain: Vec<Record> = records.iter().map(|(r, _)| r.clone()).collect();
        let selection = select(policy, &plain, ctx).map_err(PolicyUnmet::NoGroup)?;
        let slots = selection.assignment.iter().map(|a| a.map(|i| records[i].clone())).collect();
        let value_set = policy.groups()[selection.group].clauses.iter().find_map(|c| match &c.check {
            Check::InValueSet { root, .. } | Check::NotInValueSet { root, .. } => {
                let (record, _) = &records[selection.assignment[c.record].expect("assigned")];
                ctx.value_set(root).and_then(|vs| vs.prove(&record.slot(c.check.slot().slot())))
            }
            _ => None,
        });
        Ok(PolicyWitness { secret, group: selection.group, records: slots, value_set })
    }

    /// Every condition of the relation, checked natively.
    pub fn check(
        &self,
        policy: &Policy,
        depth: Depth,
        root: &Fr,
        ctx: &EvalContext<'_>,
    ) -> Result<(), PolicyUnmet> {
        let shape = policy.shape();
        if self.records.len() != shape.records as usize {
            return Err(PolicyUnmet::Shape("one entry per record slot"));
        }
        let group = policy.groups().get(self.group).ok_or(PolicyUnmet::Shape("no such group"))?;
        let holder = self.secret.id().0;
        let mut seen: Vec<(usize, Fr)> = Vec::new();
        for (k, spec) in policy.records().iter().enumerate() {
            let used = policy.uses(self.group, k);
            let Some((record, path)) = &self.records[k] else {
                if used {
                    return Err(PolicyUnmet::Shape("a record the group reads is missing"));
                }
                continue;
            };
            if !used {
                continue;
            }
            if record.slot(Slot::Holder) != holder {
                return Err(PolicyUnmet::HolderMismatch(spec.name.clone()));
            }
            if record.kind() != Some(spec.kind) {
                return Err(PolicyUnmet::KindMismatch(spec.name.clone()));
            }
            if path.check_shape(depth).is_err() || path.root(record.commitment()) != *root {
                return Err(PolicyUnmet::NotInRegistry(spec.name.clone()));
            }
            let c = record.commitment();
            if let Some((other, _)) = seen.iter().find(|(_, d)| *d == c) {
                return Err(PolicyUnmet::NotDistinct(
                    policy.records()[*other].name.clone(),
                    spec.name.clone(),
                ));
            }
            seen.push((k, c));
        }
        for (k, spec) in policy.records().iter().enumerate() {
            let Some(l) = policy.codes_of(k).filter(|_| policy.uses(self.group, k)) else { continue };
            let (Some((c, _)), Some((m, _))) = (&self.records[k], &self.records[l]) else {
                return Err(PolicyUnmet::Shape("a codes record without its record"));
            };
            if !codes_record_of(c, m) {
                return Err(PolicyUnmet::Clause(format!(
                    "{}: not the codes record of {}",
                    spec.name,
                    policy.records()[l].name
                )));
            }
        }
        for clause in &group.clauses {
            let (record, _) = self.records[clause.record].as_ref().expect("checked above");
            let other = clause.check.other_record().and_then(|o| self.records[o].as_ref()).map(|(r, _)| r);
            check_clause(clause, record, other, ctx).map_err(PolicyUnmet::Clause)?;
            if let Check::InValueSet { set, root, .. } | Check::NotInValueSet { set, root, .. } =
                &clause.check
            {
                let proof = self.value_set.as_ref().ok_or_else(|| PolicyUnmet::ValueSet(set.clone()))?;
                let x = record.slot(clause.check.slot().slot());
                let ok_path = proof.path.check_shape(crate::valueset::VALUE_SET_DEPTH).is_ok()
                    && proof.path.root(crate::valueset::leaf(proof.low, proof.next)) == *root;
                let ok_value = match clause.check {
                    Check::InValueSet { .. } => proof.low == x,
                    _ => lt_text(proof.low, x) && lt_text(x, proof.next),
                };
                if !ok_path || !ok_value {
                    return Err(PolicyUnmet::ValueSet(set.clone()));
                }
            }
        }
        Ok(())
    }

    /// The nullifier this witness produces under `policy`.
    pub fn nullifier(&self, policy: &Policy) -> Fr {
        self.secret.nullifier(policy.scope())
    }

    /// The kind of each record slot's record, for diagnostics.
    pub fn kinds(&self) -> Vec<Option<RecordKind>> {
        self.records.iter().map(|r| r.as_ref().and_then(|(r, _)| r.kind())).collect()
    }
}

/// `a < b` as the circuit's non-membership check sees it: `b − a − 1 ∈ [0, 2^248)`.
pub fn lt_text(a: Fr, b: Fr) -> bool {
    (b - a - Fr::ONE).into_bigint().num_bits() as usize <= TEXT_BITS
}

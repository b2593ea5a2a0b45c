//! Boolean formulas over record conditions, their negation, and the disjunctive normal
//! form that becomes a policy's any-of groups.

use std::collections::{BTreeMap, BTreeSet};

use super::fields::{Rec, Slot};

/// How closely a day window states a CertLogic time comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Exactness {
    /// The same verdict at every validation time.
    Exact,
    /// The same verdict except when the validation time is exactly midnight UTC, where
    /// medzk refuses.
    Midnight,
    /// Rounded to whole days, soundly: medzk refuses some certificates CertLogic accepts
    /// (up to a day of the window), never the reverse.
    Rounded,
}

/// A condition on one record.
#[derive(Clone, Debug, PartialEq)]
pub enum Atom {
    /// The slot holds one of `values` (or, negated, none of them).
    Codes {
        /// Record.
        rec: Rec,
        /// Slot.
        slot: Slot,
        /// Policy values.
        values: BTreeSet<String>,
        /// Whether the condition is "none of".
        negated: bool,
    },
    /// `lo ≤ slot ≤ hi`.
    Int {
        /// Record.
        rec: Rec,
        /// Slot.
        slot: Slot,
        /// Lower bound.
        lo: i64,
        /// Upper bound.
        hi: i64,
    },
    /// `lo ≤ today − date ≤ hi` (days).
    Days {
        /// Record.
        rec: Rec,
        /// Lower bound.
        lo: i64,
        /// Upper bound.
        hi: i64,
        /// How exact the window is.
        exact: Exactness,
        /// The rule it came from.
        rule: String,
    },
    /// `lo ≤ now − time ≤ hi` (minutes): a test's sample time against the validation
    /// clock, to the minute and soundly (a window stated in hours closes a minute early
    /// or opens a minute late, so every instant of the verifier's minute is inside it).
    Minutes {
        /// Record.
        rec: Rec,
        /// Lower bound.
        lo: i64,
        /// Upper bound.
        hi: i64,
        /// The rule it came from.
        rule: String,
    },
    /// `lo ≤ dose number − doses in the series ≤ hi`.
    Diff {
        /// Record.
        rec: Rec,
        /// Lower bound.
        lo: i64,
        /// Upper bound.
        hi: i64,
    },
}

/// A formula.
#[derive(Clone, Debug, PartialEq)]
pub enum Formula {
    /// A constant.
    Const(bool),
    /// A condition.
    Atom(Atom),
    /// All of.
    And(Vec<Formula>),
    /// Any of.
    Or(Vec<Formula>),
    /// Not.
    Not(Box<Formula>),
}

/// Negation-normal form: negations pushed into the atoms. Only conditions whose complement
/// medzk states exactly can be negated.
pub fn nnf(f: Formula, negate: bool) -> Result<Formula, String> {
    Ok(match (f, negate) {
        (Formula::Const(b), n) => Formula::Const(b != n),
        (Formula::Not(inner), n) => nnf(*inner, !n)?,
        (Formula::And(fs), false) => {
            Formula::And(fs.into_iter().map(|f| nnf(f, false)).collect::<Result<_, _>>()?)
        }
        (Formula::Or(fs), false) => {
            Formula::Or(fs.into_iter().map(|f| nnf(f, false)).collect::<Result<_, _>>()?)
        }
        (Formula::And(fs), true) => {
            Formula::Or(fs.into_iter().map(|f| nnf(f, true)).collect::<Result<_, _>>()?)
        }
        (Formula::Or(fs), true) => {
            Formula::And(fs.into_iter().map(|f| nnf(f, true)).collect::<Result<_, _>>()?)
        }
        (Formula::Atom(a), false) => Formula::Atom(a),
        (Formula::Atom(a), true) => negate_atom(a)?,
    })
}

fn negate_atom(a: Atom) -> Result<Formula, String> {
    let either = |parts: Vec<Atom>| Formula::Or(parts.into_iter().map(Formula::Atom).collect());
    Ok(match a {
        Atom::Codes { rec, slot, values, negated } => {
            Formula::Atom(Atom::Codes { rec, slot, values, negated: !negated })
        }
        Atom::Int { rec, slot, lo, hi } => {
            let mut parts = Vec::new();
            if lo > i64::MIN {
                parts.push(Atom::Int { rec, slot, lo: i64::MIN, hi: lo - 1 });
            }
            if hi < i64::MAX {
                parts.push(Atom::Int { rec, slot, lo: hi + 1, hi: i64::MAX });
            }
            either(parts)
        }
        Atom::Days { rec, lo, hi, exact: Exactness::Exact, rule } => {
            let mut parts = Vec::new();
            if lo > i64::MIN {
                parts.push(Atom::Days {
                    rec,
                    lo: i64::MIN,
                    hi: lo - 1,
                    exact: Exactness::Exact,
                    rule: rule.clone(),
                });
            }
            if hi < i64::MAX {
                parts.push(Atom::Days { rec, lo: hi + 1, hi: i64::MAX, exact: Exactness::Exact, rule });
            }
            either(parts)
        }
        Atom::Days { rule, .. } => {
            return Err(format!(
                "{rule}: the negation of a time window medzk can only state in whole days (negating the rounded window would accept too much)"
            ));
        }
        Atom::Minutes { rule, .. } => {
            return Err(format!(
                "{rule}: the negation of an hour window medzk states to the minute (negating the rounded window would accept too much)"
            ));
        }
        Atom::Diff { rec, lo, hi } => {
            let mut parts = Vec::new();
            if lo > i64::MIN {
                parts.push(Atom::Diff { rec, lo: i64::MIN, hi: lo - 1 });
            }
            if hi < i64::MAX {
                parts.push(Atom::Diff { rec, lo: hi + 1, hi: i64::MAX });
            }
            either(parts)
        }
    })
}

/// A coded slot's condition: the allowed values (`None`: any) and the excluded ones.
pub type CodeCondition = (Option<BTreeSet<String>>, BTreeSet<String>);

/// The conditions of one conjunction, merged per record slot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Conj {
    /// Allowed values (`None`: any) and excluded values per coded slot.
    pub codes: BTreeMap<(Rec, Slot), CodeCondition>,
    /// Integer intervals per slot.
    pub ints: BTreeMap<(Rec, Slot), (i64, i64)>,
    /// Day windows per record, with their exactness and the rules they came from.
    pub days: BTreeMap<Rec, (i64, i64, Exactness, BTreeSet<String>)>,
    /// Intervals of dose number − series size per record.
    pub diffs: BTreeMap<Rec, (i64, i64)>,
    /// Minute windows on a record's time, with the rules they came from.
    pub minutes: BTreeMap<Rec, (i64, i64, BTreeSet<String>)>,
}

impl Conj {
    /// Adds a condition; `false` when the conjunction became unsatisfiable.
    pub fn add(&mut self, atom: &Atom) -> bool {
        match atom {
            Atom::Codes { rec, slot, values, negated } => {
                let entry = self.codes.entry((*rec, *slot)).or_default();
                if *negated {
                    entry.1.extend(values.iter().cloned());
                } else {
                    entry.0 = Some(match entry.0.take() {
                        Some(allowed) => allowed.intersection(values).cloned().collect(),
                        None => values.clone(),
                    });
                }
                entry.0.as_ref().is_none_or(|a| a.difference(&entry.1).next().is_some())
            }
            Atom::Int { rec, slot, lo, hi } => {
                let e = self.ints.entry((*rec, *slot)).or_insert((i64::MIN, i64::MAX));
                *e = (e.0.max(*lo), e.1.min(*hi));
                e.0 <= e.1
            }
            Atom::Days { rec, lo, hi, exact, rule } => {
                let e =
                    self.days.entry(*rec).or_insert((i64::MIN, i64::MAX, Exactness::Exact, BTreeSet::new()));
                e.0 = e.0.max(*lo);
                e.1 = e.1.min(*hi);
                if *exact > Exactness::Exact {
                    e.2 = e.2.max(*exact);
                    e.3.insert(rule.clone());
                }
                e.0 <= e.1
            }
            Atom::Diff { rec, lo, hi } => {
                let e = self.diffs.entry(*rec).or_insert((i64::MIN, i64::MAX));
                *e = (e.0.max(*lo), e.1.min(*hi));
                e.0 <= e.1
            }
            Atom::Minutes { rec, lo, hi, rule } => {
                let e = self.minutes.entry(*rec).or_insert((i64::MIN, i64::MAX, BTreeSet::new()));
                e.0 = e.0.max(*lo);
                e.1 = e.1.min(*hi);
                e.2.insert(rule.clone());
                e.0 <= e.1
            }
        }
    }

    /// Whether every record this conjunction admits is admitted by `other` (so `self` is
    /// redundant beside it).
    pub fn implies(&self, other: &Conj) -> bool {
        let codes = other.codes.iter().all(|(k, (allowed, excluded))| {
            let Some((mine_allowed, mine_excluded)) = self.codes.get(k) else {
                return allowed.is_none() && excluded.is_empty();
            };
            match mine_allowed {
                Some(mine) => {
                    let left: BTreeSet<&String> = mine.difference(mine_excluded).collect();
                    left.iter()
                        .all(|v| allowed.as_ref().is_none_or(|a| a.contains(*v)) && !excluded.contains(*v))
                }
                None => allowed.is_none() && excluded.is_subset(mine_excluded),
            }
        });
        let ints = other.ints.iter().all(|(k, (lo, hi))| {
            let (a, b) = self.ints.get(k).copied().unwrap_or((i64::MIN, i64::MAX));
            *lo <= a && b <= *hi
        });
        let days = other.days.iter().all(|(k, (lo, hi, _, _))| {
            let (a, b) = self.days.get(k).map_or((i64::MIN, i64::MAX), |d| (d.0, d.1));
            *lo <= a && b <= *hi
        });
        let diffs = other.diffs.iter().all(|(k, (lo, hi))| {
            let (a, b) = self.diffs.get(k).copied().unwrap_or((i64::MIN, i64::MAX));
            *lo <= a && b <= *hi
        });
        let minutes = other.minutes.iter().all(|(k, (lo, hi, _))| {
            let (a, b) = self.minutes.get(k).map_or((i64::MIN, i64::MAX), |d| (d.0, d.1));
            *lo <= a && b <= *hi
        });
        codes && ints && days && diffs && minutes
    }
}

/// The most conjunctions a translation may expand to before it gives up.
pub const MAX_CONJUNCTIONS: usize = 256;

/// The disjunctive normal form of an NNF formula, each conjunction merged; unsatisfiable
/// conjunctions are dropped, and so is every conjunction another one already covers.
pub fn dnf(f: &Formula) -> Result<Vec<Conj>, String> {
    // Equal conjunctions cover each other: the first is kept.
    let out = expand(f)?;
    let mut kept: Vec<Conj> = Vec::new();
    for (i, c) in out.iter().enumerate() {
        let covered = out
            .iter()
            .enumerate()
            .any(|(j, other)| j != i && c.implies(other) && (!other.implies(c) || j < i));
        if !covered {
            kept.push(c.clone());
        }
    }
    Ok(kept)
}

fn expand(f: &Formula) -> Result<Vec<Conj>, String> {
    Ok(match f {
        Formula::Const(true) => vec![Conj::default()],
        Formula::Const(false) => Vec::new(),
        Formula::Atom(a) => {
            let mut c = Conj::default();
            if c.add(a) { vec![c] } else { Vec::new() }
        }
        Formula::Or(fs) => {
            let mut out = Vec::new();
            for f in fs {
                out.extend(expand(f)?);
                if out.len() > MAX_CONJUNCTIONS {
                    return Err(too_many());
                }
            }
            out
        }
        Formula::And(fs) => {
            let mut out = vec![Conj::default()];
            for f in fs {
                let right = expand(f)?;
                let mut next = Vec::new();
                for l in &out {
                    for r in &right {
                        if let Some(c) = merge(l, r) {
                            next.push(c);
                        }
                    }
                    if next.len() > MAX_CONJUNCTIONS {
                        return Err(too_many());
                    }
                }
                out = next;
            }
            out
        }
        Formula::Not(_) => return Err("internal: negation left in a normal form".into()),
    })
}

fn too_many() -> String {
    format!("the rules expand to more than {MAX_CONJUNCTIONS} cases")
}

fn merge(a: &Conj, b: &Conj) -> Option<Conj> {
    let mut c = a.clone();
    for ((rec, slot), (allowed, excluded)) in &b.codes {
        if let Some(values) = allowed {
            if !c.add(&Atom::Codes { rec: *rec, slot: *slot, values: values.clone(), negated: false }) {
                return None;
            }
        }
        if !excluded.is_empty()
            && !c.add(&Atom::Codes { rec: *rec, slot: *slot, values: excluded.clone(), negated: true })
        {
            return None;
        }
    }
    for ((rec, slot), (lo, hi)) in &b.ints {
        if !c.add(&Atom::Int { rec: *rec, slot: *slot, lo: *lo, hi: *hi }) {
            return None;
        }
    }
    for (rec, (lo, hi, exact, rules)) in &b.days {
        let rule = rules.iter().next().cloned().unwrap_or_default();
        if !c.add(&Atom::Days { rec: *rec, lo: *lo, hi: *hi, exact: *exact, rule }) {
            return None;
        }
        if let Some(e) = c.days.get_mut(rec) {
            e.3.extend(rules.iter().cloned());
        }
    }
    for (rec, (lo, hi)) in &b.diffs {
        if !c.add(&Atom::Diff { rec: *rec, lo: *lo, hi: *hi }) {
            return None;
        }
    }
    for (rec, (lo, hi, rules)) in &b.minutes {
        for rule in rules {
            if !c.add(&Atom::Minutes { rec: *rec, lo: *lo, hi: *hi, rule: rule.clone() }) {
                return None;
            }
        }
    }
    Some(c)
}

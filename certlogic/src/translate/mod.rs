//! CertLogic rules into a medzk policy: each certificate type's rules, and-ed, in
//! disjunctive normal form, become that type's any-of groups over one record.
//!
//! What medzk cannot state is refused with the rule and the construct named (a field the
//! records do not keep, an operation without a counterpart); what it can state only in
//! whole days is stated soundly (medzk refuses a little more, never less) and reported.

mod fields;
mod formula;

use std::collections::BTreeSet;

use medzk_circuits::policy::{MAX_TIME_WINDOW_MINUTES, MAX_WINDOW_DAYS, Policy, PolicyDoc};
use serde_json::{Value, json};

pub use fields::{DateField, Field, Rec, Slot};
pub use formula::{Atom, Conj, Exactness, Formula};

use crate::rule::{CertificateType, Rule, ValueSets};

/// Why rules could not be translated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TranslateError {
    /// A rule uses something medzk cannot state.
    #[error("rule {rule}: {why}")]
    Rule {
        /// The rule's identifier.
        rule: String,
        /// The construct and why.
        why: String,
    },
    /// The rules as a whole do not fit a policy.
    #[error("{0}")]
    Policy(String),
}

/// Options of a translation.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The nullifier scope (default `border:<country>`).
    pub scope: Option<String>,
    /// Rules to leave out, by identifier: the translated policy then accepts what those
    /// rules would refuse (each is reported).
    pub omit: BTreeSet<String>,
}

/// A translated policy and what the translation reports.
#[derive(Clone, Debug)]
pub struct Translation {
    /// The policy document.
    pub policy: PolicyDoc,
    /// Per group, the rules and cases it states.
    pub notes: Vec<String>,
    /// Windows stated in whole days, and rules left out.
    pub warnings: Vec<String>,
}

fn refuse<T>(rule: &Rule, why: impl Into<String>) -> Result<T, TranslateError> {
    Err(TranslateError::Rule { rule: rule.identifier.clone(), why: why.into() })
}

/// Translates a country's acceptance rules.
pub fn translate(
    rules: &[Rule],
    value_sets: &ValueSets,
    options: &Options,
) -> Result<Translation, TranslateError> {
    let countries: BTreeSet<&str> = rules.iter().map(|r| r.country.as_str()).collect();
    let [country] = countries.into_iter().collect::<Vec<_>>()[..] else {
        return Err(TranslateError::Policy(
            "the rules must be one country's (one policy per country)".into(),
        ));
    };
    let mut warnings = Vec::new();
    let mut seen = BTreeSet::new();
    for rule in rules {
        if !seen.insert(rule.identifier.as_str()) {
            return Err(TranslateError::Policy(format!(
                "rule {} is given twice (give one version of each rule)",
                rule.identifier
            )));
        }
        if rule.rule_type != "Acceptance" && !options.omit.contains(&rule.identifier) {
            return refuse(
                rule,
                format!("a rule of type {:?}: only acceptance rules are translated", rule.rule_type),
            );
        }
    }
    for id in &options.omit {
        if !seen.contains(id.as_str()) {
            return Err(TranslateError::Policy(format!("--omit {id}: no such rule among those given")));
        }
        warnings
            .push(format!("rule {id} left out on request: the policy accepts what it alone would refuse"));
    }
    let used: Vec<&Rule> = rules.iter().filter(|r| !options.omit.contains(&r.identifier)).collect();
    let mut groups = Vec::new();
    let mut notes = Vec::new();
    let mut records = Vec::new();
    for kind in [CertificateType::Vaccination, CertificateType::Test, CertificateType::Recovery] {
        let own: Vec<&Rule> = used.iter().copied().filter(|r| r.certificate_type == kind).collect();
        if own.is_empty() {
            warnings.push(format!("no {kind:?} rules: the policy accepts no {kind:?} certificate"));
            continue;
        }
        let rec = Rec::of(kind).expect("a certificate type");
        let mut parts = Vec::new();
        for rule in used.iter().filter(|r| r.applies_to(kind)) {
            let f = Translator { rule, rec, value_sets }.formula(&rule.logic)?;
            parts.push(
                formula::nnf(f, false)
                    .map_err(|why| TranslateError::Rule { rule: rule.identifier.clone(), why })?,
            );
        }
        for (slot, values) in fields::identity(rec) {
            parts.push(Formula::Atom(Atom::Codes {
                rec,
                slot,
                values: values.into_iter().collect(),
                negated: false,
            }));
        }
        let cases = formula::dnf(&Formula::And(parts)).map_err(TranslateError::Policy)?;
        if cases.is_empty() {
            warnings.push(format!("the {kind:?} rules accept no certificate"));
            continue;
        }
        let ids: Vec<&str> = own.iter().map(|r| r.identifier.as_str()).collect();
        records.push(json!({"name": rec.name(), "kind": rec.kind()}));
        for (i, case) in cases.iter().enumerate() {
            let name = format!("{} {} of {} ({})", rec.name(), i + 1, cases.len(), ids.join(", "));
            let clauses = clauses(rec, case, &mut warnings).map_err(TranslateError::Policy)?;
            notes.push(format!("group {:?}: {} clause(s)", name, clauses.len()));
            groups.push(json!({"name": name, "clauses": clauses}));
        }
    }
    let mut said = BTreeSet::new();
    warnings.retain(|w| said.insert(w.clone()));
    if groups.is_empty() {
        return Err(TranslateError::Policy("the rules accept no certificate".into()));
    }
    let total: usize = groups.iter().map(|g| g["clauses"].as_array().map_or(0, Vec::len)).sum();
    if groups.len() > 8 || total > 32 {
        return Err(TranslateError::Policy(format!(
            "the rules need {} groups and {total} clauses; a policy holds at most 8 groups and 32 clauses",
            groups.len()
        )));
    }
    let shape = json!({
        "records": records.len(),
        "clauses": if total > 16 { 32 } else { 16 },
        "groups": if groups.len() > 4 { 8 } else { 4 },
    });
    let scope = options.scope.clone().unwrap_or_else(|| format!("border:{country}"));
    let doc = json!({
        "statement": "policy", "version": 1, "scope": scope, "shape": shape,
        "records": records, "groups": groups,
    });
    let policy: PolicyDoc = serde_json::from_value(doc).map_err(|e| TranslateError::Policy(e.to_string()))?;
    Policy::try_from(policy.clone())
        .map_err(|e| TranslateError::Policy(format!("the translated policy: {e}")))?;
    Ok(Translation { policy, notes, warnings })
}

fn clauses(rec: Rec, case: &Conj, warnings: &mut Vec<String>) -> Result<Vec<Value>, String> {
    let name = rec.name();
    let mut out = Vec::new();
    if rec == Rec::Vaccination && case.codes.get(&(rec, Slot::Code)).is_none_or(|c| c.0.is_none()) {
        return Err(
            "the vaccination rules accept any product: medzk records do not keep the target disease, so a policy must name the accepted products"
                .into(),
        );
    }
    for ((_, slot), (allowed, excluded)) in &case.codes {
        let render = |v: &String| if *slot == Slot::Ext { json!({"code": v}) } else { json!(v) };
        match allowed {
            Some(a) => {
                let left: Vec<Value> = a.difference(excluded).map(render).collect();
                out.push(match &left[..] {
                    [one] => json!({"record": name, "slot": slot.name(), "op": "eq", "value": one}),
                    _ => json!({"record": name, "slot": slot.name(), "op": "in", "values": left}),
                });
            }
            None if !excluded.is_empty() => {
                let ex: Vec<Value> = excluded.iter().map(render).collect();
                out.push(json!({"record": name, "slot": slot.name(), "op": "not_in", "values": ex}));
            }
            None => {}
        }
    }
    for ((_, slot), (lo, hi)) in &case.ints {
        let (lo, hi) = ((*lo).max(if *slot == Slot::Value { 0 } else { i32::MIN as i64 + 1 }), *hi);
        let hi = hi.min(if *slot == Slot::Value { i64::MAX } else { i32::MAX as i64 });
        out.push(match (lo, hi) {
            (a, b) if a == b => json!({"record": name, "slot": slot.name(), "op": "eq", "value": a}),
            (a, b) if b == i64::MAX || (*slot == Slot::Aux && b == i32::MAX as i64) => {
                json!({"record": name, "slot": slot.name(), "op": "ge", "value": a})
            }
            (a, b) => json!({"record": name, "slot": slot.name(), "op": "between", "min": a, "max": b}),
        });
    }
    if let Some((lo, hi)) = case.diffs.get(&rec) {
        // value − aux: the record's dose number against its series size.
        let (lo, hi) = ((*lo).max(i32::MIN as i64), *hi);
        out.push(match (lo, hi) {
            (0, i64::MAX) => json!({"record": name, "op": "series_complete"}),
            (a, i64::MAX) => {
                json!({"record": name, "slot": "value", "other": "aux", "op": "ge", "offset": a})
            }
            (a, b) if a == i32::MIN as i64 => {
                json!({"record": name, "slot": "value", "other": "aux", "op": "le", "offset": b})
            }
            (a, b) if a == b => {
                json!({"record": name, "slot": "value", "other": "aux", "op": "eq", "offset": a})
            }
            (a, b) => {
                json!({"record": name, "slot": "value", "other": "aux", "op": "between", "min": a, "max": b})
            }
        });
    }
    if let Some((lo, hi, exact, rules)) = case.days.get(&rec) {
        if *lo < 0 {
            warnings.push(format!(
                "{name}: a record dated after the validation day is refused (CertLogic would accept it)"
            ));
        }
        let lo = (*lo).max(0);
        let hi = (*hi).min(MAX_WINDOW_DAYS as i64);
        if lo > hi {
            return Err(format!("{name}: the rules' time window ends before the validation day"));
        }
        let list: Vec<&str> = rules.iter().map(String::as_str).collect();
        match exact {
            Exactness::Exact => {}
            Exactness::Midnight => warnings.push(format!(
                "{}: a window ending at midnight UTC is stated in days: at exactly 00:00:00.000 UTC of its last day medzk refuses, CertLogic accepts",
                list.join(", ")
            )),
            Exactness::Rounded => warnings.push(format!(
                "{}: an hour window on a date-time is stated in whole days, soundly: medzk refuses some certificates CertLogic accepts (records keep the day, not the time)",
                list.join(", ")
            )),
        }
        out.push(json!({"record": name, "slot": "date", "op": "date_within", "min": lo, "max": hi}));
    }
    if let Some((lo, hi, rules)) = case.minutes.get(&rec) {
        if *lo < 0 {
            warnings.push(format!(
                "{name}: a sample time after the validation clock's minute is refused (CertLogic would accept it)"
            ));
        }
        let lo = (*lo).max(0);
        let hi = (*hi).min(MAX_TIME_WINDOW_MINUTES as i64);
        if lo > hi {
            return Err(format!("{name}: the rules' hour window closes before the sample time"));
        }
        let list: Vec<&str> = rules.iter().map(String::as_str).collect();
        warnings.push(format!(
            "{}: an hour window on a sample time is stated to the minute, soundly: in the minute the window opens or closes medzk refuses, CertLogic accepts (records keep the minute, not the second)",
            list.join(", ")
        ));
        let amount = |m: i64| if m % 60 == 0 { json!(m / 60) } else { json!(format!("{m} min")) };
        out.push(json!({"record": name, "slot": "time", "op": "time_within", "min": amount(lo), "max": amount(hi)}));
    }
    Ok(out)
}

struct Translator<'a> {
    rule: &'a Rule,
    rec: Rec,
    value_sets: &'a ValueSets,
}

fn op_of(e: &Value) -> Option<(&str, &Value)> {
    let o = e.as_object()?;
    if o.len() != 1 {
        return None;
    }
    o.iter().next().map(|(k, v)| (k.as_str(), v))
}

fn args(v: &Value) -> &[Value] {
    v.as_array().map_or(&[], Vec::as_slice)
}

fn var_path(e: &Value) -> Option<&str> {
    match op_of(e)? {
        ("var", Value::String(p)) => Some(p),
        _ => None,
    }
}

impl Translator<'_> {
    fn fail<T>(&self, why: impl Into<String>) -> Result<T, TranslateError> {
        refuse(self.rule, why)
    }

    fn field(&self, e: &Value) -> Result<Field, TranslateError> {
        let Some(path) = var_path(e) else {
            return match op_of(e) {
                Some(("extractFromUVCI", _)) => {
                    self.fail("extractFromUVCI: medzk records do not keep the certificate identifier")
                }
                _ => self.fail(format!("{e} is not a payload field")),
            };
        };
        fields::field(path).or_else(|why| self.fail(why))
    }

    fn formula(&self, e: &Value) -> Result<Formula, TranslateError> {
        if let Value::Bool(b) = e {
            return Ok(Formula::Const(*b));
        }
        let Some((op, a)) = op_of(e) else {
            return self.fail(format!("{e} is not a condition"));
        };
        let a = args(a);
        match (op, a) {
            ("if", [guard, then, otherwise]) => {
                // The entry guard: `payload.<x>.0` is present iff the certificate is of x's type.
                if let Some(path) = var_path(guard) {
                    if let Some(letter) = path.strip_prefix("payload.").and_then(|p| p.strip_suffix(".0")) {
                        return if letter == self.rec.letter() {
                            self.formula(then)
                        } else {
                            self.formula(otherwise)
                        };
                    }
                }
                let (g, t, o) = (self.formula(guard)?, self.formula(then)?, self.formula(otherwise)?);
                let not = |f: Formula| Formula::Not(Box::new(f));
                Ok(match (&t, &o) {
                    (Formula::Const(true), _) => Formula::Or(vec![g, o]),
                    (_, Formula::Const(true)) => Formula::Or(vec![not(g), t]),
                    (_, Formula::Const(false)) => Formula::And(vec![g, t]),
                    (Formula::Const(false), _) => Formula::And(vec![not(g), o]),
                    _ => Formula::Or(vec![Formula::And(vec![g.clone(), t]), Formula::And(vec![not(g), o])]),
                })
            }
            ("and", items) if items.len() >= 2 => {
                Ok(Formula::And(items.iter().map(|i| self.formula(i)).collect::<Result<_, _>>()?))
            }
            ("!", [inner]) => Ok(Formula::Not(Box::new(self.formula(inner)?))),
            ("===", [x, y]) => self.equals(x, y),
            ("in", [x, set]) => self.member(x, set),
            (">" | ">=" | "<" | "<=", items) => self.compare(op, items),
            ("before" | "after" | "not-before" | "not-after", [x, y]) => self.time(op, x, y),
            ("before" | "after" | "not-before" | "not-after", _) => {
                self.fail(format!("{op} with three operands (a time between two others) is not translated"))
            }
            ("reduce", _) => self
                .fail("reduce (an aggregate over the entries of one certificate) has no medzk counterpart"),
            ("extractFromUVCI", _) => {
                self.fail("extractFromUVCI: medzk records do not keep the certificate identifier")
            }
            ("var", _) => self.fail(format!("{e} used as a condition (presence of a field)")),
            (other, _) => self.fail(format!("operation {other:?} with these operands is not translated")),
        }
    }

    fn atom_codes(&self, field: Field, raw: &[&str]) -> Result<Formula, TranslateError> {
        let Field::Coded(rec, slot) = field else { unreachable!("coded fields only") };
        let values: BTreeSet<String> = raw.iter().flat_map(|v| fields::codes(rec, slot, v)).collect();
        if values.is_empty() {
            // No record holds any of these: the condition never holds.
            return Ok(Formula::Const(false));
        }
        Ok(Formula::Atom(Atom::Codes { rec, slot, values, negated: false }))
    }

    fn equals(&self, x: &Value, y: &Value) -> Result<Formula, TranslateError> {
        if let (Some(a), Some(b)) = (var_path(x), var_path(y)) {
            return self.dose_against_series("===", a, b);
        }
        let (f, literal) = if y.is_object() && !x.is_object() { (y, x) } else { (x, y) };
        let field = self.field(f)?;
        match (field, literal) {
            (Field::Coded(..), Value::String(s)) => self.atom_codes(field, &[s]),
            (Field::Int(rec, slot), Value::Number(n)) if n.is_i64() => {
                let n = n.as_i64().unwrap_or_default();
                Ok(Formula::Atom(Atom::Int { rec, slot, lo: n, hi: n }))
            }
            (Field::Coded(..), Value::Number(_)) | (Field::Int(..), Value::String(_)) => {
                Ok(Formula::Const(false))
            }
            _ => self.fail(format!("=== between {f} and {literal}")),
        }
    }

    fn member(&self, x: &Value, set: &Value) -> Result<Formula, TranslateError> {
        let field = self.field(x)?;
        let listed: Vec<Value> = match (set, var_path(set)) {
            (Value::Array(items), _) => items.clone(),
            (_, Some(path)) => {
                let Some(id) = path.strip_prefix("external.valueSets.") else {
                    return self.fail(format!(
                        "in over {path:?}: only literal arrays and value sets are translated"
                    ));
                };
                let Some(codes) = self.value_sets.get(id) else {
                    return self.fail(format!("value set {id:?} was not given (--valuesets)"));
                };
                codes.iter().map(|c| Value::String(c.clone())).collect()
            }
            _ => return self.fail(format!("in over {set}")),
        };
        match field {
            Field::Coded(..) => {
                let strings: Vec<&str> = listed.iter().filter_map(Value::as_str).collect();
                self.atom_codes(field, &strings)
            }
            Field::Int(rec, slot) => {
                let parts = listed
                    .iter()
                    .filter_map(Value::as_i64)
                    .map(|n| Formula::Atom(Atom::Int { rec, slot, lo: n, hi: n }))
                    .collect();
                Ok(Formula::Or(parts))
            }
            Field::Date(..) => self.fail("in over a date"),
        }
    }

    fn compare(&self, op: &str, items: &[Value]) -> Result<Formula, TranslateError> {
        // dn against sd: the dose number against the series size.
        if let [x, y] = items {
            if let (Some(a), Some(b)) = (var_path(x), var_path(y)) {
                return self.dose_against_series(op, a, b);
            }
        }
        let int = |v: &Value| v.as_i64();
        let (rec, slot, lo, hi) = match items {
            [x, y] if var_path(x).is_some() => {
                let Field::Int(rec, slot) = self.field(x)? else { return self.fail(format!("{op} on {x}")) };
                let Some(n) = int(y) else { return self.fail(format!("{op} against {y}")) };
                match op {
                    ">" => (rec, slot, n + 1, i64::MAX),
                    ">=" => (rec, slot, n, i64::MAX),
                    "<" => (rec, slot, i64::MIN, n - 1),
                    _ => (rec, slot, i64::MIN, n),
                }
            }
            [x, y] => {
                let mirrored = match op {
                    ">" => "<",
                    ">=" => "<=",
                    "<" => ">",
                    _ => ">=",
                };
                return self.compare(mirrored, &[y.clone(), x.clone()]);
            }
            [lo, x, hi] if matches!(op, "<" | "<=") => {
                let Field::Int(rec, slot) = self.field(x)? else { return self.fail(format!("{op} on {x}")) };
                let (Some(a), Some(b)) = (int(lo), int(hi)) else { return self.fail(format!("{op} bounds")) };
                let strict = (op == "<") as i64;
                (rec, slot, a + strict, b - strict)
            }
            _ => return self.fail(format!("{op} with these operands")),
        };
        Ok(Formula::Atom(Atom::Int { rec, slot, lo, hi }))
    }

    /// `dn OP sd` (or `sd OP dn`) as an interval of `dn − sd`.
    fn dose_against_series(&self, op: &str, a: &str, b: &str) -> Result<Formula, TranslateError> {
        let (dn, sd) = ("payload.v.0.dn", "payload.v.0.sd");
        let flipped = match (a, b) {
            _ if self.rec != Rec::Vaccination => None,
            (x, y) if x == dn && y == sd => Some(false),
            (x, y) if x == sd && y == dn => Some(true),
            _ => None,
        };
        let Some(flipped) = flipped else {
            return self.fail(format!(
                "{op} between two fields ({a}, {b}): medzk compares a slot with constants, or a dose number with its series size"
            ));
        };
        // d = dn − sd; `sd OP dn` is `−d OP 0`.
        let op = if flipped {
            match op {
                ">" => "<",
                ">=" => "<=",
                "<" => ">",
                "<=" => ">=",
                other => other,
            }
        } else {
            op
        };
        let (lo, hi) = match op {
            ">" => (1, i64::MAX),
            ">=" => (0, i64::MAX),
            "<" => (i64::MIN, -1),
            "<=" => (i64::MIN, 0),
            _ => (0, 0),
        };
        Ok(Formula::Atom(Atom::Diff { rec: self.rec, lo, hi }))
    }

    /// `(date-time, hours)` of a `plusTime` operand: the clock (`None`) or a date field.
    fn instant(&self, e: &Value) -> Result<(Option<Field>, i64), TranslateError> {
        let (base, hours) = match op_of(e) {
            Some(("plusTime", a)) => match args(a) {
                [base, Value::Number(n), Value::String(unit)] if n.is_i64() => {
                    let n = n.as_i64().unwrap_or_default();
                    let per = match unit.as_str() {
                        "hour" => 1,
                        "day" => 24,
                        "month" | "year" => {
                            return self.fail(format!(
                                "plusTime in {unit}s: calendar months and years have no fixed length in days"
                            ));
                        }
                        other => return self.fail(format!("plusTime unit {other:?}")),
                    };
                    (base, n * per)
                }
                _ => return self.fail(format!("plusTime operands {a}")),
            },
            _ => return self.fail(format!("{e}: date-times are made by plusTime")),
        };
        if var_path(base) == Some("external.validationClock") {
            return Ok((None, hours));
        }
        match self.field(base)? {
            f @ Field::Date(..) => Ok((Some(f), hours)),
            _ => self.fail(format!("plusTime on {base}, which is not a date")),
        }
    }

    fn time(&self, op: &str, x: &Value, y: &Value) -> Result<Formula, TranslateError> {
        let ((fx, hx), (fy, hy)) = (self.instant(x)?, self.instant(y)?);
        // Normalise to `clock OP field + h`.
        let (op, field, h) = match (fx, fy) {
            (None, Some(f)) => (op, f, hy - hx),
            (Some(f), None) => {
                let mirrored = match op {
                    "before" => "after",
                    "after" => "before",
                    "not-before" => "not-after",
                    _ => "not-before",
                };
                (mirrored, f, hx - hy)
            }
            _ => return self.fail(format!("{op} must compare the validation clock with a date field")),
        };
        let Field::Date(rec, kind) = field else { unreachable!("date fields only") };
        if kind == DateField::Instant {
            // A date-time (a test's sample time) is kept to the minute, `m` (UTC), and the
            // verifier's minute `n` stands for each instant in it: elapsed = clock − time
            // lies in (n − m − 1, n − m + 1) minutes. Stated so that every such instant
            // satisfies the rule: `clock ≥ time + h` needs n − m ≥ 60h + 1, `clock ≤
            // time + h` needs n − m ≤ 60h − 1 (strict comparisons the same).
            let minutes = h * 60;
            let (lo, hi) = match op {
                "not-before" | "after" => (minutes + 1, i64::MAX),
                _ => (i64::MIN, minutes - 1),
            };
            return Ok(Formula::Atom(Atom::Minutes { rec, lo, hi, rule: self.rule.identifier.clone() }));
        }
        let exact = h.rem_euclid(24) == 0;
        let (floor, ceil) = (h.div_euclid(24), -(-h).div_euclid(24));
        // elapsed = clock − field, in hours; today − date = t − D in days.
        let (lo, hi, exactness) = match (kind, op) {
            // A date is midnight UTC: elapsed ∈ [24(t−D), 24(t−D+1)).
            (DateField::Day, "not-before") => {
                (ceil, i64::MAX, if exact { Exactness::Exact } else { Exactness::Rounded })
            }
            (DateField::Day, "before") => {
                (i64::MIN, floor - 1, if exact { Exactness::Exact } else { Exactness::Rounded })
            }
            (DateField::Day, "not-after") => {
                (i64::MIN, floor - 1, if exact { Exactness::Midnight } else { Exactness::Rounded })
            }
            (DateField::Day, _) => (floor + 1, i64::MAX, Exactness::Rounded),
            // A date-time anywhere in day D: elapsed ∈ (24(t−D−1), 24(t−D+1)).
            (DateField::Instant, "not-before" | "after") => (ceil + 1, i64::MAX, Exactness::Rounded),
            (DateField::Instant, _) => (i64::MIN, floor - 1, Exactness::Rounded),
        };
        Ok(Formula::Atom(Atom::Days { rec, lo, hi, exact: exactness, rule: self.rule.identifier.clone() }))
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod property_tests;

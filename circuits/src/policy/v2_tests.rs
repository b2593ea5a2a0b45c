//! Records-v2 operators at their boundaries, native and circuit side by side: dates
//! relative to another record, counted records (and counts at k − 1, k, k + 1), and
//! decimal bounds one step either side of the scale, each against an independent oracle.
//! The 10,000-case agreement property that draws them among every operator is in
//! `agreement_tests`.

use proptest::prelude::*;
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use serde_json::{Value, json};

use super::agreement_tests::{Case, circuit_holds, native_holds, record_of};
use super::eval::EvalContext;
use super::*;
use crate::code::Code;
use crate::date::Day;
use crate::record::Slot;
use crate::record::{ABSENT, Record, RecordKind};

/// Two records (`a`, `b`) of `kind`, one clause on `a`: native and circuit verdicts.
fn pair(kind: RecordKind, clause: Value, a: &[(Slot, Fr)], b: &[(Slot, Fr)], today: Day) -> bool {
    let doc = json!({
        "statement": "policy", "version": 1, "scope": "unit",
        "shape": {"records": 2, "clauses": 6, "groups": 2},
        "records": [{"name": "a", "kind": kind}, {"name": "b", "kind": kind}],
        "groups": [{"name": "g", "clauses": [clause]}],
    });
    let policy = Policy::from_json(&doc.to_string()).unwrap();
    let case = Case { policy, records: vec![record_of(kind, a), record_of(kind, b)], today };
    let (native, circuit) = (native_holds(&case, 0), circuit_holds(&case, 0));
    assert_eq!(native, circuit, "{clause}");
    native
}

#[test]
fn relative_dates_at_their_boundaries() {
    let today = Day::from_ymd(2027, 1, 2).unwrap();
    let imm = RecordKind::Immunization;
    let day = |d: i32| vec![(Slot::Date, Fr::from(d as i64))];
    let first = Day::from_ymd(2026, 12, 20).unwrap().0;
    // The second dose at least 21 days after the first, across the year end.
    let after = json!({"record": "a", "slot": "date", "op": "ge", "other": "b.date", "offset": 21});
    for (gap, holds) in [(20, false), (21, true), (22, true), (0, false), (-21, false)] {
        assert_eq!(pair(imm, after.clone(), &day(first + gap), &day(first), today), holds, "gap {gap}");
    }
    // Between 21 and 28 days, written either way round.
    let window =
        json!({"record": "a", "slot": "date", "op": "between", "other": "b.date", "min": 21, "max": 28});
    let mirrored =
        json!({"record": "b", "slot": "date", "op": "between", "other": "a.date", "min": -28, "max": -21});
    for (gap, holds) in [(20, false), (21, true), (28, true), (29, false)] {
        assert_eq!(pair(imm, window.clone(), &day(first + gap), &day(first), today), holds, "gap {gap}");
        assert_eq!(pair(imm, mirrored.clone(), &day(first + gap), &day(first), today), holds, "gap {gap}");
    }
    // Before: lt with a negative offset; eq on the same day.
    let before = json!({"record": "a", "slot": "date", "op": "lt", "other": "b.date", "offset": -365});
    assert!(pair(imm, before.clone(), &day(first - 366), &day(first), today));
    assert!(!pair(imm, before, &day(first - 365), &day(first), today));
    let same = json!({"record": "a", "slot": "date", "op": "eq", "other": "b.date"});
    assert!(pair(imm, same.clone(), &day(first), &day(first), today));
    assert!(!pair(imm, same, &day(first + 1), &day(first), today));
    // An absent date on either side satisfies no relative comparison, even the widest.
    let absent = vec![(Slot::Date, Fr::from(ABSENT as i64))];
    for op in ["ge", "le", "gt", "lt"] {
        let c = json!({"record": "a", "slot": "date", "op": op, "other": "b.date", "offset": 0});
        assert!(!pair(imm, c.clone(), &absent, &day(first), today), "absent {op}");
        assert!(!pair(imm, c.clone(), &day(first), &absent, today), "{op} absent");
    }
    let widest = json!({"record": "a", "slot": "date", "op": "between", "other": "b.date",
                        "min": -(MAX_WINDOW_DAYS as i64), "max": MAX_WINDOW_DAYS});
    assert!(pair(imm, widest.clone(), &day(-3_000_000), &day(2_900_000), today));
    assert!(!pair(imm, widest.clone(), &absent, &day(first), today));
    assert!(!pair(imm, widest, &day(first), &absent, today));
    // Conditions compare abatement days (aux): resolved at least 5 years before the other
    // record's onset.
    let cond = RecordKind::Condition;
    let aux = |d: i32| vec![(Slot::Aux, Fr::from(d as i64))];
    let gap = json!({"record": "b", "slot": "aux", "op": "le", "other": "a.aux", "offset": -1826});
    assert!(pair(cond, gap.clone(), &aux(20_000), &aux(20_000 - 1826), today));
    assert!(!pair(cond, gap, &aux(20_000), &aux(20_000 - 1825), today));
}

#[test]
fn relative_comparisons_are_refused_where_they_mean_nothing() {
    let doc = |records: Value, clause: Value| {
        json!({"statement": "policy", "version": 1, "scope": "u", "records": records,
               "groups": [{"name": "g", "clauses": [clause]}]})
        .to_string()
    };
    let two = json!([{"name": "a", "kind": "immunization"}, {"name": "b", "kind": "condition"}]);
    let err = |records: &Value, clause: Value| {
        Policy::from_json(&doc(records.clone(), clause)).unwrap_err().to_string()
    };
    let e = err(&two, json!({"record": "a", "slot": "value", "op": "ge", "other": "b.value"}));
    assert!(e.contains("same date slot"), "{e}");
    let e = err(&two, json!({"record": "a", "slot": "date", "op": "ge", "other": "b.aux"}));
    assert!(e.contains("same date slot"), "{e}");
    let e = err(&two, json!({"record": "a", "slot": "date", "op": "ge", "other": "c.date"}));
    assert!(e.contains("unknown record \"c\""), "{e}");
    let e = err(&two, json!({"record": "a", "slot": "date", "op": "ge", "other": "a.date"}));
    assert!(e.contains("two different records"), "{e}");
    let e = err(&two, json!({"record": "a", "slot": "date", "op": "in", "other": "b.date"}));
    assert!(e.contains("cannot compare two slots"), "{e}");
    let e = err(
        &two,
        json!({"record": "a", "slot": "date", "op": "ge", "other": "b.date", "value": "2026-01-01"}),
    );
    assert!(e.contains("not a value"), "{e}");
    let e = err(
        &two,
        json!({"record": "a", "slot": "date", "op": "ge", "other": "b.date", "offset": MAX_WINDOW_DAYS as i64 + 1}),
    );
    assert!(e.contains("range is empty"), "{e}");
    // A counted record names several: compare with one of its copies.
    let counted =
        json!([{"name": "dose", "kind": "immunization", "count": 2}, {"name": "b", "kind": "condition"}]);
    let e = err(&counted, json!({"record": "b", "slot": "date", "op": "ge", "other": "dose.date"}));
    assert!(e.contains("stands for 2 records") && e.contains("dose[1]"), "{e}");
    let ok = doc(
        counted,
        json!({"record": "dose[2]", "slot": "date", "op": "ge", "other": "dose[1].date", "offset": 21}),
    );
    let p = Policy::from_json(&ok).unwrap();
    assert!(p.uses(0, 0) && p.uses(0, 1) && !p.uses(0, 2), "the other record is read, and so used");
}

#[test]
fn counted_records_expand_into_distinct_slots() {
    let doc = |count: Value, clauses: Value| {
        json!({"statement": "policy", "version": 1, "scope": "u",
               "records": [{"name": "dose", "kind": "immunization", "count": count}],
               "groups": [{"name": "g", "clauses": clauses}]})
        .to_string()
    };
    let code = json!({"record": "dose", "slot": "code", "op": "eq", "value": "cvx|208"});
    let p = Policy::from_json(&doc(json!(3), json!([code]))).unwrap();
    let names: Vec<&str> = p.records().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["dose[1]", "dose[2]", "dose[3]"]);
    let texts: Vec<String> = p.groups()[0].clauses.iter().map(|c| c.text()).collect();
    assert_eq!(texts, ["dose[1].code eq cvx|208", "dose[2].code eq cvx|208", "dose[3].code eq cvx|208"]);
    // One copy by name.
    let p =
        Policy::from_json(&doc(json!(3), json!([{"record": "dose[2]", "op": "series_complete"}]))).unwrap();
    assert!(!p.uses(0, 0) && p.uses(0, 1) && !p.uses(0, 2));
    // Expanded clauses and records count against the shape.
    let e = Policy::from_json(&doc(json!(5), json!([code]))).unwrap_err().to_string();
    assert!(e.contains("5 records"), "{e}");
    let many: Vec<Value> = (0..5).map(|_| code.clone()).collect();
    let e = Policy::from_json(&doc(json!(4), json!(many))).unwrap_err().to_string();
    assert!(e.contains("20 clauses"), "{e}");
    for bad in [json!(0), json!(9)] {
        let e = Policy::from_json(&doc(bad, json!([code]))).unwrap_err().to_string();
        assert!(e.contains("count is 1 to 8"), "{e}");
    }
    // A declared name that collides with a copy's.
    let clash = json!({"statement": "policy", "version": 1, "scope": "u",
        "records": [{"name": "dose", "kind": "immunization", "count": 2}, {"name": "dose[1]", "kind": "condition"}],
        "groups": [{"name": "g", "clauses": [code]}]});
    assert!(matches!(Policy::from_json(&clash.to_string()), Err(PolicyError::Duplicate { .. })));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    /// Counts at k − 1, k and k + 1: "at least k doses of these vaccines in the window"
    /// (a counted record) holds for the evaluator exactly when the holder has k qualifying
    /// records among others that fail at a boundary; the circuit accepts the evaluator's
    /// assignment, and refuses every assignment of distinct records when there are fewer.
    #[test]
    fn counts_hold_from_exactly_k_records(seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let today = Day::from_ymd(2026, 11, 24).unwrap().checked_add(rng.gen_range(-400..400)).unwrap();
        let k = rng.gen_range(1..=3usize);
        let m = (k + rng.gen_range(0..=2)).saturating_sub(1);
        let (lo, hi) = (rng.gen_range(0..20u32), rng.gen_range(20..400u32));
        let doc = json!({
            "statement": "policy", "version": 1, "scope": "count",
            "shape": {"records": 3, "clauses": 6, "groups": 2},
            "records": [{"name": "dose", "kind": "immunization", "count": k}],
            "groups": [{"name": "g", "clauses": [
                {"record": "dose", "slot": "code", "op": "in", "values": ["cvx|207", "cvx|208"]},
                {"record": "dose", "slot": "date", "op": "date_within", "min": lo, "max": hi}
            ]}]
        });
        let policy = Policy::from_json(&doc.to_string()).unwrap();
        let imm = RecordKind::Immunization;
        let code = |c: &str| c.parse::<Code>().unwrap().to_field();
        let day = |ago: u32| Fr::from(today.0 as i64 - ago as i64);
        let mut records: Vec<Record> = (0..m)
            .map(|i| {
                let ago = *[lo, hi, lo + (hi - lo) / 2].choose(&mut rng).unwrap();
                record_of(imm, &[(Slot::Code, code(["cvx|207", "cvx|208"][i % 2])), (Slot::Date, day(ago)), (Slot::Value, Fr::from(i as u64 + 1))])
            })
            .collect();
        // Records that fail one clause at its boundary.
        for i in 0..rng.gen_range(0..3) {
            let r = match rng.gen_range(0..3) {
                0 => record_of(imm, &[(Slot::Code, code("cvx|210")), (Slot::Date, day(lo)), (Slot::Value, Fr::from(50 + i))]),
                1 => record_of(imm, &[(Slot::Code, code("cvx|208")), (Slot::Date, day(hi + 1)), (Slot::Value, Fr::from(60 + i))]),
                _ if lo > 0 => record_of(imm, &[(Slot::Code, code("cvx|207")), (Slot::Date, day(lo - 1)), (Slot::Value, Fr::from(70 + i))]),
                _ => record_of(imm, &[(Slot::Code, code("cvx|207")), (Slot::Date, Fr::from(today.0 as i64 + 1)), (Slot::Value, Fr::from(70 + i))]),
            };
            records.push(r);
        }
        records.shuffle(&mut rng);
        let ctx = EvalContext { today, value_sets: &[] };
        let selection = super::eval::select(&policy, &records, &ctx);
        prop_assert_eq!(selection.is_ok(), m >= k, "{} qualifying of {} needed", m, k);
        let slots = |assignment: &[Option<usize>]| -> Vec<Record> {
            assignment.iter().map(|a| a.map_or_else(|| record_of(imm, &[]), |i| records[i].clone())).collect()
        };
        if let Ok(s) = &selection {
            let case = Case { policy: policy.clone(), records: slots(&s.assignment), today };
            prop_assert!(circuit_holds(&case, 0));
        } else if records.len() >= k {
            let mut order: Vec<usize> = (0..records.len()).collect();
            order.shuffle(&mut rng);
            let mut assignment: Vec<Option<usize>> = order[..k].iter().map(|i| Some(*i)).collect();
            assignment.resize(3, None);
            let case = Case { policy: policy.clone(), records: slots(&assignment), today };
            prop_assert!(!circuit_holds(&case, 0));
        }
    }

    /// Quantities with units at the scale: `value OP "d unit"` for a test of the units
    /// table holds, natively and in the circuit, exactly when the exact decimal comparison
    /// does, for record values one step either side of the bound; a bound finer than the
    /// scale is refused.
    #[test]
    fn decimal_bounds_are_exact_at_the_scale(seed in any::<u64>()) {
        let mut rng = StdRng::seed_from_u64(seed);
        let unit = crate::units::TABLE.choose(&mut rng).unwrap();
        let step = 10u64.pow(unit.scale);
        let bound = rng.gen_range(1..5_000u64);
        let written = format!("{} {}", crate::units::decimal(bound, unit.scale), unit.unit);
        let op = *["eq", "ne", "lt", "le", "gt", "ge"].choose(&mut rng).unwrap();
        let doc = |operand: &str| json!({
            "statement": "policy", "version": 1, "scope": "units",
            "shape": {"records": 2, "clauses": 6, "groups": 2},
            "records": [{"name": "a", "kind": "observation"}],
            "groups": [{"name": "g", "clauses": [
                {"record": "a", "slot": "code", "op": "eq", "value": format!("loinc|{}", unit.loinc)},
                {"record": "a", "slot": "value", "op": op, "value": operand}
            ]}]
        }).to_string();
        let policy = Policy::from_json(&doc(&written)).unwrap();
        let today = Day::from_ymd(2026, 11, 24).unwrap();
        let code = format!("loinc|{}", unit.loinc).parse::<Code>().unwrap().to_field();
        for v in [bound - 1, bound, bound + 1] {
            let r = record_of(RecordKind::Observation, &[(Slot::Code, code), (Slot::Value, Fr::from(v))]);
            let case = Case { policy: policy.clone(), records: vec![r, record_of(RecordKind::Observation, &[])], today };
            let expected = match op {
                "eq" => v == bound, "ne" => v != bound, "lt" => v < bound,
                "le" => v <= bound, "gt" => v > bound, _ => v >= bound,
            };
            prop_assert_eq!(native_holds(&case, 0), expected, "{} {} {}", v, op, written);
            prop_assert_eq!(circuit_holds(&case, 0), expected, "{} {} {}", v, op, written);
        }
        // One digit finer than the scale, not a whole step: refused, naming both neighbours.
        let finer = format!("{}{} {}", crate::units::decimal(bound, unit.scale), if unit.scale == 0 { ".5" } else { "5" }, unit.unit);
        let e = Policy::from_json(&doc(&finer)).unwrap_err().to_string();
        prop_assert!(e.contains("finer than"), "{}", e);
        prop_assert!(step >= 1);
    }
}

#[test]
fn slot_comparisons_are_refused_where_they_mean_nothing() {
    let doc = |kind: &str, clause: Value| {
        json!({"statement": "policy", "version": 1, "scope": "u", "records": [{"name": "a", "kind": kind}],
               "groups": [{"name": "g", "clauses": [clause]}]})
        .to_string()
    };
    let err = |kind: &str, clause: Value| Policy::from_json(&doc(kind, clause)).unwrap_err().to_string();
    let lt = json!({"record": "a", "slot": "value", "other": "aux", "op": "lt"});
    assert!(err("condition", lt).contains("immunization"));
    let e = err("immunization", json!({"record": "a", "slot": "date", "other": "aux", "op": "lt"}));
    assert!(e.contains("cannot be compared"), "{e}");
    let e = err("immunization", json!({"record": "a", "slot": "value", "other": "aux", "op": "ne"}));
    assert!(e.contains("cannot compare two slots"), "{e}");
    let e =
        err("immunization", json!({"record": "a", "slot": "value", "other": "aux", "op": "lt", "value": 1}));
    assert!(e.contains("not a value"), "{e}");
    let e = err("immunization", json!({"record": "a", "slot": "value", "op": "lt", "offset": 1}));
    assert!(e.contains("goes with \"other\""), "{e}");
    // series_complete is `value ge aux`: the same encoding, the same hash.
    let a = Policy::from_json(&doc("immunization", json!({"record": "a", "op": "series_complete"}))).unwrap();
    let b = Policy::from_json(&doc(
        "immunization",
        json!({"record": "a", "slot": "value", "other": "aux", "op": "ge"}),
    ))
    .unwrap();
    assert_eq!(a.hash(), b.hash());
}

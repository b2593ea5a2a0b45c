//! The native evaluator and the circuit agree: 10,000 random (policy, records) cases,
//! with operands and record values drawn at and around every operator's boundaries
//! (relative dates at the offset ± 1 and against absent dates, counted records). The
//! records-v2 operators' own boundary tests and properties are in `v2_tests`.
//!
//! Each case builds a random policy (two record slots, one or two groups of one to three
//! clauses, every operator), random records whose values sit at, just inside and just
//! outside the clauses' bounds (and at 2^64, p − 1 and other extremes), and then checks,
//! for every group, that the evaluator says "holds" exactly when the circuit's clause
//! logic is satisfiable with that group selected.

use ark_ff::Field;
use ark_r1cs_std::{alloc::AllocVar, boolean::Boolean, fields::fp::FpVar};
use ark_relations::gr1cs::ConstraintSystem;
use proptest::prelude::*;
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use serde_json::{Value, json};

use super::circuit::{Logic, placeholder_value_set_proof, value_set_lane};
use super::eval::{EvalContext, check_clause};
use super::*;
use crate::calendar::{CivilWitness, calendar_number_var};
use crate::code::Code;
use crate::date::Day;
use crate::field;
use crate::r1cs::Regions;
use crate::record::RecordKind;
use crate::record::Slot;
use crate::record::{ABSENT, Record, SLOTS};
use crate::valueset::ValueSet;
use ark_ff::AdditiveGroup;

const CODES: [&str; 5] = ["loinc|4548-4", "loinc|62238-1", "icd10|E11.9", "cvx|208", "sct|260415000"];
const ISSUERS: [&str; 3] = ["lab:a", "lab:b", "clinic:c"];

pub(super) fn value_set() -> &'static ValueSet {
    static SET: std::sync::OnceLock<ValueSet> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        let codes: Vec<Code> = CODES[..3].iter().map(|c| c.parse().unwrap()).collect();
        ValueSet::of_codes("vs", &codes).unwrap()
    })
}

/// A random clause on the record named `name` (kind `kind`), with the boundary values of
/// its operands: on its own slots, and (relative checks) on the slots of record `other`.
#[allow(clippy::type_complexity)]
fn clause(
    rng: &mut StdRng,
    name: &str,
    other: &str,
    kind: RecordKind,
    today: Day,
) -> (Value, Vec<(ClauseSlot, i128)>, Vec<(ClauseSlot, i128)>) {
    let (c, t) = own_clause(rng, name, kind, today);
    if rng.gen_range(0..8) != 0 {
        return (c, t, vec![]);
    }
    // A relative check: `slot OP other.slot + k`, values put `x − y` at k and k ± 1 (and
    // slot_value draws the absent value and other extremes).
    let slot = *[ClauseSlot::Date, ClauseSlot::Aux].choose(rng).unwrap();
    let k: i64 =
        *[0, 1, -1, 21, -21, 28, 365, MAX_WINDOW_DAYS as i64, -(MAX_WINDOW_DAYS as i64)].choose(rng).unwrap();
    let op = *["eq", "lt", "le", "gt", "ge", "between"].choose(rng).unwrap();
    let reference = format!("{other}.{slot}");
    let c = if op == "between" {
        let hi = k.saturating_add(rng.gen_range(0..30)).min(MAX_WINDOW_DAYS as i64);
        json!({"record": name, "slot": slot, "other": reference, "op": op, "min": k, "max": hi})
    } else {
        json!({"record": name, "slot": slot, "other": reference, "op": op, "offset": k})
    };
    let base = today.0 as i128 - rng.gen_range(0..400);
    (c, vec![(slot, base)], vec![(slot, base - k as i128)])
}

/// A random clause on one record's own slots.
fn own_clause(
    rng: &mut StdRng,
    name: &str,
    kind: RecordKind,
    today: Day,
) -> (Value, Vec<(ClauseSlot, i128)>) {
    let slot = *ClauseSlot::ALL.choose(rng).unwrap();
    let number = |rng: &mut StdRng, s: ClauseSlot| -> i128 {
        match rng.gen_range(0..6) {
            0 => s.min(),
            1 => s.max(),
            2 => 0,
            3 => today.0 as i128 - rng.gen_range(-3..400),
            _ => rng.gen_range(-40..200),
        }
        .clamp(s.min(), s.max())
    };
    let pick = rng.gen_range(0..10);
    if pick == 0 && kind == RecordKind::Demographics {
        let lo = rng.gen_range(0..80u32);
        let hi = lo + rng.gen_range(0..50u32);
        return (json!({"record": name, "op": "age_between", "min": lo, "max": hi}), vec![]);
    }
    if pick == 1 && kind == RecordKind::Immunization {
        return (json!({"record": name, "op": "series_complete"}), vec![]);
    }
    if (3..=5).contains(&pick) && kind == RecordKind::Observation {
        // An hour window at the case's minute: targets put the sample time at each end
        // (slot_value adds ± 1 minute), bounds on and off whole hours.
        let min = *[0u32, 1, 60, 1_440].choose(rng).unwrap();
        let max = min + *[0u32, 59, 60, 2_880, 4_319, 4_320].choose(rng).unwrap();
        let hours = |m: u32| if m % 60 == 0 { json!(m / 60) } else { json!(format!("{m} min")) };
        let c = json!({"record": name, "slot": "time", "op": "time_within", "min": hours(min), "max": hours(max)});
        let now = now_of(today).0 as i128;
        return (c, vec![(ClauseSlot::Aux, now - min as i128), (ClauseSlot::Aux, now - max as i128)]);
    }
    if pick == 2 && kind == RecordKind::Immunization {
        // Dose against series size, either way round, with an offset: boundary values put
        // `value − aux` at the offset ± 1 (slot_value adds ± 1 to the targets).
        let k: i64 = rng.gen_range(-3..=3);
        let (slot, other) = if rng.gen_bool(0.5) { ("value", "aux") } else { ("aux", "value") };
        let op = *["eq", "lt", "le", "gt", "ge", "between"].choose(rng).unwrap();
        let c = if op == "between" {
            json!({"record": name, "slot": slot, "other": other, "op": op, "min": k, "max": k + rng.gen_range(0..3)})
        } else {
            json!({"record": name, "slot": slot, "other": other, "op": op, "offset": k})
        };
        let targets =
            vec![(ClauseSlot::Value, 4), (ClauseSlot::Aux, 4 - k as i128), (ClauseSlot::Aux, 4 + k as i128)];
        return (c, targets);
    }
    if slot.numeric() {
        let a = number(rng, slot);
        let b = number(rng, slot);
        let (lo, hi) = (a.min(b), a.max(b));
        let as_json = |n: i128| -> Value {
            if slot == ClauseSlot::Date { json!(Day(n as i32).to_string()) } else { json!(n as i64) }
        };
        let v = |n: i128| if slot == ClauseSlot::Value { json!(n as u64) } else { as_json(n) };
        let op = [
            "eq",
            "ne",
            "lt",
            "le",
            "gt",
            "ge",
            "between",
            "in",
            "not_in",
            "date_within",
            "absent",
            "present",
        ]
        .choose(rng)
        .unwrap();
        let c = match *op {
            "absent" | "present" if slot.signed() => {
                return (json!({"record": name, "slot": slot, "op": op}), vec![(slot, slot.min())]);
            }
            "absent" | "present" => json!({"record": name, "slot": slot, "op": "ge", "value": v(lo)}),
            "between" => json!({"record": name, "slot": slot, "op": "between", "min": v(lo), "max": v(hi)}),
            "in" | "not_in" => json!({"record": name, "slot": slot, "op": op, "values": [v(lo), v(hi)]}),
            "date_within" if slot.signed() => {
                let lo = rng.gen_range(0..30u32);
                let hi = lo + rng.gen_range(0..400u32);
                let c = json!({"record": name, "slot": slot, "op": "date_within", "min": lo, "max": hi});
                return (c, vec![(slot, today.0 as i128 - lo as i128), (slot, today.0 as i128 - hi as i128)]);
            }
            "date_within" => json!({"record": name, "slot": slot, "op": "eq", "value": v(lo)}),
            "lt" if lo == slot.min() => json!({"record": name, "slot": slot, "op": "le", "value": v(lo)}),
            "gt" if lo == slot.max() => json!({"record": name, "slot": slot, "op": "ge", "value": v(lo)}),
            op => json!({"record": name, "slot": slot, "op": op, "value": v(lo)}),
        };
        (c, vec![(slot, lo), (slot, hi)])
    } else {
        let text = |rng: &mut StdRng| -> Value {
            match slot {
                ClauseSlot::Code => json!(CODES.choose(rng).unwrap()),
                ClauseSlot::Issuer => json!(ISSUERS.choose(rng).unwrap()),
                _ => json!({"code": CODES.choose(rng).unwrap()}),
            }
        };
        let c = match rng.gen_range(0..6) {
            0 => json!({"record": name, "slot": slot, "op": "eq", "value": text(rng)}),
            1 => json!({"record": name, "slot": slot, "op": "ne", "value": text(rng)}),
            2 => json!({"record": name, "slot": slot, "op": "in", "values": [text(rng), text(rng)]}),
            3 => json!({"record": name, "slot": slot, "op": "not_in", "values": [text(rng), text(rng)]}),
            4 => json!({"record": name, "slot": slot, "op": "in_value_set", "value_set": "vs"}),
            _ => json!({"record": name, "slot": slot, "op": "not_in_value_set", "value_set": "vs"}),
        };
        (c, vec![])
    }
}

/// A field value for `slot` near `targets` (boundary ± 1) or an extreme.
fn slot_value(rng: &mut StdRng, slot: ClauseSlot, targets: &[i128], today: Day) -> Fr {
    let signed = |n: i128| if n < 0 { -Fr::from((-n) as u128) } else { Fr::from(n as u128) };
    if !slot.numeric() {
        return match rng.gen_range(0..10) {
            0 => -Fr::ONE,
            1 => Fr::ZERO,
            _ => match slot {
                ClauseSlot::Code => CODES.choose(rng).unwrap().parse::<Code>().unwrap().to_field(),
                ClauseSlot::Issuer => crate::record::issuer_id(ISSUERS.choose(rng).unwrap()),
                _ => CODES.choose(rng).unwrap().parse::<Code>().unwrap().to_field(),
            },
        };
    }
    match rng.gen_range(0..12) {
        0 => -Fr::ONE,
        1 => Fr::from(u64::MAX) + Fr::ONE,
        2 => signed(slot.max() + 1),
        3 => signed(slot.min() - 1),
        4 => signed(today.0 as i128 + rng.gen_range(-2..3)),
        _ if !targets.is_empty() => signed(targets.choose(rng).unwrap() + rng.gen_range(-1..=1)),
        _ => signed(rng.gen_range(-5..200)),
    }
}

/// The minute a case's hour windows are evaluated at: a minute of its day.
pub(super) fn now_of(today: Day) -> crate::clock::Minute {
    crate::clock::Minute::on(today, (today.0 * 37).rem_euclid(1_440) as u16)
}

pub(super) struct Case {
    pub policy: Policy,
    pub records: Vec<Record>,
    pub today: Day,
}

/// A record of `kind` with the given slots (the rest zero).
pub(super) fn record_of(kind: RecordKind, slots: &[(Slot, Fr)]) -> Record {
    let mut s = [Fr::ZERO; SLOTS];
    s[Slot::Kind.index()] = kind.to_field();
    for (slot, v) in slots {
        s[slot.index()] = *v;
    }
    Record::from_slots(s)
}

fn case(seed: u64) -> Case {
    let mut rng = StdRng::seed_from_u64(seed);
    let today = Day::from_ymd(2026, 11, 24).unwrap().checked_add(rng.gen_range(-400..400)).unwrap();
    // Every kind but codes records (which name their record: `codes_tests`).
    let kinds_drawn = &RecordKind::ALL[..6];
    let mut kinds: Vec<RecordKind> = (0..2).map(|_| *kinds_drawn.choose(&mut rng).unwrap()).collect();
    // A third of the cases declare one counted record `a` (slots a[1], a[2]) instead of
    // `a` and `b`: clauses on `a` read both copies.
    let counted = rng.gen_range(0..3) == 0;
    if counted {
        kinds[1] = kinds[0];
    }
    let names = if counted { ["a[1]", "a[2]"] } else { ["a", "b"] };
    let mut groups = Vec::new();
    let mut targets: Vec<(usize, ClauseSlot, i128)> = Vec::new();
    for g in 0..rng.gen_range(1..=2) {
        let mut clauses = Vec::new();
        let mut value_sets = 0;
        for _ in 0..rng.gen_range(1..=3) {
            let r = rng.gen_range(0..2);
            let both = counted && rng.gen_bool(0.4);
            let name = if both { "a" } else { names[r] };
            let (mut c, t, other_targets) = clause(&mut rng, name, names[1 - r], kinds[r], today);
            if both && c.get("other").is_some() {
                // Each copy against the other one is not expressible by one clause.
                c = json!({"record": name, "slot": "date", "op": "present"});
            }
            targets.extend(other_targets.into_iter().map(|(s, v)| (1 - r, s, v)));
            let targets_on = if both { vec![0, 1] } else { vec![r] };
            if c["op"].as_str().is_some_and(|op| op.contains("value_set")) {
                value_sets += 1;
                if value_sets > VALUE_SET_LANES {
                    c = json!({"record": c["record"], "slot": c["slot"], "op": "ne", "value": {"number": 3}});
                    if c["slot"] != json!("ext") {
                        c["value"] = json!("loinc|1");
                    }
                    if c["slot"] == json!("issuer") {
                        c["value"] = json!("x");
                    }
                }
            }
            for rr in targets_on {
                targets.extend(t.iter().map(|(s, v)| (rr, *s, *v)));
            }
            clauses.push(c);
        }
        groups.push(json!({"name": format!("g{g}"), "clauses": clauses}));
    }
    // Two groups use the circuit's product form of "clause is active", four its equality
    // form (`Logic::active`).
    let groups_in_shape = if rng.gen_bool(0.5) { 2 } else { 4 };
    let doc = json!({
        "statement": "policy", "version": 1, "scope": "prop",
        "shape": {"records": 2, "clauses": 6, "groups": groups_in_shape},
        "records": if counted { json!([{"name": "a", "kind": kinds[0], "count": 2}]) }
                   else { json!([{"name": "a", "kind": kinds[0]}, {"name": "b", "kind": kinds[1]}]) },
        "value_sets": [{"name": "vs", "root": field::to_hex(&value_set().root())}],
        "groups": groups,
    });
    let policy = match Policy::from_json(&doc.to_string()) {
        Ok(p) => p.at(now_of(today).into()).expect("a clock after 2000"),
        // Rare generated documents are invalid (an empty range, a set overflowing the
        // table): fall back to the next seed rather than skipping the case.
        Err(_) => return case(seed.wrapping_mul(6364136223846793005).wrapping_add(1)),
    };
    let records = (0..2)
        .map(|r| {
            let mut slots = [Fr::ZERO; SLOTS];
            slots[Slot::Kind.index()] = kinds[r].to_field();
            for s in ClauseSlot::ALL {
                let t: Vec<i128> =
                    targets.iter().filter(|(rr, ss, _)| *rr == r && *ss == s).map(|t| t.2).collect();
                slots[s.slot().index()] = slot_value(&mut rng, s, &t, today);
            }
            if kinds[r] == RecordKind::Demographics && rng.gen_bool(0.7) {
                // A plausible birth calendar number, sometimes on the birthday boundary,
                // and the width of a full, month or year date (or one step off).
                let cal =
                    today.calendar_number().unwrap() - 10_000 * rng.gen_range(0..90) + rng.gen_range(-1..=1);
                slots[Slot::Aux.index()] = Fr::from(cal as u64);
                let width = *[0i64, 0, 30, 1130].choose(&mut rng).unwrap() + rng.gen_range(-1..=1);
                slots[Slot::Value.index()] = if width < 0 { -Fr::ONE } else { Fr::from(width as u64) };
            }
            Record::from_slots(slots)
        })
        .collect();
    Case { policy, records, today }
}

/// Whether the clause logic is satisfiable with `group` selected.
pub(super) fn circuit_holds(case: &Case, group: usize) -> bool {
    let policy = &case.policy;
    let shape = policy.shape();
    let g_n = shape.groups as usize;
    let cs = ConstraintSystem::<Fr>::new_ref();
    let w = |x: Fr| FpVar::new_witness(cs.clone(), || Ok(x)).unwrap();
    let today = FpVar::new_input(cs.clone(), || Ok(case.today.to_field())).unwrap();
    let today_cal =
        calendar_number_var(cs.clone(), &today, CivilWitness::of(case.today).unwrap_or_default()).unwrap();
    let records: Vec<[FpVar<Fr>; 7]> = case
        .records
        .iter()
        .map(|r| {
            let order = [Slot::Code, Slot::Date, Slot::Value, Slot::Aux, Slot::Ext, Slot::Issuer, Slot::Salt];
            std::array::from_fn(|i| w(r.slot(order[i])))
        })
        .collect();
    let bit = |b: bool| FpVar::from(Boolean::new_witness(cs.clone(), || Ok(b)).unwrap());
    let select: Vec<FpVar<Fr>> = (0..g_n).map(|g| bit(g == group)).collect();
    let table: Vec<FpVar<Fr>> =
        (0..TABLE_SIZE).map(|i| w(policy.table().get(i).copied().unwrap_or(Fr::ZERO))).collect();
    let clauses: Vec<_> = policy
        .clause_slots()
        .into_iter()
        .map(|slot| {
            let (lo, hi) = slot.map_or((Fr::ZERO, Fr::ZERO), |(_, c)| c.check.bounds());
            (policy.clause_header_bits(slot).into_iter().map(bit).collect::<Vec<_>>(), w(lo), w(hi))
        })
        .collect();
    let logic =
        Logic { select: &select, records: &records, today: &today, today_cal: &today_cal, table: &table };
    let mut regions = Regions::new(cs.clone());
    let lane = logic.clauses(&cs, &mut regions, &clauses, ClauseLayout::new(shape)).unwrap();
    // The lane's leaf: the prover's best proof for the routed value.
    let x = policy.groups()[group].clauses.iter().find_map(|c| match c.check {
        Check::InValueSet { .. } | Check::NotInValueSet { .. } => {
            Some(case.records[c.record].slot(c.check.slot().slot()))
        }
        _ => None,
    });
    let proof = x.and_then(|x| value_set().prove(&x)).unwrap_or_else(placeholder_value_set_proof);
    value_set_lane(&cs, &lane, &proof, false).unwrap();
    crate::r1cs::holds(&cs)
}

pub(super) fn native_holds(case: &Case, group: usize) -> bool {
    let sets = [value_set().clone()];
    let ctx = EvalContext { today: case.today, value_sets: &sets };
    case.policy.groups()[group].clauses.iter().all(|c| {
        check_clause(c, &case.records[c.record], c.check.other_record().map(|o| &case.records[o]), &ctx)
            .is_ok()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn native_evaluator_and_circuit_agree(seed in any::<u64>()) {
        let case = case(seed);
        for g in 0..case.policy.groups().len() {
            prop_assert_eq!(native_holds(&case, g), circuit_holds(&case, g), "seed {} group {}", seed, g);
        }
    }
}

#[test]
fn generated_cases_cover_both_outcomes_and_every_operator() {
    let mut holds = 0;
    let (mut relative, mut relative_holds, mut counted) = (0, 0, 0);
    let (mut timed, mut timed_holds) = (0, 0);
    let mut types = std::collections::BTreeSet::new();
    for seed in 0..400 {
        let c = case(seed);
        counted += c.policy.records().iter().any(|r| r.name.ends_with(']')) as usize;
        for (g, group) in c.policy.groups().iter().enumerate() {
            let h = native_holds(&c, g);
            holds += h as usize;
            types.extend(group.clauses.iter().map(|cl| cl.check.check_type() as usize));
            if group.clauses.iter().any(|cl| cl.check.other_record().is_some()) {
                relative += 1;
                relative_holds += h as usize;
            }
            if group.clauses.iter().any(|cl| matches!(cl.check, Check::TimeWithin { .. })) {
                timed += 1;
                timed_holds += h as usize;
            }
        }
    }
    assert!(timed > 15 && timed_holds > 3, "{timed_holds} of {timed} groups with an hour window hold");
    assert!(holds > 40, "{holds} groups hold");
    assert!(counted > 60, "{counted} cases with a counted record");
    assert!(relative > 40 && relative_holds > 5, "{relative_holds} of {relative} relative groups hold");
    assert_eq!(types.len(), CHECK_TYPES, "{types:?}");
}

/// One clause on one record: native and circuit verdicts (asserted equal).
fn single(kind: RecordKind, clause: Value, slots: &[(Slot, Fr)], today: Day) -> bool {
    let doc = json!({
        "statement": "policy", "version": 1, "scope": "unit",
        "shape": {"records": 2, "clauses": 6, "groups": 2},
        "records": [{"name": "a", "kind": kind}],
        "value_sets": [{"name": "vs", "root": field::to_hex(&value_set().root())}],
        "groups": [{"name": "g", "clauses": [clause]}],
    });
    let policy = Policy::from_json(&doc.to_string()).unwrap();
    let case =
        Case { policy, records: vec![record_of(kind, slots), Record::from_slots([Fr::ZERO; SLOTS])], today };
    let (native, circuit) = (native_holds(&case, 0), circuit_holds(&case, 0));
    assert_eq!(native, circuit, "{clause}");
    native
}

#[test]
fn every_operator_at_its_boundaries() {
    let today = Day::from_ymd(2027, 1, 2).unwrap();
    let obs = RecordKind::Observation;
    let value = |v: i64| vec![(Slot::Value, Fr::from(v as u64))];
    let on = |op: &str, n: i64| json!({"record": "a", "slot": "value", "op": op, "value": n});
    // Numeric comparisons: at the bound and one step past it.
    for (op, bound, inside, outside) in
        [("eq", 7, 7, 8), ("ne", 7, 8, 7), ("lt", 7, 6, 7), ("le", 7, 7, 8), ("gt", 7, 8, 7), ("ge", 7, 7, 6)]
    {
        assert!(single(obs, on(op, bound), &value(inside), today), "{op} {inside}");
        assert!(!single(obs, on(op, bound), &value(outside), today), "{op} {outside}");
    }
    let between = json!({"record": "a", "slot": "value", "op": "between", "min": 65, "max": 100});
    for (v, holds) in [(64, false), (65, true), (100, true), (101, false)] {
        assert_eq!(single(obs, between.clone(), &value(v), today), holds, "between {v}");
    }
    // Values at 2^64 and p − 1 never satisfy a numeric bound.
    let ge0 = on("ge", 0);
    assert!(!single(obs, ge0.clone(), &[(Slot::Value, Fr::from(u64::MAX) + Fr::ONE)], today));
    assert!(!single(obs, ge0.clone(), &[(Slot::Value, -Fr::ONE)], today));
    assert!(single(obs, ge0, &[(Slot::Value, Fr::from(u64::MAX))], today));
    // Sets.
    let code = |c: &str| vec![(Slot::Code, c.parse::<Code>().unwrap().to_field())];
    let in_set = json!({"record": "a", "slot": "code", "op": "in", "values": ["loinc|1", "loinc|2"]});
    let not_in = json!({"record": "a", "slot": "code", "op": "not_in", "values": ["loinc|1", "loinc|2"]});
    assert!(single(obs, in_set.clone(), &code("loinc|2"), today));
    assert!(!single(obs, in_set, &code("loinc|3"), today));
    assert!(!single(obs, not_in.clone(), &code("loinc|2"), today));
    assert!(single(obs, not_in, &code("loinc|3"), today));
    let in_vs = json!({"record": "a", "slot": "code", "op": "in_value_set", "value_set": "vs"});
    let not_vs = json!({"record": "a", "slot": "code", "op": "not_in_value_set", "value_set": "vs"});
    assert!(single(obs, in_vs.clone(), &code(CODES[0]), today));
    assert!(!single(obs, in_vs.clone(), &code(CODES[4]), today));
    assert!(!single(obs, in_vs, &[(Slot::Code, Fr::ZERO)], today));
    assert!(single(obs, not_vs.clone(), &code(CODES[4]), today));
    assert!(!single(obs, not_vs.clone(), &code(CODES[1]), today));
    assert!(!single(obs, not_vs, &[(Slot::Code, -Fr::ONE)], today));
    // Date windows across the year end: today is 2027-01-02.
    let window = json!({"record": "a", "slot": "date", "op": "date_within", "min": 1, "max": 2});
    let dated = |y, m, d| vec![(Slot::Date, Day::from_ymd(y, m, d).unwrap().to_field())];
    for (date, holds) in
        [((2026, 12, 31), true), ((2027, 1, 1), true), ((2026, 12, 30), false), ((2027, 1, 2), false)]
    {
        assert_eq!(single(obs, window.clone(), &dated(date.0, date.1, date.2), today), holds, "{date:?}");
    }
    assert!(!single(obs, window, &dated(2027, 1, 3), today), "a future date");
    // Ages across a leap day: born 2008-02-29; 18 on 2026-03-01.
    let demo = RecordKind::Demographics;
    let age = json!({"record": "a", "op": "age_between", "min": 18, "max": 65});
    let born = vec![(Slot::Aux, Fr::from(20_080_229u64))];
    assert!(!single(demo, age.clone(), &born, Day::from_ymd(2026, 2, 28).unwrap()));
    assert!(single(demo, age.clone(), &born, Day::from_ymd(2026, 3, 1).unwrap()));
    // 65 until the day before the 66th birthday.
    let old = vec![(Slot::Aux, Fr::from(19_610_101u64))];
    assert!(single(demo, age.clone(), &old, Day::from_ymd(2026, 12, 31).unwrap()));
    assert!(!single(demo, age.clone(), &old, Day::from_ymd(2027, 1, 1).unwrap()));
    // Partial birth dates: born in 2008 (latest 2008-12-31, width 1130) is 18 for every
    // day of 2008 only from 2026-12-31; born in 1960 is at most 65 for every day of it
    // only until 2025-12-31 (born 1960-01-01 turns 66 on 2026-01-01).
    let year = |y: u64| vec![(Slot::Aux, Fr::from(y * 10_000 + 1231)), (Slot::Value, Fr::from(1130u64))];
    assert!(!single(demo, age.clone(), &year(2008), Day::from_ymd(2026, 12, 30).unwrap()));
    assert!(single(demo, age.clone(), &year(2008), Day::from_ymd(2026, 12, 31).unwrap()));
    assert!(single(demo, age.clone(), &year(1960), Day::from_ymd(2025, 12, 31).unwrap()));
    assert!(!single(demo, age.clone(), &year(1960), Day::from_ymd(2026, 1, 1).unwrap()));
    // A month: born 1960-01 (latest 1960-01-31, width 30).
    let month = vec![(Slot::Aux, Fr::from(19_600_131u64)), (Slot::Value, Fr::from(30u64))];
    assert!(single(demo, age.clone(), &month, Day::from_ymd(2025, 12, 31).unwrap()));
    assert!(!single(demo, age.clone(), &month, Day::from_ymd(2026, 1, 1).unwrap()));
    // A width that is no calendar width still agrees (asserted inside `single`).
    single(demo, age, &[(Slot::Aux, Fr::from(19_600_131u64)), (Slot::Value, -Fr::ONE)], today);
    // Series: dose ≥ series size.
    let imm = RecordKind::Immunization;
    let series = json!({"record": "a", "op": "series_complete"});
    let doses = |d: u64, s: u64| vec![(Slot::Value, Fr::from(d)), (Slot::Aux, Fr::from(s))];
    assert!(single(imm, series.clone(), &doses(2, 2), today));
    assert!(single(imm, series.clone(), &doses(3, 2), today));
    assert!(!single(imm, series, &doses(1, 2), today));
    // Two slots: dose below the series size (an incomplete primary course), and the same
    // written from the series' side; a booster (dose above the series) by an offset.
    let below = json!({"record": "a", "slot": "value", "other": "aux", "op": "lt"});
    let above = json!({"record": "a", "slot": "aux", "other": "value", "op": "gt"});
    for (d, s, holds) in [(1, 2, true), (2, 2, false), (3, 2, false), (0, 255, true), (255, 0, false)] {
        assert_eq!(single(imm, below.clone(), &doses(d, s), today), holds, "{d} < {s}");
        assert_eq!(single(imm, above.clone(), &doses(d, s), today), holds, "{s} > {d}");
    }
    let booster = json!({"record": "a", "slot": "value", "other": "aux", "op": "ge", "offset": 1});
    assert!(single(imm, booster.clone(), &doses(3, 2), today));
    assert!(!single(imm, booster.clone(), &doses(2, 2), today));
    let exactly =
        json!({"record": "a", "slot": "value", "other": "aux", "op": "between", "min": -1, "max": 0});
    assert!(single(imm, exactly.clone(), &doses(1, 2), today));
    assert!(single(imm, exactly.clone(), &doses(2, 2), today));
    assert!(!single(imm, exactly.clone(), &doses(3, 2), today));
    assert!(!single(imm, exactly, &doses(0, 2), today));
    // Extremes of the slots: a dose of 2^64 − 1 and a series of −2^31 (what a malformed
    // record could hold) still agree (asserted inside `single`).
    let extreme = vec![(Slot::Value, Fr::from(u64::MAX)), (Slot::Aux, -Fr::from(1u64 << 31))];
    single(imm, booster, &extreme, today);
}

/// Finding 2 of the hardening review: an ongoing condition's abatement is absent, and an
/// absent date satisfies no date comparison (it used to read as 1970-01-01).
#[test]
fn absent_abatement_satisfies_no_date_comparison() {
    use crate::record::{ClinicalStatus, RecordData, Salt};
    let today = Day::from_ymd(2026, 11, 24).unwrap();
    let cond = RecordKind::Condition;
    let ongoing = RecordData::condition(
        crate::holder::HolderId(Fr::from(9u64)),
        "icd10|G40.9".parse().unwrap(),
        Day::from_ymd(2010, 5, 1).unwrap(),
        ClinicalStatus::Active,
        None,
        "clinic",
    )
    .encode(&Salt::from_field(Fr::ONE));
    assert_eq!(ongoing.slot(Slot::Aux), Fr::from(ABSENT as i64));
    let aux = |x: Fr| vec![(Slot::Aux, x)];
    let absent = aux(ongoing.slot(Slot::Aux));
    let abated = aux(Day::from_ymd(2015, 3, 1).unwrap().to_field());
    let epoch = aux(Fr::ZERO);
    let on = |op: &str, v: Value| json!({"record": "a", "slot": "aux", "op": op, "value": v});
    let comparisons = [
        json!({"record": "a", "slot": "aux", "op": "date_within", "min": 1825, "max": MAX_WINDOW_DAYS}),
        on("lt", json!("2021-01-01")),
        on("le", json!("2021-01-01")),
        on("ne", json!("2021-01-01")),
        json!({"record": "a", "slot": "aux", "op": "not_in", "values": ["2021-01-01"]}),
        json!({"record": "a", "slot": "aux", "op": "between", "min": "1900-01-01", "max": "2021-01-01"}),
        json!({"record": "a", "slot": "aux", "op": "present"}),
    ];
    for c in &comparisons {
        assert!(!single(cond, c.clone(), &absent, today), "absent satisfies {c}");
        assert!(single(cond, c.clone(), &abated, today), "abated 2015 fails {c}");
        assert!(single(cond, c.clone(), &epoch, today), "1970-01-01 is a real date: {c}");
    }
    // "Ongoing" is asked for explicitly.
    let ongoing_clause = json!({"record": "a", "slot": "aux", "op": "absent"});
    assert!(single(cond, ongoing_clause.clone(), &absent, today));
    assert!(!single(cond, ongoing_clause.clone(), &abated, today));
    assert!(!single(cond, ongoing_clause, &epoch, today));
    // The absent value cannot be named as a literal.
    let doc = |v: Value| {
        json!({"statement": "policy", "version": 1, "scope": "u", "records": [{"name": "a", "kind": "condition"}],
               "groups": [{"name": "g", "clauses": [on("eq", v)]}]})
        .to_string()
    };
    assert!(Policy::from_json(&doc(json!(i32::MIN))).is_err());
    assert!(Policy::from_json(&doc(json!(i32::MIN as i64 + 1))).is_ok());
}

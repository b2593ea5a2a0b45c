//! Hour windows (`time_within`) at their minute boundaries, native and circuit side by
//! side; the template a policy with hour windows is until a verifier's minute sets it;
//! the documents refused.

use serde_json::{Value, json};

use super::agreement_tests::{Case, circuit_holds, native_holds, record_of};
use super::eval::{EvalContext, select};
use super::*;
use crate::clock::{Clock, Minute};
use crate::date::Day;
use crate::record::Slot;
use crate::record::{ABSENT, RecordKind};

fn policy(clause: Value) -> Policy {
    let doc = json!({
        "statement": "policy", "version": 1, "scope": "unit",
        "shape": {"records": 2, "clauses": 6, "groups": 2},
        "records": [{"name": "test", "kind": "observation"}],
        "groups": [{"name": "g", "clauses": [clause]}],
    });
    Policy::from_json(&doc.to_string()).unwrap()
}

fn window(min: Value, max: Value) -> Value {
    json!({"record": "test", "slot": "time", "op": "time_within", "min": min, "max": max})
}

/// Whether an observation sampled at minute `time` (its aux slot) meets `clause` at `now`:
/// native and circuit verdicts, asserted equal.
fn holds_at(clause: &Value, time: i64, now: Minute) -> bool {
    let slots = [(Slot::Date, Fr::from(Minute(time).day().0 as i64)), (Slot::Aux, Fr::from(time))];
    let case = Case {
        policy: policy(clause.clone()).at(now.into()).unwrap(),
        records: vec![record_of(RecordKind::Observation, &slots)],
        today: now.day(),
    };
    let (native, circuit) = (native_holds(&case, 0), circuit_holds(&case, 0));
    assert_eq!(native, circuit, "{clause} sample {} at {now}", Minute(time));
    native
}

#[test]
fn hour_windows_at_their_minute_boundaries() {
    let sample: Minute = "2026-12-02T10:30Z".parse().unwrap();
    let at = |minutes: i64| Minute(sample.0 + minutes);
    // At most 72 hours old, never in the future: inclusive at both ends, to the minute.
    let w72 = window(json!(0), json!(72));
    for (after, holds) in [(-1, false), (0, true), (1, true), (4_319, true), (4_320, true), (4_321, false)] {
        assert_eq!(holds_at(&w72, sample.0, at(after)), holds, "{after} min after the sample");
    }
    // The same in minutes, and a window that starts a minute after the sample.
    let strict = window(json!("1 min"), json!("4319 min"));
    for (after, holds) in [(0, false), (1, true), (4_319, true), (4_320, false)] {
        assert_eq!(holds_at(&strict, sample.0, at(after)), holds, "{after} min after the sample");
    }
    // Hours across midnight and a month end: 48 h from 23:59.
    let late: Minute = "2026-11-30T23:59Z".parse().unwrap();
    let w48 = window(json!("0 h"), json!("48 h"));
    assert!(holds_at(&w48, late.0, Minute(late.0 + 48 * 60)));
    assert!(!holds_at(&w48, late.0, Minute(late.0 + 48 * 60 + 1)));
    // A minimum age: at least 24 h old.
    let w24 = window(json!(24), json!(87_840));
    assert!(!holds_at(&w24, sample.0, at(24 * 60 - 1)));
    assert!(holds_at(&w24, sample.0, at(24 * 60)));
}

#[test]
fn an_observation_without_a_time_meets_no_window() {
    // 0 (a v1 observation, or one without a time of day) and the absent value are outside
    // every window, the widest included, at every clock from 2000 on.
    let widest = window(json!(0), json!(MAX_TIME_WINDOW_MINUTES / 60));
    for now in [EARLIEST_CLOCK, "2026-12-04T00:00Z".parse().unwrap(), Minute(i64::from(i32::MAX))] {
        for time in [0, ABSENT as i64] {
            assert!(!holds_at(&widest, time, now), "time {time} at {now}");
        }
        assert!(holds_at(&widest, now.0 - 1, now));
    }
}

#[test]
fn a_policy_with_hour_windows_is_a_template_until_a_minute_sets_it() {
    let template = policy(window(json!(0), json!(72)));
    assert!(template.is_template() && template.has_hour_windows());
    assert_eq!(template.minute(), None);
    let now: Minute = "2026-12-04T10:30Z".parse().unwrap();
    let at = template.at(now.into()).unwrap();
    assert!(!at.is_template() && at.minute() == Some(now));
    // The template's hash names the policy; each minute's is another statement's input.
    let later = template.at(Minute(now.0 + 1).into()).unwrap();
    assert_ne!(template.hash(), at.hash());
    assert_ne!(at.hash(), later.hash());
    assert_eq!(at.hash(), at.at(now.into()).unwrap().hash(), "instantiating again at the same minute");
    // The same encoding under the statement's tag is not the template's hash.
    assert_ne!(template.hash(), Poseidon::t10().hash(tags::POLICY, &template.encode()));
    // A day is not enough; a clock before 2000 is refused.
    let e = template.at(Clock::Day(now.day())).unwrap_err().to_string();
    assert!(e.contains("time of day") && e.contains("2026-12-04T12:00Z"), "{e}");
    let e = template.at(Minute(EARLIEST_CLOCK.0 - 1).into()).unwrap_err().to_string();
    assert!(e.contains("out of range"), "{e}");
    // A template is never evaluated as if it held: the window needs the minute.
    let record = record_of(
        RecordKind::Observation,
        &[(Slot::Date, now.day().to_field()), (Slot::Aux, Fr::from(now.0 - 60))],
    );
    let ctx = EvalContext { today: now.day(), value_sets: &[] };
    let reports = select(&template, std::slice::from_ref(&record), &ctx).unwrap_err();
    assert!(reports[0].reasons[0].contains("time of day is not known"), "{reports:?}");
    assert!(select(&at, &[record], &ctx).is_ok());
    // A policy without hour windows is the same at every clock.
    let plain = policy(json!({"record": "test", "slot": "date", "op": "date_within", "min": 0, "max": 3}));
    assert!(!plain.is_template());
    assert_eq!(plain.at(Clock::Day(Day(20_000))).unwrap(), plain);
}

#[test]
fn failures_say_how_old_the_sample_is() {
    let now: Minute = "2026-12-04T10:30Z".parse().unwrap();
    let p = policy(window(json!(0), json!(72))).at(now.into()).unwrap();
    let ctx = EvalContext { today: now.day(), value_sets: &[] };
    let reason = |time: i64| {
        let r = record_of(
            RecordKind::Observation,
            &[(Slot::Date, Minute(time).day().to_field()), (Slot::Aux, Fr::from(time))],
        );
        select(&p, &[r], &ctx).unwrap_err()[0].reasons[0].clone()
    };
    let r = reason(now.0 - 72 * 60 - 1);
    assert!(r.contains("test.time within 0 h to 72 h") && r.contains("72 h 1 min old"), "{r}");
    assert!(reason(now.0 + 90).contains("1 h 30 min in the future"));
    assert!(reason(0).contains("no sample time"));
}

#[test]
fn hour_windows_are_refused_where_they_mean_nothing() {
    let err = |kind: &str, clause: Value| {
        let doc = json!({"statement": "policy", "version": 1, "scope": "u",
                         "records": [{"name": "r", "kind": kind}],
                         "groups": [{"name": "g", "clauses": [clause]}]});
        Policy::from_json(&doc.to_string()).unwrap_err().to_string()
    };
    let clause = |slot: &str, op: &str, min: Value, max: Value| json!({"record": "r", "slot": slot, "op": op, "min": min, "max": max});
    let e = err("immunization", clause("time", "time_within", json!(0), json!(72)));
    assert!(e.contains("an observation's sample time"), "{e}");
    let e = err("observation", clause("time", "date_within", json!(0), json!(3)));
    assert!(e.contains("compared with time_within"), "{e}");
    let e = err("observation", clause("date", "time_within", json!(0), json!(72)));
    assert!(e.contains("\"time\" slot"), "{e}");
    for bad in [json!(1.5), json!(-1), json!("72 hours"), json!("72h"), json!("x min"), json!(true)] {
        let e = err("observation", clause("time", "time_within", json!(0), bad.clone()));
        assert!(e.contains("whole hours"), "{bad}: {e}");
    }
    let e = err("observation", clause("time", "time_within", json!(73), json!(72)));
    assert!(e.contains("is above max"), "{e}");
    let too_long = MAX_TIME_WINDOW_MINUTES / 60 + 1;
    let e = err("observation", clause("time", "time_within", json!(0), json!(too_long)));
    assert!(e.contains("longest hour window"), "{e}");
    let e = err("observation", json!({"record": "r", "slot": "time", "op": "time_within", "value": 3}));
    assert!(e.contains("does not take \"value\""), "{e}");
}

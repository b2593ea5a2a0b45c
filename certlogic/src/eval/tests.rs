use serde_json::json;

use super::*;

fn ev(expr: Value, data: Value) -> Result<Val, EvalError> {
    evaluate(&expr, &data)
}

fn j(v: Value) -> Val {
    Val::Json(v)
}

#[test]
fn var_drills_into_objects_and_arrays_and_misses_are_null() {
    let data = json!({"payload": {"v": [{"dn": 2}]}});
    assert_eq!(ev(json!({"var": "payload.v.0.dn"}), data.clone()), Ok(j(json!(2))));
    assert_eq!(ev(json!({"var": "payload.v.1.dn"}), data.clone()), Ok(j(Value::Null)));
    assert_eq!(ev(json!({"var": "payload.t.0"}), data.clone()), Ok(j(Value::Null)));
    assert_eq!(ev(json!({"var": "payload.v.x"}), data.clone()), Ok(j(Value::Null)));
    assert_eq!(ev(json!({"var": ""}), data.clone()), Ok(j(data)));
}

#[test]
fn truthiness_follows_the_specification() {
    for (v, t) in [
        (json!(false), Some(false)),
        (Value::Null, Some(false)),
        (json!(""), Some(false)),
        (json!(0), Some(false)),
        (json!([]), Some(false)),
        (json!({}), Some(false)),
        (json!(true), Some(true)),
        (json!("x"), Some(true)),
        (json!(-1), Some(true)),
        (json!([0]), Some(true)),
        (json!({"a": 1}), Some(true)),
        (json!(0.5), None),
    ] {
        assert_eq!(Val::Json(v.clone()).truthy(), t, "{v}");
    }
    assert_eq!(Val::Time(Instant(0)).truthy(), None);
}

#[test]
fn operations() {
    let d = json!({"a": 3, "s": "LP6464-4", "xs": [1, 2, 3]});
    assert_eq!(ev(json!({"if": [{"var": "a"}, "yes", "no"]}), d.clone()), Ok(j(json!("yes"))));
    assert_eq!(ev(json!({"if": [{"var": "b"}, "yes", "no"]}), d.clone()), Ok(j(json!("no"))));
    assert_eq!(ev(json!({"===": [{"var": "s"}, "LP6464-4"]}), d.clone()), Ok(j(json!(true))));
    assert_eq!(ev(json!({"===": [{"var": "a"}, "3"]}), d.clone()), Ok(j(json!(false))));
    assert_eq!(ev(json!({"and": [true, {"var": "a"}]}), d.clone()), Ok(j(json!(3))));
    assert_eq!(ev(json!({"and": [0, {"var": "nope"}]}), d.clone()), Ok(j(json!(0))));
    assert_eq!(ev(json!({"!": [{"var": "a"}]}), d.clone()), Ok(j(json!(false))));
    assert_eq!(ev(json!({">": [{"var": "a"}, 2]}), d.clone()), Ok(j(json!(true))));
    assert_eq!(ev(json!({">=": [{"var": "a"}, 3]}), d.clone()), Ok(j(json!(true))));
    assert_eq!(ev(json!({"<": [1, {"var": "a"}, 3]}), d.clone()), Ok(j(json!(false))));
    assert_eq!(ev(json!({"<=": [1, {"var": "a"}, 3]}), d.clone()), Ok(j(json!(true))));
    assert_eq!(ev(json!({"in": [2, {"var": "xs"}]}), d.clone()), Ok(j(json!(true))));
    assert_eq!(ev(json!({"in": ["2", {"var": "xs"}]}), d.clone()), Ok(j(json!(false))));
    assert_eq!(ev(json!({"+": [{"var": "a"}, 4]}), d.clone()), Ok(j(json!(7))));
    let sum = json!({"reduce": [{"var": "xs"}, {"+": [{"var": "accumulator"}, {"var": "current"}]}, 0]});
    assert_eq!(ev(sum, d.clone()), Ok(j(json!(6))));
    let uvci = "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B";
    assert_eq!(ev(json!({"extractFromUVCI": [uvci, 1]}), d.clone()), Ok(j(json!("AT"))));
    assert_eq!(ev(json!({"extractFromUVCI": [uvci, 3]}), d.clone()), Ok(j(json!("B"))));
    assert_eq!(ev(json!({"extractFromUVCI": [uvci, 4]}), d.clone()), Ok(j(Value::Null)));
    assert_eq!(ev(json!({"extractFromUVCI": ["a::c/#/f", 5]}), d.clone()), Ok(j(json!("f"))));
    assert_eq!(ev(json!({"extractFromUVCI": [{"var": "none"}, 0]}), d), Ok(j(Value::Null)));
}

#[test]
fn date_times_compare_only_as_date_times() {
    let d = json!({"clock": "2021-06-01T20:00:00+02:00", "sc": "2021-05-30T10:12:22Z"});
    let window = |hours: i64| {
        json!({"not-after": [
            {"plusTime": [{"var": "clock"}, 0, "day"]},
            {"plusTime": [{"var": "sc"}, hours, "hour"]}
        ]})
    };
    // 18:00 UTC on 1 June is 55 h 47 min 38 s after the sample.
    assert_eq!(ev(window(55), d.clone()), Ok(j(json!(false))));
    assert_eq!(ev(window(56), d.clone()), Ok(j(json!(true))));
    assert!(ev(json!({"before": [{"var": "clock"}, {"var": "sc"}]}), d.clone()).is_err());
    assert!(ev(json!({">": [{"plusTime": [{"var": "sc"}, 0, "day"]}, 1]}), d).is_err());
}

#[test]
fn invalid_expressions_are_errors_not_panics() {
    for e in [
        json!(null),
        json!(1.5),
        json!({"frobnicate": [1]}),
        json!({"if": [true, 1]}),
        json!({"===": [1]}),
        json!({"and": [true]}),
        json!({"in": [1, 2]}),
        json!({">": [1, "2"]}),
        json!({"+": [9223372036854775807_i64, 1]}),
        json!({"plusTime": ["2021-13-01", 1, "day"]}),
        json!({"plusTime": ["2021-01-01", 1, "fortnight"]}),
        json!({"reduce": [1, 2, 3]}),
        json!({"var": [1]}),
        json!({"a": 1, "b": 2}),
        json!({"!": [0.5]}),
    ] {
        assert!(ev(e.clone(), json!({})).is_err(), "{e}");
    }
    let mut deep = json!(true);
    for _ in 0..200 {
        deep = json!({"!": [deep]});
    }
    assert!(ev(deep, json!({})).is_err());
}

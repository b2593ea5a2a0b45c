use serde_json::json;

use super::*;

fn rule(id: &str, kind: &str, logic: Value) -> Rule {
    Rule::parse(
        &json!({
            "Identifier": id, "Type": "Acceptance", "Country": "XX", "Version": "1.0.0",
            "SchemaVersion": "1.0.0", "Engine": "CERTLOGIC", "EngineVersion": "0.7.5",
            "CertificateType": kind, "Description": [{"lang": "en", "desc": "test rule"}],
            "ValidFrom": "2021-07-01T00:00:00Z", "ValidTo": "2030-06-01T00:00:00Z",
            "AffectedFields": [], "Logic": logic
        })
        .to_string(),
    )
    .unwrap()
}

fn guarded(letter: &str, body: Value) -> Value {
    json!({"if": [{"var": format!("payload.{letter}.0")}, body, true]})
}

fn products() -> Rule {
    rule("VR-XX-1", "Vaccination", guarded("v", json!({"in": [{"var": "payload.v.0.mp"}, ["EU/1/20/1528"]]})))
}

fn clock_vs(field: &str, n: i64, unit: &str, op: &str) -> Value {
    json!({op: [
        {"plusTime": [{"var": "external.validationClock"}, 0, "day"]},
        {"plusTime": [{"var": field}, n, unit]}
    ]})
}

fn groups(t: &Translation) -> Vec<Value> {
    serde_json::to_value(&t.policy).unwrap()["groups"].as_array().unwrap().clone()
}

#[test]
fn a_vaccination_rule_set_becomes_its_cases() {
    let rules = [
        products(),
        rule(
            "VR-XX-2",
            "Vaccination",
            guarded("v", json!({">=": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.sd"}]})),
        ),
        rule(
            "VR-XX-3",
            "Vaccination",
            guarded(
                "v",
                json!({"if": [clock_vs("payload.v.0.dt", 15, "day", "not-before"), true,
                    {">": [{"var": "payload.v.0.dn"}, 2]}]}),
            ),
        ),
    ];
    let t = translate(&rules, &ValueSets::new(), &Options::default()).unwrap();
    let g = groups(&t);
    assert_eq!(g.len(), 2, "{g:#?}");
    let text = serde_json::to_string(&g).unwrap();
    assert!(text.contains(r#""op":"series_complete""#), "{text}");
    assert!(text.contains(r#""min":15,"op":"date_within""#), "{text}");
    assert!(text.contains(r#""op":"ge","record":"vaccination","slot":"value","value":3"#), "{text}");
    // The product and its CVX twin.
    assert!(text.contains("EU/1/20/1528") && text.contains("cvx|208"), "{text}");
    assert_eq!(serde_json::to_value(&t.policy.scope).unwrap(), json!("border:XX"));
    assert!(t.warnings.iter().any(|w| w.contains("no Test rules")), "{:?}", t.warnings);
}

#[test]
fn hour_windows_on_sample_times_are_stated_to_the_minute_soundly_and_reported() {
    let rules = [rule(
        "TR-XX-1",
        "Test",
        guarded(
            "t",
            json!({"and": [
                {"===": [{"var": "payload.t.0.tt"}, "LP6464-4"]},
                clock_vs("payload.t.0.sc", 72, "hour", "not-after")
            ]}),
        ),
    )];
    let t = translate(&rules, &ValueSets::new(), &Options::default()).unwrap();
    let text = serde_json::to_string(&groups(&t)).unwrap();
    // 72 h after a sample taken any second of minute m holds for every instant of the
    // verifier's minute n only through n = m + 4319.
    assert!(
        text.contains(r#""max":"4319 min","min":0,"op":"time_within","record":"test","slot":"time""#),
        "{text}"
    );
    assert!(text.contains("http://loinc.org|94500-6"), "{text}");
    assert!(
        t.warnings.iter().any(|w| w.contains("TR-XX-1") && w.contains("to the minute")),
        "{:?}",
        t.warnings
    );
    // At least 24 h old: from minute m + 1441 on.
    let rules = [rule("TR-XX-2", "Test", guarded("t", clock_vs("payload.t.0.sc", 24, "hour", "not-before")))];
    let t = translate(&rules, &ValueSets::new(), &Options::default()).unwrap();
    let text = serde_json::to_string(&groups(&t)).unwrap();
    assert!(text.contains(r#""min":"1441 min","op":"time_within""#), "{text}");
    // Negating a window stated to the minute would accept too much: refused, named.
    let negated = [rule(
        "TR-XX-3",
        "Test",
        guarded("t", json!({"!": [clock_vs("payload.t.0.sc", 72, "hour", "not-after")]})),
    )];
    let e = translate(&negated, &ValueSets::new(), &Options::default()).unwrap_err().to_string();
    assert!(e.contains("TR-XX-3") && e.contains("to the minute"), "{e}");
}

#[test]
fn conditional_rules_and_contradictions() {
    // Antigen tests within 48 h, PCR within 72 h, only those two types, result negative.
    let window = |tt: &str, h: i64| {
        guarded(
            "t",
            json!({"if": [{"===": [{"var": "payload.t.0.tt"}, tt]}, clock_vs("payload.t.0.sc", h, "hour", "not-after"), true]}),
        )
    };
    let rules = [
        rule(
            "T1",
            "Test",
            guarded("t", json!({"in": [{"var": "payload.t.0.tt"}, ["LP217198-3", "LP6464-4"]]})),
        ),
        rule("T2", "Test", window("LP217198-3", 48)),
        rule("T3", "Test", window("LP6464-4", 72)),
        rule("T4", "Test", guarded("t", json!({"===": [{"var": "payload.t.0.tr"}, "260415000"]}))),
    ];
    let t = translate(&rules, &ValueSets::new(), &Options::default()).unwrap();
    let g = groups(&t);
    assert_eq!(g.len(), 2, "{g:#?}");
    let text = serde_json::to_string(&g).unwrap();
    assert!(text.contains(r#""max":"2879 min""#) && text.contains(r#""max":"4319 min""#), "{text}");
    assert!(text.contains(r#"{"code":"http://snomed.info/sct|260415000"}"#), "{text}");
}

#[test]
fn what_medzk_cannot_state_is_refused_with_the_rule_named() {
    let cases = [
        (json!({"===": [{"var": "payload.v.0.ma"}, "ORG-100030215"]}), "marketing authorisation holder"),
        (
            json!({"===": [{"extractFromUVCI": [{"var": "payload.v.0.ci"}, 1]}, "AT"]}),
            "certificate identifier",
        ),
        (
            json!({"in": [{"extractFromUVCI": [{"var": "payload.v.0.ci"}, 1]}, ["AT"]]}),
            "certificate identifier",
        ),
        (json!({"reduce": [{"var": "payload.v"}, true, true]}), "reduce"),
        (json!({">": [{"var": "payload.v.0.dn"}, {"var": "payload.v.0.dt"}]}), "between two fields"),
        (clock_vs("payload.v.0.dt", 6, "month", "not-after"), "months"),
        (
            json!({"in": [{"var": "payload.v.0.mp"}, {"var": "external.valueSets.nope"}]}),
            "value set \"nope\"",
        ),
        (json!({"!": [clock_vs("payload.v.0.dt", 365, "day", "not-after")]}), "negation of a time window"),
    ];
    for (body, expected) in cases {
        let rules = [products(), rule("VR-XX-9", "Vaccination", guarded("v", body.clone()))];
        let err = translate(&rules, &ValueSets::new(), &Options::default()).unwrap_err().to_string();
        assert!(err.contains("VR-XX-9") && err.contains(expected), "{body}: {err}");
    }
    // Any product at all: the record cannot say which disease a vaccine is for.
    let only_dates =
        [rule("VR-XX-1", "Vaccination", guarded("v", clock_vs("payload.v.0.dt", 14, "day", "not-before")))];
    let err = translate(&only_dates, &ValueSets::new(), &Options::default()).unwrap_err().to_string();
    assert!(err.contains("any product"), "{err}");
    // Leaving a rule out is said.
    let rules = [
        products(),
        rule("VR-XX-9", "Vaccination", guarded("v", json!({"===": [{"var": "payload.v.0.ma"}, "x"]}))),
    ];
    let options = Options { omit: ["VR-XX-9".to_string()].into(), ..Options::default() };
    let t = translate(&rules, &ValueSets::new(), &options).unwrap();
    assert!(t.warnings.iter().any(|w| w.contains("VR-XX-9 left out")), "{:?}", t.warnings);
    let options = Options { omit: ["VR-XX-0".to_string()].into(), ..Options::default() };
    assert!(translate(&rules, &ValueSets::new(), &options).is_err());
}

#[test]
fn dose_against_series_either_way_and_negated() {
    let series = |logic: Value| {
        let rules = [products(), rule("VR-XX-2", "Vaccination", guarded("v", logic))];
        serde_json::to_string(&groups(&translate(&rules, &ValueSets::new(), &Options::default()).unwrap()))
            .unwrap()
    };
    let (dn, sd) = (json!({"var": "payload.v.0.dn"}), json!({"var": "payload.v.0.sd"}));
    // An incomplete primary course (Austria's VR-AT-0004 form): dn < sd.
    let text = series(json!({"<": [dn, sd]}));
    assert!(text.contains(r#""offset":-1,"op":"le","other":"aux""#), "{text}");
    assert_eq!(text, series(json!({">": [sd, dn]})));
    assert_eq!(text, series(json!({"!": [{">=": [dn, sd]}]})));
    assert!(series(json!({">=": [dn, sd]})).contains("series_complete"));
    let text = series(json!({"===": [dn, sd]}));
    assert!(text.contains(r#""offset":0,"op":"eq","other":"aux""#), "{text}");
}

#[test]
fn value_sets_are_read_by_id() {
    let sets: ValueSets = [("vaccines-covid-19-names".to_string(), vec!["EU/1/20/1507".to_string()])].into();
    let rules = [rule(
        "VR-XX-1",
        "Vaccination",
        guarded(
            "v",
            json!({"in": [{"var": "payload.v.0.mp"}, {"var": "external.valueSets.vaccines-covid-19-names"}]}),
        ),
    )];
    let t = translate(&rules, &sets, &Options::default()).unwrap();
    let text = serde_json::to_string(&groups(&t)).unwrap();
    assert!(text.contains("EU/1/20/1507") && text.contains("cvx|207"), "{text}");
}

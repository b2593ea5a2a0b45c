use super::eval::{EvalContext, PolicyUnmet, PolicyWitness, check_clause, select};
use super::*;
use crate::date::Day;
use crate::fixtures::{PolicyFixture, TrialPatient, border_dcc_policy, codes, trial_policy};
use crate::holder::HolderSecret;
use crate::record::RecordData;
use crate::tree::Depth;

fn today() -> Day {
    Day::from_ymd(2026, 11, 24).unwrap()
}

fn ctx() -> EvalContext<'static> {
    EvalContext { today: today(), value_sets: &[] }
}

#[test]
fn example_policies_are_valid_and_encoded_per_shape() {
    let trial = trial_policy();
    let border = border_dcc_policy();
    assert_eq!(trial.shape(), DEFAULT_SHAPE);
    assert_eq!(trial.encode().len(), 2 + TABLE_SIZE + 3 * 16);
    assert_ne!(trial.hash(), border.hash());
    assert_eq!(trial.table().len(), 12 + 1 + 2);
    assert_eq!(border.table().len(), 5 + 1 + 2);
    // The hash is a function of the document: re-parsing the serialized form keeps it.
    assert_eq!(Policy::from_json(&trial.to_json()).unwrap().hash(), trial.hash());
    assert!(trial.uses(0, 3) && !border.uses(1, 0) && border.uses(1, 1));
}

fn doc_with(clause: serde_json::Value) -> String {
    serde_json::json!({
        "statement": "policy", "version": 1, "scope": "s",
        "records": [{"name": "r", "kind": "observation"}, {"name": "p", "kind": "demographics"}],
        "value_sets": [{"name": "vs", "root": "0x0000000000000000000000000000000000000000000000000000000000000007"}],
        "groups": [{"name": "g", "clauses": [clause]}]
    })
    .to_string()
}

fn error_of(clause: serde_json::Value) -> String {
    Policy::from_json(&doc_with(clause)).unwrap_err().to_string()
}

#[test]
fn malformed_policies_name_the_problem() {
    use serde_json::json;
    let e = error_of(json!({"record": "r", "slot": "value", "op": "approx", "value": 1}));
    assert!(e.contains("unknown operator \"approx\""), "{e}");
    let e = error_of(json!({"record": "r", "slot": "salt", "op": "eq", "value": 1}));
    assert!(e.contains("slot \"salt\" cannot be compared"), "{e}");
    let e = error_of(json!({"record": "x", "slot": "value", "op": "eq", "value": 1}));
    assert!(e.contains("unknown record \"x\""), "{e}");
    let e = error_of(json!({"record": "r", "slot": "value", "op": "between", "min": 5}));
    assert!(e.contains("needs \"max\""), "{e}");
    let e = error_of(json!({"record": "r", "slot": "value", "op": "ge", "value": 5, "min": 3}));
    assert!(e.contains("does not take \"min\""), "{e}");
    let e = error_of(json!({"record": "r", "slot": "value", "op": "lt", "value": 0}));
    assert!(e.contains("range is empty"), "{e}");
    let e = error_of(json!({"record": "r", "slot": "code", "op": "ge", "value": "loinc|1"}));
    assert!(e.contains("not numeric"), "{e}");
    let e = error_of(json!({"record": "r", "slot": "value", "op": "eq", "value": -1}));
    assert!(e.contains("outside the value slot's range"), "{e}");
    let e = error_of(json!({"record": "r", "op": "age_between", "min": 1, "max": 2}));
    assert!(e.contains("age_between reads a demographics record"), "{e}");
    let e = error_of(json!({"record": "r", "slot": "code", "op": "in_value_set", "value_set": "other"}));
    assert!(e.contains("unknown value set \"other\""), "{e}");
    let e = error_of(json!({"record": "r", "slot": "code", "op": "eq", "value": 12}));
    assert!(e.contains("\"system|code\" string"), "{e}");
    let many: Vec<String> = (0..17).map(|i| format!("loinc|{i}")).collect();
    let e = error_of(json!({"record": "r", "slot": "code", "op": "in", "values": many}));
    assert!(e.contains("set too large for the shape"), "{e}");
    let e = error_of(json!({"record": "r", "slot": "date", "op": "date_within", "min": 9, "max": 3}));
    assert!(e.contains("min (9 days) is above max (3 days)"), "{e}");
    assert!(Policy::from_json("{").unwrap_err().to_string().starts_with("invalid policy JSON"));
    let e = Policy::from_json(&doc_with(
        json!({"record": "r", "slot": "value", "op": "eq", "value": 1, "extra": 1}),
    ));
    assert!(matches!(e, Err(PolicyError::Json(_))));
}

#[test]
fn shape_limits() {
    let clause = serde_json::json!({"record": "r", "slot": "value", "op": "ge", "value": 1});
    let mut doc: PolicyDoc = serde_json::from_str(&doc_with(clause.clone())).unwrap();
    doc.groups[0].clauses = vec![serde_json::from_value(clause).unwrap(); 17];
    let e = Policy::try_from(doc.clone()).unwrap_err();
    assert_eq!(e, PolicyError::TooMany { what: "clauses", count: 17, max: 16 });
    doc.shape = Some(PolicyShape { records: 2, clauses: 20, groups: 1 });
    assert!(Policy::try_from(doc.clone()).is_ok());
    doc.shape = Some(PolicyShape { records: 1, clauses: 20, groups: 1 });
    assert_eq!(
        Policy::try_from(doc.clone()).unwrap_err(),
        PolicyError::TooMany { what: "records", count: 2, max: 1 }
    );
    doc.shape = Some(PolicyShape { records: 9, clauses: 20, groups: 1 });
    assert!(matches!(Policy::try_from(doc).unwrap_err(), PolicyError::Shape(_)));
}

fn trial_fixture(patient: &TrialPatient) -> PolicyFixture {
    let secret = HolderSecret::from_bytes(&[5; 32]).unwrap();
    let records = patient.records(&secret, today());
    PolicyFixture::new(Depth::new(8).unwrap(), secret, &records, 3, today(), 1)
}

fn trial_outcome(patient: &TrialPatient) -> Result<(), Vec<String>> {
    let f = trial_fixture(patient);
    let records: Vec<_> = f.records.iter().map(|(r, _)| r.clone()).collect();
    select(&trial_policy(), &records, &ctx()).map(|_| ()).map_err(|reports| reports[0].reasons.clone())
}

#[test]
fn trial_boundaries() {
    let ok = TrialPatient::eligible();
    assert_eq!(trial_outcome(&ok), Ok(()));
    // HbA1c 6.5 and 10.0 % included, 6.4 and 10.1 % not.
    for (v, holds) in [(65, true), (100, true), (64, false), (101, false)] {
        let p = TrialPatient { hba1c: v, ..TrialPatient::eligible() };
        assert_eq!(trial_outcome(&p).is_ok(), holds, "hba1c {v}");
    }
    // Measured 90 days ago included, 91 not; tomorrow not.
    for (age, holds) in [(90, true), (91, false), (0, true), (-1, false)] {
        let p = TrialPatient { hba1c_age: age, ..TrialPatient::eligible() };
        assert_eq!(trial_outcome(&p).is_ok(), holds, "hba1c age {age}");
    }
    // eGFR ≥ 45.
    for (v, holds) in [(45, true), (44, false)] {
        let p = TrialPatient { egfr: v, ..TrialPatient::eligible() };
        assert_eq!(trial_outcome(&p).is_ok(), holds, "egfr {v}");
    }
    let p = TrialPatient { diagnosis: "icd10|E10.9".parse().unwrap(), ..TrialPatient::eligible() };
    let reasons = trial_outcome(&p).unwrap_err();
    assert_eq!(
        reasons,
        vec![
            "diagnosis.code in [icd10|E11, icd10|E11.0, icd10|E11.1, … (12 values)]: the value is not among them"
        ]
    );
    let p = TrialPatient { hba1c: 105, ..TrialPatient::eligible() };
    assert_eq!(
        trial_outcome(&p).unwrap_err(),
        vec!["hba1c.value between 6.5 % and 10.0 %: the value is 10.5 %"]
    );
}

#[test]
fn ages_across_birthdays_and_leap_days() {
    // Today is 2026-11-24. Born 2008-11-24: 18 today. Born 2008-11-25: 17.
    for (birth, holds) in
        [((2008, 11, 24), true), ((2008, 11, 25), false), ((1961, 11, 25), true), ((1960, 11, 24), false)]
    {
        let p = TrialPatient {
            birth: Day::from_ymd(birth.0, birth.1, birth.2).unwrap(),
            ..TrialPatient::eligible()
        };
        assert_eq!(trial_outcome(&p).is_ok(), holds, "born {birth:?}");
    }
    // Born on 29 February 2008: 18 on 2026-03-01, still 17 on 2026-02-28.
    let secret = HolderSecret::from_bytes(&[6; 32]).unwrap();
    let record =
        RecordData::demographics(secret.id(), Day::from_ymd(2008, 2, 29).unwrap(), codes::female(), "r")
            .encode(&crate::record::Salt::from_field(Fr::from(1u64)));
    let policy = trial_policy();
    let age = &policy.groups()[0].clauses[0];
    let at = |y, m, d| EvalContext { today: Day::from_ymd(y, m, d).unwrap(), value_sets: &[] };
    assert!(check_clause(age, &record, None, &at(2026, 2, 28)).is_err());
    assert!(check_clause(age, &record, None, &at(2026, 3, 1)).is_ok());
    assert!(check_clause(age, &record, None, &at(2028, 2, 29)).is_ok());
}

#[test]
fn border_groups() {
    let secret = HolderSecret::from_bytes(&[7; 32]).unwrap();
    let id = secret.id();
    let t = today();
    let vaccinated = RecordData::immunization(id, "cvx|208".parse().unwrap(), Day(t.0 - 30), 2, 2, "L1", "c");
    let half = RecordData::immunization(id, "cvx|208".parse().unwrap(), Day(t.0 - 30), 1, 2, "L1", "c");
    let negative =
        RecordData::observation(id, codes::pcr(), Day(t.0 - 1), 0, Some(codes::not_detected()), "lab");
    let stale =
        RecordData::observation(id, codes::pcr(), Day(t.0 - 4), 0, Some(codes::not_detected()), "lab");
    let positive =
        RecordData::observation(id, codes::pcr(), Day(t.0 - 11), 1, Some(codes::detected()), "lab");
    let policy = border_dcc_policy();
    let outcome = |records: &[RecordData]| {
        let f = PolicyFixture::new(Depth::new(8).unwrap(), secret.clone(), records, 0, t, 2);
        let rs: Vec<_> = f.records.iter().map(|(r, _)| r.clone()).collect();
        select(&policy, &rs, &ctx()).map(|s| policy.groups()[s.group].name.clone())
    };
    assert_eq!(outcome(std::slice::from_ref(&vaccinated)), Ok("vaccinated".into()));
    assert_eq!(outcome(&[half.clone(), negative.clone()]), Ok("tested".into()));
    assert_eq!(outcome(&[half.clone(), positive.clone()]), Ok("recovered".into()));
    let reports = outcome(&[half, stale]).unwrap_err();
    assert_eq!(reports.len(), 3);
    assert!(reports[0].reasons[0].contains("dose 1 of a 2-dose series"), "{reports:?}");
    assert!(reports[1].reasons[0].contains("it is 4 day(s) old"), "{reports:?}");
    assert!(reports[2].reasons[0].contains("not among them"), "{reports:?}");
}

#[test]
fn witness_checks_holder_distinctness_and_registry() {
    let f = trial_fixture(&TrialPatient::eligible());
    let policy = trial_policy();
    let depth = Depth::new(8).unwrap();
    let w = PolicyWitness::build(&policy, f.secret.clone(), &f.credentials(), &ctx()).unwrap();
    assert_eq!(w.check(&policy, depth, &f.root(), &ctx()), Ok(()));
    assert_eq!(
        w.check(&policy, depth, &(f.root() + Fr::from(1u64)), &ctx()),
        Err(PolicyUnmet::NotInRegistry("patient".into()))
    );
    let mut other = w.clone();
    other.secret = HolderSecret::from_bytes(&[9; 32]).unwrap();
    assert_eq!(
        other.check(&policy, depth, &f.root(), &ctx()),
        Err(PolicyUnmet::HolderMismatch("patient".into()))
    );
    // Another holder's HbA1c in the registry cannot be combined with this holder's records.
    let stranger = HolderSecret::from_bytes(&[10; 32]).unwrap();
    let mut records = TrialPatient::eligible().records(&f.secret, today());
    records.push(TrialPatient::eligible().records(&stranger, today())[2].clone());
    let g = PolicyFixture::new(depth, f.secret.clone(), &records, 0, today(), 3);
    let mut creds = g.credentials();
    creds.swap(2, 4);
    let w = PolicyWitness::build(&policy, f.secret.clone(), &creds[..4], &ctx());
    let Err(PolicyUnmet::NoGroup(reports)) = w else { panic!("only the stranger's HbA1c is left") };
    assert_eq!(
        reports[0].reasons,
        vec!["needs 2 Observation record(s) (hba1c, egfr), the holder has 1".to_string()]
    );
}

fn hba1c_doc(bound: serde_json::Value, code: &str) -> String {
    serde_json::json!({
        "statement": "policy", "version": 1, "scope": "s",
        "records": [{"name": "hba1c", "kind": "observation"}],
        "groups": [{"name": "g", "clauses": [
            {"record": "hba1c", "slot": "code", "op": "in", "values": [code, "loinc|17856-6"]},
            {"record": "hba1c", "slot": "value", "op": "between", "min": bound, "max": "10.5 %"}
        ]}]
    })
    .to_string()
}

#[test]
fn quantities_with_units_are_the_integers_of_the_record_scale() {
    use serde_json::json;
    // "6.5 %" is HbA1c's 65 (scale 1): the same checks, the same hash as the integer form.
    let with_unit = Policy::from_json(&hba1c_doc(json!("6.5 %"), "loinc|4548-4")).unwrap();
    let plain =
        Policy::from_json(&hba1c_doc(json!(65), "loinc|4548-4").replace("\"10.5 %\"", "105")).unwrap();
    assert_eq!(with_unit.hash(), plain.hash());
    assert_eq!(with_unit.groups()[0].clauses[1].text(), "hba1c.value between 6.5 % and 10.5 %");
    // The integer form is shown in the unit too.
    assert_eq!(plain.groups()[0].clauses[1].text(), "hba1c.value between 6.5 % and 10.5 %");
    // Finer than the scale: refused with the two nearest bounds.
    let e = Policy::from_json(&hba1c_doc(json!("6.55 %"), "loinc|4548-4")).unwrap_err().to_string();
    assert!(e.contains("6.5 %") && e.contains("6.6 %"), "{e}");
    // A unit the test is not measured in, and a record whose test is not named.
    let e = Policy::from_json(&hba1c_doc(json!("48 mmol/mol"), "loinc|4548-4")).unwrap_err().to_string();
    assert!(e.contains("mmol/mol") && e.contains("write the bound in %"), "{e}");
    let e = error_of(json!({"record": "r", "slot": "value", "op": "ge", "value": "6.5 %"}));
    assert!(e.contains("needs the record's test"), "{e}");
    // Codes of two units in one clause: no unit to convert into.
    let e = Policy::from_json(&hba1c_doc(json!("6.5 %"), "loinc|2345-7")).unwrap_err().to_string();
    assert!(e.contains("needs the record's test"), "{e}");

    // A failing patient is told the value in the unit.
    let secret = HolderSecret::from_bytes(&[7; 32]).unwrap();
    let record = RecordData::observation(
        secret.id(),
        "loinc|4548-4".parse().unwrap(),
        Day(today().0 - 10),
        112,
        None,
        "lab:x",
    )
    .encode(&crate::record::Salt::from_field(Fr::from(3u64)));
    let reasons = select(&with_unit, &[record], &ctx()).unwrap_err();
    assert!(reasons[0].reasons.iter().any(|r| r.contains("the value is 11.2 %")), "{reasons:?}");
}

#[test]
fn a_medication_taken_for_a_year_and_not_stopped() {
    use crate::record::{MedicationStatus, Salt};
    let doc = serde_json::json!({
        "statement": "policy", "version": 1, "scope": "trial:x",
        "records": [{"name": "metformin", "kind": "medication"}],
        "groups": [{"name": "on metformin for a year", "clauses": [
            {"record": "metformin", "slot": "code", "op": "in", "values": ["rxnorm|860975", "rxnorm|861007"]},
            {"record": "metformin", "slot": "value", "op": "eq", "value": 1},
            {"record": "metformin", "slot": "date", "op": "date_within", "min": 365, "max": 36500},
            {"record": "metformin", "slot": "aux", "op": "absent"}
        ]}]
    });
    let policy = Policy::from_json(&doc.to_string()).unwrap();
    let secret = HolderSecret::from_bytes(&[7; 32]).unwrap();
    let med = |start: i32, status: MedicationStatus, end: Option<Day>| {
        RecordData::medication(
            secret.id(),
            "rxnorm|860975".parse().unwrap(),
            Day(today().0 - start),
            status,
            end,
            "gp:x",
        )
        .encode(&Salt::from_field(Fr::from(11u64)))
    };
    let holds = |r| select(&policy, &[r], &ctx()).is_ok();
    assert!(holds(med(365, MedicationStatus::Active, None)));
    assert!(!holds(med(364, MedicationStatus::Active, None)), "not yet a year");
    assert!(!holds(med(400, MedicationStatus::Stopped, Some(Day(today().0 - 3)))), "stopped");
    assert!(!holds(med(400, MedicationStatus::Active, Some(Day(today().0 - 3)))), "an end is stated");
    // Issue-time checks.
    let check = |r: &RecordData| crate::issuance::check_record(r, today());
    let end_before = RecordData::medication(
        secret.id(),
        "rxnorm|860975".parse().unwrap(),
        today(),
        MedicationStatus::Completed,
        Some(Day(today().0 - 1)),
        "gp:x",
    );
    assert!(check(&end_before).unwrap_err().to_string().contains("before the start"));
    let mut bad_status = end_before.clone();
    bad_status.aux = crate::record::ABSENT;
    bad_status.value = 9;
    assert!(check(&bad_status).unwrap_err().to_string().contains("status 9"));
}

/// Policies written before records v2 keep their hashes: these are the hashes the v1
/// implementation (commit 343c4ce, before relative dates, counts and partial dates)
/// computed for the example documents. The fields v2 added to a clause header come after
/// the v1 fields, so unset they pack to the same field elements.
#[test]
fn v1_documents_keep_their_hashes() {
    for (text, v1_hash) in [
        (
            include_str!("../../../examples/policies/border-dcc.json").to_string(),
            "0x4e754cf1e11b5bef866878c8191a91cd33e14a3d11762ec34a3dc252b300cbc7",
        ),
        (
            // Its test groups now have hour windows; as written for v1, in whole days:
            include_str!("../../../examples/policies/border-de.json")
                .replace(
                    r#""slot": "time", "op": "time_within", "min": 0, "max": "2879 min""#,
                    r#""slot": "date", "op": "date_within", "min": 0, "max": 1"#,
                )
                .replace(
                    r#""slot": "time", "op": "time_within", "min": 0, "max": "4319 min""#,
                    r#""slot": "date", "op": "date_within", "min": 0, "max": 2"#,
                ),
            "0x253905be02384fb27a796cf772652b78baf40ec7d6ca88bc078aee2a2566c5bd",
        ),
        (
            include_str!("../../../examples/policies/trial-dibasy.json").to_string(),
            "0x38e64c9cefe4b24e1fd0f86bb2fc05b89d4f5fab856661b8fb3837a452daa56c",
        ),
        (
            include_str!("../../../examples/policies/trial-igbj.json").to_string(),
            "0x1c35a8b917dffcf634491990c21880bd2a24f717ccb1ac4a37b4737e91190de0",
        ),
        (
            include_str!("../../../examples/policies/trial-t2d.json").to_string(),
            "0x6ecb9d8ddd0f59cdaa16c36e0ac8dd058349a9c8e5a50d695569fed4e0d09e3d",
        ),
    ] {
        let p = Policy::from_json(&text).unwrap();
        assert_eq!(crate::field::to_hex(&p.hash()), v1_hash, "{}", p.groups()[0].name);
    }
}

mod robustness {
    //! Reading a policy never panics: random documents over the v2 constructs (counts,
    //! relative dates, two-slot comparisons, units, absences, hour windows, codes records),
    //! many of them invalid, are
    //! either refused with an error or encoded, hashed and evaluated.
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    fn pick<T: Clone>(choices: &[T], i: usize) -> T {
        choices[i % choices.len()].clone()
    }

    /// A document over records `a` (sometimes counted) and `b`: mostly well-formed clauses
    /// of every v2 form, each mutated now and then into something invalid.
    fn document(seed: &[usize]) -> Value {
        let mut n = seed.iter().copied().cycle();
        let mut next = move || n.next().unwrap_or(0);
        let kinds = ["immunization", "observation", "condition", "demographics", "medication", "absence"];
        let count = pick(&[None, None, Some(2), Some(3), Some(0), Some(9)], next());
        let mut a = json!({"name": "a", "kind": pick(&kinds, next())});
        if let Some(c) = count {
            a["count"] = json!(c);
        }
        let mut records = vec![a, json!({"name": "b", "kind": pick(&kinds, next())})];
        // Now and then a codes record `c`, of `b`, of a copy of `a`, of nothing or of itself
        // (drawn from the seed's end, so the rest of the document is as before).
        let end = |k: usize| seed.get(seed.len().wrapping_sub(k)).copied().unwrap_or(0);
        if let Some(of) =
            pick(&[None, None, None, None, Some("b"), Some("b"), Some("a[1]"), Some("c"), Some("x")], end(1))
        {
            records.push(json!({"name": "c", "kind": pick(&["codes", "codes", "codes", "observation"], end(2)), "of": of}));
        }
        let records = json!(records);
        let names = ["a", "a", "b", "b", "a[1]", "a[2]", "a[3]", "c"];
        let others =
            ["b.date", "a[1].date", "a[2].date", "a.date", "b.aux", "aux", "value", "x.date", ".date"];
        let values = [
            json!(1),
            json!(-1),
            json!("2026-01-01"),
            json!("6.5 %"),
            json!("6.55 %"),
            json!("loinc|4548-4"),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(null),
            json!([1, 2]),
            json!({"code": "sct|1"}),
            json!(2147483647),
            json!(-2147483648),
        ];
        let mut groups = Vec::new();
        for g in 0..1 + next() % 3 {
            let mut clauses = Vec::new();
            for _ in 0..1 + next() % 4 {
                let rec = pick(&names, next());
                let other = pick(&others, next());
                let kind = if rec.starts_with('a') {
                    records[0]["kind"].clone()
                } else {
                    records[1]["kind"].clone()
                };
                let mut c = match (kind.as_str().unwrap_or_default(), next() % 4) {
                    ("immunization", 0) => json!({"record": rec, "op": "series_complete"}),
                    ("immunization", 1) => {
                        json!({"record": rec, "slot": "value", "other": "aux", "op": "lt"})
                    }
                    ("observation", 0) => {
                        json!({"record": rec, "slot": "code", "op": "in", "values": ["loinc|4548-4", "loinc|17856-6"]})
                    }
                    ("observation", 1) => {
                        json!({"record": rec, "slot": "value", "op": "ge", "value": "6.5 %"})
                    }
                    ("observation", 2) => {
                        json!({"record": rec, "slot": "time", "op": "time_within", "min": 0, "max": "4319 min"})
                    }
                    ("demographics", _) => json!({"record": rec, "op": "age_between", "min": 18, "max": 65}),
                    ("condition" | "medication" | "absence", 0) => {
                        json!({"record": rec, "slot": "aux", "op": "absent"})
                    }
                    ("absence", 1) => {
                        json!({"record": rec, "slot": "code", "op": "eq", "value": "urn:medzk:value-set|0x07"})
                    }
                    (_, 2) => {
                        json!({"record": rec, "slot": "date", "op": "between", "other": other, "min": 21, "max": 365})
                    }
                    (_, 3) => {
                        json!({"record": rec, "slot": "date", "op": "ge", "other": other, "offset": 21})
                    }
                    _ => json!({"record": rec, "slot": "date", "op": "date_within", "min": 0, "max": 365}),
                };
                // Now and then, one field replaced by something else.
                match next() % 16 {
                    0 => c["value"] = pick(&values, next()),
                    1 => {
                        c["op"] = json!(pick(
                            &["eq", "ne", "lt", "between", "in", "count", "absent", "time_within"],
                            next()
                        ))
                    }
                    2 => c["offset"] = json!(pick(&[0i64, 1 << 30, -(1 << 31), i64::MAX], next())),
                    3 => {
                        c["slot"] =
                            json!(pick(&["code", "date", "value", "aux", "ext", "salt", "time"], next()))
                    }
                    4 => c["max"] = json!(pick(&["72 h", "1 min", "-1 min", "99999999999 h"], next())),
                    _ => {}
                }
                clauses.push(c);
            }
            groups.push(json!({"name": format!("g{g}"), "clauses": clauses}));
        }
        let shape = pick(&[(8, 32, 8), (8, 32, 8), (4, 16, 4), (2, 4, 1)], next());
        json!({
            "statement": "policy", "version": 1, "scope": "robust",
            "shape": {"records": shape.0, "clauses": shape.1, "groups": shape.2},
            "records": records,
            "value_sets": [{"name": "vs", "root": "0x0000000000000000000000000000000000000000000000000000000000000007"}],
            "groups": groups,
        })
    }

    #[test]
    fn generated_documents_are_often_valid() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let valid = (0..500)
            .filter(|_| {
                let seed: Vec<usize> = (0..64).map(|_| rng.gen_range(0..1000)).collect();
                Policy::from_json(&document(&seed).to_string()).is_ok()
            })
            .count();
        // Enough that the valid path (encode, hash, select) runs dozens of times per run.
        assert!(valid >= 10, "{valid} of 500 generated documents are valid");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn any_document_is_refused_or_encoded_without_panicking(seed in proptest::collection::vec(0usize..1000, 64)) {
            let doc = document(&seed);
            if let Ok(p) = Policy::from_json(&doc.to_string()) {
                let _ = p.hash();
                prop_assert_eq!(p.encode().len(), 2 + TABLE_SIZE + 3 * p.shape().clauses as usize);
                let secret = HolderSecret::from_bytes(&[3; 32]).unwrap();
                let id = secret.id();
                let dose = RecordData::immunization(id, "cvx|208".parse().unwrap(), today(), 1, 2, "L", "c");
                let salt = crate::record::Salt::from_field(Fr::from(5u64));
                let mut records: Vec<_> = [
                    dose.clone(),
                    RecordData::demographics_born(id, "1964".parse().unwrap(), "gender|female".parse().unwrap(), "c"),
                    RecordData::absence(id, Fr::from(7u64), today(), None, "c"),
                ]
                .iter()
                .map(|r| r.encode(&salt))
                .collect();
                // The dose's codes record, tied to it by the salt.
                let codes = RecordData::codes_of(&dose, "sct|1119349007".parse().unwrap(), None);
                records.push(codes.encode(&salt.companion()));
                let _ = select(&p, &records, &ctx());
                // Instantiated at a minute (hour windows), or refused for want of one.
                let now = crate::clock::Minute::on(today(), 600);
                let at = p.at(now.into()).unwrap();
                let _ = (at.hash(), select(&at, &records, &ctx()));
                prop_assert_eq!(p.at(today().into()).is_ok(), !p.has_hour_windows());
            }
        }
    }
}

//! Codes records (a record's further codes, in a companion tied to it by its salt): read
//! with their record, refused with another one — natively and in the whole circuit — and
//! the documents refused.

use serde_json::{Value, json};

use super::eval::{EvalContext, PolicyWitness, select};
use super::*;
use crate::code::Code;
use crate::date::Day;
use crate::fixtures::PolicyFixture;
use crate::holder::HolderSecret;
use crate::record::RecordData;
use crate::tree::Depth;

const MODERNA: &str = "cvx|207";
const PFIZER: &str = "cvx|208";
const BIONTECH: &str = "urn:dcc:ma|ORG-100030215";
const MODERNA_BIOTECH: &str = "urn:dcc:ma|ORG-100031184";

fn today() -> Day {
    Day::from_ymd(2026, 11, 24).unwrap()
}

fn code(text: &str) -> Code {
    text.parse().unwrap()
}

fn policy(groups: Value) -> Policy {
    let doc = json!({
        "statement": "policy", "version": 1, "scope": "border:XX",
        "shape": {"records": 3, "clauses": 8, "groups": 2},
        "records": [{"name": "v", "kind": "immunization"}, {"name": "v_codes", "kind": "codes", "of": "v"}],
        "groups": groups,
    });
    Policy::from_json(&doc.to_string()).unwrap()
}

/// A dose of `product` made by `manufacturer`, and its codes record.
fn dose(secret: &HolderSecret, product: &str, manufacturer: &str) -> [RecordData; 2] {
    let main =
        RecordData::immunization(secret.id(), code(product), Day(today().0 - 40), 2, 2, "L1", "dcc:XX");
    let codes = RecordData::codes_of(&main, code(manufacturer), Some(code("sct|1119349007")));
    [main, codes]
}

/// The whole circuit on `witness`: the first region that fails, if any.
fn failing(policy: &Policy, f: &PolicyFixture, w: PolicyWitness) -> Option<&'static str> {
    super::circuit_tests::synth(policy, f, w).failing_region()
}

fn fixture(records: &[RecordData]) -> PolicyFixture {
    let secret = HolderSecret::from_bytes(&[6; 32]).unwrap();
    PolicyFixture::new(Depth::new(4).unwrap(), secret, records, 3, today(), 11)
}

#[test]
fn a_codes_record_is_read_with_its_record() {
    let p = policy(json!([{"name": "pfizer by biontech", "clauses": [
        {"record": "v", "slot": "code", "op": "eq", "value": PFIZER},
        {"record": "v_codes", "slot": "code", "op": "eq", "value": BIONTECH},
        {"record": "v_codes", "slot": "ext", "op": "eq", "value": {"code": "sct|1119349007"}}
    ]}]));
    // The group reads the vaccination through its codes record too.
    assert!(p.uses(0, 0) && p.uses(0, 1));
    let secret = HolderSecret::from_bytes(&[6; 32]).unwrap();
    let f = fixture(&dose(&secret, PFIZER, BIONTECH));
    let ctx = EvalContext { today: today(), value_sets: &[] };
    let w = PolicyWitness::build(&p, f.secret.clone(), &f.credentials(), &ctx).unwrap();
    w.check(&p, f.tree.depth(), &f.root(), &ctx).unwrap();
    assert_eq!(failing(&p, &f, w), None);
}

#[test]
fn a_codes_record_of_another_record_is_refused() {
    // Two doses, each with its codes record; the policy asks for a Pfizer dose made by
    // Moderna's marketing authorisation holder: only by pairing the Pfizer dose with the
    // Moderna dose's codes record.
    let p = policy(json!([{"name": "mixed", "clauses": [
        {"record": "v", "slot": "code", "op": "eq", "value": PFIZER},
        {"record": "v_codes", "slot": "code", "op": "eq", "value": MODERNA_BIOTECH}
    ]}]));
    let secret = HolderSecret::from_bytes(&[6; 32]).unwrap();
    let [pfizer, pfizer_codes] = dose(&secret, PFIZER, BIONTECH);
    let [moderna, moderna_codes] = dose(&secret, MODERNA, MODERNA_BIOTECH);
    let f = fixture(&[pfizer, pfizer_codes, moderna, moderna_codes]);
    let ctx = EvalContext { today: today(), value_sets: &[] };
    let records: Vec<_> = f.credentials().into_iter().map(|(r, _)| r).collect();
    // No assignment holds (the closest one found may fail on the link or on the code).
    assert!(select(&p, &records, &ctx).is_err());
    let only_moderna_codes = [records[0].clone(), records[3].clone()];
    let reports = select(&p, &only_moderna_codes, &ctx).unwrap_err();
    assert_eq!(reports[0].reasons, ["v_codes: not the codes record of the v record shown"]);
    // A prover that pairs them anyway: the native check and the circuit refuse.
    let credentials = f.credentials();
    let mut forged = vec![None; 3];
    forged[0] = Some(credentials[0].clone());
    forged[1] = Some(credentials[3].clone());
    let w = PolicyWitness { secret: f.secret.clone(), group: 0, records: forged, value_set: None };
    let e = w.check(&p, f.tree.depth(), &f.root(), &ctx).unwrap_err().to_string();
    assert!(e.contains("not the codes record of v"), "{e}");
    assert_eq!(failing(&p, &f, w), Some("codes records"));
    // Paired rightly, the Moderna dose meets a Moderna clause.
    let q = policy(json!([{"name": "moderna", "clauses": [
        {"record": "v", "slot": "code", "op": "eq", "value": MODERNA},
        {"record": "v_codes", "slot": "code", "op": "eq", "value": MODERNA_BIOTECH}
    ]}]));
    let w = PolicyWitness::build(&q, f.secret.clone(), &credentials, &ctx).unwrap();
    assert_eq!(w.records[1].as_ref().map(|(r, _)| r.commitment()), Some(credentials[3].0.commitment()));
    assert_eq!(failing(&q, &f, w), None);
}

#[test]
fn a_group_that_does_not_read_the_codes_record_proves_without_it() {
    // Group 2 reads only the vaccination: the codes record's slot holds a placeholder,
    // whose salt follows the vaccination's so that the link holds unread.
    let p = policy(json!([
        {"name": "by biontech", "clauses": [{"record": "v_codes", "slot": "code", "op": "eq", "value": BIONTECH}]},
        {"name": "any pfizer", "clauses": [{"record": "v", "slot": "code", "op": "eq", "value": PFIZER}]}
    ]));
    assert!(!p.uses(1, 1));
    let secret = HolderSecret::from_bytes(&[6; 32]).unwrap();
    let [main, _] = dose(&secret, PFIZER, BIONTECH);
    let f = fixture(&[main]);
    let ctx = EvalContext { today: today(), value_sets: &[] };
    let w = PolicyWitness::build(&p, f.secret.clone(), &f.credentials(), &ctx).unwrap();
    assert_eq!((w.group, w.records[1].is_none()), (1, true));
    assert_eq!(failing(&p, &f, w), None);
}

#[test]
fn codes_records_are_refused_where_they_mean_nothing() {
    let err = |records: Value| {
        let doc = json!({"statement": "policy", "version": 1, "scope": "u", "records": records,
                         "groups": [{"name": "g", "clauses": [{"record": "v", "slot": "date", "op": "present"}]}]});
        Policy::from_json(&doc.to_string()).unwrap_err().to_string()
    };
    let v = json!({"name": "v", "kind": "immunization"});
    let cases = [
        (json!([v, {"name": "c", "kind": "codes"}]), "names the record it completes"),
        (json!([v, {"name": "c", "kind": "codes", "of": "w"}]), "names no record"),
        (
            json!([v, {"name": "c", "kind": "codes", "of": "v"}, {"name": "d", "kind": "codes", "of": "c"}]),
            "itself a codes record",
        ),
        (
            json!([v, {"name": "c", "kind": "codes", "of": "v"}, {"name": "d", "kind": "codes", "of": "v"}]),
            "already has a codes record",
        ),
        (json!([v, {"name": "t", "kind": "observation", "of": "v"}]), "only a codes record"),
        (json!([v, {"name": "c", "kind": "codes", "of": "v", "count": 2}]), "has no count"),
        (
            json!([{"name": "v", "kind": "immunization", "count": 2}, {"name": "c", "kind": "codes", "of": "v"}]),
            "names no record",
        ),
    ];
    for (records, expected) in cases {
        let e = err(records.clone());
        assert!(e.contains(expected), "{records}: {e}");
    }
    // A copy of a counted record can have its codes record.
    let doc = json!({"statement": "policy", "version": 1, "scope": "u",
                     "records": [{"name": "v", "kind": "immunization", "count": 2}, {"name": "c", "kind": "codes", "of": "v[2]"}],
                     "groups": [{"name": "g", "clauses": [{"record": "c", "slot": "code", "op": "eq", "value": BIONTECH}]}]});
    let p = Policy::from_json(&doc.to_string()).unwrap();
    assert!(p.uses(0, 1) && !p.uses(0, 0));
}

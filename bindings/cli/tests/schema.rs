//! `docs/policy.schema.json` is generated from the Rust types (`medzk policy schema`),
//! every example policy validates against it, and documents the reader refuses for their
//! form are refused by the schema too.

mod common;

use std::path::{Path, PathBuf};

use common::{fails, ok};
use serde_json::{Value, json};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn generated() -> Value {
    serde_json::from_str(&ok(&root(), &["policy", "schema"])).expect("the schema is JSON")
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&generated()).expect("the generated schema is a valid 2020-12 schema")
}

#[test]
fn docs_policy_schema_is_generated_from_the_types() {
    let committed = std::fs::read_to_string(root().join("docs/policy.schema.json")).unwrap();
    let committed: Value = serde_json::from_str(&committed).expect("docs/policy.schema.json is JSON");
    assert!(
        committed == generated(),
        "docs/policy.schema.json is out of date; regenerate it with\n  \
         cargo run -p medzk-cli -- policy schema > docs/policy.schema.json"
    );
}

#[test]
fn every_example_policy_validates_against_the_schema() {
    let validator = validator();
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("examples/policies")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> =
            validator.iter_errors(&doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        // And the reader accepts it.
        ok(&root(), &["policy", "hash", path.to_str().unwrap()]);
        seen += 1;
    }
    assert!(seen >= 3, "examples/policies holds {seen} policies");
}

fn general() -> Value {
    json!({
        "statement": "policy",
        "version": 1,
        "scope": { "shared": "trial:T" },
        "shape": { "records": 4, "clauses": 16, "groups": 4 },
        "records": [{ "name": "a1c", "kind": "observation" }],
        "groups": [{ "name": "g", "clauses": [
            { "record": "a1c", "slot": "code", "op": "eq", "value": "loinc|4548-4" },
            { "record": "a1c", "slot": "value", "op": "between", "min": 70, "max": 100 },
            { "record": "a1c", "slot": "ext", "op": "in", "values": [{ "code": "v3|H" }, { "number": 2 }] },
            { "record": "a1c", "slot": "date", "op": "date_within", "min": 0, "max": 365 }
        ]}]
    })
}

fn vaccination() -> Value {
    serde_json::from_str(common::POLICY).unwrap()
}

#[test]
fn the_schema_and_the_reader_agree_on_valid_documents() {
    let validator = validator();
    let dir = tempfile::tempdir().unwrap();
    for (name, doc) in [("general", general()), ("vaccination", vaccination())] {
        assert!(
            validator.is_valid(&doc),
            "{name}: {:?}",
            validator.validate(&doc).err().map(|e| e.to_string())
        );
        let file = dir.path().join(format!("{name}.json"));
        std::fs::write(&file, doc.to_string()).unwrap();
        ok(dir.path(), &["policy", "hash", file.to_str().unwrap()]);
    }
}

#[test]
fn the_schema_refuses_what_the_reader_refuses() {
    let validator = validator();
    let dir = tempfile::tempdir().unwrap();
    let mut cases: Vec<(&str, Value)> = Vec::new();
    let mut add = |what: &'static str, base: fn() -> Value, change: &dyn Fn(&mut Value)| {
        let mut doc = base();
        change(&mut doc);
        cases.push((what, doc));
    };
    add("unknown top-level field", general, &|d| d["extra"] = json!(1));
    add("unknown operator", general, &|d| d["groups"][0]["clauses"][0]["op"] = json!("approx"));
    add("unknown slot", general, &|d| d["groups"][0]["clauses"][0]["slot"] = json!("colour"));
    add("unknown clause field", general, &|d| d["groups"][0]["clauses"][0]["values2"] = json!([]));
    add("unknown record kind", general, &|d| d["records"][0]["kind"] = json!("procedure"));
    add("wrong statement", general, &|d| d["statement"] = json!("policies"));
    add("wrong version", general, &|d| d["version"] = json!(2));
    add("shape too large", general, &|d| d["shape"]["groups"] = json!(9));
    add("unknown shape field", general, &|d| d["shape"]["lanes"] = json!(1));
    add("no groups", general, &|d| d["groups"] = json!([]));
    add("empty scope", general, &|d| d["scope"] = json!(""));
    add("shared scope with another field", general, &|d| d["scope"]["purpose"] = json!("x"));
    add("bad value-set root", general, &|d| d["value_sets"] = json!([{ "name": "s", "root": "0x12" }]));
    add("vaccine without system", vaccination, &|d| d["vaccines"][0] = json!("208"));
    add("no vaccines", vaccination, &|d| d["vaccines"] = json!([]));
    add("window beyond 16 bits", vaccination, &|d| d["days_since_dose"]["max"] = json!(70000));
    add("dose number beyond 255", vaccination, &|d| d["min_dose_number"] = json!(256));
    add("missing field", vaccination, &|d| {
        d.as_object_mut().unwrap().remove("complete_series");
    });
    for (what, doc) in cases {
        assert!(!validator.is_valid(&doc), "the schema accepts a document with {what}");
        let file = dir.path().join("bad.json");
        std::fs::write(&file, doc.to_string()).unwrap();
        let err = fails(dir.path(), &["policy", "hash", file.to_str().unwrap()], 2);
        assert!(err.contains("bad.json"), "{what}: {err}");
    }
}

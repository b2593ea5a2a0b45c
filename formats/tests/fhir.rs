//! FHIR R4: the Synthea patient (where the reference data is present) and the project's
//! own resources, one rule of docs/import.md at a time.

mod common;

use common::{options, realworld};
use medzk_circuits::record::{ABSENT, Ext, RecordKind};
use medzk_formats::fhir;
use medzk_formats::map::Mapping;

fn import(json: &serde_json::Value, today: &str) -> Mapping {
    fhir::import(json.to_string().as_bytes(), options(today)).unwrap()
}

#[test]
fn synthea_patient_imports_with_canonical_units_and_utc_days() {
    let Some(dir) = realworld("fhir") else { return };
    let file = std::fs::File::open(dir.join("synthea_r4_Emery_Purdy.json")).unwrap();
    let mapping = fhir::import(file, options("2026-12-01")).unwrap();
    let counts = mapping.count_by_kind();
    assert_eq!(counts["demographics"], 1);
    assert_eq!(counts["condition"], 11);
    assert_eq!(counts["immunization"], 11);
    assert!(counts["observation"] >= 150, "{counts:?}");
    assert_eq!(counts["medication"], 4, "{counts:?}");
    let skipped = mapping.skipped_by_type();
    assert!(!skipped.contains_key("MedicationRequest"), "{skipped:?}");
    assert_eq!(skipped["Claim"], 20);
    assert_eq!(
        mapping.records.len() + mapping.skipped.len(),
        303 - 8 + 16,
        "every entry accounted for (8 panels → 16 components)"
    );
    let find = |code: &str| -> Vec<_> {
        mapping.records.iter().filter(|m| m.record.code.to_string() == code).collect()
    };
    let t2d = find("http://snomed.info/sct|44054006");
    assert_eq!(t2d.len(), 1);
    assert_eq!(t2d[0].record.kind, RecordKind::Condition);
    assert_eq!(t2d[0].record.date.to_string(), "2007-08-03");
    assert_eq!(t2d[0].record.value, 1, "active");
    assert_eq!(t2d[0].record.aux, ABSENT, "ongoing");
    assert!(t2d[0].record.ext == Ext::Number(1), "confirmed");
    let last = |code: &str| find(code).into_iter().max_by_key(|m| m.record.date).unwrap();
    let hba1c = last("http://loinc.org|4548-4");
    assert_eq!(
        (hba1c.record.date.to_string(), hba1c.record.value),
        ("2021-01-22".into(), 73),
        "7.26 % → 73 (×10)"
    );
    let egfr = last("http://loinc.org|33914-3");
    assert_eq!((egfr.record.date.to_string(), egfr.record.value), ("2021-01-22".into(), 107));
    let bmi = last("http://loinc.org|39156-5");
    assert_eq!(bmi.record.value, 290, "29.05 kg/m2 → 290 (×10)");
    let demo = &find("http://hl7.org/fhir/administrative-gender|male")[0];
    assert_eq!(demo.record.date.to_string(), "1967-07-27");
    let flu = find("http://hl7.org/fhir/sid/cvx|140");
    assert_eq!(flu.len(), 8);
    let mut doses: Vec<_> = flu.iter().map(|m| (m.record.date, m.record.value)).collect();
    doses.sort();
    assert_eq!(doses.iter().map(|d| d.1).collect::<Vec<_>>(), (1..=8).collect::<Vec<_>>(), "doses by date");
    let bp = find("http://loinc.org|8480-6");
    assert_eq!(bp.len(), 8, "systolic components of the blood-pressure panels");
}

#[test]
fn each_rule_on_own_resources() {
    let bundle = serde_json::json!({
        "resourceType": "Bundle", "type": "collection", "entry": [
            { "resource": { "resourceType": "Patient", "id": "p", "birthDate": "1964-01", "gender": "female" } },
            { "resource": { "resourceType": "Observation", "id": "pcr", "status": "final",
                "code": { "coding": [{ "system": "http://loinc.org", "code": "94500-6" }] },
                "valueCodeableConcept": { "coding": [{ "system": "http://snomed.info/sct", "code": "260415000" }] },
                "effectiveDateTime": "2026-11-30T22:00:00-05:00" } },
            { "resource": { "resourceType": "Observation", "id": "glucose", "status": "amended",
                "code": { "coding": [{ "system": "urn:oid:2.16.840.1.113883.6.1", "code": "2339-0" }] },
                "valueQuantity": { "value": 5.5, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L" },
                "interpretation": [{ "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": "N" }] }],
                "effectivePeriod": { "start": "2026-11-01", "end": "2026-11-02" } } },
            { "resource": { "resourceType": "Observation", "id": "bound", "status": "final",
                "code": { "coding": [{ "system": "http://loinc.org", "code": "4548-4" }] },
                "valueQuantity": { "value": 14, "comparator": ">", "code": "%", "system": "http://unitsofmeasure.org" },
                "effectiveDateTime": "2026-11-01" } },
            { "resource": { "resourceType": "Observation", "id": "unknown-test", "status": "final",
                "code": { "coding": [{ "system": "http://loinc.org", "code": "1-8" }] },
                "valueQuantity": { "value": 1 }, "effectiveDateTime": "2026-11-01" } },
            { "resource": { "resourceType": "Observation", "id": "wrong-status", "status": "entered-in-error",
                "code": { "coding": [{ "system": "http://loinc.org", "code": "4548-4" }] } } },
            { "resource": { "resourceType": "Condition", "id": "c",
                "clinicalStatus": { "coding": [{ "code": "resolved" }] },
                "verificationStatus": { "coding": [{ "code": "provisional" }] },
                "code": { "coding": [{ "system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "J20.9" },
                                     { "system": "http://snomed.info/sct", "code": "10509002" }] },
                "onsetPeriod": { "start": "2026-10-01" }, "abatementDateTime": "2026-10-20T10:00:00+00:00" } },
            { "resource": { "resourceType": "Condition", "id": "refuted-error",
                "clinicalStatus": { "coding": [{ "code": "active" }] },
                "verificationStatus": { "coding": [{ "code": "entered-in-error" }] },
                "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "1" }] }, "onsetDateTime": "2020" } },
            { "resource": { "resourceType": "Immunization", "id": "sct-vaccine", "status": "completed",
                "vaccineCode": { "coding": [{ "system": "http://snomed.info/sct", "code": "1119349007" }] },
                "occurrenceDateTime": "2026-06-01", "protocolApplied": [{ "doseNumberString": "3", "seriesDosesString": "2" }] } },
            { "resource": { "resourceType": "Immunization", "id": "not-done", "status": "not-done",
                "vaccineCode": { "coding": [{ "system": "http://hl7.org/fhir/sid/cvx", "code": "208" }] } } },
            { "resource": { "resourceType": "MedicationStatement", "id": "m", "status": "active",
                "medicationCodeableConcept": { "coding": [{ "system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "860975" }] },
                "effectivePeriod": { "start": "2026-01-01" } } },
            { "resource": { "resourceType": "Encounter", "id": "e" } },
        ]
    });
    let m = import(&bundle, "2026-12-01");
    let by = |id: &str| m.records.iter().find(|r| r.source.ends_with(id));
    let skip = |id: &str| m.skipped.iter().find(|s| s.source.ends_with(id)).map(|s| s.reason.clone());
    assert!(skip("Patient/p").is_none());
    let born = by("Patient/p").unwrap();
    assert_eq!(born.record.birth().unwrap().to_string(), "1964-01", "a partial birth date is an interval");
    assert_eq!((born.record.date.to_string(), born.record.value), ("1964-01-31".into(), 30));
    assert!(born.notes.iter().any(|n| n.contains("partial birthDate 1964-01")));
    let pcr = by("Observation/pcr").unwrap();
    assert_eq!(pcr.record.date.to_string(), "2026-12-01", "22:00 at −05:00 is 03:00 UTC the next day");
    assert!(pcr.record.ext == Ext::Code("sct|260415000".parse().unwrap()));
    // Its time to the minute, UTC (what hour windows read); a date alone has none.
    assert_eq!(pcr.record.time().map(|t| t.to_string()), Some("2026-12-01T03:00Z".into()));
    let glucose = by("Observation/glucose").unwrap();
    assert_eq!(glucose.record.value, 99, "5.5 mmol/L × 18.016 → 99 mg/dL");
    assert_eq!(glucose.record.date.to_string(), "2026-11-01");
    assert_eq!(glucose.record.time(), None, "an effectivePeriod.start without a time");
    assert!(glucose.notes.iter().any(|n| n.contains("effectivePeriod.start")));
    assert!(matches!(&glucose.record.ext, Ext::Code(c) if c.code() == "N"));
    assert!(skip("Observation/bound").unwrap().contains("bound"));
    assert!(skip("Observation/unknown-test").unwrap().contains("canonical unit"));
    assert!(skip("Observation/wrong-status").unwrap().contains("entered-in-error"));
    let c = by("Condition/c").unwrap();
    assert_eq!(
        c.record.code.to_string(),
        "http://snomed.info/sct|10509002",
        "SNOMED CT preferred; ICD-10-CM named as not kept"
    );
    assert!(c.notes.iter().any(|n| n.contains("icd-10-cm|J20.9")));
    assert_eq!(
        (c.record.value, c.record.aux),
        (6, "2026-10-20".parse::<medzk_circuits::date::Day>().unwrap().0)
    );
    assert!(c.record.ext == Ext::Number(2));
    assert!(skip("Condition/refuted-error").unwrap().contains("entered-in-error"));
    let v = by("Immunization/sct-vaccine").unwrap();
    assert_eq!((v.record.value, v.record.aux), (3, 2));
    assert!(skip("Immunization/not-done").unwrap().contains("not-done"));
    let med = by("MedicationStatement/m").unwrap();
    assert_eq!(med.record.kind, RecordKind::Medication);
    assert_eq!(med.record.code.to_string(), "http://www.nlm.nih.gov/research/umls/rxnorm|860975");
    assert_eq!(med.record.date.to_string(), "2026-01-01");
    assert_eq!((med.record.value, med.record.aux), (1, medzk_circuits::record::ABSENT), "active, no end");
    assert!(skip("Encounter/e").unwrap().contains("not imported"));
    assert_eq!(m.records.len() + m.skipped.len(), 12);
}

#[test]
fn several_patients_or_malformed_json_are_refused() {
    let two = serde_json::json!({ "resourceType": "Bundle", "entry": [
        { "resource": { "resourceType": "Patient", "birthDate": "1990-01-01" } },
        { "resource": { "resourceType": "Patient", "birthDate": "1991-01-01" } } ] });
    let err = fhir::import(two.to_string().as_bytes(), options("2026-12-01")).unwrap_err();
    assert!(err.to_string().contains("2 patients"), "{err}");
    for bad in [
        r#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation","code":"x"}}]}"#,
        r#"{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","birthDate":1990}}]}"#,
        "\u{0}",
    ] {
        assert!(fhir::import(bad.as_bytes(), options("2026-12-01")).is_err(), "{bad}");
    }
}

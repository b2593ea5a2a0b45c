//! Importing: a 1,000-resource FHIR bundle mapped to records (target: under 2 s), against
//! parsing the same bytes into `serde_json::Value` (the floor: reading JSON at all); a
//! SMART Health Card verified and mapped.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use medzk_circuits::date::Day;
use medzk_circuits::field::Fr;
use medzk_circuits::holder::HolderId;
use medzk_formats::map::{Options, VaccineCodes};
use medzk_formats::{fhir, shc};

fn options() -> Options {
    Options {
        holder: HolderId(Fr::from(7u64)),
        issuer: "clinic:bench".into(),
        vaccine_codes: VaccineCodes::AsIssued,
        today: "2026-12-01".parse::<Day>().expect("day"),
    }
}

/// One patient, 600 observations, 200 conditions, 100 immunizations, 99 encounters.
fn bundle() -> String {
    let mut entries = vec![
        serde_json::json!({ "resource": { "resourceType": "Patient", "birthDate": "1970-01-02", "gender": "female" } }),
    ];
    for i in 0..999 {
        let day = format!("2026-{:02}-{:02}T10:00:00+02:00", 1 + i % 11, 1 + i % 28);
        let r = match i % 10 {
            0..=5 => {
                serde_json::json!({ "resourceType": "Observation", "id": format!("o{i}"), "status": "final",
                "code": { "coding": [{ "system": "http://loinc.org", "code": "4548-4" }] },
                "valueQuantity": { "value": 6.0 + (i % 30) as f64 / 10.0, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%" },
                "effectiveDateTime": day })
            }
            6 | 7 => serde_json::json!({ "resourceType": "Condition", "id": format!("c{i}"),
                "clinicalStatus": { "coding": [{ "code": "active" }] },
                "code": { "coding": [{ "system": "http://snomed.info/sct", "code": "44054006" }] }, "onsetDateTime": day }),
            8 => {
                serde_json::json!({ "resourceType": "Immunization", "id": format!("i{i}"), "status": "completed",
                "vaccineCode": { "coding": [{ "system": "http://hl7.org/fhir/sid/cvx", "code": "140" }] },
                "occurrenceDateTime": day, "lotNumber": "L1" })
            }
            _ => {
                serde_json::json!({ "resourceType": "Encounter", "id": format!("e{i}"), "status": "finished" })
            }
        };
        entries.push(serde_json::json!({ "resource": r }));
    }
    serde_json::json!({ "resourceType": "Bundle", "type": "collection", "entry": entries }).to_string()
}

fn import(c: &mut Criterion) {
    let mut group = c.benchmark_group("import");
    group.sample_size(20);
    let text = bundle();
    group.bench_function(BenchmarkId::new("fhir-bundle", "1000-resources"), |b| {
        b.iter(|| {
            let m = fhir::import(text.as_bytes(), options()).expect("imports");
            assert_eq!(m.records.len(), 901);
            m
        })
    });
    group.bench_function(BenchmarkId::new("json-value-parse (baseline)", "1000-resources"), |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(&text).expect("json"))
    });
    let key = p256::ecdsa::SigningKey::from_bytes(&[0x5a; 32].into()).expect("key");
    let card_bundle = serde_json::json!({ "resourceType": "Bundle", "type": "collection", "entry": [
        { "resource": { "resourceType": "Patient", "birthDate": "1980-05-17" } },
        { "resource": { "resourceType": "Immunization", "status": "completed",
            "vaccineCode": { "coding": [{ "system": "http://hl7.org/fhir/sid/cvx", "code": "208" }] },
            "occurrenceDateTime": "2026-10-01", "lotNumber": "FK1234" } } ] });
    let jws = shc::sign("https://issuer.bench", 1_790_000_000, &card_bundle, &key);
    let qr = shc::qr::encode(&jws, 1).remove(0);
    let mut trust = shc::Trust::new();
    let set = serde_json::json!({ "keys": [shc::keys::public_jwk(key.verifying_key())] });
    trust.add_jwks(&set.to_string(), None).expect("keys");
    group.bench_function(BenchmarkId::new("shc-verify-and-map", "qr-text"), |b| {
        b.iter(|| {
            let jws = shc::jws_of_input(&qr).expect("qr");
            shc::verify(&jws[0], &trust, 1_800_000_000, &[])
                .expect("verifies")
                .import(options())
                .expect("maps")
        })
    });
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);

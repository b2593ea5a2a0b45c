//! A 50 MB bundle streams through the importer in bounded memory: the process's peak
//! resident size grows by far less than the file (one test in this binary, so nothing
//! else moves the peak).

mod common;

use std::io::{BufWriter, Write};

use medzk_formats::fhir;

fn peak_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn a_50_mb_bundle_imports_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let mut out = BufWriter::new(std::fs::File::create(&path).unwrap());
    write!(out, r#"{{"resourceType":"Bundle","type":"collection","entry":["#).unwrap();
    let narrative = "x".repeat(50_000);
    let observations = 10_000;
    for i in 0..observations {
        if i > 0 {
            out.write_all(b",").unwrap();
        }
        write!(
            out,
            r#"{{"resource":{{"resourceType":"Observation","id":"o{i}","status":"final","code":{{"coding":[{{"system":"http://loinc.org","code":"4548-4"}}]}},"valueQuantity":{{"value":6.{},"unit":"%","system":"http://unitsofmeasure.org","code":"%"}},"effectiveDateTime":"2026-0{}-1{}T08:00:00+01:00"}}}}"#,
            i % 10,
            1 + i % 9,
            i % 10
        )
        .unwrap();
        if i % 10 == 0 {
            // Large resources of a type that is not imported: streamed past, never held.
            write!(out, r#",{{"resource":{{"resourceType":"DocumentReference","id":"d{i}","text":{{"div":"{narrative}"}}}}}}"#).unwrap();
        }
    }
    out.write_all(b"]}").unwrap();
    out.flush().unwrap();
    drop(out);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 50_000_000 && size < 70_000_000, "{size}");
    let Some(before) = peak_kib() else {
        eprintln!("skipped: /proc/self/status is not available here");
        return;
    };
    let mapping = fhir::import(std::fs::File::open(&path).unwrap(), common::options("2026-12-01")).unwrap();
    let after = peak_kib().unwrap();
    assert_eq!(mapping.records.len(), observations);
    assert_eq!(mapping.skipped.len(), observations / 10);
    let grown_mib = (after.saturating_sub(before)) / 1024;
    eprintln!("bundle {} MiB, peak resident grew by {grown_mib} MiB", size >> 20);
    assert!(grown_mib < 24, "peak resident size grew by {grown_mib} MiB for a {} MiB bundle", size >> 20);
}

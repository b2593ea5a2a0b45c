//! Record encoding: the published test vectors, binding, and what `Debug` shows.

use super::*;
use crate::holder::HolderSecret;

/// The test vector published in `docs/records.md`.
pub(crate) fn vector_record() -> (RecordData, Salt) {
    let secret = HolderSecret::from_bytes(&[7u8; 32]).unwrap();
    let record = RecordData::immunization(
        secret.id(),
        "cvx|208".parse().unwrap(),
        Day::from_ymd(2026, 3, 14).unwrap(),
        2,
        2,
        "EW0182",
        "clinic:oslo-1",
    );
    (record, Salt::from_field(Fr::from(123_456_789u64)))
}

/// Expected values computed independently by `tools/test_vectors.py`.
#[test]
fn commitment_test_vector() {
    let (record, salt) = vector_record();
    let slots = record.encode(&salt);
    let hex = |x: Fr| field::to_hex(&x);
    assert_eq!(
        hex(slots.slot(Slot::Holder)),
        "0x0e67ed991632690a9060b890df30158c434ce764684e98218d79ddb711c92a3c"
    );
    assert_eq!(
        hex(slots.slot(Slot::Code)),
        "0x00a139fb209f7f880995124c7f8f95066d4f45cf6ff2f79560d34c8ce761d8fa"
    );
    assert_eq!(slots.slot(Slot::Date), Fr::from(20_526u64));
    assert_eq!(hex(slots.commitment()), "0x6fdfc9c156af2ff08fce801844d936794d0c8e99272a6bfb52a13f1e6e66f16d");
    let secret = HolderSecret::from_bytes(&[7u8; 32]).unwrap();
    let scope = crate::holder::Scope::new("border:NO").unwrap();
    assert_eq!(
        hex(secret.nullifier(&scope)),
        "0x5dc301e490b3da7ed101da2de89bcd1b4805f5e710f99c7e74a612ea009e80f1"
    );
}

/// The attested-absence vector of `docs/records.md`, computed independently by
/// `tools/test_vectors.py`.
/// The codes-record vector of `docs/records.md` (the immunization vector's manufacturer
/// and vaccine type), computed independently by `tools/test_vectors.py`.
#[test]
fn codes_record_test_vector() {
    let secret = HolderSecret::from_bytes(&[7u8; 32]).unwrap();
    let dose = RecordData::immunization(
        secret.id(),
        "cvx|208".parse().unwrap(),
        Day::from_ymd(2026, 3, 14).unwrap(),
        2,
        2,
        "EW0182",
        "clinic:oslo-1",
    );
    let codes = RecordData::codes_of(
        &dose,
        "https://spor.ema.europa.eu/v1/organisations|ORG-100030215".parse().unwrap(),
        Some("sct|1119349007".parse().unwrap()),
    );
    assert!(crate::issuance::check_record(&codes, dose.date).is_ok());
    let salt = Salt::from_field(Fr::from(123_456_789u64));
    assert_eq!(salt.companion().expose(), Fr::from(123_456_790u64));
    assert_eq!(
        field::to_hex(&codes.encode(&salt.companion()).commitment()),
        "0x252793a6021eb93f14c9e388bddcf1b87bff4ad0c0d88028c1ec255fb69d58a4"
    );
    // A codes record that names no kind it could complete is refused at issuance.
    let mut bad = codes.clone();
    bad.value = 7;
    assert!(crate::issuance::check_record(&bad, dose.date).is_err());
}

/// The timed-observation vector of `docs/records.md` (a PCR with its sample minute),
/// computed independently by `tools/test_vectors.py`.
#[test]
fn timed_observation_test_vector() {
    let secret = HolderSecret::from_bytes(&[7u8; 32]).unwrap();
    let sampled: crate::clock::Minute = "2026-12-02T10:30Z".parse().unwrap();
    let record = RecordData::observation_at(
        secret.id(),
        "http://loinc.org|94500-6".parse().unwrap(),
        sampled,
        0,
        Some("http://snomed.info/sct|260415000".parse().unwrap()),
        "lab:oslo",
    )
    .unwrap();
    assert_eq!((record.date, record.time()), (sampled.day(), Some(sampled)));
    assert!(crate::issuance::check_record(&record, sampled.day()).is_ok());
    let slots = record.encode(&Salt::from_field(Fr::from(123_456_789u64)));
    assert_eq!(slots.slot(Slot::Aux), Fr::from(29_936_790u64));
    assert_eq!(
        field::to_hex(&slots.commitment()),
        "0x37b2d2c0c4de569419a8903714260af47a556d554b8d42985374950644aae681"
    );
    // A time on another day than the date is refused at issuance.
    let mut shifted = record.clone();
    shifted.date = Day(shifted.date.0 - 1);
    let e = crate::issuance::check_record(&shifted, sampled.day()).unwrap_err().to_string();
    assert!(e.contains("not on the observation's date"), "{e}");
}

#[test]
fn absence_test_vector() {
    let secret = HolderSecret::from_bytes(&[7u8; 32]).unwrap();
    let day = Day::from_ymd(2026, 11, 20).unwrap();
    let record = RecordData::absence(secret.id(), Fr::from(7u64), day, None, "registry:npr");
    let slots = record.encode(&Salt::from_field(Fr::from(123_456_789u64)));
    let hex = |x: Fr| field::to_hex(&x);
    assert_eq!(
        hex(slots.slot(Slot::Code)),
        "0x00dcfa98bda93381202cd7e3d7c3c338e28665d416539aad8ff774fa99f42f6e"
    );
    assert_eq!(slots.slot(Slot::Aux), Fr::from(ABSENT as i64));
    assert_eq!(hex(slots.commitment()), "0x1549b8984264ea23c683de60dad316c952796ab001fa7a259f7cfc3a02f848d4");
}

#[test]
fn salt_hides_and_every_slot_binds() {
    let (record, salt) = vector_record();
    let base = record.encode(&salt);
    let other_salt = Salt::from_field(Fr::from(1u64));
    assert_ne!(base.commitment(), record.encode(&other_salt).commitment());
    for slot in Slot::ALL {
        let mut changed = base.clone();
        changed.set_slot(slot, base.slot(slot) + Fr::from(1u64));
        assert_ne!(changed.commitment(), base.commitment(), "{slot:?}");
    }
}

#[test]
fn debug_reveals_nothing() {
    let (record, salt) = vector_record();
    let slots = record.encode(&salt);
    assert_eq!(format!("{record:?}"), "RecordData { kind: Immunization, .. }");
    assert_eq!(format!("{slots:?}"), "Record(<redacted>)");
    assert_eq!(format!("{salt:?}"), "Salt(<redacted>)");
}

#[test]
fn kinds_round_trip() {
    for kind in RecordKind::ALL {
        assert_eq!(RecordKind::from_field(&kind.to_field()), Some(kind));
    }
    assert_eq!(RecordKind::from_field(&Fr::from(0u64)), None);
    assert_eq!(RecordKind::from_field(&-Fr::from(1u64)), None);
}

#[test]
fn json_form() {
    let (record, _) = vector_record();
    let json = serde_json::to_string(&record).unwrap();
    assert!(json.contains("\"kind\":\"immunization\""));
    assert!(json.contains("\"date\":\"2026-03-14\""));
    let back: RecordData = serde_json::from_str(&json).unwrap();
    assert!(back == record);
    assert!(serde_json::from_str::<RecordData>(&json.replace("\"value\"", "\"valeu\"")).is_err());
}

use super::*;
use crate::fixtures::{VaccinationFixture, border_policy};

fn fixture(days_ago: i32) -> VaccinationFixture {
    VaccinationFixture::new(Depth::new(8).unwrap(), 5, days_ago, 1)
}

fn evaluate(f: &VaccinationFixture) -> Result<(), Unmet> {
    f.witness().check(&f.policy, Depth::new(8).unwrap(), &f.root(), f.today)
}

#[test]
fn window_bounds_are_inclusive() {
    assert_eq!(evaluate(&fixture(14)), Ok(()));
    assert_eq!(evaluate(&fixture(365)), Ok(()));
    assert_eq!(evaluate(&fixture(13)), Err(Unmet::TooRecent { days: 13, min: 14 }));
    assert_eq!(evaluate(&fixture(366)), Err(Unmet::TooOld { days: 366, max: 365 }));
    assert_eq!(evaluate(&fixture(-1)), Err(Unmet::FutureDate { days_ahead: 1 }));
}

#[test]
fn dose_rules() {
    let f = fixture(30);
    let mut record = f.record.clone();
    record.value = 1;
    let g = VaccinationFixture::with_record(
        Depth::new(8).unwrap(),
        5,
        record.clone(),
        f.secret.clone(),
        f.today,
        1,
    );
    assert_eq!(evaluate(&g), Err(Unmet::SeriesIncomplete { dose: 1, series: 2 }));
    record.value = 0;
    record.aux = 0;
    let g = VaccinationFixture::with_record(Depth::new(8).unwrap(), 5, record, f.secret.clone(), f.today, 1);
    assert_eq!(evaluate(&g), Err(Unmet::DoseBelowMinimum { dose: 0, min: 1 }));
}

#[test]
fn witness_level_conditions() {
    let f = fixture(30);
    let depth = Depth::new(8).unwrap();
    let mut w = f.witness();
    assert_eq!(w.check(&f.policy, depth, &(f.root() + Fr::from(1u64)), f.today), Err(Unmet::NotInRegistry));
    assert_eq!(w.check(&f.policy, Depth::new(10).unwrap(), &f.root(), f.today), Err(Unmet::PathShape(10)));
    w.secret = HolderSecret::from_bytes(&[1; 32]).unwrap();
    assert_eq!(w.check(&f.policy, depth, &f.root(), f.today), Err(Unmet::HolderMismatch));
}

#[test]
fn slot_ranges() {
    let f = fixture(30);
    let base = f.witness().record;
    let mut r = base.clone();
    r.set_slot(Slot::Kind, RecordKind::Observation.to_field());
    assert_eq!(f.policy.evaluate(&r, f.today), Err(Unmet::NotImmunization));
    let mut r = base.clone();
    r.set_slot(Slot::Value, Fr::from(256u64));
    assert_eq!(f.policy.evaluate(&r, f.today), Err(Unmet::DoseOutOfRange));
    r.set_slot(Slot::Value, -Fr::from(1u64));
    assert_eq!(f.policy.evaluate(&r, f.today), Err(Unmet::DoseOutOfRange));
    let mut r = base.clone();
    r.set_slot(Slot::Aux, -Fr::from(1u64));
    assert_eq!(f.policy.evaluate(&r, f.today), Err(Unmet::SeriesOutOfRange));
    let mut r = base.clone();
    r.set_slot(Slot::Date, Fr::from(DATE_BIAS));
    assert_eq!(f.policy.evaluate(&r, f.today), Err(Unmet::DateOutOfRange));
    let mut r = base;
    r.set_slot(Slot::Code, "cvx|999".parse::<Code>().unwrap().to_field());
    assert_eq!(f.policy.evaluate(&r, f.today), Err(Unmet::VaccineNotApproved));
}

#[test]
fn encoding_is_canonical() {
    let p = border_policy();
    let mut shuffled: Vec<Code> = p.vaccines().to_vec();
    shuffled.reverse();
    let q = VaccinationPolicy::new(p.scope().clone(), shuffled, p.window(), 1, true).unwrap();
    assert_eq!(p.hash(), q.hash());
    let r = VaccinationPolicy::new(p.scope().clone(), p.vaccines().to_vec(), p.window(), 2, true).unwrap();
    assert_ne!(p.hash(), r.hash());
    let enc = p.encode();
    assert_eq!(enc[1], Fr::from(14u64 | 365 << 16 | 1 << 32 | 1 << 40));
    // Padding repeats the smallest code.
    assert_eq!(enc[2], enc[2 + p.vaccines().len()]);
}

#[test]
fn json_policies_are_validated() {
    let p = border_policy();
    let json = serde_json::to_string_pretty(&p).unwrap();
    assert_eq!(VaccinationPolicy::from_json(&json).unwrap(), p);
    let bad = |from: &str, to: &str| VaccinationPolicy::from_json(&json.replace(from, to)).unwrap_err();
    assert_eq!(bad("\"vaccination\"", "\"trial\""), PolicyError::Statement("trial".into()));
    assert_eq!(bad("\"version\": 1", "\"version\": 2"), PolicyError::Version(2));
    assert_eq!(bad("\"min\": 14", "\"min\": 400"), PolicyError::WindowInverted { min: 400, max: 365 });
    assert_eq!(bad("\"max\": 365", "\"max\": 70000"), PolicyError::WindowTooWide(70000));
    assert_eq!(bad("\"min_dose_number\": 1", "\"min_dose_number\": 300"), PolicyError::DoseTooLarge(300));
    assert_eq!(
        bad("cvx|207", "cvx|208"),
        PolicyError::DuplicateVaccine("http://hl7.org/fhir/sid/cvx|208".into())
    );
    assert!(matches!(bad("\"scope\"", "\"scoop\""), PolicyError::Json(_)));
    assert!(matches!(bad("cvx|207", "cvx207"), PolicyError::Json(_)));
    assert!(matches!(VaccinationPolicy::from_json("[]"), Err(PolicyError::Json(_))));
    let many: Vec<String> = (0..17).map(|i| format!("\"cvx|{i}\"")).collect();
    let start = json.find("\"vaccines\"").unwrap();
    let end = start + json[start..].find(']').unwrap() + 1;
    let too_many = format!("{}\"vaccines\": [{}]{}", &json[..start], many.join(","), &json[end..]);
    assert_eq!(VaccinationPolicy::from_json(&too_many).unwrap_err(), PolicyError::TooManyVaccines(17));
}

//! The checks an issuer's tools make before a record is committed.
//!
//! A commitment in the registry is permanent, and a record that cannot be proven (a dose
//! number the statement cannot read, a date in the future) or that says something the
//! issuer did not mean is worse than none: [`check_record`] refuses what is impossible and
//! warns about what is legal but odd, so a typo is caught when it can still be fixed.

use crate::date::Day;
use crate::record::{ABSENT, ClinicalStatus, RecordData, RecordKind};

/// Largest dose number or series size: the vaccination statement reads both as 8-bit.
pub const MAX_DOSES: u64 = 255;

/// A record the issuer must not commit, with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("refusing to issue: {0}")]
pub struct InvalidRecord(pub String);

/// Checks `record` for issuance on `today`; returns warnings (legal but odd values).
pub fn check_record(record: &RecordData, today: Day) -> Result<Vec<String>, InvalidRecord> {
    let refuse = |why: String| Err(InvalidRecord(why));
    let mut warnings = Vec::new();
    if record.issuer.trim().is_empty() {
        return refuse("the issuer is empty; name the issuer (for example clinic:oslo-1)".into());
    }
    if record.date > today {
        return refuse(format!("the date {} is in the future (today is {today})", record.date));
    }
    if record.date < Day::from_ymd(1900, 1, 1).expect("valid date") {
        warnings.push(format!("the date {} is before 1900; check it", record.date));
    }
    match record.kind {
        RecordKind::Immunization => {
            let (dose, series) = (record.value, record.aux);
            if dose == 0 || dose > MAX_DOSES {
                return refuse(format!("dose number {dose} is outside 1..={MAX_DOSES}"));
            }
            if series < 1 || series as u64 > MAX_DOSES {
                return refuse(format!("series size {series} is outside 1..={MAX_DOSES}"));
            }
            if dose > series as u64 {
                warnings.push(format!("dose {dose} of a {series}-dose series (a booster?); check it"));
            }
            if matches!(&record.ext, crate::record::Ext::Lot(lot) if lot.trim().is_empty()) {
                return refuse("the lot number is empty".into());
            }
        }
        RecordKind::Condition => {
            if record.aux != ABSENT {
                let abated = Day(record.aux);
                if abated > today {
                    return refuse(format!(
                        "the abatement date {abated} is in the future (today is {today})"
                    ));
                }
                if abated < record.date {
                    return refuse(format!(
                        "the abatement date {abated} is before the onset {}",
                        record.date
                    ));
                }
                if record.value == ClinicalStatus::Active as u64 {
                    warnings.push("an abated condition whose clinical status is active; check it".into());
                }
            }
        }
        RecordKind::Demographics => {
            let consistent = record.aux as i64 == record.date.calendar_number().unwrap_or(-1)
                && (record.value == 0 || record.birth().is_some_and(|p| !p.is_full()));
            if !consistent {
                return refuse(format!(
                    "the birth date's slots disagree (aux {} for {}, width {}): write it with RecordData::demographics_born",
                    record.aux, record.date, record.value
                ));
            }
            if today.0 - record.date.0 > 130 * 366 {
                warnings.push(format!("a birth date of {} makes an age above 130; check it", record.date));
            }
        }
        RecordKind::Medication => {
            if !(1..=4).contains(&record.value) {
                return refuse(format!(
                    "medication status {} is outside 1..=4 (active, completed, stopped, on-hold)",
                    record.value
                ));
            }
            if record.aux != ABSENT && Day(record.aux) < record.date {
                return refuse(format!("the end {} is before the start {}", Day(record.aux), record.date));
            }
            if record.aux != ABSENT && record.value == crate::record::MedicationStatus::Active as u64 {
                warnings.push("an active medication with an end date; check it".into());
            }
        }
        RecordKind::Absence => {
            let system_ok = record.code.system() == crate::record::VALUE_SET_SYSTEM
                && crate::field::from_hex(record.code.code()).is_ok();
            if !system_ok {
                return refuse(format!(
                    "an attested absence names a value set by its root ({}|0x…), not {}",
                    crate::record::VALUE_SET_SYSTEM,
                    record.code
                ));
            }
            if record.aux != ABSENT && Day(record.aux) > record.date {
                return refuse(format!(
                    "the searched history starts on {}, after the as-of day {}",
                    Day(record.aux),
                    record.date
                ));
            }
        }
        RecordKind::Codes => {
            let of = RecordKind::from_field(&crate::field::Fr::from(record.value));
            if of.is_none_or(|k| k == RecordKind::Codes) {
                return refuse(format!(
                    "a codes record's value names the kind of the record it completes (1–6), not {}",
                    record.value
                ));
            }
        }
        RecordKind::Observation => {
            if let Some(time) = record.time().filter(|t| t.day() != record.date) {
                return refuse(format!(
                    "the sample time {time} is not on the observation's date {}: write it with RecordData::observation_at",
                    record.date
                ));
            }
        }
    }
    Ok(warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::field::Fr;
    use crate::holder::HolderId;

    fn today() -> Day {
        Day::from_ymd(2026, 11, 24).unwrap()
    }

    fn dose(dose: u64, series: i32, date: Day, lot: &str, issuer: &str) -> RecordData {
        RecordData::immunization(
            HolderId(Fr::from(1u64)),
            "cvx|208".parse().unwrap(),
            date,
            dose,
            series,
            lot,
            issuer,
        )
    }

    #[test]
    fn validation_at_issue_time() {
        let t = today();
        assert_eq!(check_record(&dose(2, 2, t, "L", "c"), t), Ok(vec![]));
        for (record, why) in [
            (dose(300, 2, t, "L", "c"), "dose number 300"),
            (dose(0, 2, t, "L", "c"), "dose number 0"),
            (dose(1, 0, t, "L", "c"), "series size 0"),
            (dose(1, 256, t, "L", "c"), "series size 256"),
            (dose(1, 1, Day(t.0 + 1), "L", "c"), "in the future"),
            (dose(1, 1, t, " ", "c"), "lot number is empty"),
            (dose(1, 1, t, "L", " "), "issuer is empty"),
        ] {
            let e = check_record(&record, t).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
        }
        let booster = check_record(&dose(3, 2, t, "L", "c"), t).unwrap();
        assert!(booster[0].contains("booster"), "{booster:?}");
        let id = HolderId(Fr::from(1u64));
        let onset = Day::from_ymd(2020, 1, 1).unwrap();
        let cond = |abated: Option<Day>, status| {
            RecordData::condition(id, "icd10|E11.9".parse().unwrap(), onset, status, abated, "c")
        };
        assert!(check_record(&cond(None, ClinicalStatus::Active), t).unwrap().is_empty());
        let before = cond(Some(Day(onset.0 - 1)), ClinicalStatus::Resolved);
        assert!(check_record(&before, t).unwrap_err().to_string().contains("before the onset"));
        let future = cond(Some(Day(t.0 + 3)), ClinicalStatus::Resolved);
        assert!(check_record(&future, t).unwrap_err().to_string().contains("in the future"));
        let odd = check_record(&cond(Some(Day(onset.0 + 9)), ClinicalStatus::Active), t).unwrap();
        assert_eq!(odd.len(), 1);
        let old = RecordData::demographics(
            id,
            Day::from_ymd(1880, 1, 1).unwrap(),
            "gender|female".parse().unwrap(),
            "r",
        );
        assert_eq!(check_record(&old, t).unwrap().len(), 2);
    }
}

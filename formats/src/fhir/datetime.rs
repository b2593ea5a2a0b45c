//! FHIR `date` and `dateTime`: partial dates, and times with offsets normalised to UTC.

use medzk_circuits::date::Day;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{FormatError, Result, Step};

/// A FHIR `date` or `dateTime`, as precise as its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FhirDate {
    /// `YYYY`.
    Year(i32),
    /// `YYYY-MM`.
    YearMonth(i32, u8),
    /// `YYYY-MM-DD`.
    Day(Day),
    /// `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm)`: an instant, as Unix seconds.
    Instant(i64),
}

impl FhirDate {
    /// Parses a FHIR `date` or `dateTime` (also a DCC date or date-time).
    pub fn parse(text: &str) -> Result<FhirDate> {
        let bad = || FormatError::malformed(Step::Fhir, format!("{text:?} is not a FHIR date or dateTime"));
        let t = text.trim();
        if t.len() > 40 {
            return Err(bad());
        }
        if t.contains('T') {
            let at = OffsetDateTime::parse(t, &Rfc3339).map_err(|_| bad())?;
            return Ok(FhirDate::Instant(at.unix_timestamp()));
        }
        let parts: Vec<&str> = t.split('-').collect();
        let num = |s: &str, len: usize| -> Result<i32> {
            if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse().map_err(|_| bad())
        };
        match parts.as_slice() {
            [y] => Ok(FhirDate::Year(num(y, 4)?)),
            [y, m] => {
                let (y, m) = (num(y, 4)?, num(m, 2)?);
                if !(1..=12).contains(&m) {
                    return Err(bad());
                }
                Ok(FhirDate::YearMonth(y, m as u8))
            }
            [y, m, d] => {
                let day = Day::from_ymd(num(y, 4)?, num(m, 2)? as u8, num(d, 2)? as u8).map_err(|_| bad())?;
                Ok(FhirDate::Day(day))
            }
            _ => Err(bad()),
        }
    }

    /// The calendar day, UTC for instants; `None` for a partial date.
    pub fn day(self) -> Option<Day> {
        match self {
            FhirDate::Day(d) => Some(d),
            FhirDate::Instant(s) => Some(Day::from_unix_seconds(s)),
            FhirDate::Year(_) | FhirDate::YearMonth(..) => None,
        }
    }

    /// The UTC minute of an instant; `None` for a date without a time.
    pub fn minute(self) -> Option<medzk_circuits::clock::Minute> {
        match self {
            FhirDate::Instant(s) => Some(medzk_circuits::clock::Minute::from_unix_seconds(s)),
            _ => None,
        }
    }

    /// The first day the date can mean (1 January for a year, the 1st for a month).
    pub fn first_day(self) -> Option<Day> {
        match self {
            FhirDate::Year(y) => Day::from_ymd(y, 1, 1).ok(),
            FhirDate::YearMonth(y, m) => Day::from_ymd(y, m, 1).ok(),
            other => other.day(),
        }
    }

    /// Whether only a year, or a year and month, is known.
    pub fn is_partial(self) -> bool {
        matches!(self, FhirDate::Year(_) | FhirDate::YearMonth(..))
    }
}

/// The UTC day of a FHIR dateTime text, with a note when normalising moved the date.
pub fn utc_day(text: &str) -> Result<(Day, Option<String>)> {
    let parsed = FhirDate::parse(text)?;
    match parsed.day() {
        Some(day) => {
            let written = text.get(..10).unwrap_or("");
            let note = (parsed != FhirDate::Day(day) && written != day.to_string())
                .then(|| format!("{text} is {day} in UTC (days are UTC)"));
            Ok((day, note))
        }
        None => {
            Err(FormatError::malformed(Step::Fhir, format!("{text:?} is a partial date; a day is needed")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Day {
        s.parse().unwrap()
    }

    #[test]
    fn forms() {
        assert_eq!(FhirDate::parse("1992").unwrap(), FhirDate::Year(1992));
        assert_eq!(FhirDate::parse("1964-01").unwrap(), FhirDate::YearMonth(1964, 1));
        assert_eq!(FhirDate::parse("2021-03-01").unwrap(), FhirDate::Day(day("2021-03-01")));
        assert_eq!(FhirDate::parse("2007-08-03T00:26:57+00:00").unwrap().day(), Some(day("2007-08-03")));
        assert_eq!(FhirDate::parse("2021-02-20T12:34:56Z").unwrap().day(), Some(day("2021-02-20")));
        assert_eq!(FhirDate::parse("2021-05-30T10:12:22.123+02:00").unwrap().day(), Some(day("2021-05-30")));
        assert_eq!(FhirDate::parse("1964-01").unwrap().first_day(), Some(day("1964-01-01")));
    }

    #[test]
    fn offsets_move_the_utc_day() {
        let (d, note) = utc_day("2021-01-01T23:30:00-05:00").unwrap();
        assert_eq!(d, day("2021-01-02"));
        assert!(note.unwrap().contains("2021-01-02 in UTC"));
        let (d, note) = utc_day("2021-01-02T01:00:00+02:00").unwrap();
        assert_eq!(d, day("2021-01-01"));
        assert!(note.is_some());
        assert_eq!(utc_day("2021-01-01T10:00:00+01:00").unwrap(), (day("2021-01-01"), None));
    }

    #[test]
    fn refuses_what_is_not_a_date() {
        for bad in [
            "",
            "92",
            "1992-13",
            "1992-02-30",
            "2021-01-01T10:00",
            "2021-01-01T25:00:00Z",
            "abcd",
            "1992-1-01",
        ] {
            assert_eq!(FhirDate::parse(bad).unwrap_err().step(), Step::Fhir, "{bad}");
        }
        assert!(utc_day("1992").is_err());
    }
}

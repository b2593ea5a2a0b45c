//! Calendar days: the number of days since 1970-01-01 (proleptic Gregorian, UTC).
//!
//! In a record slot a day is the field element of that (possibly negative) integer, so
//! birth dates before 1970 are representable; circuits range-check `day + 2^31` to 32
//! bits before comparing, i.e. every date lies in [−2^31, 2^31).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};
use time::{Date, Month, format_description::FormatItem, macros::format_description};

use crate::field::Fr;

const ISO: &[FormatItem<'static>] = format_description!("[year]-[month]-[day]");
/// Julian day number of 1970-01-01.
const UNIX_EPOCH_JULIAN_DAY: i32 = 2_440_588;
/// Offset that maps every date to an unsigned 32-bit value for range checks.
pub const DATE_BIAS: u64 = 1 << 31;
/// Width in bits of `day + DATE_BIAS`.
pub const DATE_BITS: usize = 32;

/// A calendar day, counted from 1970-01-01.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Day(pub i32);

/// A date that could not be parsed or is out of range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not of the form `YYYY-MM-DD`.
    #[error("invalid date {0:?}: expected YYYY-MM-DD")]
    Format(String),
    /// Of the right form, but no such calendar day (`2026-02-30`, `2026-13-01`).
    #[error("no such day: {0} (expected a calendar date, YYYY-MM-DD)")]
    NoSuchDay(String),
}

impl Day {
    /// The day of a calendar date.
    pub fn from_ymd(year: i32, month: u8, day: u8) -> Result<Day, DateError> {
        let bad = || DateError::NoSuchDay(format!("{year:04}-{month:02}-{day:02}"));
        let month = Month::try_from(month).map_err(|_| bad())?;
        let date = Date::from_calendar_date(year, month, day).map_err(|_| bad())?;
        Ok(Day::from_date(date))
    }

    /// The day containing the Unix time `seconds` (UTC).
    pub fn from_unix_seconds(seconds: i64) -> Day {
        Day(seconds.div_euclid(86_400) as i32)
    }

    fn from_date(date: Date) -> Day {
        Day(date.to_julian_day() - UNIX_EPOCH_JULIAN_DAY)
    }

    fn to_date(self) -> Option<Date> {
        Date::from_julian_day(self.0.checked_add(UNIX_EPOCH_JULIAN_DAY)?).ok()
    }

    /// Year, month (1–12) and day of month; `None` outside the calendar's range (±9999 years).
    pub fn ymd(self) -> Option<(i32, u8, u8)> {
        self.to_date().map(|d| (d.year(), d.month() as u8, d.day()))
    }

    /// The calendar form `10000·year + 100·month + day` (for example 20261124), whose
    /// order is the calendar order and whose difference divided by 10000 is an age in
    /// completed years.
    pub fn calendar_number(self) -> Option<i64> {
        self.ymd().map(|(y, m, d)| 10_000 * y as i64 + 100 * m as i64 + d as i64)
    }

    /// The slot encoding: the field element of the (signed) day number.
    pub fn to_field(self) -> Fr {
        Fr::from(self.0 as i64)
    }

    /// `self + days`, or `None` on overflow.
    pub fn checked_add(self, days: i32) -> Option<Day> {
        self.0.checked_add(days).map(Day)
    }
}

impl std::str::FromStr for Day {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Day, DateError> {
        Date::parse(s, ISO).map(Day::from_date).map_err(|_| {
            let b = s.as_bytes();
            let shaped = b.len() == 10
                && b[4] == b'-'
                && b[7] == b'-'
                && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
            if shaped { DateError::NoSuchDay(s.to_string()) } else { DateError::Format(s.to_string()) }
        })
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_date().and_then(|d| d.format(ISO).ok()) {
            Some(text) => f.write_str(&text),
            None => write!(f, "day {}", self.0),
        }
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_days() {
        assert_eq!("1970-01-01".parse::<Day>().unwrap(), Day(0));
        assert_eq!("1969-12-31".parse::<Day>().unwrap(), Day(-1));
        assert_eq!("2000-03-01".parse::<Day>().unwrap(), Day(11_017));
        assert_eq!(Day::from_ymd(2024, 2, 29).unwrap().to_string(), "2024-02-29");
        assert!(Day::from_ymd(2023, 2, 29).is_err());
        assert!("2023-13-01".parse::<Day>().is_err());
        assert!("yesterday".parse::<Day>().is_err());
        assert_eq!(
            "2026-02-30".parse::<Day>().unwrap_err().to_string(),
            "no such day: 2026-02-30 (expected a calendar date, YYYY-MM-DD)"
        );
        assert!(matches!("2026-2-3".parse::<Day>(), Err(DateError::Format(_))));
        assert_eq!(Day::from_unix_seconds(-1), Day(-1));
        assert_eq!(Day::from_unix_seconds(86_400 * 3 + 5), Day(3));
    }

    #[test]
    fn calendar_number_orders_like_the_calendar() {
        let a = Day::from_ymd(2025, 12, 31).unwrap();
        let b = Day::from_ymd(2026, 1, 1).unwrap();
        assert_eq!(a.calendar_number(), Some(20_251_231));
        assert!(a.calendar_number() < b.calendar_number());
        assert_eq!(Day(i32::MAX).ymd(), None);
        assert_eq!(Day(i32::MAX).to_string(), format!("day {}", i32::MAX));
    }

    #[test]
    fn negative_days_are_field_negatives() {
        assert_eq!(Day(-5).to_field(), -Fr::from(5u64));
    }

    #[test]
    fn json_round_trip() {
        let d = Day::from_ymd(1958, 7, 14).unwrap();
        let json = serde_json::to_string(&d).unwrap();
        assert_eq!(json, "\"1958-07-14\"");
        assert_eq!(serde_json::from_str::<Day>(&json).unwrap(), d);
        assert!(serde_json::from_str::<Day>("\"1958-02-30\"").is_err());
    }
}

/// A date known to the year, the month or the day (`1964`, `1964-01`, `1964-01-15`), as
/// real certificates write birth dates: the interval of days it may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PartialDate {
    /// The first day it may be.
    pub earliest: Day,
    /// The last day it may be.
    pub latest: Day,
}

impl PartialDate {
    /// A full date (an interval of one day).
    pub fn day(day: Day) -> PartialDate {
        PartialDate { earliest: day, latest: day }
    }

    /// Whether it names one day.
    pub fn is_full(&self) -> bool {
        self.earliest == self.latest
    }
}

impl std::str::FromStr for PartialDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<PartialDate, DateError> {
        let bad = || DateError::Format(format!("{s} (a partial date is YYYY, YYYY-MM or YYYY-MM-DD)"));
        let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
        let parts: Vec<&str> = s.split('-').collect();
        match parts.as_slice() {
            [y] if digits(y, 4) => {
                let year = y.parse().map_err(|_| bad())?;
                Ok(PartialDate { earliest: Day::from_ymd(year, 1, 1)?, latest: Day::from_ymd(year, 12, 31)? })
            }
            [y, m] if digits(y, 4) && digits(m, 2) => {
                let (year, month): (i32, u8) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
                let earliest = Day::from_ymd(year, month, 1)?;
                let next = if month == 12 {
                    Day::from_ymd(year + 1, 1, 1)?
                } else {
                    Day::from_ymd(year, month + 1, 1)?
                };
                Ok(PartialDate { earliest, latest: Day(next.0 - 1) })
            }
            [_, _, _] => s.parse::<Day>().map(PartialDate::day),
            _ => Err(bad()),
        }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.earliest.ymd(), self.latest.ymd()) {
            _ if self.is_full() => write!(f, "{}", self.earliest),
            (Some((y, 1, 1)), Some((y2, 12, 31))) if y == y2 => write!(f, "{y:04}"),
            (Some((y, m, 1)), Some((y2, m2, _))) if y == y2 && m == m2 => write!(f, "{y:04}-{m:02}"),
            _ => write!(f, "{}..{}", self.earliest, self.latest),
        }
    }
}

#[cfg(test)]
mod partial_tests {
    use super::*;

    #[test]
    fn partial_dates_are_intervals() {
        let p: PartialDate = "1964".parse().unwrap();
        assert_eq!(
            (p.earliest.to_string(), p.latest.to_string()),
            ("1964-01-01".into(), "1964-12-31".into())
        );
        let p: PartialDate = "2024-02".parse().unwrap();
        assert_eq!(p.latest.to_string(), "2024-02-29");
        let p: PartialDate = "1999-12".parse().unwrap();
        assert_eq!(p.latest.to_string(), "1999-12-31");
        assert!("1964-01-15".parse::<PartialDate>().unwrap().is_full());
        for s in ["1964", "2024-02", "1964-01-15"] {
            assert_eq!(s.parse::<PartialDate>().unwrap().to_string(), s);
        }
        for bad in ["", "64", "1964-1", "1964-13", "1964-02-30", "1964-01-01-01", "abcd", "1964-"] {
            assert!(bad.parse::<PartialDate>().is_err(), "{bad}");
        }
    }
}

//! Minutes (UTC) and the verifier's clock.
//!
//! A [`Minute`] counts minutes since 1970-01-01T00:00Z. It is what an observation's time
//! slot holds (a test's sample time, `docs/records.md`) and what a policy's hour windows
//! are evaluated at (`time_within`, `docs/policies.md`). A [`Clock`] is what a verifier
//! states: a day, or a day and a minute; policies without hour windows need only the day.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

use crate::date::Day;

/// Minutes in a day.
pub const MINUTES_PER_DAY: i64 = 1_440;

/// A UTC minute, counted from 1970-01-01T00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Minute(pub i64);

/// A time that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid time {0:?}: expected a date (YYYY-MM-DD) or a date and UTC time (YYYY-MM-DDTHH:MMZ, seconds and an offset such as +02:00 allowed)"
)]
pub struct ClockError(pub String);

impl Minute {
    /// Minute `minute_of_day` (0–1439) of `day`.
    pub fn on(day: Day, minute_of_day: u16) -> Minute {
        Minute(i64::from(day.0) * MINUTES_PER_DAY + i64::from(minute_of_day.min(1_439)))
    }

    /// The minute containing the Unix time `seconds`.
    pub fn from_unix_seconds(seconds: i64) -> Minute {
        Minute(seconds.div_euclid(60))
    }

    /// The UTC day it falls on.
    pub fn day(self) -> Day {
        Day(self.0.div_euclid(MINUTES_PER_DAY) as i32)
    }

    /// Minutes since midnight UTC (0–1439).
    pub fn minute_of_day(self) -> u16 {
        self.0.rem_euclid(MINUTES_PER_DAY) as u16
    }

    /// The value of an `i32` slot (an observation's time), if it fits.
    pub fn to_slot(self) -> Option<i32> {
        i32::try_from(self.0).ok().filter(|m| *m != i32::MIN)
    }
}

impl std::str::FromStr for Minute {
    type Err = ClockError;

    /// RFC 3339 (`2026-12-04T10:30:00Z`, `2026-12-04T12:30+02:00`) or without seconds,
    /// normalised to UTC; seconds are dropped (the minute containing the instant).
    fn from_str(s: &str) -> Result<Minute, ClockError> {
        let bad = || ClockError(s.to_string());
        let (date, rest) = s.split_once(['T', 't', ' ']).ok_or_else(bad)?;
        let day: Day = date.parse().map_err(|_| bad())?;
        let (time, offset) = match rest.find(['Z', 'z', '+', '-']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => return Err(bad()),
        };
        let offset_minutes = match offset {
            "Z" | "z" => 0,
            o => {
                let sign = if o.starts_with('-') { -1 } else { 1 };
                let (h, m) = o[1..].split_once(':').ok_or_else(bad)?;
                let (h, m): (i64, i64) = (digits(h, 2).ok_or_else(bad)?, digits(m, 2).ok_or_else(bad)?);
                if h > 23 || m > 59 {
                    return Err(bad());
                }
                sign * (h * 60 + m)
            }
        };
        let mut parts = time.splitn(3, ':');
        let h = parts.next().and_then(|p| digits(p, 2)).ok_or_else(bad)?;
        let m = parts.next().and_then(|p| digits(p, 2)).ok_or_else(bad)?;
        if let Some(sec) = parts.next() {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, "0"));
            let ok = digits(whole, 2).is_some_and(|v| v <= 60)
                && !frac.is_empty()
                && frac.bytes().all(|c| c.is_ascii_digit());
            if !ok {
                return Err(bad());
            }
        }
        if h > 23 || m > 59 {
            return Err(bad());
        }
        Ok(Minute(i64::from(day.0) * MINUTES_PER_DAY + h * 60 + m - offset_minutes))
    }
}

fn digits(s: &str, n: usize) -> Option<i64> {
    (s.len() == n && s.bytes().all(|c| c.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

impl fmt::Display for Minute {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.minute_of_day();
        write!(f, "{}T{:02}:{:02}Z", self.day(), m / 60, m % 60)
    }
}

impl Serialize for Minute {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Minute {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Minute, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

/// The verifier's clock: its day, and its minute where a policy's hour windows need it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Clock {
    /// A day only.
    Day(Day),
    /// A UTC minute (and so its day).
    Minute(Minute),
}

impl Clock {
    /// The day.
    pub fn day(self) -> Day {
        match self {
            Clock::Day(d) => d,
            Clock::Minute(m) => m.day(),
        }
    }

    /// The minute, if stated.
    pub fn minute(self) -> Option<Minute> {
        match self {
            Clock::Day(_) => None,
            Clock::Minute(m) => Some(m),
        }
    }

    /// The clock at the Unix time `seconds`, to the minute.
    pub fn from_unix_seconds(seconds: i64) -> Clock {
        Clock::Minute(Minute::from_unix_seconds(seconds))
    }
}

impl From<Day> for Clock {
    fn from(d: Day) -> Clock {
        Clock::Day(d)
    }
}

impl From<Minute> for Clock {
    fn from(m: Minute) -> Clock {
        Clock::Minute(m)
    }
}

impl std::str::FromStr for Clock {
    type Err = ClockError;

    /// `YYYY-MM-DD` (a day) or an RFC 3339 date and time (a minute).
    fn from_str(s: &str) -> Result<Clock, ClockError> {
        if s.len() == 10 {
            return s.parse().map(Clock::Day).map_err(|_| ClockError(s.to_string()));
        }
        s.parse().map(Clock::Minute)
    }
}

impl fmt::Display for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Clock::Day(d) => d.fmt(f),
            Clock::Minute(m) => m.fmt(f),
        }
    }
}

impl Serialize for Clock {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Clock {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Clock, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_utc_and_offsets_to_the_minute() {
        let m: Minute = "2021-05-29T19:21:13Z".parse().unwrap();
        assert_eq!(m.to_string(), "2021-05-29T19:21Z");
        assert_eq!(m.day(), "2021-05-29".parse().unwrap());
        assert_eq!(m.minute_of_day(), 19 * 60 + 21);
        assert_eq!("2021-05-29T21:21:59+02:00".parse::<Minute>().unwrap(), m);
        assert_eq!("2021-05-29T19:21Z".parse::<Minute>().unwrap(), m);
        assert_eq!("2021-05-29T19:21:13.250Z".parse::<Minute>().unwrap(), m);
        // An offset moves the day.
        let early: Minute = "2021-05-30T01:00:00+02:00".parse().unwrap();
        assert_eq!(early.to_string(), "2021-05-29T23:00Z");
        let late: Minute = "2021-05-29T22:30-03:00".parse().unwrap();
        assert_eq!(late.to_string(), "2021-05-30T01:30Z");
        assert_eq!(Minute::from_unix_seconds(-1).to_string(), "1969-12-31T23:59Z");
        assert_eq!(Minute::on(Day(1), 0), Minute(1_440));
    }

    #[test]
    fn refuses_what_is_not_a_time() {
        for bad in [
            "",
            "2021-05-29",
            "2021-05-29T",
            "2021-05-29T19:21",
            "2021-05-29T24:00Z",
            "2021-05-29T19:60Z",
            "2021-05-29T1:21Z",
            "2021-02-30T10:00Z",
            "2021-05-29T19:21:61Z",
            "2021-05-29T19:21:1Z",
            "2021-05-29T19:21:13.Z",
            "2021-05-29T19:21+2:00",
            "2021-05-29T19:21+24:00",
            "2021-05-29T19:21Zjunk",
            "tomorrow",
        ] {
            assert!(bad.parse::<Minute>().is_err(), "{bad:?}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2_000, failure_persistence: None, ..Default::default() })]

        /// Any text is a typed error or a clock that prints and parses back; never a panic.
        #[test]
        fn any_text_is_refused_or_reads_back(
            text in "[0-9T:Zz+ .-]{0,30}|[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,3})?)?(Z|[+-][0-9]{2}:[0-9]{2})|\\PC{0,12}"
        ) {
            if let Ok(clock) = text.parse::<Clock>() {
                proptest::prop_assert_eq!(clock.to_string().parse::<Clock>().unwrap(), clock);
            }
        }
    }

    #[test]
    fn a_clock_is_a_day_or_a_minute() {
        let day: Clock = "2026-12-04".parse().unwrap();
        assert_eq!(day, Clock::Day("2026-12-04".parse().unwrap()));
        assert_eq!(day.minute(), None);
        let at: Clock = "2026-12-04T10:30Z".parse().unwrap();
        assert_eq!(at.day(), day.day());
        assert_eq!(at.minute().map(|m| m.minute_of_day()), Some(630));
        assert_eq!(at.to_string(), "2026-12-04T10:30Z");
        assert!("2026-13-04".parse::<Clock>().is_err());
        assert_eq!(serde_json::to_string(&at).unwrap(), "\"2026-12-04T10:30Z\"");
    }
}

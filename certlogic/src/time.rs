//! CertLogic date-times: the formats the specification allows, normalised to milliseconds
//! since 1970-01-01T00:00:00Z, and `plusTime`'s arithmetic.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// Milliseconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Instant(pub i64);

const MS_PER_HOUR: i64 = 3_600_000;
const MS_PER_DAY: i64 = 24 * MS_PER_HOUR;

impl Instant {
    /// The UTC day number (days since 1970-01-01) this instant falls on.
    pub fn utc_day(self) -> i64 {
        self.0.div_euclid(MS_PER_DAY)
    }

    /// Midnight UTC of day number `day`.
    pub fn midnight(day: i64) -> Instant {
        Instant(day * MS_PER_DAY)
    }

    /// This instant plus `hours`.
    pub fn plus_hours(self, hours: i64) -> Instant {
        Instant(self.0 + hours * MS_PER_HOUR)
    }

    /// Parses `YYYY-MM-DD` (midnight UTC) or `YYYY-MM-DDThh:mm:ss[.S…][Z|±h|±hh|±hmm|±hhmm|±h:mm|±hh:mm]`
    /// (no offset: UTC); sub-second digits past the third are dropped.
    pub fn parse(text: &str) -> Result<Instant, String> {
        let bad = || format!("{text:?} is not a CertLogic date or date-time");
        let (date_part, rest) = match text.split_once('T') {
            Some((d, r)) => (d, Some(r)),
            None => (text, None),
        };
        let date = parse_date(date_part).ok_or_else(bad)?;
        let Some(rest) = rest else {
            return Ok(from_offset(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc()));
        };
        // hh:mm:ss, then optional .S…, then optional offset.
        if rest.len() < 8 || !rest.is_char_boundary(8) {
            return Err(bad());
        }
        let (clock, mut tail) = rest.split_at(8);
        let b = clock.as_bytes();
        if b[2] != b':' || b[5] != b':' {
            return Err(bad());
        }
        let num = |s: &str| s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse::<u8>().ok()).flatten();
        let (h, m, s) = (num(&clock[0..2]), num(&clock[3..5]), num(&clock[6..8]));
        let (Some(h), Some(m), Some(s)) = (h, m, s) else { return Err(bad()) };
        let mut millis: u16 = 0;
        if let Some(frac) = tail.strip_prefix('.') {
            let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(bad());
            }
            let kept = &frac[..digits.min(3)];
            millis = kept.parse::<u16>().map_err(|_| bad())? * 10u16.pow(3 - kept.len() as u32);
            tail = &frac[digits..];
        }
        let offset = parse_offset(tail).ok_or_else(bad)?;
        let time = Time::from_hms_milli(h, m, s, millis).map_err(|_| bad())?;
        Ok(from_offset(PrimitiveDateTime::new(date, time).assume_offset(offset)))
    }

    /// `plusTime`: this instant plus `amount` of `unit` ("year", "month", "day", "hour").
    /// Months and years move the calendar date in UTC, a day that does not exist in the
    /// target month becoming the month's last day.
    pub fn plus(self, amount: i64, unit: &str) -> Result<Instant, String> {
        match unit {
            "hour" => Ok(self.plus_hours(amount)),
            "day" => Ok(Instant(self.0 + amount * MS_PER_DAY)),
            "month" | "year" => {
                let months = if unit == "year" { amount * 12 } else { amount };
                let t = to_utc(self)?;
                let total = t.year() as i64 * 12 + (t.month() as i64 - 1) + months;
                let (year, month0) = (total.div_euclid(12), total.rem_euclid(12));
                let month = Month::try_from(month0 as u8 + 1).map_err(|e| e.to_string())?;
                let year = i32::try_from(year).map_err(|_| "year out of range".to_string())?;
                let last = time::util::days_in_month(month, year);
                let date =
                    Date::from_calendar_date(year, month, t.day().min(last)).map_err(|e| e.to_string())?;
                Ok(from_offset(PrimitiveDateTime::new(date, t.time()).assume_utc()))
            }
            other => Err(format!("plusTime unit {other:?} (units: year, month, day, hour)")),
        }
    }
}

fn to_utc(i: Instant) -> Result<OffsetDateTime, String> {
    OffsetDateTime::from_unix_timestamp_nanos(i.0 as i128 * 1_000_000).map_err(|e| e.to_string())
}

fn from_offset(t: OffsetDateTime) -> Instant {
    Instant((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    let (y, m, d) = (&text[0..4], &text[5..7], &text[8..10]);
    if !(digits(y) && digits(m) && digits(d)) {
        return None;
    }
    let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

fn parse_offset(tail: &str) -> Option<UtcOffset> {
    if tail.is_empty() || tail == "Z" {
        return Some(UtcOffset::UTC);
    }
    let sign: i8 = match tail.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let body = &tail[1..];
    if !body.bytes().all(|c| c.is_ascii_digit() || c == b':') {
        return None;
    }
    let (h, m) = match body.split_once(':') {
        Some((h, m)) if (1..=2).contains(&h.len()) && m.len() == 2 => (h, m),
        Some(_) => return None,
        None => match body.len() {
            1 | 2 => (body, "0"),
            3 => (&body[..1], &body[1..]),
            4 => (&body[..2], &body[2..]),
            _ => return None,
        },
    };
    let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
    if h > 23 || m > 59 {
        return None;
    }
    UtcOffset::from_hms(sign * h, sign * m, 0).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_allowed_format_parses_to_the_same_instant() {
        let z = Instant::parse("2021-06-01T18:00:00Z").unwrap();
        for text in [
            "2021-06-01T18:00:00",
            "2021-06-01T20:00:00+2",
            "2021-06-01T20:00:00+02",
            "2021-06-01T20:00:00+200",
            "2021-06-01T20:00:00+0200",
            "2021-06-01T20:00:00+2:00",
            "2021-06-01T20:00:00+02:00",
            "2021-06-01T16:00:00-02:00",
            "2021-06-01T18:00:00.0Z",
            "2021-06-01T18:00:00.0009Z",
        ] {
            assert_eq!(Instant::parse(text).unwrap(), z, "{text}");
        }
        assert_eq!(Instant::parse("2021-06-01T18:00:00.1239+00:00").unwrap().0, z.0 + 123);
        assert_eq!(Instant::parse("2021-06-01").unwrap(), Instant::midnight(z.utc_day()));
        assert_eq!(Instant::parse("1969-12-31T23:00:00Z").unwrap().utc_day(), -1);
    }

    #[test]
    fn malformed_date_times_are_refused() {
        for text in [
            "",
            "2021",
            "2021-06",
            "2021-6-01",
            "2021-02-30",
            "2021-06-01T",
            "2021-06-01T18:00",
            "2021-06-01T18:00:00.",
            "2021-06-01T18:00:00+",
            "2021-06-01T18:00:00+24",
            "2021-06-01T18:00:00+02:0",
            "2021-06-01T18:00:00 Z",
            "2021-06-01T25:00:00Z",
            "２０２１-06-01",
            "2021-06-01T1８:00:00Z",
        ] {
            assert!(Instant::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn plus_time_units() {
        let t = Instant::parse("2021-01-31T10:00:00Z").unwrap();
        assert_eq!(t.plus(72, "hour").unwrap(), Instant::parse("2021-02-03T10:00:00Z").unwrap());
        assert_eq!(t.plus(-1, "day").unwrap(), Instant::parse("2021-01-30T10:00:00Z").unwrap());
        assert_eq!(t.plus(1, "month").unwrap(), Instant::parse("2021-02-28T10:00:00Z").unwrap());
        assert_eq!(t.plus(-13, "month").unwrap(), Instant::parse("2019-12-31T10:00:00Z").unwrap());
        assert_eq!(t.plus(1, "year").unwrap(), Instant::parse("2022-01-31T10:00:00Z").unwrap());
        assert!(t.plus(1, "week").is_err());
    }
}

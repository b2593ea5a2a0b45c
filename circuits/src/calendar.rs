//! Calendar arithmetic for ages: a day number's calendar number `10000·y + 100·m + d`.
//!
//! Ages in completed years are differences of calendar numbers divided by 10000:
//! `age = ⌊(cal(today) − cal(birth)) / 10000⌋`. A person born on 29 February reaches a
//! new age on 1 March in common years. The gadget proves, for the public day number, the
//! calendar number of the same day; the witnesses follow the proleptic Gregorian
//! algorithm `days_from_civil` with a March-based year.

use crate::date::Day;

/// Offset of 0000-03-01 from 1970-01-01, in days.
const EPOCH_SHIFT: i64 = 719_468;
/// Days in a 400-year era.
const ERA_DAYS: i64 = 146_097;
/// Largest supported era (years below 2^6·400 = 25,600).
pub const ERA_BITS: usize = 6;

/// The witnesses of `days_from_civil` for one day (all non-negative).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct CivilWitness {
    /// 400-year era.
    pub era: u64,
    /// Year of era, 0–399 (March-based).
    pub yoe: u64,
    /// Month, March-based: 0 = March … 11 = February.
    pub mp: u64,
    /// Day of month, 1–31.
    pub d: u64,
}

impl CivilWitness {
    /// The witness for `day`, if its year is in 0 ..= 25,599.
    pub fn of(day: Day) -> Option<CivilWitness> {
        let z = day.0 as i64 + EPOCH_SHIFT;
        if z < 0 {
            return None;
        }
        let era = z / ERA_DAYS;
        let doe = z - era * ERA_DAYS;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        if era >= 1 << ERA_BITS {
            return None;
        }
        Some(CivilWitness { era: era as u64, yoe: yoe as u64, mp: mp as u64, d: d as u64 })
    }

    /// The calendar year, month and day.
    pub fn ymd(&self) -> (u64, u64, u64) {
        let late = (self.mp >= 10) as u64;
        (self.era * 400 + self.yoe + late, self.mp + 3 - 12 * late, self.d)
    }

    /// `10000·y + 100·m + d`.
    pub fn calendar_number(&self) -> u64 {
        let (y, m, d) = self.ymd();
        10_000 * y + 100 * m + d
    }
}

#[cfg(feature = "r1cs")]
pub use gadget::{CONSTRAINTS, calendar_number_var};

#[cfg(feature = "r1cs")]
mod gadget {
    use ark_ff::{AdditiveGroup, Field};
    use ark_r1cs_std::{
        alloc::AllocVar,
        boolean::Boolean,
        eq::EqGadget,
        fields::{FieldVar, fp::FpVar},
    };
    use ark_relations::gr1cs::{ConstraintSystemRef, SynthesisError};

    use super::{CivilWitness, EPOCH_SHIFT, ERA_BITS, ERA_DAYS};
    use crate::field::Fr;
    use crate::gadgets::{enforce_range, new_bounded_witness};

    /// Constraints of [`calendar_number_var`].
    pub const CONSTRAINTS: usize = 135;

    /// `1` if `x = 0`, else `0` (three constraints).
    fn is_zero(cs: &ConstraintSystemRef<Fr>, x: &FpVar<Fr>) -> Result<FpVar<Fr>, SynthesisError> {
        let value = x.value().ok();
        let inv = FpVar::new_witness(cs.clone(), || {
            value.map(|v| v.inverse().unwrap_or(Fr::ZERO)).ok_or(SynthesisError::AssignmentMissing)
        })?;
        let flag = FpVar::Constant(Fr::ONE) - x * &inv;
        (x * &flag).enforce_equal(&FpVar::Constant(Fr::ZERO))?;
        // When x = 0 the inverse is pinned to 0 too, so no witness is left free.
        inv.mul_equals(&flag, &FpVar::Constant(Fr::ZERO))?;
        Ok(flag)
    }

    use ark_r1cs_std::GR1CSVar;

    /// Proves that `day` (a field element holding the signed day number) is the day with
    /// calendar number `10000·y + 100·m + d`, and returns that number. `witness` must be
    /// [`CivilWitness::of`] the day (placeholders during setup). [`CONSTRAINTS`] constraints.
    pub fn calendar_number_var(
        cs: ConstraintSystemRef<Fr>,
        day: &FpVar<Fr>,
        witness: CivilWitness,
    ) -> Result<FpVar<Fr>, SynthesisError> {
        let w = witness;
        let bounded = |x: u64, bits| new_bounded_witness(cs.clone(), || Ok(Fr::from(x)), bits, 0);
        let era = bounded(w.era, ERA_BITS)?;
        let yoe = bounded(w.yoe, 9)?;
        enforce_range(&(FpVar::Constant(Fr::from(399u64)) - &yoe), 9)?;
        // yoe = 4·q4 + r4 and yoe = 100·q100 + r100, quotients and remainders bounded.
        let (q4, r4) = (bounded(w.yoe / 4, 7)?, bounded(w.yoe % 4, 2)?);
        (&q4 * Fr::from(4u64) + &r4).enforce_equal(&yoe)?;
        let (q100, r100) = (bounded(w.yoe / 100, 2)?, bounded(w.yoe % 100, 7)?);
        enforce_range(&(FpVar::Constant(Fr::from(99u64)) - &r100), 7)?;
        (&q100 * Fr::from(100u64) + &r100).enforce_equal(&yoe)?;
        // March-based month and its first day of year s5 = ⌊(153·mp + 2)/5⌋.
        let mp = bounded(w.mp, 4)?;
        enforce_range(&(FpVar::Constant(Fr::from(11u64)) - &mp), 4)?;
        let (s5, r5v) = ((153 * w.mp + 2) / 5, (153 * w.mp + 2) % 5);
        let s5 = bounded(s5, 9)?;
        let r5 = bounded(r5v, 3)?;
        enforce_range(&(FpVar::Constant(Fr::from(4u64)) - &r5), 3)?;
        (&mp * Fr::from(153u64) + Fr::from(2u64)).enforce_equal(&(&s5 * Fr::from(5u64) + &r5))?;
        // Day of month: 1 ≤ d ≤ length of the month.
        let d = new_bounded_witness(cs.clone(), || Ok(Fr::from(w.d)), 5, 0)?;
        enforce_range(&(&d - Fr::ONE), 5)?;
        // Months March … January have 30 + [r5 ≥ 2] days: g = [r5 ≥ 2], e = r5 − 2g ≤ 1 + g.
        let g = Boolean::new_witness(cs.clone(), || Ok(r5v >= 2))?;
        let g = FpVar::from(g);
        let e = &r5 - &g * Fr::from(2u64);
        enforce_range(&e, 2)?;
        enforce_range(&(FpVar::Constant(Fr::ONE) + &g - &e), 2)?;
        // February (mp = 11) has 28 + leap days; leap for the calendar year after the
        // March-based year: (yoe+1) % 4 = 0 and ((yoe+1) % 100 ≠ 0 or yoe = 399).
        let feb = is_zero(&cs, &(FpVar::Constant(Fr::from(11u64)) - &mp))?;
        let div4 = is_zero(&cs, &(&r4 - Fr::from(3u64)))?;
        let div100 = is_zero(&cs, &(&r100 - Fr::from(99u64)))?;
        let div400 = is_zero(&cs, &(&q100 - Fr::from(3u64)))?;
        let leap = &div4 * (FpVar::Constant(Fr::ONE) - &div100 + &div100 * &div400);
        let length =
            (FpVar::Constant(Fr::ONE) - &feb) * (&g + Fr::from(30u64)) + &feb * (&leap + Fr::from(28u64));
        enforce_range(&(length - &d), 5)?;
        // The day number.
        let days = &era * Fr::from(ERA_DAYS as u64) + &yoe * Fr::from(365u64) + &q4 - &q100 + &s5 + &d
            - Fr::from(1u64 + EPOCH_SHIFT as u64);
        days.enforce_equal(day)?;
        // Calendar number: y = 400·era + yoe + [mp ≥ 10], m = mp + 3 − 12·[mp ≥ 10].
        let late = Boolean::new_witness(cs.clone(), || Ok(w.mp >= 10))?;
        let late = FpVar::from(late);
        let below = &mp - &late * Fr::from(10u64);
        enforce_range(&below, 4)?;
        enforce_range(&(FpVar::Constant(Fr::from(9u64)) - &below), 4)?;
        let year = &era * Fr::from(400u64) + &yoe + &late;
        let month = &mp + Fr::from(3u64) - &late * Fr::from(12u64);
        Ok(year * Fr::from(10_000u64) + month * Fr::from(100u64) + d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_matches_the_calendar() {
        for day in (-719_468..2_900_000).step_by(997).chain(-800..20_000) {
            let day = Day(day);
            let w = CivilWitness::of(day).unwrap();
            let (y, m, d) = day.ymd().unwrap();
            assert_eq!(w.ymd(), (y as u64, m as u64, d as u64), "{day}");
            assert_eq!(w.calendar_number() as i64, day.calendar_number().unwrap());
        }
        assert_eq!(CivilWitness::of(Day(-719_469)), None);
    }

    #[cfg(feature = "r1cs")]
    mod gadget {
        use super::*;
        use crate::field::Fr;
        use crate::r1cs::R1cs;
        use ark_r1cs_std::{GR1CSVar, alloc::AllocVar, fields::fp::FpVar};

        fn run(day: Day, w: CivilWitness) -> (R1cs, Option<Fr>) {
            let mut out = None;
            let r = R1cs::synthesize(|cs| {
                let d = FpVar::new_input(cs.clone(), || Ok(day.to_field()))?;
                let cal = calendar_number_var(cs, &d, w)?;
                out = cal.value().ok();
                Ok(vec![])
            })
            .unwrap();
            (r, out)
        }

        #[test]
        fn gadget_equals_native_across_leap_rules() {
            let mut days: Vec<i32> = Vec::new();
            for (y, m) in
                [(1900, 2), (2000, 2), (2023, 2), (2024, 2), (2100, 2), (2400, 2), (1999, 12), (2026, 11)]
            {
                let start = Day::from_ymd(y, m, 1).unwrap().0;
                days.extend(start - 2..start + 32);
            }
            days.extend((-300_000..2_900_000).step_by(40_009));
            for day in days {
                let day = Day(day);
                let w = CivilWitness::of(day).unwrap();
                let (r, cal) = run(day, w);
                assert!(r.is_satisfied(), "{day}");
                assert_eq!(cal, Some(Fr::from(w.calendar_number())), "{day}");
                assert_eq!(r.num_constraints(), CONSTRAINTS);
            }
        }

        /// A non-canonical date for the same day number (for example 31 April for 1 May).
        #[test]
        fn non_canonical_dates_are_unsatisfied() {
            let cases = [
                (Day::from_ymd(2026, 5, 1).unwrap(), CivilWitness { era: 5, yoe: 26, mp: 1, d: 31 }),
                (Day::from_ymd(2026, 3, 1).unwrap(), CivilWitness { era: 5, yoe: 25, mp: 11, d: 29 }),
                (Day::from_ymd(2024, 3, 1).unwrap(), CivilWitness { era: 5, yoe: 23, mp: 11, d: 30 }),
                (Day::from_ymd(2100, 3, 1).unwrap(), CivilWitness { era: 5, yoe: 99, mp: 11, d: 29 }),
                (Day::from_ymd(2026, 4, 1).unwrap(), CivilWitness { era: 5, yoe: 26, mp: 0, d: 32 }),
                (Day::from_ymd(2026, 2, 28).unwrap(), CivilWitness { era: 5, yoe: 26, mp: 0, d: 0 }),
            ];
            for (day, w) in cases {
                // Same day number under the formula, but not a real date.
                let formula = w.era as i64 * ERA_DAYS + 365 * w.yoe as i64 + (w.yoe / 4) as i64
                    - (w.yoe / 100) as i64
                    + ((153 * w.mp + 2) / 5) as i64
                    + w.d as i64
                    - 1
                    - EPOCH_SHIFT;
                assert_eq!(formula, day.0 as i64, "{w:?}");
                assert!(!run(day, w).0.is_satisfied(), "{day} as {w:?}");
            }
            // The canonical witnesses of those days are fine.
            for (day, _) in cases {
                assert!(run(day, CivilWitness::of(day).unwrap()).0.is_satisfied());
            }
            // 29 February 2000 and 2024 exist.
            for day in [Day::from_ymd(2000, 2, 29).unwrap(), Day::from_ymd(2024, 2, 29).unwrap()] {
                assert!(run(day, CivilWitness::of(day).unwrap()).0.is_satisfied());
            }
        }

        #[test]
        fn a_wrong_day_is_unsatisfied() {
            let day = Day::from_ymd(2026, 11, 24).unwrap();
            let w = CivilWitness::of(Day(day.0 + 1)).unwrap();
            assert!(!run(day, w).0.is_satisfied());
        }
    }
}

//! Each LOINC test's canonical unit and fixed-point scale, and the units converted to it.
//!
//! A record's `value` is an unsigned integer: the result in the test's canonical UCUM
//! unit times 10^scale, rounded half away from zero. A policy writes its bounds the same
//! way (docs/policies.md), so 7.26 % HbA1c is 73 and the bound "6.5 %" is 65.

use medzk_circuits::units::decimal;
pub use medzk_circuits::units::{Canonical, TABLE, canonical};

/// Why a quantity could not be converted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitProblem {
    /// The test is not in [`TABLE`].
    UnknownTest,
    /// A unit the table does not convert.
    Unit(String),
    /// Negative, not finite, or too large for the value slot.
    OutOfRange,
}

/// `value` in `unit` as the record's integer, and the note to report when it changed
/// (converted or rounded).
pub fn to_fixed(loinc: &str, value: f64, unit: &str) -> Result<(u64, Option<String>), UnitProblem> {
    let c = canonical(loinc).ok_or(UnitProblem::UnknownTest)?;
    let factor = if unit == c.unit {
        1.0
    } else {
        c.also
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, f)| *f)
            .ok_or_else(|| UnitProblem::Unit(unit.to_string()))?
    };
    let canonical_value = value * factor;
    let scaled = canonical_value * 10f64.powi(c.scale as i32);
    if !scaled.is_finite() || scaled < -0.5 || scaled.round() >= 2f64.powi(63) {
        return Err(UnitProblem::OutOfRange);
    }
    let fixed = scaled.round() as u64;
    let exact = (scaled - scaled.round()).abs() < 1e-9;
    let note = match (factor == 1.0, exact) {
        (true, true) => None,
        (true, false) => Some(format!(
            "{value} {unit} rounded to {fixed} (×10^{}; {} {})",
            c.scale,
            decimal(fixed, c.scale),
            c.unit
        )),
        (false, _) => Some(format!(
            "{value} {unit} converted to {} {} = {fixed} (×10^{})",
            decimal(fixed, c.scale),
            c.unit,
            c.scale
        )),
    };
    Ok((fixed, note))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hba1c_and_conversions() {
        let (v, note) = to_fixed("4548-4", 7.262022744084565, "%").unwrap();
        assert_eq!(v, 73);
        assert!(note.unwrap().contains("7.3 %"));
        assert_eq!(to_fixed("4548-4", 6.5, "%").unwrap(), (65, None));
        assert_eq!(to_fixed("33914-3", 108.49187054137816, "mL/min/{1.73_m2}").unwrap().0, 108);
        assert_eq!(to_fixed("62238-1", 45.0, "mL/min/1.73m2").unwrap().0, 45);
        assert_eq!(to_fixed("29463-7", 180.0, "[lb_av]").unwrap().0, 816);
        assert_eq!(to_fixed("2339-0", 5.5, "mmol/L").unwrap().0, 99);
        assert_eq!(to_fixed("38483-4", 88.42, "umol/L").unwrap().0, 100);
    }

    #[test]
    fn refusals() {
        assert_eq!(to_fixed("1-8", 1.0, "%"), Err(UnitProblem::UnknownTest));
        assert_eq!(to_fixed("4548-4", 48.0, "mmol/mol"), Err(UnitProblem::Unit("mmol/mol".into())));
        assert_eq!(to_fixed("4548-4", -1.0, "%"), Err(UnitProblem::OutOfRange));
        assert_eq!(to_fixed("4548-4", f64::NAN, "%"), Err(UnitProblem::OutOfRange));
        assert_eq!(to_fixed("4548-4", 1e300, "%"), Err(UnitProblem::OutOfRange));
    }

    #[test]
    fn table_has_one_row_per_code() {
        let mut codes: Vec<_> = TABLE.iter().map(|c| c.loinc).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), TABLE.len());
    }
}

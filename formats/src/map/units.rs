//! Each LOINC test's canonical unit and fixed-point scale, and the units converted to it.
//!
//! A record's `value` is an unsigned integer: the result in the test's canonical UCUM
//! unit times 10^scale, rounded half away from zero. A policy writes its bounds the same
//! way (docs/policies.md), so 7.26 % HbA1c is 73 and the bound "6.5 %" is 65.

/// One test's canonical unit and scale.
#[derive(Clone, Copy, Debug)]
pub struct Canonical {
    /// LOINC code.
    pub loinc: &'static str,
    /// What it measures.
    pub name: &'static str,
    /// Canonical UCUM unit.
    pub unit: &'static str,
    /// Decimal digits kept: the record holds `value · 10^scale`.
    pub scale: u32,
    /// Other UCUM units accepted, with the factor to the canonical unit.
    pub also: &'static [(&'static str, f64)],
}

const GFR: &str = "mL/min/{1.73_m2}";
const GFR_ALSO: &[(&str, f64)] = &[("mL/min/1.73m2", 1.0), ("mL/min/{1.73m2}", 1.0), ("mL/min/1.73.m2", 1.0)];
/// mg/dL per mmol/L for cholesterol (386.65 g/mol).
const CHOL: &[(&str, f64)] = &[("mmol/L", 38.665)];
/// mg/dL per mmol/L for glucose (180.16 g/mol).
const GLUCOSE: &[(&str, f64)] = &[("mmol/L", 18.016)];

/// The table (docs/import.md lists it).
pub const TABLE: &[Canonical] = &[
    Canonical { loinc: "4548-4", name: "HbA1c", unit: "%", scale: 1, also: &[] },
    Canonical { loinc: "17856-6", name: "HbA1c (HPLC)", unit: "%", scale: 1, also: &[] },
    Canonical { loinc: "62238-1", name: "eGFR (CKD-EPI)", unit: GFR, scale: 0, also: GFR_ALSO },
    Canonical { loinc: "33914-3", name: "eGFR (MDRD)", unit: GFR, scale: 0, also: GFR_ALSO },
    Canonical { loinc: "98979-8", name: "eGFR (CKD-EPI 2021)", unit: GFR, scale: 0, also: GFR_ALSO },
    Canonical { loinc: "39156-5", name: "BMI", unit: "kg/m2", scale: 1, also: &[] },
    Canonical {
        loinc: "29463-7",
        name: "body weight",
        unit: "kg",
        scale: 1,
        also: &[("g", 0.001), ("[lb_av]", 0.453_592_37)],
    },
    Canonical {
        loinc: "8302-2",
        name: "body height",
        unit: "cm",
        scale: 1,
        also: &[("m", 100.0), ("[in_i]", 2.54)],
    },
    Canonical { loinc: "8480-6", name: "systolic blood pressure", unit: "mm[Hg]", scale: 0, also: &[] },
    Canonical { loinc: "8462-4", name: "diastolic blood pressure", unit: "mm[Hg]", scale: 0, also: &[] },
    Canonical { loinc: "8867-4", name: "heart rate", unit: "/min", scale: 0, also: &[("{beats}/min", 1.0)] },
    Canonical {
        loinc: "9279-1",
        name: "respiratory rate",
        unit: "/min",
        scale: 0,
        also: &[("{breaths}/min", 1.0)],
    },
    Canonical { loinc: "8310-5", name: "body temperature", unit: "Cel", scale: 1, also: &[] },
    Canonical {
        loinc: "59408-5",
        name: "oxygen saturation (pulse oximetry)",
        unit: "%",
        scale: 0,
        also: &[],
    },
    Canonical { loinc: "2339-0", name: "glucose (blood)", unit: "mg/dL", scale: 0, also: GLUCOSE },
    Canonical { loinc: "2345-7", name: "glucose (serum/plasma)", unit: "mg/dL", scale: 0, also: GLUCOSE },
    Canonical { loinc: "2093-3", name: "total cholesterol", unit: "mg/dL", scale: 0, also: CHOL },
    Canonical { loinc: "2085-9", name: "HDL cholesterol", unit: "mg/dL", scale: 0, also: CHOL },
    Canonical { loinc: "18262-6", name: "LDL cholesterol (direct)", unit: "mg/dL", scale: 0, also: CHOL },
    Canonical { loinc: "2089-1", name: "LDL cholesterol", unit: "mg/dL", scale: 0, also: CHOL },
    Canonical { loinc: "2571-8", name: "triglycerides", unit: "mg/dL", scale: 0, also: &[("mmol/L", 88.57)] },
    Canonical {
        loinc: "38483-4",
        name: "creatinine (blood)",
        unit: "mg/dL",
        scale: 2,
        also: &[("umol/L", 1.0 / 88.42)],
    },
    Canonical {
        loinc: "2160-0",
        name: "creatinine (serum/plasma)",
        unit: "mg/dL",
        scale: 2,
        also: &[("umol/L", 1.0 / 88.42)],
    },
    Canonical { loinc: "14959-1", name: "microalbumin/creatinine ratio", unit: "mg/g", scale: 1, also: &[] },
    Canonical { loinc: "6299-2", name: "urea nitrogen", unit: "mg/dL", scale: 0, also: &[] },
    Canonical { loinc: "49765-1", name: "calcium", unit: "mg/dL", scale: 1, also: &[] },
    Canonical { loinc: "2947-0", name: "sodium", unit: "mmol/L", scale: 0, also: &[] },
    Canonical { loinc: "6298-4", name: "potassium", unit: "mmol/L", scale: 1, also: &[] },
    Canonical { loinc: "2069-3", name: "chloride", unit: "mmol/L", scale: 0, also: &[] },
    Canonical { loinc: "20565-8", name: "carbon dioxide", unit: "mmol/L", scale: 0, also: &[] },
    Canonical { loinc: "718-7", name: "haemoglobin", unit: "g/dL", scale: 1, also: &[("g/L", 0.1)] },
    Canonical { loinc: "4544-3", name: "haematocrit", unit: "%", scale: 1, also: &[] },
    Canonical { loinc: "72514-3", name: "pain severity (0-10)", unit: "{score}", scale: 0, also: &[] },
];

/// The canonical unit of a LOINC code, if the table has it.
pub fn canonical(loinc: &str) -> Option<&'static Canonical> {
    TABLE.iter().find(|c| c.loinc == loinc)
}

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
            shown(fixed, c.scale),
            c.unit
        )),
        (false, _) => Some(format!(
            "{value} {unit} converted to {} {} = {fixed} (×10^{})",
            shown(fixed, c.scale),
            c.unit,
            c.scale
        )),
    };
    Ok((fixed, note))
}

fn shown(fixed: u64, scale: u32) -> String {
    let div = 10u64.pow(scale);
    if scale == 0 {
        fixed.to_string()
    } else {
        format!("{}.{:0w$}", fixed / div, fixed % div, w = scale as usize)
    }
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

//! Each LOINC test's canonical UCUM unit and fixed-point scale (the table `medzk import`
//! converts results with, docs/import.md), and quantities written with a unit in policies
//! (`"6.5 %"`), converted to the record's integer exactly or refused.
//!
//! A record's `value` is an unsigned integer: the result in the test's canonical UCUM
//! unit times 10^scale, rounded half away from zero at import, so 7.26 % HbA1c is 73.

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

/// Why a quantity operand cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// Not `<number> <unit>`.
    #[error("{0:?} is not a quantity (write a number, a space and a UCUM unit: \"6.5 %\")")]
    Syntax(String),
    /// Not the unit the records keep.
    #[error("{test} records are kept in {canonical}: write the bound in {known}, not {unit}")]
    Unit {
        /// The test.
        test: &'static str,
        /// Its canonical unit.
        canonical: &'static str,
        /// The unit written.
        unit: String,
        /// The units accepted.
        known: String,
    },
    /// Not a whole number of the record's smallest step (the message names the two
    /// nearest bounds).
    #[error("{0}")]
    Scale(String),
    /// Negative or too large.
    #[error("{0} is outside the value slot's range")]
    Range(String),
}

impl Canonical {
    /// `value` (the record's integer) in the canonical unit: `726` → `"72.6 %"` at scale 1.
    pub fn show(&self, value: u64) -> String {
        format!("{} {}", decimal(value, self.scale), self.unit)
    }

    /// The record's integer for a quantity written `"<number> <unit>"`, exact: a bound
    /// between two steps of the scale is refused with the two nearest (a policy bound that
    /// silently moved would accept or refuse a patient the author did not mean to).
    pub fn fixed(&self, written: &str) -> Result<u64, QuantityError> {
        let syntax = || QuantityError::Syntax(written.to_string());
        let (number, unit) = written.trim().split_once(' ').ok_or_else(syntax)?;
        let unit = unit.trim();
        let valid = !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && number.bytes().filter(|b| *b == b'.').count() <= 1
            && !number.starts_with('.')
            && !number.ends_with('.');
        if !valid || unit.is_empty() {
            return Err(syntax());
        }
        let step = decimal(1, self.scale);
        if unit == self.unit {
            // Exact decimal arithmetic: digits after the point beyond the scale must be 0.
            let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
            let kept = frac.len().min(self.scale as usize);
            let (frac_kept, frac_rest) = frac.split_at(kept);
            let digits = format!("{whole}{frac_kept}{}", "0".repeat(self.scale as usize - kept));
            let n: u64 = digits.parse().map_err(|_| QuantityError::Range(written.to_string()))?;
            if frac_rest.bytes().any(|b| b != b'0') {
                return Err(self.between(written, number, &step, n));
            }
            return Ok(n);
        }
        // Policies are written in the records' own unit: a conversion factor (often not a
        // finite decimal) would move the bound, and float code would grow the verifier's
        // WebAssembly past its budget.
        let mut known = vec![self.unit];
        known.extend(self.also.iter().map(|(u, _)| *u));
        let converted = if self.also.iter().any(|(u, _)| *u == unit) {
            format!(" (the import converts {unit}; a policy bound is written in {})", self.unit)
        } else {
            String::new()
        };
        Err(QuantityError::Unit {
            test: self.name,
            canonical: self.unit,
            unit: format!("{unit}{converted}"),
            known: self.unit.to_string(),
        })
    }
}

impl Canonical {
    fn between(&self, written: &str, exact: &str, step: &str, below: u64) -> QuantityError {
        QuantityError::Scale(format!(
            "{written} is {exact} {unit}, finer than {test} records keep (steps of {step} {unit}): write {} or {}",
            self.show(below),
            self.show(below + 1),
            unit = self.unit,
            test = self.name,
        ))
    }
}

/// `value / 10^scale` written with `scale` decimals.
pub fn decimal(value: u64, scale: u32) -> String {
    if scale == 0 {
        return value.to_string();
    }
    let p = 10u64.pow(scale);
    format!("{}.{:0width$}", value / p, value % p, width = scale as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_convert_exactly_or_are_refused() {
        let hba1c = canonical("4548-4").unwrap();
        assert_eq!(hba1c.fixed("6.5 %"), Ok(65));
        assert_eq!(hba1c.fixed("6.50 %"), Ok(65));
        assert_eq!(hba1c.fixed("7 %"), Ok(70));
        assert_eq!(hba1c.show(73), "7.3 %");
        let e = hba1c.fixed("6.55 %").unwrap_err().to_string();
        assert!(e.contains("6.5 %") && e.contains("6.6 %"), "{e}");
        assert!(matches!(hba1c.fixed("6.5 mmol/mol"), Err(QuantityError::Unit { .. })));
        for bad in ["6.5%", "%", "6.5", "-1 %", ".5 %", "5. %", "1.2.3 %", "six %", "１ %"] {
            assert!(hba1c.fixed(bad).is_err(), "{bad}");
        }
        assert!(matches!(hba1c.fixed("99999999999999999999 %"), Err(QuantityError::Range(_))));
        let glucose = canonical("2345-7").unwrap();
        assert_eq!(glucose.fixed("126 mg/dL"), Ok(126));
        // Another unit, even one the import converts, is refused: the bound is written in
        // the records' unit.
        let e = glucose.fixed("7 mmol/L").unwrap_err().to_string();
        assert!(e.contains("write the bound in mg/dL") && e.contains("the import converts"), "{e}");
        let weight = canonical("29463-7").unwrap();
        assert_eq!(weight.fixed("80.5 kg"), Ok(805));
        assert!(weight.fixed("80500 g").is_err());
        assert_eq!(weight.show(805), "80.5 kg");
        let creatinine = canonical("2160-0").unwrap();
        assert_eq!(creatinine.fixed("1.25 mg/dL"), Ok(125));
        assert_eq!(decimal(5, 2), "0.05");
    }
}

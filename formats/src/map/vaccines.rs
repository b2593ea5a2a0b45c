//! Equivalent COVID-19 vaccine codes: CVX ↔ EU product ↔ SNOMED CT vaccine type, and the
//! primary series size used when a source states none.

use super::codes::{CVX, EU_PRODUCT, SNOMED};

/// One vaccine product.
#[derive(Clone, Copy, Debug)]
pub struct Vaccine {
    /// CVX code.
    pub cvx: &'static str,
    /// Union Register product number, if the product has one.
    pub eu_product: Option<&'static str>,
    /// SNOMED CT vaccine type (the DCC `vp` value set).
    pub snomed: &'static str,
    /// Product name.
    pub name: &'static str,
    /// Doses in the primary series (boosters list their platform's primary series).
    pub primary_series: u8,
}

const MRNA: &str = "1119349007";
const VECTOR: &str = "29061000087103";
const PROTEIN: &str = "1162643001";
const ANY: &str = "28531000087107";

/// The table (docs/import.md lists it).
pub const TABLE: &[Vaccine] = &[
    Vaccine {
        cvx: "207",
        eu_product: Some("EU/1/20/1507"),
        snomed: MRNA,
        name: "Moderna / Spikevax",
        primary_series: 2,
    },
    Vaccine {
        cvx: "221",
        eu_product: Some("EU/1/20/1507"),
        snomed: MRNA,
        name: "Moderna / Spikevax booster",
        primary_series: 2,
    },
    Vaccine {
        cvx: "228",
        eu_product: Some("EU/1/20/1507"),
        snomed: MRNA,
        name: "Moderna / Spikevax 25 µg",
        primary_series: 2,
    },
    Vaccine {
        cvx: "229",
        eu_product: Some("EU/1/20/1507"),
        snomed: MRNA,
        name: "Moderna / Spikevax bivalent",
        primary_series: 2,
    },
    Vaccine {
        cvx: "208",
        eu_product: Some("EU/1/20/1528"),
        snomed: MRNA,
        name: "Pfizer-BioNTech / Comirnaty",
        primary_series: 2,
    },
    Vaccine {
        cvx: "217",
        eu_product: Some("EU/1/20/1528"),
        snomed: MRNA,
        name: "Comirnaty 30 µg (Tris-sucrose)",
        primary_series: 2,
    },
    Vaccine {
        cvx: "218",
        eu_product: Some("EU/1/20/1528"),
        snomed: MRNA,
        name: "Comirnaty 10 µg",
        primary_series: 2,
    },
    Vaccine {
        cvx: "300",
        eu_product: Some("EU/1/20/1528"),
        snomed: MRNA,
        name: "Comirnaty bivalent",
        primary_series: 2,
    },
    Vaccine {
        cvx: "210",
        eu_product: Some("EU/1/21/1529"),
        snomed: VECTOR,
        name: "AstraZeneca / Vaxzevria",
        primary_series: 2,
    },
    Vaccine {
        cvx: "212",
        eu_product: Some("EU/1/20/1525"),
        snomed: VECTOR,
        name: "Janssen / Jcovden",
        primary_series: 1,
    },
    Vaccine {
        cvx: "211",
        eu_product: Some("EU/1/21/1618"),
        snomed: PROTEIN,
        name: "Novavax / Nuvaxovid",
        primary_series: 2,
    },
    Vaccine {
        cvx: "213",
        eu_product: None,
        snomed: ANY,
        name: "SARS-CoV-2 vaccine, unspecified",
        primary_series: 2,
    },
];

/// The row of a code given as `system|code`, if any.
pub fn find(system: &str, code: &str) -> Option<&'static Vaccine> {
    TABLE.iter().find(|v| match system {
        s if s == CVX => v.cvx == code,
        s if s == EU_PRODUCT => v.eu_product == Some(code),
        _ => false,
    })
}

/// The CVX code of an EU product (the first row naming it: the product's original
/// formulation).
pub fn cvx_of_eu_product(product: &str) -> Option<&'static str> {
    TABLE.iter().find(|v| v.eu_product == Some(product)).map(|v| v.cvx)
}

/// Whether `system|code` is a COVID-19 vaccine the table knows (doses counted together).
pub fn is_covid(system: &str, code: &str) -> bool {
    find(system, code).is_some() || (system == SNOMED && TABLE.iter().any(|v| v.snomed == code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equivalences() {
        assert_eq!(cvx_of_eu_product("EU/1/20/1528"), Some("208"));
        assert_eq!(cvx_of_eu_product("EU/1/20/1507"), Some("207"));
        assert_eq!(cvx_of_eu_product("EU/1/20/1525"), Some("212"));
        assert_eq!(cvx_of_eu_product("Sputnik-V"), None);
        assert_eq!(find(CVX, "212").unwrap().primary_series, 1);
        assert!(is_covid(SNOMED, MRNA));
        assert!(!is_covid(CVX, "140"));
    }
}

//! The DCC payload fields a medzk record keeps (`medzk import dcc`, docs/import.md), and
//! how their values are written in a policy.

use medzk_formats::dcc::payload::{DETECTED, NAAT_OBSERVATION, RAT_OBSERVATION, observation_of_test_type};
use medzk_formats::map::codes::{EU_PRODUCT, EU_PRODUCT_TEMP, LOINC, SNOMED};
use medzk_formats::map::vaccines::cvx_of_eu_product;

use crate::rule::CertificateType;

/// A record of the translated policy: one per certificate type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rec {
    /// The vaccination (an immunization record).
    Vaccination,
    /// The test (an observation).
    Test,
    /// The recovery's first positive NAAT (an observation).
    Recovery,
}

impl Rec {
    /// The record for a certificate type.
    pub fn of(kind: CertificateType) -> Option<Rec> {
        match kind {
            CertificateType::Vaccination => Some(Rec::Vaccination),
            CertificateType::Test => Some(Rec::Test),
            CertificateType::Recovery => Some(Rec::Recovery),
            CertificateType::General => None,
        }
    }

    /// Its name in the policy.
    pub fn name(self) -> &'static str {
        match self {
            Rec::Vaccination => "vaccination",
            Rec::Test => "test",
            Rec::Recovery => "recovery",
        }
    }

    /// Its record kind in the policy.
    pub fn kind(self) -> &'static str {
        match self {
            Rec::Vaccination => "immunization",
            Rec::Test | Rec::Recovery => "observation",
        }
    }

    /// The payload letter (`v`, `t`, `r`).
    pub fn letter(self) -> &'static str {
        match self {
            Rec::Vaccination => "v",
            Rec::Test => "t",
            Rec::Recovery => "r",
        }
    }
}

/// A record slot a clause reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    /// The coded concept.
    Code,
    /// The extension value (a test's result).
    Ext,
    /// The quantity (a dose number).
    Value,
    /// The second quantity (doses in the series).
    Aux,
}

impl Slot {
    /// Its name in the policy.
    pub fn name(self) -> &'static str {
        match self {
            Slot::Code => "code",
            Slot::Ext => "ext",
            Slot::Value => "value",
            Slot::Aux => "aux",
        }
    }
}

/// How a date field is resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateField {
    /// A date (midnight UTC in CertLogic, a day in the record): `v.dt`, `r.fr`.
    Day,
    /// A date-time kept to the minute in the record: `t.sc`.
    Instant,
}

/// A payload field the translation can read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// Codes compared as strings, mapped into the record's code system.
    Coded(Rec, Slot),
    /// An integer.
    Int(Rec, Slot),
    /// A date.
    Date(Rec, DateField),
}

/// What a path means: a field, or why it cannot be read.
pub fn field(path: &str) -> Result<Field, String> {
    let parts: Vec<&str> = path.split('.').collect();
    let [payload, letter, index, name] = parts[..] else {
        return Err(format!("{path:?} is not a field of a payload entry (payload.<v|t|r>.0.<field>)"));
    };
    if payload != "payload" || index != "0" {
        return Err(format!("{path:?}: only the first entry (index 0) of a payload is translated"));
    }
    let rec = match letter {
        "v" => Rec::Vaccination,
        "t" => Rec::Test,
        "r" => Rec::Recovery,
        _ => return Err(format!("{path:?}: not a vaccination, test or recovery entry")),
    };
    let kept = match (rec, name) {
        (Rec::Vaccination, "mp") => Field::Coded(rec, Slot::Code),
        (Rec::Vaccination, "dn") => Field::Int(rec, Slot::Value),
        (Rec::Vaccination, "sd") => Field::Int(rec, Slot::Aux),
        (Rec::Vaccination, "dt") => Field::Date(rec, DateField::Day),
        (Rec::Test, "tt") => Field::Coded(rec, Slot::Code),
        (Rec::Test, "tr") => Field::Coded(rec, Slot::Ext),
        (Rec::Test, "sc") => Field::Date(rec, DateField::Instant),
        (Rec::Recovery, "fr") => Field::Date(rec, DateField::Day),
        (Rec::Vaccination, "ma" | "vp") | (Rec::Test, "ma") => {
            return Err(format!(
                "{path:?} ({}) is in the entry's codes record, which translated policies do not read yet (they read the three entry records of the whole-rule shape)",
                describe(letter, name)
            ));
        }
        _ => {
            return Err(format!(
                "{path:?} ({}) is not kept in medzk records (docs/import.md lists what a DCC record keeps)",
                describe(letter, name)
            ));
        }
    };
    Ok(kept)
}

fn describe(letter: &str, name: &str) -> &'static str {
    match (letter, name) {
        (_, "tg") => "target disease",
        ("v", "vp") => "vaccine or prophylaxis",
        ("v", "ma") => "marketing authorisation holder",
        ("t", "ma") => "rapid test device",
        ("t", "nm") => "NAA test name",
        ("t", "dr") => "test result time",
        ("t", "tc") => "testing centre",
        ("r", "df") | ("r", "du") => "the recovery certificate's own validity",
        (_, "co") => "country",
        (_, "is") => "certificate issuer",
        (_, "ci") => "certificate identifier",
        _ => "not a field medzk knows",
    }
}

/// The policy values a payload code matches, in the record's code systems (several where
/// the import may write either, such as an EU product and its CVX equivalent). Empty when
/// no record can hold it.
pub fn codes(rec: Rec, slot: Slot, value: &str) -> Vec<String> {
    match (rec, slot) {
        (Rec::Vaccination, Slot::Code) => {
            let system = if value.starts_with("EU/") { EU_PRODUCT } else { EU_PRODUCT_TEMP };
            let mut out = vec![format!("{system}|{value}")];
            if let Some(cvx) = cvx_of_eu_product(value) {
                out.push(format!("cvx|{cvx}"));
            }
            out
        }
        (Rec::Test, Slot::Code) => {
            observation_of_test_type(value).map(|o| vec![format!("{LOINC}|{o}")]).unwrap_or_default()
        }
        (_, Slot::Ext) if !value.is_empty() => vec![format!("{SNOMED}|{value}")],
        _ => Vec::new(),
    }
}

/// The clauses every group of a type holds, so that no other record can stand in: a test
/// is one of the two DCC test observations; a recovery is a positive NAAT.
pub fn identity(rec: Rec) -> Vec<(Slot, Vec<String>)> {
    match rec {
        Rec::Vaccination => Vec::new(),
        Rec::Test => vec![(
            Slot::Code,
            vec![format!("{LOINC}|{NAAT_OBSERVATION}"), format!("{LOINC}|{RAT_OBSERVATION}")],
        )],
        Rec::Recovery => vec![
            (Slot::Code, vec![format!("{LOINC}|{NAAT_OBSERVATION}")]),
            (Slot::Ext, vec![format!("{SNOMED}|{DETECTED}")]),
        ],
    }
}

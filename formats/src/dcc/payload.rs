//! The DCC payload (schema 1.x): vaccination, test and recovery entries, and their
//! mapping to records.

use medzk_circuits::code::Code;
use medzk_circuits::date::Day;
use medzk_circuits::record::{Ext, RecordData, RecordKind};
use serde::{Deserialize, Serialize};

use crate::fhir::datetime::{FhirDate, utc_day};
use crate::map::codes::{
    CVX, EU_PRODUCT, EU_PRODUCT_TEMP, GENDER, JRC_DEVICE, LOINC, SNOMED, SPOR_ORGANISATION,
};
use crate::map::{Mapper, VaccineCodes, vaccines};

/// A DCC payload (`hcert` claim −260, key 1).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Payload {
    /// Schema version.
    pub ver: String,
    /// Name (not imported).
    pub nam: serde_json::Value,
    /// Date of birth: `YYYY-MM-DD`, `YYYY-MM`, `YYYY` or empty.
    pub dob: String,
    /// Vaccinations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v: Option<Vec<Vaccination>>,
    /// Tests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<Vec<Test>>,
    /// Recoveries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<Vec<Recovery>>,
}

/// A vaccination entry.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Vaccination {
    /// Target disease (SNOMED CT).
    pub tg: String,
    /// Vaccine or prophylaxis (SNOMED CT vaccine type).
    pub vp: String,
    /// Medicinal product (EU register number or DCC product name).
    pub mp: String,
    /// Marketing authorisation holder or manufacturer.
    pub ma: String,
    /// Dose number.
    pub dn: u64,
    /// Doses in the series.
    pub sd: u64,
    /// Date of vaccination.
    pub dt: String,
    /// Country.
    pub co: String,
    /// Certificate issuer.
    pub is: String,
    /// Certificate identifier (UVCI).
    pub ci: String,
}

/// A test entry.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Test {
    /// Target disease.
    pub tg: String,
    /// Type of test (LOINC part: LP6464-4 NAAT, LP217198-3 rapid antigen).
    pub tt: String,
    /// NAAT name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nm: Option<String>,
    /// Rapid antigen test device identifier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ma: Option<String>,
    /// Sample collection time, with offset.
    pub sc: String,
    /// Result time (older schemas).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dr: Option<String>,
    /// Result (SNOMED CT 260415000 not detected, 260373001 detected).
    pub tr: String,
    /// Testing centre.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tc: Option<String>,
    /// Country.
    pub co: String,
    /// Certificate issuer.
    pub is: String,
    /// Certificate identifier.
    pub ci: String,
}

/// A recovery entry.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct Recovery {
    /// Target disease.
    pub tg: String,
    /// Date of the first positive NAAT.
    pub fr: String,
    /// Country.
    pub co: String,
    /// Certificate issuer.
    pub is: String,
    /// Valid from.
    pub df: String,
    /// Valid until.
    pub du: String,
    /// Certificate identifier.
    pub ci: String,
}

/// SARS-CoV-2 RNA by NAA with probe detection: the observation a NAAT entry records.
pub const NAAT_OBSERVATION: &str = "94500-6";
/// SARS-CoV-2 antigen by rapid immunoassay.
pub const RAT_OBSERVATION: &str = "94558-4";
/// SNOMED CT "detected".
pub const DETECTED: &str = "260373001";

/// The LOINC observation code of a DCC test type (a LOINC part code).
pub fn observation_of_test_type(tt: &str) -> Option<&'static str> {
    match tt {
        "LP6464-4" => Some(NAAT_OBSERVATION),
        "LP217198-3" => Some(RAT_OBSERVATION),
        _ => None,
    }
}

fn day(text: &str, what: &str) -> Result<(Day, Option<String>), String> {
    utc_day(text).map_err(|e| format!("{what}: {e}"))
}

/// The records a payload maps to, without any signature check: for comparing rules over
/// the payload with policies over its records (`medzk-certlogic`'s agreement tests).
/// Credentials come only from [`super::Certificate::import`], after the signature.
pub fn records_of(p: &Payload, options: crate::map::Options) -> crate::error::Result<crate::map::Mapping> {
    let mut mapper = Mapper::new(options);
    map(&mut mapper, p);
    mapper.finish().map_err(|e| crate::error::FormatError::malformed(crate::error::Step::Fhir, e.to_string()))
}

/// Maps every entry of `p` into `m`.
pub(crate) fn map(m: &mut Mapper, p: &Payload) {
    let holder = m.options().holder;
    let issuer = m.options().issuer.clone();
    match FhirDate::parse(&p.dob) {
        Ok(FhirDate::Day(birth)) => {
            let gender = Code::new(GENDER, "unknown").expect("valid code");
            let record = RecordData::demographics(holder, birth, gender, &issuer);
            let notes = vec!["a DCC states no gender: recorded as unknown".into(), "name not kept".into()];
            m.record("dob".into(), record, notes);
        }
        _ if p.dob.is_empty() => {
            m.skip_type("dob", "dob".into(), "no date of birth (empty): no demographics record")
        }
        _ => match p.dob.parse::<medzk_circuits::date::PartialDate>() {
            Ok(birth) => {
                let gender = Code::new(GENDER, "unknown").expect("valid code");
                let record = RecordData::demographics_born(holder, birth, gender, &issuer);
                let notes = vec![
                    format!(
                        "partial date of birth {birth}: an age clause holds only if it holds for every day of it"
                    ),
                    "a DCC states no gender: recorded as unknown".into(),
                    "name not kept".into(),
                ];
                m.record("dob".into(), record, notes);
            }
            Err(e) => m.skip_type("dob", "dob".into(), format!("date of birth {:?}: {e}", p.dob)),
        },
    }
    for (i, v) in p.v.iter().flatten().enumerate() {
        let source = format!("v[{i}]");
        let (date, utc) = match day(&v.dt, "dt") {
            Ok(x) => x,
            Err(why) => {
                m.skip_type("vaccination", source, why);
                continue;
            }
        };
        let system = if v.mp.starts_with("EU/") { EU_PRODUCT } else { EU_PRODUCT_TEMP };
        let mut notes: Vec<String> = utc.into_iter().collect();
        let code = match (m.options().vaccine_codes, vaccines::cvx_of_eu_product(&v.mp)) {
            (VaccineCodes::Cvx, Some(cvx)) => {
                notes.push(format!("product {} recorded as its CVX equivalent {cvx}", v.mp));
                Code::new(CVX, cvx)
            }
            (VaccineCodes::Cvx, None) => {
                notes.push(format!("product {} has no CVX equivalent in the table; kept as issued", v.mp));
                Code::new(system, &v.mp)
            }
            (VaccineCodes::AsIssued, _) => Code::new(system, &v.mp),
        };
        let Ok(code) = code else {
            m.skip_type("vaccination", source, format!("product {:?} is not a usable code", v.mp));
            continue;
        };
        notes.push(format!(
            "not kept: target disease {}, country {}, certificate issuer and id; no lot number (ext holds 0); the manufacturer {} and vaccine type sct|{} go to its codes record",
            v.tg, v.co, v.ma, v.vp
        ));
        let record = RecordData {
            kind: RecordKind::Immunization,
            holder,
            code,
            date,
            value: v.dn,
            aux: i32::try_from(v.sd).unwrap_or(i32::MAX),
            ext: Ext::None,
            issuer: issuer.clone(),
        };
        let codes = (Code::new(SPOR_ORGANISATION, &v.ma), Code::new(SNOMED, &v.vp));
        m.record(source.clone(), record.clone(), notes);
        match codes {
            (Ok(ma), vp) => {
                let codes = RecordData::codes_of(&record, ma, vp.ok());
                let note = format!("codes record of {source}: manufacturer (code) and vaccine type (ext)");
                m.record(format!("{source} codes"), codes, vec![note]);
            }
            (Err(_), _) => m.skip_type("vaccination codes", format!("{source} codes"), "no manufacturer"),
        }
    }
    for (i, t) in p.t.iter().flatten().enumerate() {
        let source = format!("t[{i}]");
        let Some(observation) = observation_of_test_type(&t.tt) else {
            m.skip_type("test", source, format!("test type {:?} is not a DCC test type", t.tt));
            continue;
        };
        let (date, utc) = match day(&t.sc, "sc") {
            Ok(x) => x,
            Err(why) => {
                m.skip_type("test", source, why);
                continue;
            }
        };
        let Ok(result) = Code::new(SNOMED, &t.tr) else {
            m.skip_type("test", source, "empty test result");
            continue;
        };
        let mut notes: Vec<String> = utc.into_iter().collect();
        let time = FhirDate::parse(&t.sc).ok().and_then(FhirDate::minute).filter(|m| m.day() == date);
        notes.push(match time {
            Some(minute) => format!(
                "test type {} recorded as the observation loinc|{observation}; sample time {} kept to the minute, UTC: {minute}",
                t.tt, t.sc
            ),
            None => format!(
                "test type {} recorded as the observation loinc|{observation}; sample date {} without a time (no hour window holds for it)",
                t.tt, t.sc
            ),
        });
        notes.push("not kept: test name, testing centre, country, certificate issuer and id".into());
        let device = t.ma.as_deref().and_then(|ma| Code::new(JRC_DEVICE, ma).ok());
        let code = Code::new(LOINC, observation).expect("valid code");
        let record = RecordData::observation(holder, code, date, 0, Some(result), &issuer);
        let record = time.and_then(|t| record.clone().sampled_at(t)).unwrap_or(record);
        m.record(source.clone(), record.clone(), notes);
        if let Some(device) = device {
            let note = format!("codes record of {source}: the rapid test's device (code)");
            m.record(format!("{source} codes"), RecordData::codes_of(&record, device, None), vec![note]);
        }
    }
    for (i, r) in p.r.iter().flatten().enumerate() {
        let source = format!("r[{i}]");
        let (date, utc) = match day(&r.fr, "fr") {
            Ok(x) => x,
            Err(why) => {
                m.skip_type("recovery", source, why);
                continue;
            }
        };
        let mut notes: Vec<String> = utc.into_iter().collect();
        notes.push(format!(
            "recorded as the first positive NAAT (loinc|{NAAT_OBSERVATION}, sct|{DETECTED}) on {date}; valid from/until ({} to {}) not kept: a policy sets its own window",
            r.df, r.du
        ));
        let code = Code::new(LOINC, NAAT_OBSERVATION).expect("valid code");
        let detected = Code::new(SNOMED, DETECTED).expect("valid code");
        let record = RecordData::observation(holder, code, date, 0, Some(detected), &issuer);
        m.record(source, record, notes);
    }
}

//! Code systems by canonical URI, and the choice of one coding among several.

use medzk_circuits::code::Code;

use crate::fhir::model::CodeableConcept;

/// CVX (CDC vaccine codes).
pub const CVX: &str = "http://hl7.org/fhir/sid/cvx";
/// SNOMED CT.
pub const SNOMED: &str = "http://snomed.info/sct";
/// LOINC.
pub const LOINC: &str = "http://loinc.org";
/// ICD-10 (WHO).
pub const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
/// ICD-10-CM (US clinical modification): a code system of its own.
pub const ICD10_CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
/// RxNorm.
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
/// The Union Register of medicinal products (EU vaccine product codes `EU/1/20/1528`).
pub const EU_PRODUCT: &str = "https://ec.europa.eu/health/documents/community-register/html/";
/// Vaccine products outside the Union Register, as the DCC value set names them.
pub const EU_PRODUCT_TEMP: &str = "http://ec.europa.eu/temp/vaccineproductname";
/// EMA's organisations (SPOR): a DCC vaccination's marketing authorisation holder or
/// manufacturer (`ma`, `ORG-100030215`).
pub const SPOR_ORGANISATION: &str = "https://spor.ema.europa.eu/v1/organisations";
/// The JRC's COVID-19 In Vitro Diagnostic Devices database: a DCC rapid test's device
/// (`ma`, `1232`).
pub const JRC_DEVICE: &str = "https://covid-19-diagnostics.jrc.ec.europa.eu/devices";
/// FHIR administrative gender.
pub const GENDER: &str = "http://hl7.org/fhir/administrative-gender";
/// HL7 v3 ObservationInterpretation.
pub const INTERPRETATION: &str = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation";

/// Other spellings of the systems above (OIDs, http/https, trailing slashes), mapped to
/// the canonical URI. Anything else is kept exactly as written.
const SYNONYMS: [(&str, &str); 14] = [
    ("urn:oid:2.16.840.1.113883.12.292", CVX),
    ("http://hl7.org/fhir/sid/cvx/", CVX),
    ("urn:oid:2.16.840.1.113883.6.96", SNOMED),
    ("http://snomed.info/sct/", SNOMED),
    ("https://snomed.info/sct", SNOMED),
    ("urn:oid:2.16.840.1.113883.6.1", LOINC),
    ("https://loinc.org", LOINC),
    ("http://loinc.org/", LOINC),
    ("urn:oid:2.16.840.1.113883.6.3", ICD10),
    ("http://hl7.org/fhir/sid/icd10", ICD10),
    ("urn:oid:2.16.840.1.113883.6.90", ICD10_CM),
    ("urn:oid:2.16.840.1.113883.6.88", RXNORM),
    ("http://ec.europa.eu/health/documents/community-register/html/", EU_PRODUCT),
    ("urn:oid:2.16.840.1.113883.5.83", INTERPRETATION),
];

/// The canonical URI of a code system as written.
pub fn canonical_system(system: &str) -> &str {
    SYNONYMS.iter().find(|(alias, _)| *alias == system).map_or(system, |(_, uri)| uri)
}

/// The code of the coding whose system comes first in `systems` (the preference order;
/// the source's order among codings of one system), or of the first coding at all when
/// `systems` is empty; with a note naming the codings not kept. `None` if none qualifies.
pub fn pick(concept: &CodeableConcept, systems: &[&str]) -> Option<(Code, Option<String>)> {
    let codings: Vec<(&str, &str)> = concept
        .coding
        .iter()
        .filter_map(|c| Some((canonical_system(c.system.as_deref()?), c.code.as_deref()?)))
        .collect();
    let usable = |(s, c): &(&str, &str)| Code::new(s, c).ok();
    let chosen_at = if systems.is_empty() {
        codings.iter().position(|c| usable(c).is_some())
    } else {
        systems.iter().find_map(|want| codings.iter().position(|c| c.0 == *want && usable(c).is_some()))
    }?;
    let chosen = usable(&codings[chosen_at])?;
    let others: Vec<String> = codings
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != chosen_at)
        .map(|(_, (s, c))| format!("{s}|{c}"))
        .collect();
    let note = (!others.is_empty()).then(|| format!("kept {chosen}; not kept: {}", others.join(", ")));
    Some((chosen, note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fhir::model::Coding;

    fn concept(codings: &[(&str, &str)]) -> CodeableConcept {
        CodeableConcept {
            coding: codings
                .iter()
                .map(|(s, c)| Coding {
                    system: Some(s.to_string()),
                    code: Some(c.to_string()),
                    display: None,
                })
                .collect(),
            text: None,
        }
    }

    #[test]
    fn picks_the_first_known_system_and_names_the_rest() {
        let c = concept(&[
            ("http://example.org/local", "X1"),
            ("urn:oid:2.16.840.1.113883.6.96", "44054006"),
            (ICD10, "E11.9"),
        ]);
        let (code, note) = pick(&c, &[SNOMED, ICD10]).unwrap();
        assert_eq!(code.to_string(), "http://snomed.info/sct|44054006");
        let note = note.unwrap();
        assert!(note.contains("http://example.org/local|X1") && note.contains("icd-10|E11.9"), "{note}");
        assert!(pick(&c, &[CVX]).is_none());
        assert!(pick(&concept(&[]), &[CVX]).is_none());
    }
}

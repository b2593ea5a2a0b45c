//! One FHIR resource type at a time: the rules docs/import.md states.

use medzk_circuits::code::Code;
use medzk_circuits::date::Day;
use medzk_circuits::record::{ClinicalStatus, Ext, MedicationStatus, RecordData, VerificationStatus};

use super::codes::{self, EU_PRODUCT, EU_PRODUCT_TEMP, GENDER, ICD10, ICD10_CM, LOINC, RXNORM, SNOMED};
use super::units::{self, UnitProblem};
use super::vaccines;
use super::{Mapper, PendingDose, VaccineCodes};
use crate::fhir::datetime::{FhirDate, utc_day};
use crate::fhir::model::{CodeableConcept, Quantity, Resource};

/// UCUM's system URI.
const UCUM: &str = "http://unitsofmeasure.org";

pub(super) fn map(m: &mut Mapper, position: usize, r: Resource) {
    let source = r.label(position);
    match r.resource_type.as_str() {
        "Patient" => patient(m, source, &r),
        "Immunization" => immunization(m, source, &r),
        "Observation" => observation(m, source, &r),
        "Condition" => condition(m, source, &r),
        "MedicationRequest" | "MedicationStatement" => medication(m, source, &r),
        other => {
            let reason = format!(
                "{other} resources are not imported (records hold immunizations, observations, conditions and demographics)"
            );
            m.skip(&r, source, reason)
        }
    }
}

/// A day from the first of several FHIR date elements that is present, with a note
/// when it was not the first choice or when normalising to UTC moved it.
fn day_of(candidates: &[(&str, Option<&String>)]) -> Result<(Day, Vec<String>), String> {
    for (i, (name, value)) in candidates.iter().enumerate() {
        let Some(text) = value else { continue };
        let (day, utc) = utc_day(text).map_err(|e| format!("{name}: {e}"))?;
        let mut notes: Vec<String> = utc.into_iter().collect();
        if i > 0 {
            notes.push(format!("date taken from {name} ({} absent)", candidates[0].0));
        }
        return Ok((day, notes));
    }
    let names: Vec<&str> = candidates.iter().map(|(n, _)| *n).collect();
    Err(format!("no date: none of {} is present", names.join(", ")))
}

fn patient(m: &mut Mapper, source: String, r: &Resource) {
    m.patients += 1;
    let Some(birth) = &r.birth_date else {
        return m.skip(r, source, "no birthDate: a demographics record needs the birth date");
    };
    let mut notes = Vec::new();
    let birth_date = match FhirDate::parse(birth) {
        Ok(FhirDate::Day(d)) => medzk_circuits::date::PartialDate::day(d),
        Ok(FhirDate::Year(_) | FhirDate::YearMonth(..)) => match birth.parse() {
            Ok(p) => {
                notes.push(format!(
                    "partial birthDate {birth}: an age clause holds only if it holds for every day of it"
                ));
                p
            }
            Err(e) => return m.skip(r, source, format!("birthDate {birth:?}: {e}")),
        },
        Ok(FhirDate::Instant(_)) | Err(_) => {
            return m.skip(r, source, format!("birthDate {birth:?} is not a FHIR date"));
        }
    };
    let gender = match r.gender.as_deref() {
        Some(g @ ("male" | "female" | "other" | "unknown")) => g,
        Some(other) => return m.skip(r, source, format!("gender {other:?} is not an administrative gender")),
        None => {
            notes.push("gender not stated; recorded as unknown".into());
            "unknown"
        }
    };
    let code = Code::new(GENDER, gender).expect("administrative gender codes are valid");
    let record = RecordData::demographics_born(m.options.holder, birth_date, code, &m.options.issuer);
    notes.push("name, identifiers and address not kept (records hold no names)".into());
    m.record(source, record, notes);
}

fn immunization(m: &mut Mapper, source: String, r: &Resource) {
    match r.status.as_deref() {
        Some("completed") | None => {}
        Some(other) => {
            return m.skip(r, source, format!("status {other}: only completed immunizations are imported"));
        }
    }
    let Some(concept) = &r.vaccine_code else { return m.skip(r, source, "no vaccineCode") };
    let systems = [codes::CVX, SNOMED, EU_PRODUCT, EU_PRODUCT_TEMP];
    let Some((mut code, note)) = codes::pick(concept, &systems) else {
        return m.skip(r, source, "no CVX, SNOMED CT or EU product code in vaccineCode");
    };
    let mut notes: Vec<String> = note.into_iter().collect();
    if m.options.vaccine_codes == VaccineCodes::Cvx && code.system() != codes::CVX {
        match (code.system() == EU_PRODUCT).then(|| vaccines::cvx_of_eu_product(code.code())).flatten() {
            Some(cvx) => {
                notes.push(format!("{code} recorded as its CVX equivalent {cvx}"));
                code = Code::new(codes::CVX, cvx).expect("table codes are valid");
            }
            None => notes.push(format!("{code} has no CVX equivalent in the table; kept as issued")),
        }
    }
    if r.occurrence_date_time.is_none() && r.occurrence_string.is_some() {
        return m.skip(r, source, "occurrence is free text (occurrenceString), not a date");
    }
    let (day, date_notes) = match day_of(&[("occurrenceDateTime", r.occurrence_date_time.as_ref())]) {
        Ok(x) => x,
        Err(why) => return m.skip(r, source, why),
    };
    notes.extend(date_notes);
    let protocol = r.protocol_applied.first();
    if r.protocol_applied.len() > 1 {
        notes.push(format!("{} protocolApplied entries; the first is kept", r.protocol_applied.len()));
    }
    let dose = protocol.and_then(|p| {
        p.dose_number_positive_int
            .or_else(|| p.dose_number_string.as_deref().and_then(|s| s.trim().parse().ok()))
    });
    let series = protocol.and_then(|p| {
        p.series_doses_positive_int
            .or_else(|| p.series_doses_string.as_deref().and_then(|s| s.trim().parse().ok()))
    });
    let lot = r.lot_number.clone().filter(|l| !l.trim().is_empty());
    if lot.is_none() {
        notes.push("no lot number; ext holds 0".into());
    }
    m.immunization(PendingDose { source, code, day, dose, series, lot, notes });
}

fn observation(m: &mut Mapper, source: String, r: &Resource) {
    match r.status.as_deref() {
        Some("final" | "amended" | "corrected") | None => {}
        Some("preliminary") => {}
        Some(other) => return m.skip(r, source, format!("status {other}: not a result")),
    }
    let Some((code, code_note)) = r.code.as_ref().and_then(|c| codes::pick(c, &[LOINC])) else {
        return m.skip(r, source, "no LOINC code");
    };
    let when = [
        ("effectiveDateTime", r.effective_date_time.as_ref()),
        ("effectiveInstant", r.effective_instant.as_ref()),
        ("effectivePeriod.start", r.effective_period.as_ref().and_then(|p| p.start.as_ref())),
        ("issued", r.issued.as_ref()),
    ];
    let (day, mut notes) = match day_of(&when) {
        Ok(x) => x,
        Err(why) => return m.skip(r, source, why),
    };
    // The time of day, to the minute (UTC), where the date is a dateTime: what hour
    // windows (`time_within`) read.
    let time = when
        .iter()
        .find_map(|(_, v)| *v)
        .and_then(|t| FhirDate::parse(t).ok())
        .and_then(FhirDate::minute)
        .filter(|t| t.day() == day);
    notes.extend(code_note);
    if r.status.as_deref() == Some("preliminary") {
        notes.push("status preliminary".into());
    }
    let interpretation = r.interpretation.first().and_then(|c| codes::pick(c, &[])).map(|(c, _)| c);
    if r.value_quantity.is_none() && r.value_codeable_concept.is_none() && !r.component.is_empty() {
        // A panel such as blood pressure: one record per component, dated as the panel.
        for (i, part) in r.component.iter().enumerate() {
            let part_source = format!("{source} component {i}");
            let Some((part_code, _)) = part.code.as_ref().and_then(|c| codes::pick(c, &[LOINC])) else {
                m.skip(r, part_source, "component without a LOINC code");
                continue;
            };
            let mut part_notes = notes.clone();
            part_notes.push(format!("component {i} of panel {code}"));
            value_record(
                m,
                r,
                part_source,
                part_code,
                day,
                part.value_quantity.as_ref(),
                part.value_codeable_concept.as_ref(),
                None,
                (time, part_notes),
            );
        }
        return;
    }
    value_record(
        m,
        r,
        source,
        code,
        day,
        r.value_quantity.as_ref(),
        r.value_codeable_concept.as_ref(),
        interpretation,
        (time, notes),
    );
}

#[allow(clippy::too_many_arguments)]
fn value_record(
    m: &mut Mapper,
    r: &Resource,
    source: String,
    code: Code,
    day: Day,
    quantity: Option<&Quantity>,
    coded: Option<&CodeableConcept>,
    interpretation: Option<Code>,
    (time, mut notes): (Option<medzk_circuits::clock::Minute>, Vec<String>),
) {
    let (value, ext) = match (quantity, coded) {
        (Some(q), _) => {
            if let Some(c) = &q.comparator {
                return m.skip(r, source, format!("the value is a bound ({c}), not a result"));
            }
            let Some(v) = q.value else { return m.skip(r, source, "valueQuantity without a value") };
            let unit = match (&q.system, &q.code, &q.unit) {
                (Some(s), Some(c), _) if s == UCUM => c.clone(),
                (None, Some(c), _) => c.clone(),
                (_, _, Some(u)) => u.clone(),
                _ => String::new(),
            };
            let (fixed, note) = match units::to_fixed(code.code(), v, &unit) {
                Ok(x) => x,
                Err(UnitProblem::UnknownTest) => {
                    return m.skip(
                        r,
                        source,
                        format!(
                            "{code} has no canonical unit in the table (value in {unit}); see docs/import.md"
                        ),
                    );
                }
                Err(UnitProblem::Unit(u)) => {
                    return m.skip(r, source, format!("unit {u:?} is not converted for {code}"));
                }
                Err(UnitProblem::OutOfRange) => {
                    return m.skip(r, source, format!("value {v} is negative, not finite or too large"));
                }
            };
            notes.extend(note);
            let ext = interpretation.map_or(Ext::None, Ext::Code);
            (fixed, ext)
        }
        (None, Some(c)) => {
            let Some((value_code, note)) = codes::pick(c, &[]) else {
                return m.skip(r, source, "valueCodeableConcept without a coding");
            };
            notes.extend(note);
            if interpretation.is_some() {
                notes.push("interpretation not kept (ext holds the coded result)".into());
            }
            (0, Ext::Code(value_code))
        }
        (None, None) => {
            let reason = if r.value_string.is_some() {
                "the value is free text (valueString)"
            } else {
                "no value medzk can hold (valueQuantity or valueCodeableConcept)"
            };
            return m.skip(r, source, reason);
        }
    };
    let record = RecordData::observation(m.options.holder, code, day, value, None, &m.options.issuer);
    let mut record = time.and_then(|t| record.clone().sampled_at(t)).unwrap_or(record);
    record.ext = ext;
    m.record(source, record, notes);
}

fn condition(m: &mut Mapper, source: String, r: &Resource) {
    let Some(concept) = &r.code else { return m.skip(r, source, "no code") };
    let Some((code, code_note)) =
        codes::pick(concept, &[SNOMED, ICD10, ICD10_CM]).or_else(|| codes::pick(concept, &[]))
    else {
        return m.skip(r, source, "no coding in code");
    };
    let verification = match status_code(&r.verification_status).as_deref() {
        None => None,
        Some("confirmed") => Some(VerificationStatus::Confirmed),
        Some("provisional") => Some(VerificationStatus::Provisional),
        Some("differential") => Some(VerificationStatus::Differential),
        Some("unconfirmed") => Some(VerificationStatus::Unconfirmed),
        Some("refuted") => Some(VerificationStatus::Refuted),
        Some("entered-in-error") => return m.skip(r, source, "verificationStatus entered-in-error"),
        Some(other) => return m.skip(r, source, format!("verificationStatus {other:?} is not FHIR's")),
    };
    let status = match status_code(&r.clinical_status).as_deref() {
        Some("active") => ClinicalStatus::Active,
        Some("recurrence") => ClinicalStatus::Recurrence,
        Some("relapse") => ClinicalStatus::Relapse,
        Some("inactive") => ClinicalStatus::Inactive,
        Some("remission") => ClinicalStatus::Remission,
        Some("resolved") => ClinicalStatus::Resolved,
        Some(other) => return m.skip(r, source, format!("clinicalStatus {other:?} is not FHIR's")),
        None => return m.skip(r, source, "no clinicalStatus"),
    };
    let (onset, mut notes) = match day_of(&[
        ("onsetDateTime", r.onset_date_time.as_ref()),
        ("onsetPeriod.start", r.onset_period.as_ref().and_then(|p| p.start.as_ref())),
        ("recordedDate", r.recorded_date.as_ref()),
    ]) {
        Ok(x) => x,
        Err(why) => return m.skip(r, source, why),
    };
    notes.extend(code_note);
    let abatement = match (&r.abatement_date_time, r.abatement_period.as_ref().and_then(|p| p.end.as_ref())) {
        (None, None) => None,
        (a, p) => match day_of(&[("abatementDateTime", a.as_ref()), ("abatementPeriod.end", p)]) {
            Ok((d, n)) => {
                notes.extend(n);
                Some(d)
            }
            Err(why) => return m.skip(r, source, why),
        },
    };
    let mut record =
        RecordData::condition(m.options.holder, code, onset, status, abatement, &m.options.issuer);
    if let Some(v) = verification {
        record = record.with_verification(v);
    }
    m.record(source, record, notes);
}

fn status_code(concept: &Option<CodeableConcept>) -> Option<String> {
    concept.as_ref()?.coding.iter().find_map(|c| c.code.clone())
}

fn medication(m: &mut Mapper, source: String, r: &Resource) {
    let Some(concept) = &r.medication_codeable_concept else {
        return m.skip(r, source, "no medicationCodeableConcept (a Medication reference is not followed)");
    };
    let Some((code, code_note)) = codes::pick(concept, &[RXNORM]).or_else(|| codes::pick(concept, &[]))
    else {
        return m.skip(r, source, "no coding in medicationCodeableConcept");
    };
    let status = match r.status.as_deref() {
        Some("active") => MedicationStatus::Active,
        Some("completed") => MedicationStatus::Completed,
        Some("stopped") => MedicationStatus::Stopped,
        Some("on-hold") => MedicationStatus::OnHold,
        Some(other) => {
            return m.skip(r, source, format!("status {other:?}: not a medicine taken or being taken"));
        }
        None => return m.skip(r, source, "no status"),
    };
    let period = r.effective_period.as_ref();
    let (start, mut notes) = match day_of(&[
        ("effectivePeriod.start", period.and_then(|p| p.start.as_ref())),
        ("effectiveDateTime", r.effective_date_time.as_ref()),
        ("authoredOn", r.authored_on.as_ref()),
    ]) {
        Ok(x) => x,
        Err(why) => return m.skip(r, source, why),
    };
    notes.extend(code_note);
    let end = match period.and_then(|p| p.end.as_ref()) {
        None => None,
        Some(e) => match day_of(&[("effectivePeriod.end", Some(e))]) {
            Ok((d, n)) => {
                notes.extend(n);
                Some(d)
            }
            Err(why) => return m.skip(r, source, why),
        },
    };
    if end.is_none() {
        notes.push("no end stated: aux holds the absent value".into());
    }
    if r.resource_type == "MedicationRequest" {
        notes.push("a prescription: started on the day it was written (authoredOn); dosage not kept".into());
    } else {
        notes.push("dosage not kept".into());
    }
    let record = RecordData::medication(m.options.holder, code, start, status, end, &m.options.issuer);
    m.record(source, record, notes);
}

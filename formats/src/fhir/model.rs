//! The FHIR R4 elements medzk reads, as serde types of its own.
//!
//! One flat [`Resource`] holds every element any supported resource type uses; serde
//! skips every other element while streaming (nothing unknown is buffered), so a
//! resource costs memory only for what is read.

use serde::Deserialize;

/// A FHIR Coding.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Coding {
    /// The code system URI.
    pub system: Option<String>,
    /// The code.
    pub code: Option<String>,
    /// Display text (not imported).
    pub display: Option<String>,
}

/// A FHIR CodeableConcept.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct CodeableConcept {
    /// Codings, in the source's order.
    #[serde(default)]
    pub coding: Vec<Coding>,
    /// Free text (not imported).
    pub text: Option<String>,
}

/// A FHIR Quantity.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Quantity {
    /// The value.
    pub value: Option<f64>,
    /// `<`, `<=`, `>=`, `>` when the value is a bound.
    pub comparator: Option<String>,
    /// Unit as displayed.
    pub unit: Option<String>,
    /// Unit system (UCUM is `http://unitsofmeasure.org`).
    pub system: Option<String>,
    /// Coded unit (UCUM).
    pub code: Option<String>,
}

/// A FHIR Period.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Period {
    /// Start.
    pub start: Option<String>,
    /// End.
    pub end: Option<String>,
}

/// Immunization.protocolApplied.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ProtocolApplied {
    /// The series' name.
    pub series: Option<String>,
    /// `doseNumberPositiveInt`.
    pub dose_number_positive_int: Option<u64>,
    /// `doseNumberString`.
    pub dose_number_string: Option<String>,
    /// `seriesDosesPositiveInt`.
    pub series_doses_positive_int: Option<u64>,
    /// `seriesDosesString`.
    pub series_doses_string: Option<String>,
}

/// Every element medzk reads from any supported resource type.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// The resource type (`Patient`, `Immunization`, …).
    pub resource_type: String,
    /// The logical id.
    pub id: Option<String>,
    /// Patient.birthDate.
    pub birth_date: Option<String>,
    /// Patient.gender.
    pub gender: Option<String>,
    /// Status (Immunization, Observation, MedicationRequest, MedicationStatement).
    pub status: Option<String>,
    /// Observation.code, Condition.code.
    pub code: Option<CodeableConcept>,
    /// Immunization.vaccineCode.
    pub vaccine_code: Option<CodeableConcept>,
    /// Immunization.occurrenceDateTime.
    pub occurrence_date_time: Option<String>,
    /// Immunization.occurrenceString.
    pub occurrence_string: Option<String>,
    /// Immunization.protocolApplied.
    #[serde(default)]
    pub protocol_applied: Vec<ProtocolApplied>,
    /// Immunization.lotNumber.
    pub lot_number: Option<String>,
    /// Observation.valueQuantity.
    pub value_quantity: Option<Quantity>,
    /// Observation.valueCodeableConcept.
    pub value_codeable_concept: Option<CodeableConcept>,
    /// Observation.valueString (not imported: free text).
    pub value_string: Option<String>,
    /// Observation.interpretation.
    #[serde(default)]
    pub interpretation: Vec<CodeableConcept>,
    /// Observation.effectiveDateTime.
    pub effective_date_time: Option<String>,
    /// Observation.effectiveInstant.
    pub effective_instant: Option<String>,
    /// Observation.effectivePeriod, MedicationStatement.effectivePeriod.
    pub effective_period: Option<Period>,
    /// Observation.issued.
    pub issued: Option<String>,
    /// Condition.clinicalStatus.
    pub clinical_status: Option<CodeableConcept>,
    /// Condition.verificationStatus.
    pub verification_status: Option<CodeableConcept>,
    /// Condition.onsetDateTime.
    pub onset_date_time: Option<String>,
    /// Condition.onsetPeriod.
    pub onset_period: Option<Period>,
    /// Condition.abatementDateTime.
    pub abatement_date_time: Option<String>,
    /// Condition.abatementPeriod.
    pub abatement_period: Option<Period>,
    /// Condition.recordedDate.
    pub recorded_date: Option<String>,
    /// MedicationRequest/MedicationStatement.medicationCodeableConcept.
    pub medication_codeable_concept: Option<CodeableConcept>,
    /// MedicationRequest.authoredOn.
    pub authored_on: Option<String>,
    /// MedicationStatement.effectiveDateTime is `effective_date_time`; dateAsserted here.
    pub date_asserted: Option<String>,
    /// Observation.component (blood pressure's systolic and diastolic parts).
    #[serde(default)]
    pub component: Vec<Component>,
}

/// Observation.component.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Component {
    /// The component's code.
    pub code: Option<CodeableConcept>,
    /// Its quantity.
    pub value_quantity: Option<Quantity>,
    /// Its coded value.
    pub value_codeable_concept: Option<CodeableConcept>,
}

impl Resource {
    /// `Type/id`, or the type and the entry's position, for reports.
    pub fn label(&self, position: usize) -> String {
        match &self.id {
            Some(id) if !id.is_empty() && id.len() <= 128 => format!("{}/{id}", self.resource_type),
            _ => format!("{} (entry {position})", self.resource_type),
        }
    }
}

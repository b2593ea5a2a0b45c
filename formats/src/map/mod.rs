//! FHIR resources to medzk records, with a report of what each mapping lost.
//!
//! docs/import.md states the rule for every field; the tables are [`units`] (canonical
//! unit and scale per LOINC test) and [`vaccines`] (equivalent vaccine codes).

pub mod codes;
mod resources;
pub mod salts;
pub mod units;
pub mod vaccines;

use std::collections::BTreeMap;

use medzk_circuits::code::Code;
use medzk_circuits::date::Day;
use medzk_circuits::holder::HolderId;
use medzk_circuits::issuance::check_record;
use medzk_circuits::record::{Ext, RecordData, RecordKind};
use serde::Serialize;

use crate::fhir::model::Resource;

/// Which code an immunization keeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VaccineCodes {
    /// The code the source states (CVX, SNOMED CT, EU product).
    #[default]
    AsIssued,
    /// CVX, translated through [`vaccines::TABLE`] where the source states another system.
    Cvx,
}

/// What the mapping needs besides the resources.
#[derive(Clone, Debug)]
pub struct Options {
    /// The holder the records are issued to.
    pub holder: HolderId,
    /// The issuer slot's text (for a card: its issuer and key id).
    pub issuer: String,
    /// Which vaccine code an immunization keeps.
    pub vaccine_codes: VaccineCodes,
    /// The issuing day: records dated later are refused (`issuance::check_record`).
    pub today: Day,
}

/// One record made from the source, with what was lost or inferred on the way.
#[derive(Clone, Debug, Serialize)]
pub struct Mapped {
    /// Where it came from (`Immunization/abc`, `Observation (entry 7)`).
    pub source: String,
    /// The record.
    #[serde(skip)]
    pub record: RecordData,
    /// What was converted, inferred or not kept.
    pub notes: Vec<String>,
}

/// A resource (or part of one) that made no record, and why.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Skipped {
    /// Where it came from.
    pub source: String,
    /// The resource type.
    pub resource_type: String,
    /// Why it made no record.
    pub reason: String,
}

/// Everything one source gave.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Mapping {
    /// The records, in the source's order; a codes record ([`RecordKind::Codes`]) right
    /// after the record it completes.
    pub records: Vec<Mapped>,
    /// What made no record.
    pub skipped: Vec<Skipped>,
}

impl Mapping {
    /// Fresh salts for the records: each codes record's is its record's companion
    /// ([`Salt::companion`](medzk_circuits::record::Salt::companion)), which ties the two.
    pub fn salts<R: rand::RngCore + rand::CryptoRng>(
        &self,
        rng: &mut R,
    ) -> Vec<medzk_circuits::record::Salt> {
        self.salts_by(|_| medzk_circuits::record::Salt::generate(rng))
    }

    /// A salt per record: `salt(record)`, but a codes record's is its record's companion.
    fn salts_by(
        &self,
        mut salt: impl FnMut(&RecordData) -> medzk_circuits::record::Salt,
    ) -> Vec<medzk_circuits::record::Salt> {
        let mut out: Vec<medzk_circuits::record::Salt> = Vec::with_capacity(self.records.len());
        for m in &self.records {
            let next = match (m.record.kind, out.last()) {
                (RecordKind::Codes, Some(previous)) => previous.companion(),
                _ => salt(&m.record),
            };
            out.push(next);
        }
        out
    }

    /// Records per kind.
    pub fn count_by_kind(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for m in &self.records {
            *counts.entry(kind_name(m.record.kind)).or_insert(0) += 1;
        }
        counts
    }

    /// Skipped resources per type.
    pub fn skipped_by_type(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for s in &self.skipped {
            *counts.entry(s.resource_type.clone()).or_insert(0) += 1;
        }
        counts
    }
}

/// An immunization waiting for its dose number (inferred once every dose is known).
struct PendingDose {
    source: String,
    code: Code,
    day: Day,
    dose: Option<u64>,
    series: Option<u64>,
    lot: Option<String>,
    notes: Vec<String>,
}

enum Entry {
    Record(Mapped),
    Immunization(PendingDose),
}

/// Maps resources one at a time (a bundle is streamed through it), then
/// [`Mapper::finish`] infers missing dose numbers and checks every record.
pub struct Mapper {
    options: Options,
    entries: Vec<Entry>,
    skipped: Vec<Skipped>,
    patients: usize,
}

/// A source that cannot be imported as one holder's records.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the source holds {0} patients; import one patient's records at a time")]
pub struct SeveralPatients(pub usize);

impl Mapper {
    /// A mapper issuing to `options.holder`.
    pub fn new(options: Options) -> Mapper {
        Mapper { options, entries: Vec::new(), skipped: Vec::new(), patients: 0 }
    }

    /// Maps one resource (its position in the source is `position`).
    pub fn resource(&mut self, position: usize, resource: Resource) {
        resources::map(self, position, resource);
    }

    fn skip(&mut self, resource: &Resource, source: String, reason: impl Into<String>) {
        self.skip_type(&resource.resource_type, source, reason);
    }

    /// Reports something of type `resource_type` that made no record.
    pub(crate) fn skip_type(&mut self, resource_type: &str, source: String, reason: impl Into<String>) {
        self.skipped.push(Skipped { source, resource_type: resource_type.into(), reason: reason.into() });
    }

    /// The options.
    pub(crate) fn options(&self) -> &Options {
        &self.options
    }

    /// Adds a record made outside FHIR (a DCC entry).
    pub(crate) fn record(&mut self, source: String, record: RecordData, notes: Vec<String>) {
        self.entries.push(Entry::Record(Mapped { source, record, notes }));
    }

    fn immunization(&mut self, pending: PendingDose) {
        self.entries.push(Entry::Immunization(pending));
    }

    /// Infers dose numbers the source does not state, checks every record as `medzk
    /// issue` would (a refused record is reported as skipped, with the reason), and
    /// returns the records and the skipped resources.
    pub fn finish(self) -> Result<Mapping, SeveralPatients> {
        if self.patients > 1 {
            return Err(SeveralPatients(self.patients));
        }
        let Mapper { options, entries, mut skipped, .. } = self;
        let inferred = infer_doses(&entries);
        let mut records: Vec<Mapped> = Vec::new();
        // Whether the last record that is not a codes record was kept: a codes record is
        // kept only right after its own record.
        let mut previous_kept = false;
        for (i, entry) in entries.into_iter().enumerate() {
            let mapped = match entry {
                Entry::Record(m) => m,
                Entry::Immunization(p) => {
                    let (dose, series, notes) = inferred[&i].clone();
                    let mut all = p.notes;
                    all.extend(notes);
                    let record = RecordData {
                        kind: RecordKind::Immunization,
                        holder: options.holder,
                        code: p.code,
                        date: p.day,
                        value: dose,
                        aux: i32::try_from(series).unwrap_or(i32::MAX),
                        ext: p.lot.map_or(Ext::None, Ext::Lot),
                        issuer: options.issuer.clone(),
                    };
                    Mapped { source: p.source, record, notes: all }
                }
            };
            let codes = mapped.record.kind == RecordKind::Codes;
            if codes && !previous_kept {
                skipped.push(Skipped {
                    source: mapped.source,
                    resource_type: resource_type_of(mapped.record.kind).into(),
                    reason: "the record it completes was not kept".into(),
                });
                continue;
            }
            let checked = check_record(&mapped.record, options.today);
            if !codes {
                previous_kept = checked.is_ok();
            }
            match checked {
                Ok(warnings) => {
                    let mut m = mapped;
                    m.notes.extend(warnings);
                    records.push(m);
                }
                Err(e) => skipped.push(Skipped {
                    source: mapped.source,
                    resource_type: resource_type_of(mapped.record.kind).into(),
                    reason: e.0,
                }),
            }
        }
        Ok(Mapping { records, skipped })
    }
}

/// The kind's name as records and policies write it.
pub fn kind_name(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Immunization => "immunization",
        RecordKind::Observation => "observation",
        RecordKind::Condition => "condition",
        RecordKind::Demographics => "demographics",
        RecordKind::Medication => "medication",
        RecordKind::Absence => "absence",
        RecordKind::Codes => "codes",
    }
}

fn resource_type_of(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Immunization => "Immunization",
        RecordKind::Observation => "Observation",
        RecordKind::Condition => "Condition",
        RecordKind::Demographics => "Patient",
        RecordKind::Medication => "MedicationStatement",
        // No FHIR resource states an absence; never imported, only issued directly.
        RecordKind::Absence => "Basic",
        // A companion holding more codes of another resource's record.
        RecordKind::Codes => "Basic",
    }
}

/// Dose and series for every immunization entry (by entry index). A stated dose number
/// is kept; a missing one is the dose's place, by date, among the source's doses of the
/// same vaccine (COVID-19 vaccines of every product count together). A missing series
/// size is the product's primary series from [`vaccines::TABLE`], else the dose number
/// (the doses this source shows).
fn infer_doses(entries: &[Entry]) -> BTreeMap<usize, (u64, u64, Vec<String>)> {
    let family = |c: &Code| {
        if vaccines::is_covid(c.system(), c.code()) { "covid-19".to_string() } else { c.to_string() }
    };
    let mut by_family: BTreeMap<String, Vec<(Day, usize)>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        if let Entry::Immunization(p) = e {
            by_family.entry(family(&p.code)).or_default().push((p.day, i));
        }
    }
    let mut out = BTreeMap::new();
    for doses in by_family.values_mut() {
        doses.sort();
        for (place, (_, i)) in doses.iter().enumerate() {
            let Entry::Immunization(p) = &entries[*i] else { continue };
            let mut notes = Vec::new();
            let dose = match p.dose {
                Some(d) => d,
                None => {
                    let d = place as u64 + 1;
                    notes.push(format!(
                        "dose number not stated; {d} inferred (dose {d} by date of {} of this vaccine in the source)",
                        doses.len()
                    ));
                    d
                }
            };
            let series = match p.series {
                Some(s) => s,
                None => match vaccines::find(p.code.system(), p.code.code()) {
                    Some(v) => {
                        notes.push(format!(
                            "series size not stated; {} from the primary series of {}",
                            v.primary_series, v.name
                        ));
                        v.primary_series as u64
                    }
                    None if vaccines::is_covid(p.code.system(), p.code.code()) => {
                        notes.push("series size not stated; 2 (a COVID-19 primary series)".into());
                        2
                    }
                    None => {
                        notes.push(format!(
                            "series size not stated and not known for {}; recorded as {dose}",
                            p.code
                        ));
                        dose.max(1)
                    }
                },
            };
            out.insert(*i, (dose, series, notes));
        }
    }
    out
}

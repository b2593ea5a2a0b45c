//! Records: one health fact in nine typed slots, and its hiding commitment.
//!
//! | slot | meaning | encoding |
//! |---|---|---|
//! | 0 `kind` | [`RecordKind`] | small integer |
//! | 1 `holder` | holder id | field element |
//! | 2 `code` | coded concept `system\|code` | [`Code::to_field`] |
//! | 3 `date` | occurrence / effective / onset / birth date | signed day number ([`Day`]) |
//! | 4 `value` | dose number, lab value in fixed point, status | integer < 2^64 |
//! | 5 `aux` | series doses, unit scale, abatement date ([`ABSENT`] if none) | signed integer in [−2^31, 2^31) |
//! | 6 `ext` | lot number, interpretation code | [`Ext`] |
//! | 7 `issuer` | issuer id | `hash_text(ISSUER, name)` |
//! | 8 `salt` | random blinding | field element |
//!
//! `commitment = Poseidon10(COMMITMENT; slot_0, …, slot_8)` — one permutation. The salt
//! makes it hiding; the exact per-kind meaning of the slots is in `docs/records.md`.

use std::fmt;

use ark_ff::UniformRand;
use rand::{CryptoRng, RngCore};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::code::Code;
use crate::date::{Day, PartialDate};
use crate::field::{self, FieldError, Fr};
use crate::holder::HolderId;
use crate::poseidon::Poseidon;
use crate::{tags, text::hash_text};

/// Number of slots of a record.
pub const SLOTS: usize = 9;

/// The value of a signed slot (date, aux) that holds no date: −2^31, which no calendar
/// day takes (days are within ±9999 years of 1970) and which every policy comparison
/// treats as absent — it satisfies no range, window, `ne` or `not_in`, only `absent`.
pub const ABSENT: i32 = i32::MIN;

/// What a record is about (FHIR resource type).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum RecordKind {
    /// FHIR Immunization: a vaccine dose given.
    Immunization = 1,
    /// FHIR Observation: a lab result or measurement.
    Observation = 2,
    /// FHIR Condition: a diagnosis.
    Condition = 3,
    /// FHIR Patient demographics: birth date and administrative gender.
    Demographics = 4,
    /// FHIR MedicationStatement or MedicationRequest: a medicine taken or prescribed.
    Medication = 5,
    /// An issuer's statement that its source holds no record with a code in a value set
    /// for the holder, as of a day ([`RecordData::absence`]).
    Absence = 6,
    /// More codes of another record, its *companion*: the codes a record's one code slot
    /// cannot hold (a vaccination's manufacturer and vaccine type, a test's device). Its
    /// salt is the other record's plus one, which a policy's circuit checks
    /// ([`RecordData::codes_of`]).
    Codes = 7,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [RecordKind; 7] = [
        RecordKind::Immunization,
        RecordKind::Observation,
        RecordKind::Condition,
        RecordKind::Demographics,
        RecordKind::Medication,
        RecordKind::Absence,
        RecordKind::Codes,
    ];

    /// The slot encoding.
    pub fn to_field(self) -> Fr {
        Fr::from(self as u8 as u64)
    }

    /// The kind encoded by `x`, if any.
    pub fn from_field(x: &Fr) -> Option<RecordKind> {
        let n = field::to_u64(x)?;
        RecordKind::ALL.into_iter().find(|k| *k as u8 as u64 == n)
    }
}

/// Named slot positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Slot {
    /// Record kind.
    Kind = 0,
    /// Holder id.
    Holder = 1,
    /// Coded concept.
    Code = 2,
    /// Date.
    Date = 3,
    /// Value.
    Value = 4,
    /// Auxiliary value.
    Aux = 5,
    /// Extension value.
    Ext = 6,
    /// Issuer id.
    Issuer = 7,
    /// Blinding salt.
    Salt = 8,
}

impl Slot {
    /// Every slot in order.
    pub const ALL: [Slot; SLOTS] = [
        Slot::Kind,
        Slot::Holder,
        Slot::Code,
        Slot::Date,
        Slot::Value,
        Slot::Aux,
        Slot::Ext,
        Slot::Issuer,
        Slot::Salt,
    ];

    /// The slot's position.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// The random blinding of a commitment. Never printed; zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct Salt(Fr);

impl Salt {
    /// A fresh salt from a cryptographically secure generator.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Salt {
        Salt(Fr::rand(rng))
    }

    /// A salt from its field element (test vectors, decoding).
    pub fn from_field(x: Fr) -> Salt {
        Salt(x)
    }

    /// A salt from its 32-byte encoding.
    pub fn from_bytes(bytes: &[u8]) -> Result<Salt, FieldError> {
        field::from_bytes(bytes).map(Salt)
    }

    /// The salt as a field element.
    pub fn expose(&self) -> Fr {
        self.0
    }

    /// The salt of this record's companion ([`RecordKind::Codes`]): this one plus one. It
    /// is as secret as this one, and it ties the companion to this record in a proof.
    pub fn companion(&self) -> Salt {
        Salt(self.0 + Fr::from(1u64))
    }
}

impl fmt::Debug for Salt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Salt(<redacted>)")
    }
}

/// The `ext` slot's content.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Ext {
    /// Nothing (encoded as 0).
    #[default]
    None,
    /// A vaccine lot number, `hash_text(LOT, lot)`.
    Lot(String),
    /// A coded value such as an interpretation, [`Code::to_field`].
    Code(Code),
    /// A small number.
    Number(u64),
}

impl Ext {
    /// The slot encoding.
    pub fn to_field(&self) -> Fr {
        match self {
            Ext::None => Fr::from(0u64),
            Ext::Lot(lot) => hash_text(tags::LOT, lot),
            Ext::Code(code) => code.to_field(),
            Ext::Number(n) => Fr::from(*n),
        }
    }
}

/// FHIR Condition clinical status, the `value` slot of a condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[repr(u8)]
pub enum ClinicalStatus {
    /// Active.
    Active = 1,
    /// Recurrence.
    Recurrence = 2,
    /// Relapse.
    Relapse = 3,
    /// Inactive.
    Inactive = 4,
    /// Remission.
    Remission = 5,
    /// Resolved.
    Resolved = 6,
}

/// A medication's status, the `value` slot of a medication record (the statuses FHIR's
/// MedicationStatement and MedicationRequest share that say a medicine was taken or is).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum MedicationStatus {
    /// Active: being taken.
    Active = 1,
    /// Completed: the course was finished.
    Completed = 2,
    /// Stopped before the end of the course.
    Stopped = 3,
    /// On hold.
    OnHold = 4,
}

/// FHIR Condition verification status, the `ext` slot of a condition (0 when the
/// issuer stated none).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[repr(u8)]
pub enum VerificationStatus {
    /// Confirmed.
    Confirmed = 1,
    /// Provisional.
    Provisional = 2,
    /// Differential.
    Differential = 3,
    /// Unconfirmed.
    Unconfirmed = 4,
    /// Refuted.
    Refuted = 5,
    /// Entered in error.
    EnteredInError = 6,
}

/// Issuer id of an issuer name.
pub fn issuer_id(name: &str) -> Fr {
    hash_text(tags::ISSUER, name)
}

/// The code system of an attested absence's value set.
pub const VALUE_SET_SYSTEM: &str = "urn:medzk:value-set";

/// The code an attested absence carries for the value set of root `root`:
/// `urn:medzk:value-set|0x…` (the root in hex), so a policy pins the set by its root.
pub fn absence_code(root: Fr) -> Code {
    Code::new(VALUE_SET_SYSTEM, &crate::field::to_hex(&root)).expect("a hex root is a valid code")
}

/// A record with typed fields, as an issuer writes it and a holder keeps it.
/// `Debug` shows only the kind; contents are zeroized on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordData {
    /// What the record is about.
    pub kind: RecordKind,
    /// The holder's public id.
    pub holder: HolderId,
    /// Coded concept (vaccine, test, diagnosis, gender).
    pub code: Code,
    /// Occurrence, effective, onset or birth date.
    pub date: Day,
    /// Dose number, fixed-point lab value, clinical status; 0 when unused.
    #[serde(default)]
    pub value: u64,
    /// Series doses, unit scale, abatement day; 0 when unused.
    #[serde(default)]
    pub aux: i32,
    /// Lot number or interpretation.
    #[serde(default)]
    pub ext: Ext,
    /// Issuer name (for example `clinic:oslo-1`).
    pub issuer: String,
}

impl Zeroize for RecordData {
    fn zeroize(&mut self) {
        self.holder.0.zeroize();
        self.code = Code::new("-", "-").expect("placeholder code is valid");
        self.date.0.zeroize();
        self.value.zeroize();
        self.aux.zeroize();
        if let Ext::Lot(lot) = &mut self.ext {
            lot.zeroize();
        }
        self.ext = Ext::None;
        self.issuer.zeroize();
    }
}

impl Drop for RecordData {
    fn drop(&mut self) {
        self.zeroize();
    }
}

impl fmt::Debug for RecordData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordData {{ kind: {:?}, .. }}", self.kind)
    }
}

impl RecordData {
    /// An immunization: vaccine, date given, dose number, doses in the series, lot.
    pub fn immunization(
        holder: HolderId,
        vaccine: Code,
        date: Day,
        dose: u64,
        series_doses: i32,
        lot: &str,
        issuer: &str,
    ) -> RecordData {
        RecordData {
            kind: RecordKind::Immunization,
            holder,
            code: vaccine,
            date,
            value: dose,
            aux: series_doses,
            ext: Ext::Lot(lot.to_string()),
            issuer: issuer.to_string(),
        }
    }

    /// An observation: test (LOINC), effective date, result in the test's fixed-point
    /// scale, optional interpretation code (for example SNOMED CT "not detected").
    pub fn observation(
        holder: HolderId,
        test: Code,
        date: Day,
        value: u64,
        interpretation: Option<Code>,
        issuer: &str,
    ) -> RecordData {
        RecordData {
            kind: RecordKind::Observation,
            holder,
            code: test,
            date,
            value,
            aux: 0,
            ext: interpretation.map_or(Ext::None, Ext::Code),
            issuer: issuer.to_string(),
        }
    }

    /// An observation sampled at `time` (UTC): its date is the time's day and its aux slot
    /// the minute ([`Minute`](crate::clock::Minute)), which `time_within` windows read.
    /// `None` if the minute does not fit the slot.
    pub fn observation_at(
        holder: HolderId,
        test: Code,
        time: crate::clock::Minute,
        value: u64,
        interpretation: Option<Code>,
        issuer: &str,
    ) -> Option<RecordData> {
        RecordData::observation(holder, test, time.day(), value, interpretation, issuer).sampled_at(time)
    }

    /// This observation sampled at `time`: the date becomes the time's UTC day and the aux
    /// slot its minute. `None` for another kind, or a minute that does not fit the slot.
    pub fn sampled_at(mut self, time: crate::clock::Minute) -> Option<RecordData> {
        if self.kind != RecordKind::Observation {
            return None;
        }
        self.aux = time.to_slot().filter(|m| *m != 0)?;
        self.date = time.day();
        Some(self)
    }

    /// An observation's sample time, if it has one (its aux slot; 0 is none).
    pub fn time(&self) -> Option<crate::clock::Minute> {
        (self.kind == RecordKind::Observation && self.aux != 0)
            .then_some(crate::clock::Minute(self.aux.into()))
    }

    /// A medication: the medicine (RxNorm), the day it was started (or prescribed), its
    /// status, and the day it ended ([`ABSENT`] while no end is stated).
    pub fn medication(
        holder: HolderId,
        medicine: Code,
        start: Day,
        status: MedicationStatus,
        end: Option<Day>,
        issuer: &str,
    ) -> RecordData {
        RecordData {
            kind: RecordKind::Medication,
            holder,
            code: medicine,
            date: start,
            value: status as u64,
            aux: end.map_or(ABSENT, |d| d.0),
            ext: Ext::None,
            issuer: issuer.to_string(),
        }
    }

    /// The companion of `main` holding more of its codes: `first` in the code slot and
    /// `second` (if any) in ext; the date, holder and issuer are `main`'s, and the value
    /// its kind. Its salt must be `main`'s [`Salt::companion`], which ties it to `main`: a
    /// policy reads it as `{"name": "…", "kind": "codes", "of": "…"}`.
    pub fn codes_of(main: &RecordData, first: Code, second: Option<Code>) -> RecordData {
        RecordData {
            kind: RecordKind::Codes,
            holder: main.holder,
            code: first,
            date: main.date,
            value: main.kind as u8 as u64,
            aux: 0,
            ext: second.map_or(Ext::None, Ext::Code),
            issuer: main.issuer.clone(),
        }
    }

    /// An attested absence: the issuer's source holds no record for the holder with a
    /// code in the value set whose root is `value_set`, as of day `as_of`, over the history
    /// from `since` (or all the history the source holds: [`ABSENT`]). The code slot is
    /// [`absence_code`]`(value_set)`.
    pub fn absence(
        holder: HolderId,
        value_set: Fr,
        as_of: Day,
        since: Option<Day>,
        issuer: &str,
    ) -> RecordData {
        RecordData {
            kind: RecordKind::Absence,
            holder,
            code: absence_code(value_set),
            date: as_of,
            value: 0,
            aux: since.map_or(ABSENT, |d| d.0),
            ext: Ext::None,
            issuer: issuer.to_string(),
        }
    }

    /// A condition: diagnosis, onset date, clinical status, optional abatement date (an
    /// ongoing condition's `aux` holds [`ABSENT`]), no verification status stated (see
    /// [`RecordData::with_verification`]).
    pub fn condition(
        holder: HolderId,
        diagnosis: Code,
        onset: Day,
        status: ClinicalStatus,
        abatement: Option<Day>,
        issuer: &str,
    ) -> RecordData {
        RecordData {
            kind: RecordKind::Condition,
            holder,
            code: diagnosis,
            date: onset,
            value: status as u64,
            aux: abatement.map_or(ABSENT, |d| d.0),
            ext: Ext::None,
            issuer: issuer.to_string(),
        }
    }

    /// The same condition with the issuer's FHIR verification status in `ext`.
    pub fn with_verification(mut self, status: VerificationStatus) -> RecordData {
        self.ext = Ext::Number(status as u64);
        self
    }

    /// Demographics: birth date (also written as its calendar number `YYYYMMDD` in
    /// `aux`, which age clauses read) and administrative gender.
    pub fn demographics(holder: HolderId, birth: Day, gender: Code, issuer: &str) -> RecordData {
        RecordData::demographics_born(holder, PartialDate::day(birth), gender, issuer)
    }

    /// Demographics with a birth date that may be partial (`1964`, `1964-01`): `date` and
    /// `aux` hold its latest day (the youngest the holder can be), `value` the width
    /// `cal(latest) − cal(earliest)` (0 for a full date), so that an age clause checks its
    /// lower bound on the latest day and its upper bound on the earliest.
    pub fn demographics_born(holder: HolderId, birth: PartialDate, gender: Code, issuer: &str) -> RecordData {
        let cal = |d: Day| d.calendar_number().unwrap_or(0);
        RecordData {
            kind: RecordKind::Demographics,
            holder,
            code: gender,
            date: birth.latest,
            value: (cal(birth.latest) - cal(birth.earliest)).max(0) as u64,
            aux: cal(birth.latest) as i32,
            ext: Ext::None,
            issuer: issuer.to_string(),
        }
    }

    /// A demographics record's birth date (partial where its width says so); `None` for
    /// another kind or a width that is no year or month.
    pub fn birth(&self) -> Option<PartialDate> {
        if self.kind != RecordKind::Demographics {
            return None;
        }
        let latest = self.date;
        let cal = latest.calendar_number()?;
        let earliest_cal = cal - self.value as i64;
        let (y, m, d) =
            ((earliest_cal / 10_000) as i32, (earliest_cal / 100 % 100) as u8, (earliest_cal % 100) as u8);
        let earliest = Day::from_ymd(y, m, d).ok()?;
        let p = PartialDate { earliest, latest };
        let written = p.to_string();
        (written.parse::<PartialDate>().ok() == Some(p)).then_some(p)
    }

    /// The nine slots, with `salt` as the last.
    pub fn encode(&self, salt: &Salt) -> Record {
        Record {
            slots: [
                self.kind.to_field(),
                self.holder.0,
                self.code.to_field(),
                self.date.to_field(),
                Fr::from(self.value),
                Fr::from(self.aux as i64),
                self.ext.to_field(),
                issuer_id(&self.issuer),
                salt.expose(),
            ],
        }
    }
}

/// A record in slot form: the nine field elements its commitment binds.
/// `Debug` prints nothing of the contents; zeroized on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Record {
    slots: [Fr; SLOTS],
}

impl Record {
    /// A record from raw slots (tests and decoding).
    pub fn from_slots(slots: [Fr; SLOTS]) -> Record {
        Record { slots }
    }

    /// All slots in order.
    pub fn slots(&self) -> &[Fr; SLOTS] {
        &self.slots
    }

    /// One slot.
    pub fn slot(&self, slot: Slot) -> Fr {
        self.slots[slot.index()]
    }

    /// Replaces one slot (tests that tamper with a record).
    pub fn set_slot(&mut self, slot: Slot, value: Fr) {
        self.slots[slot.index()] = value;
    }

    /// The record's kind, if its kind slot holds a known kind.
    pub fn kind(&self) -> Option<RecordKind> {
        RecordKind::from_field(&self.slots[Slot::Kind.index()])
    }

    /// `Poseidon10(COMMITMENT; slots)`.
    pub fn commitment(&self) -> Fr {
        commitment(&self.slots)
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Record(<redacted>)")
    }
}

/// The commitment to nine slots.
pub fn commitment(slots: &[Fr; SLOTS]) -> Fr {
    Poseidon::t10().hash(tags::COMMITMENT, slots)
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;

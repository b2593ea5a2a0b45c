//! The vaccination statement: "I hold an immunization record in the registry, with a
//! vaccine the verifier approves, enough doses, given between `min` and `max` days ago."
//!
//! **Relation.** Public: registry root `R`, policy hash `H`, day `T`, context `X`,
//! nullifier `N`. Witness: holder secret `s`; record slots `code, date, dose, series,
//! ext, issuer, salt`; inclusion path; the policy `(scope, min, max, min_dose,
//! complete, v₀…v₁₅)`. The circuit enforces
//!
//! * `holder = Poseidon3(HOLDER; s)` and `C = Poseidon10(COMMITMENT; 1, holder, code,
//!   date, dose, series, ext, issuer, salt)` — the record is an Immunization (kind 1,
//!   a constant) of the holder;
//! * the path leads from `C` to `R`;
//! * `N = Poseidon3(NULLIFIER; s, scope)`;
//! * `H = Poseidon10(POLICY_VACCINATION; scope, min + 2¹⁶·max + 2³²·min_dose + 2⁴⁰·complete, v₀…v₁₅)`;
//! * `code ∈ {v₀…v₁₅}`;
//! * `0 ≤ dose, series < 2⁸`, `dose ≥ min_dose`, and `dose ≥ series` if `complete`;
//! * `date + 2³¹ < 2³²`, and `min ≤ T − date ≤ max` with `min, max < 2¹⁶`.
//!
//! `X` appears in no constraint; Groth16 still binds it (every public input enters the
//! verification equation). Cost: 6,768 constraints at depth 32 (pinned in tests).

#[cfg(feature = "r1cs")]
pub mod circuit;

use std::collections::BTreeSet;
use std::fmt;

use ark_ff::{BigInteger, PrimeField};
use serde::{Deserialize, Serialize};

use crate::code::Code;
use crate::date::{DATE_BIAS, Day};
use crate::field::{self, Fr};
use crate::holder::{HolderSecret, Scope};
use crate::poseidon::Poseidon;
use crate::record::{Record, RecordKind, Slot};
use crate::tags;
use crate::tree::{Depth, MerklePath};

/// Most approved vaccines in one policy.
pub const MAX_VACCINES: usize = 16;
/// Width of dose numbers and series sizes.
pub const DOSE_BITS: usize = 8;
/// Width of the day-window bounds.
pub const WINDOW_BITS: usize = 16;
/// Length of the policy's canonical encoding.
pub const ENCODING_LEN: usize = 2 + MAX_VACCINES;
/// Supported policy document version.
pub const POLICY_VERSION: u32 = 1;

/// Days since the dose: `min ≤ today − date ≤ max`, both inclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct DayWindow {
    /// Fewest days since the dose (inclusive).
    #[cfg_attr(feature = "schema", schemars(range(max = 65535)))]
    pub min: u32,
    /// Most days since the dose (inclusive).
    #[cfg_attr(feature = "schema", schemars(range(max = 65535)))]
    pub max: u32,
}

/// The policy document as written (JSON); becomes a [`VaccinationPolicy`] once valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schema",
    schemars(
        title = "Vaccination policy",
        description = "One immunization record against approved vaccines, a dose number and a window of days."
    )
)]
#[serde(deny_unknown_fields)]
pub struct VaccinationPolicyDoc {
    /// Always `"vaccination"`.
    #[cfg_attr(feature = "schema", schemars(extend("const" = "vaccination")))]
    pub statement: String,
    /// Document version, [`POLICY_VERSION`].
    #[cfg_attr(
        feature = "schema",
        schemars(extend("const" = POLICY_VERSION), description = "The document version.")
    )]
    pub version: u32,
    /// Nullifier scope of the verifier.
    pub scope: Scope,
    /// Approved vaccine codes (1 to 16, distinct).
    #[cfg_attr(feature = "schema", schemars(length(min = 1, max = MAX_VACCINES), extend("uniqueItems" = true)))]
    pub vaccines: Vec<Code>,
    /// Window of days since the dose.
    pub days_since_dose: DayWindow,
    /// Smallest acceptable dose number (0 to 255).
    #[cfg_attr(feature = "schema", schemars(range(max = 255)))]
    pub min_dose_number: u32,
    /// Whether the dose must complete its series (dose number ≥ series doses).
    pub complete_series: bool,
}

/// Why a policy document is not a valid vaccination policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// The `statement` field is not `vaccination`.
    #[error("policy is for statement {0:?}, not \"vaccination\"")]
    Statement(String),
    /// Unsupported document version.
    #[error("unsupported vaccination policy version {0} (supported: {POLICY_VERSION})")]
    Version(u32),
    /// No approved vaccine.
    #[error("the policy approves no vaccine")]
    NoVaccines,
    /// More than 16 vaccines.
    #[error("the policy approves {0} vaccines; the statement holds at most {MAX_VACCINES}")]
    TooManyVaccines(usize),
    /// The same vaccine twice.
    #[error("vaccine {0} is listed twice")]
    DuplicateVaccine(String),
    /// `min > max`.
    #[error("days_since_dose.min ({min}) is above days_since_dose.max ({max})")]
    WindowInverted {
        /// Lower bound.
        min: u32,
        /// Upper bound.
        max: u32,
    },
    /// A window bound of 2^16 days or more.
    #[error("days_since_dose bounds must be below 65536 days, got {0}")]
    WindowTooWide(u32),
    /// A minimum dose number of 256 or more.
    #[error("min_dose_number must be below 256, got {0}")]
    DoseTooLarge(u32),
    /// Not valid JSON for a policy.
    #[error("invalid policy JSON: {0}")]
    Json(String),
}

/// A valid vaccination policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "VaccinationPolicyDoc", into = "VaccinationPolicyDoc")]
pub struct VaccinationPolicy {
    scope: Scope,
    vaccines: Vec<Code>,
    window: DayWindow,
    min_dose: u8,
    complete_series: bool,
}

impl TryFrom<VaccinationPolicyDoc> for VaccinationPolicy {
    type Error = PolicyError;

    fn try_from(doc: VaccinationPolicyDoc) -> Result<Self, PolicyError> {
        if doc.statement != "vaccination" {
            return Err(PolicyError::Statement(doc.statement));
        }
        if doc.version != POLICY_VERSION {
            return Err(PolicyError::Version(doc.version));
        }
        VaccinationPolicy::new(
            doc.scope,
            doc.vaccines,
            doc.days_since_dose,
            doc.min_dose_number,
            doc.complete_series,
        )
    }
}

impl From<VaccinationPolicy> for VaccinationPolicyDoc {
    fn from(p: VaccinationPolicy) -> Self {
        VaccinationPolicyDoc {
            statement: "vaccination".into(),
            version: POLICY_VERSION,
            scope: p.scope,
            vaccines: p.vaccines,
            days_since_dose: p.window,
            min_dose_number: p.min_dose as u32,
            complete_series: p.complete_series,
        }
    }
}

impl VaccinationPolicy {
    /// A validated policy.
    pub fn new(
        scope: Scope,
        vaccines: Vec<Code>,
        window: DayWindow,
        min_dose_number: u32,
        complete_series: bool,
    ) -> Result<VaccinationPolicy, PolicyError> {
        if vaccines.is_empty() {
            return Err(PolicyError::NoVaccines);
        }
        if vaccines.len() > MAX_VACCINES {
            return Err(PolicyError::TooManyVaccines(vaccines.len()));
        }
        let mut seen = BTreeSet::new();
        for v in &vaccines {
            if !seen.insert(v.to_string()) {
                return Err(PolicyError::DuplicateVaccine(v.to_string()));
            }
        }
        for bound in [window.min, window.max] {
            if bound >= 1 << WINDOW_BITS {
                return Err(PolicyError::WindowTooWide(bound));
            }
        }
        if window.min > window.max {
            return Err(PolicyError::WindowInverted { min: window.min, max: window.max });
        }
        let min_dose =
            u8::try_from(min_dose_number).map_err(|_| PolicyError::DoseTooLarge(min_dose_number))?;
        Ok(VaccinationPolicy { scope, vaccines, window, min_dose, complete_series })
    }

    /// Parses and validates a JSON policy document.
    pub fn from_json(text: &str) -> Result<VaccinationPolicy, PolicyError> {
        let doc: VaccinationPolicyDoc =
            serde_json::from_str(text).map_err(|e| PolicyError::Json(e.to_string()))?;
        VaccinationPolicy::try_from(doc)
    }

    /// The nullifier scope.
    pub fn scope(&self) -> &Scope {
        &self.scope
    }

    /// The approved vaccines.
    pub fn vaccines(&self) -> &[Code] {
        &self.vaccines
    }

    /// The day window.
    pub fn window(&self) -> DayWindow {
        self.window
    }

    /// Smallest acceptable dose number.
    pub fn min_dose(&self) -> u8 {
        self.min_dose
    }

    /// Whether the dose must complete its series.
    pub fn complete_series(&self) -> bool {
        self.complete_series
    }

    /// `min + 2¹⁶·max + 2³²·min_dose + 2⁴⁰·complete`.
    pub fn packed_parameters(&self) -> Fr {
        Fr::from(
            self.window.min as u64
                | (self.window.max as u64) << 16
                | (self.min_dose as u64) << 32
                | (self.complete_series as u64) << 40,
        )
    }

    /// The approved vaccine codes as field elements, sorted, padded to 16 by repeating
    /// the smallest (a repeat adds no member to the set).
    pub fn vaccine_fields(&self) -> [Fr; MAX_VACCINES] {
        let mut codes: Vec<Fr> = self.vaccines.iter().map(Code::to_field).collect();
        codes.sort_by_key(|c| c.into_bigint().to_bytes_be());
        let first = codes[0];
        std::array::from_fn(|i| codes.get(i).copied().unwrap_or(first))
    }

    /// The canonical encoding: scope, packed parameters, vaccine codes.
    pub fn encode(&self) -> [Fr; ENCODING_LEN] {
        let vaccines = self.vaccine_fields();
        std::array::from_fn(|i| match i {
            0 => self.scope.to_field(),
            1 => self.packed_parameters(),
            _ => vaccines[i - 2],
        })
    }

    /// The policy hash (a public input).
    pub fn hash(&self) -> Fr {
        Poseidon::t10().hash(tags::POLICY_VACCINATION, &self.encode())
    }

    /// Checks a record against the policy on `today`, exactly as the circuit does.
    pub fn evaluate(&self, record: &Record, today: Day) -> Result<(), Unmet> {
        if record.kind() != Some(RecordKind::Immunization) {
            return Err(Unmet::NotImmunization);
        }
        let date = field::to_i64(&record.slot(Slot::Date))
            .filter(|d| (-(DATE_BIAS as i64)..DATE_BIAS as i64).contains(d))
            .ok_or(Unmet::DateOutOfRange)?;
        let small = |slot: Slot| field::to_u64(&record.slot(slot)).filter(|v| *v < 1 << DOSE_BITS);
        let dose = small(Slot::Value).ok_or(Unmet::DoseOutOfRange)?;
        let series = small(Slot::Aux).ok_or(Unmet::SeriesOutOfRange)?;
        if !self.vaccine_fields().contains(&record.slot(Slot::Code)) {
            return Err(Unmet::VaccineNotApproved);
        }
        if dose < self.min_dose as u64 {
            return Err(Unmet::DoseBelowMinimum { dose, min: self.min_dose });
        }
        if self.complete_series && dose < series {
            return Err(Unmet::SeriesIncomplete { dose, series });
        }
        let elapsed = today.0 as i64 - date;
        if elapsed < 0 {
            return Err(Unmet::FutureDate { days_ahead: -elapsed });
        }
        if elapsed < self.window.min as i64 {
            return Err(Unmet::TooRecent { days: elapsed, min: self.window.min });
        }
        if elapsed > self.window.max as i64 {
            return Err(Unmet::TooOld { days: elapsed, max: self.window.max });
        }
        Ok(())
    }
}

impl crate::statement::StatementPolicy for VaccinationPolicy {
    fn statement_kind(&self) -> crate::statement::StatementKind {
        crate::statement::StatementKind::Vaccination
    }

    fn policy_hash(&self) -> Fr {
        self.hash()
    }

    fn scope_field(&self) -> Fr {
        self.scope().to_field()
    }
}

/// A condition of the statement that a witness does not meet, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unmet {
    /// Not an Immunization record.
    #[error("the record is not an immunization")]
    NotImmunization,
    /// The record's date is outside [−2^31, 2^31) days.
    #[error("the record's date is out of range")]
    DateOutOfRange,
    /// Dose number of 256 or more.
    #[error("the dose number is out of range (0 to 255)")]
    DoseOutOfRange,
    /// Series size of 256 or more, or negative.
    #[error("the series size is out of range (0 to 255)")]
    SeriesOutOfRange,
    /// Vaccine not in the approved set.
    #[error("the vaccine is not approved by this policy")]
    VaccineNotApproved,
    /// Dose number too low.
    #[error("dose number {dose} is below the required {min}")]
    DoseBelowMinimum {
        /// The record's dose number.
        dose: u64,
        /// Required minimum.
        min: u8,
    },
    /// Series incomplete.
    #[error("dose {dose} of {series} does not complete the series")]
    SeriesIncomplete {
        /// Dose number.
        dose: u64,
        /// Doses in the series.
        series: u64,
    },
    /// Dose dated after today.
    #[error("the dose is dated {days_ahead} day(s) in the future")]
    FutureDate {
        /// Days after today.
        days_ahead: i64,
    },
    /// Dose too recent.
    #[error("the dose was given {days} day(s) ago; at least {min} are required")]
    TooRecent {
        /// Days since the dose.
        days: i64,
        /// Required minimum.
        min: u32,
    },
    /// Dose too old.
    #[error("the dose was given {days} day(s) ago; at most {max} are accepted")]
    TooOld {
        /// Days since the dose.
        days: i64,
        /// Accepted maximum.
        max: u32,
    },
    /// The record's holder is not the holder of the secret.
    #[error("the record was issued to another holder")]
    HolderMismatch,
    /// The path does not lead from the record to the root.
    #[error("the record is not in the registry under this root (revoked, or a stale path)")]
    NotInRegistry,
    /// The path does not fit the registry depth.
    #[error("the inclusion path does not fit a depth-{0} registry")]
    PathShape(u8),
}

/// The private inputs of the vaccination statement.
#[derive(Clone)]
pub struct VaccinationWitness {
    /// The immunization record (slot form, with its salt).
    pub record: Record,
    /// The holder's secret.
    pub secret: HolderSecret,
    /// The record's inclusion path.
    pub path: MerklePath,
}

impl fmt::Debug for VaccinationWitness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VaccinationWitness(<redacted>)")
    }
}

impl VaccinationWitness {
    /// Every condition of the relation, checked natively before proving.
    pub fn check(
        &self,
        policy: &VaccinationPolicy,
        depth: Depth,
        root: &Fr,
        today: Day,
    ) -> Result<(), Unmet> {
        self.path.check_shape(depth).map_err(|_| Unmet::PathShape(depth.bits()))?;
        if self.record.slot(Slot::Holder) != self.secret.id().0 {
            return Err(Unmet::HolderMismatch);
        }
        policy.evaluate(&self.record, today)?;
        if self.path.root(self.record.commitment()) != *root {
            return Err(Unmet::NotInRegistry);
        }
        Ok(())
    }

    /// The nullifier this witness produces under `policy`.
    pub fn nullifier(&self, policy: &VaccinationPolicy) -> Fr {
        self.secret.nullifier(policy.scope())
    }
}

#[cfg(test)]
mod tests;

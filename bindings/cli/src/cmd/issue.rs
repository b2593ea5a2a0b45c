//! `medzk issue …`: commit a record, append the commitment, write the credential.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use medzk_circuits::code::Code;
use medzk_circuits::credential::Credential;
use medzk_circuits::date::Day;
use medzk_circuits::field;
use medzk_circuits::holder::HolderId;
use medzk_circuits::record::{ClinicalStatus, RecordData, Salt};
use medzk_registry::Appended;

use super::{now_unix, registry};
use crate::io::{self, CliError, CliResult};

/// Arguments every record kind shares.
#[derive(Args, Clone)]
pub struct Common {
    /// The registry database file.
    #[arg(long)]
    pub registry: PathBuf,
    /// The holder id (`0x…`, from `medzk holder keygen`).
    #[arg(long)]
    pub holder_id: String,
    /// The issuer's name (for example `lab:central-1`).
    #[arg(long)]
    pub issuer: String,
    /// Where to write the holder's credential.
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `issue observation`.
#[derive(Args)]
pub struct ObservationArgs {
    #[command(flatten)]
    common: Common,
    /// The test, `system|code` (for example `loinc|4548-4`).
    #[arg(long)]
    test: Code,
    /// Effective date, YYYY-MM-DD.
    #[arg(long)]
    date: Day,
    /// The result in the test's fixed-point scale (see docs/policies.md).
    #[arg(long)]
    value: u64,
    /// Interpretation code (for example `sct|260415000`, not detected).
    #[arg(long)]
    interpretation: Option<Code>,
}

/// Arguments of `issue condition`.
#[derive(Args)]
pub struct ConditionArgs {
    #[command(flatten)]
    common: Common,
    /// The diagnosis, `system|code` (for example `icd10|E11.9`).
    #[arg(long)]
    diagnosis: Code,
    /// Onset date, YYYY-MM-DD.
    #[arg(long)]
    onset: Day,
    /// Clinical status.
    #[arg(long, value_enum, default_value = "active")]
    status: Status,
    /// Abatement date, YYYY-MM-DD.
    #[arg(long)]
    abatement: Option<Day>,
}

/// Clinical status of a condition.
#[derive(Clone, Copy, ValueEnum)]
pub enum Status {
    /// Active.
    Active,
    /// Recurrence.
    Recurrence,
    /// Relapse.
    Relapse,
    /// Inactive.
    Inactive,
    /// Remission.
    Remission,
    /// Resolved.
    Resolved,
}

/// Arguments of `issue demographics`.
#[derive(Args)]
pub struct DemographicsArgs {
    #[command(flatten)]
    common: Common,
    /// Birth date, YYYY-MM-DD.
    #[arg(long)]
    birth: Day,
    /// Administrative gender, `gender|female`, `gender|male`, `gender|other`, `gender|unknown`.
    #[arg(long)]
    gender: Code,
}

fn holder(common: &Common) -> CliResult<HolderId> {
    field::from_hex(&common.holder_id).map(HolderId).map_err(|e| CliError::Input(format!("--holder-id: {e}")))
}

/// Commits `record`, appends it, writes the credential.
pub fn issue(common: &Common, record: RecordData) -> CliResult<(Credential, Appended)> {
    let salt = Salt::generate(&mut rand::rngs::OsRng);
    let commitment = record.encode(&salt).commitment();
    let reg = registry::open(&common.registry)?;
    let appended = reg.append(commitment, now_unix()).map_err(|e| CliError::file(&common.registry, e))?;
    let credential = Credential::new(record, salt, appended.first);
    io::write_private(&common.out, credential.to_json().as_bytes())?;
    Ok((credential, appended))
}

/// Issues an observation.
pub fn observation(a: &ObservationArgs) -> CliResult<(Credential, Appended)> {
    let record = RecordData::observation(
        holder(&a.common)?,
        a.test.clone(),
        a.date,
        a.value,
        a.interpretation.clone(),
        &a.common.issuer,
    );
    issue(&a.common, record)
}

/// Issues a condition.
pub fn condition(a: &ConditionArgs) -> CliResult<(Credential, Appended)> {
    let status = match a.status {
        Status::Active => ClinicalStatus::Active,
        Status::Recurrence => ClinicalStatus::Recurrence,
        Status::Relapse => ClinicalStatus::Relapse,
        Status::Inactive => ClinicalStatus::Inactive,
        Status::Remission => ClinicalStatus::Remission,
        Status::Resolved => ClinicalStatus::Resolved,
    };
    let record = RecordData::condition(
        holder(&a.common)?,
        a.diagnosis.clone(),
        a.onset,
        status,
        a.abatement,
        &a.common.issuer,
    );
    issue(&a.common, record)
}

/// Issues demographics.
pub fn demographics(a: &DemographicsArgs) -> CliResult<(Credential, Appended)> {
    let record = RecordData::demographics(holder(&a.common)?, a.birth, a.gender.clone(), &a.common.issuer);
    issue(&a.common, record)
}

/// Arguments of `issue immunization`.
#[derive(Args)]
pub struct ImmunizationArgs {
    #[command(flatten)]
    pub common: Common,
    /// Vaccine code, `system|code` (for example `cvx|208`).
    #[arg(long)]
    pub vaccine: Code,
    /// Date given, YYYY-MM-DD.
    #[arg(long)]
    pub date: Day,
    /// Dose number within the series.
    #[arg(long)]
    pub dose: u64,
    /// Doses in the series.
    #[arg(long)]
    pub series: i32,
    /// Lot number.
    #[arg(long)]
    pub lot: String,
}

/// Issues an immunization; returns the credential written and the registry's checkpoint.
pub fn immunization(a: &ImmunizationArgs) -> CliResult<(Credential, Appended)> {
    let record = RecordData::immunization(
        holder(&a.common)?,
        a.vaccine.clone(),
        a.date,
        a.dose,
        a.series,
        &a.lot,
        &a.common.issuer,
    );
    issue(&a.common, record)
}

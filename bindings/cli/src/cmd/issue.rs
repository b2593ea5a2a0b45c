//! `medzk issue …`: commit a record, append the commitment, write the credential.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use medzk_circuits::code::Code;
use medzk_circuits::credential::Credential;
use medzk_circuits::date::{Day, PartialDate};
use medzk_circuits::holder::HolderId;
use medzk_circuits::issuance::check_record;
use medzk_circuits::record::{ClinicalStatus, MedicationStatus, RecordData, Salt, VerificationStatus};
use medzk_circuits::valueset::ValueSet;
use medzk_registry::Appended;

use medzk_circuits::field::{self, Fr};
use medzk_service::auth::IssuerSecret;
use medzk_service::{Client, ClientError};
use serde_json::json;

use super::{now_unix, registry};
use crate::io::{self, CliError, CliResult};
use crate::report::{Report, shown};

/// A record issued: its credential (written to `--out`), the registry's checkpoint, and
/// the warnings about values that are legal but odd.
pub struct Issued {
    /// The credential written.
    pub credential: Credential,
    /// Where it was written.
    pub file: PathBuf,
    /// The append.
    pub appended: Appended,
    /// Warnings (also printed on stderr).
    pub warnings: Vec<String>,
}

impl Issued {
    /// The one-line result, or JSON without the credential's secrets (its salt and record
    /// stay in the file).
    pub fn report(&self) -> Report {
        let root = field::to_hex(&self.appended.checkpoint.root);
        Report::new(
            format!("leaf {} root {root}", self.appended.first),
            json!({
                "leaf": self.appended.first,
                "root": root,
                "commitment": field::to_hex(&self.credential.commitment),
                "kind": self.credential.record.kind,
                "credential_file": shown(&self.file),
                "checkpoint": self.appended.checkpoint,
                "warnings": self.warnings,
            }),
        )
    }
}

/// Arguments every record kind shares.
#[derive(Args, Clone)]
pub struct Common {
    /// The registry (a file, or a postgresql:// URL).
    #[arg(long, required_unless_present = "registry_url")]
    pub registry: Option<PathBuf>,
    /// Append through a registry service instead (`medzk serve`), as the issuer whose key
    /// --issuer-key holds.
    #[arg(long, conflicts_with = "registry", requires = "issuer_key")]
    pub registry_url: Option<String>,
    /// The issuer's key file (from `medzk issuer keygen`), for --registry-url.
    #[arg(long)]
    pub issuer_key: Option<PathBuf>,
    /// The holder id (`0x…`, from `medzk holder keygen`).
    #[arg(long)]
    pub holder_id: String,
    /// The issuer's name (for example `lab:central-1`).
    #[arg(long)]
    pub issuer: String,
    /// Where to write the holder's credential (never replaced without --force).
    #[arg(long)]
    pub out: PathBuf,
    /// Replace an existing credential file at --out.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `issue observation`.
#[derive(Args)]
pub struct ObservationArgs {
    #[command(flatten)]
    common: Common,
    /// The test, `system|code` (for example `loinc|4548-4`).
    #[arg(long)]
    test: Code,
    /// Effective date, YYYY-MM-DD, or date and time to the minute (the sample time, which
    /// hour windows read), YYYY-MM-DDTHH:MMZ (an offset such as +02:00 is made UTC).
    #[arg(long)]
    date: medzk_circuits::clock::Clock,
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
    /// Abatement date, YYYY-MM-DD (none: the condition is ongoing).
    #[arg(long)]
    abatement: Option<Day>,
    /// Verification status (FHIR Condition.verificationStatus), if the source states one.
    #[arg(long, value_enum)]
    verification: Option<Verification>,
}

/// Verification status of a condition.
#[derive(Clone, Copy, ValueEnum)]
pub enum Verification {
    /// Confirmed.
    Confirmed,
    /// Provisional.
    Provisional,
    /// Differential.
    Differential,
    /// Unconfirmed.
    Unconfirmed,
    /// Refuted.
    Refuted,
    /// Entered in error.
    EnteredInError,
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

/// Arguments of `issue medication`.
#[derive(Args)]
pub struct MedicationArgs {
    #[command(flatten)]
    common: Common,
    /// The medicine, `system|code` (for example `rxnorm|860975`).
    #[arg(long)]
    medicine: Code,
    /// The day it was started (or prescribed), YYYY-MM-DD.
    #[arg(long)]
    start: Day,
    /// Status.
    #[arg(long, value_enum, default_value = "active")]
    status: MedStatus,
    /// The day it ended, YYYY-MM-DD (none: no end stated).
    #[arg(long)]
    end: Option<Day>,
}

/// Arguments of `issue absence`.
#[derive(Args)]
pub struct AbsenceArgs {
    #[command(flatten)]
    common: Common,
    /// The value set whose codes the source holds no record of (a medzk-value-set file).
    #[arg(long)]
    value_set: PathBuf,
    /// The day the source was searched, YYYY-MM-DD.
    #[arg(long)]
    as_of: Day,
    /// The first day of the history searched, YYYY-MM-DD (none: all the source holds).
    #[arg(long)]
    since: Option<Day>,
}

/// Status of a medication.
#[derive(Clone, Copy, ValueEnum)]
pub enum MedStatus {
    /// Being taken.
    Active,
    /// The course was finished.
    Completed,
    /// Stopped before the end of the course.
    Stopped,
    /// On hold.
    OnHold,
}

/// Arguments of `issue demographics`.
#[derive(Args)]
pub struct DemographicsArgs {
    #[command(flatten)]
    common: Common,
    /// Birth date, YYYY-MM-DD, or partial as certificates write it: YYYY or YYYY-MM (age
    /// clauses then hold only if they hold for every day it may be).
    #[arg(long)]
    birth: PartialDate,
    /// Administrative gender, `gender|female`, `gender|male`, `gender|other`, `gender|unknown`.
    #[arg(long)]
    gender: Code,
}

fn holder(common: &Common) -> CliResult<HolderId> {
    super::parse_field(&common.holder_id, "--holder-id").map(HolderId)
}

/// Checks `record`, then writes the credential and appends the commitment so that no
/// failure loses anything: the credential (with its salt and the leaf index it will have)
/// is written first, atomically, while this process holds the registry; only then is the
/// commitment appended, and if that fails the credential is removed again.
pub fn issue(common: &Common, record: RecordData) -> CliResult<Issued> {
    issue_salted(common, record, Salt::generate(&mut rand::rngs::OsRng))
}

/// [`issue`] with the given salt (a codes record's follows its record's).
fn issue_salted(common: &Common, record: RecordData, salt: Salt) -> CliResult<Issued> {
    let warnings = check_record(&record, super::today(None)).map_err(|e| CliError::Input(e.to_string()))?;
    for w in &warnings {
        eprintln!("medzk: warning: {w}");
    }
    let commitment = record.encode(&salt).commitment();
    let file = match (&common.registry, &common.registry_url, &common.issuer_key) {
        (Some(file), _, _) => file,
        (None, Some(url), Some(key)) => {
            return issue_remote(common, url, key, record, salt, commitment, warnings);
        }
        _ => return Err(CliError::Input("give --registry, or --registry-url with --issuer-key".into())),
    };
    let reg = registry::open(file)?;
    let storage = |e| CliError::file(file, e);
    let index = reg.len().map_err(storage)?;
    let credential = Credential::new(record, salt, index);
    io::write_private(&common.out, credential.to_json().as_bytes(), common.force)?;
    let undo = |e: CliError| {
        // Nothing was appended: the credential would name a leaf that is not its own.
        let _ = std::fs::remove_file(&common.out);
        e
    };
    let appended = reg.append(commitment, now_unix()).map_err(storage).map_err(undo)?;
    if appended.first != index {
        return Err(undo(CliError::file(file, "the registry changed while issuing; issue again")));
    }
    Ok(Issued { credential, file: common.out.clone(), appended, warnings })
}

/// Issues through a registry service. The leaf index is known only once the service has
/// appended, so the credential is written first with its salt and no index (the file is
/// writable and the salt is safe), then completed; a clear refusal removes it, an
/// unclear outcome (no answer) keeps it and says so.
fn issue_remote(
    common: &Common,
    url: &str,
    key_file: &Path,
    record: RecordData,
    salt: Salt,
    commitment: Fr,
    warnings: Vec<String>,
) -> CliResult<Issued> {
    let key = IssuerSecret::from_json(&io::read_text(key_file)?).map_err(|e| CliError::file(key_file, e))?;
    if key.name() != record.issuer {
        return Err(CliError::Input(format!(
            "{} is the key of issuer {:?}; --issuer says {:?}",
            key_file.display(),
            key.name(),
            record.issuer
        )));
    }
    let pending = Credential::new(record.clone(), salt.clone(), u64::MAX);
    io::write_private(&common.out, pending.to_json().as_bytes(), common.force)?;
    let reply = match Client::new(url).append(&key, &[commitment]) {
        Ok(reply) => reply,
        Err(e @ ClientError::Refused { .. }) => {
            let _ = std::fs::remove_file(&common.out);
            return Err(CliError::Input(e.to_string()));
        }
        Err(e) => {
            return Err(CliError::Input(format!(
                "{e}; the service may or may not have appended commitment {}: {} keeps the record and its \
                 salt (leaf index unknown); ask the operator before issuing again",
                field::to_hex(&commitment),
                common.out.display()
            )));
        }
    };
    let credential = Credential::new(record, salt, reply.first);
    io::write_private(&common.out, credential.to_json().as_bytes(), true).map_err(|e| {
        CliError::Input(format!(
            "{e}; the commitment is leaf {} — {} holds the rest",
            reply.first,
            common.out.display()
        ))
    })?;
    let appended = Appended { first: reply.first, checkpoint: reply.checkpoint };
    Ok(Issued { credential, file: common.out.clone(), appended, warnings })
}

/// Arguments of `issue codes`.
#[derive(Args)]
pub struct CodesArgs {
    #[command(flatten)]
    common: Common,
    /// The credential of the record it completes (the issuer's copy: its salt ties the
    /// two); its holder and issuer must be --holder-id and --issuer.
    #[arg(long)]
    of: PathBuf,
    /// The first further code, `system|code` (a vaccination's manufacturer, a test's
    /// device).
    #[arg(long)]
    code: Code,
    /// A second further code (a vaccination's vaccine type), kept in ext.
    #[arg(long)]
    second: Option<Code>,
}

/// Issues the codes record of a record already issued.
pub fn codes(a: &CodesArgs) -> CliResult<Issued> {
    let main = Credential::from_json(&io::read_text(&a.of)?).map_err(|e| CliError::file(&a.of, e))?;
    if main.record.holder != holder(&a.common)? || main.record.issuer != a.common.issuer {
        return Err(CliError::Input(format!(
            "{}: its holder and issuer must be --holder-id and --issuer (a codes record completes a record of the same holder, from the same issuer)",
            a.of.display()
        )));
    }
    if main.record.kind == medzk_circuits::record::RecordKind::Codes {
        return Err(CliError::Input(format!("{} is itself a codes record", a.of.display())));
    }
    let record = RecordData::codes_of(&main.record, a.code.clone(), a.second.clone());
    issue_salted(&a.common, record, main.salt.companion())
}

/// Issues an observation.
pub fn observation(a: &ObservationArgs) -> CliResult<Issued> {
    let record = RecordData::observation(
        holder(&a.common)?,
        a.test.clone(),
        a.date.day(),
        a.value,
        a.interpretation.clone(),
        &a.common.issuer,
    );
    let record = match a.date.minute() {
        None => record,
        Some(time) => record
            .sampled_at(time)
            .ok_or_else(|| CliError::Input(format!("--date {time}: out of the time slot's range")))?,
    };
    issue(&a.common, record)
}

/// Issues a medication.
pub fn medication(a: &MedicationArgs) -> CliResult<Issued> {
    let status = match a.status {
        MedStatus::Active => MedicationStatus::Active,
        MedStatus::Completed => MedicationStatus::Completed,
        MedStatus::Stopped => MedicationStatus::Stopped,
        MedStatus::OnHold => MedicationStatus::OnHold,
    };
    let record = RecordData::medication(
        holder(&a.common)?,
        a.medicine.clone(),
        a.start,
        status,
        a.end,
        &a.common.issuer,
    );
    issue(&a.common, record)
}

/// Issues an attested absence.
pub fn absence(a: &AbsenceArgs) -> CliResult<Issued> {
    let text = io::read_text(&a.value_set)?;
    let set = ValueSet::from_json(&text).map_err(|e| CliError::file(&a.value_set, e))?;
    let record = RecordData::absence(holder(&a.common)?, set.root(), a.as_of, a.since, &a.common.issuer);
    issue(&a.common, record)
}

/// Issues a condition.
pub fn condition(a: &ConditionArgs) -> CliResult<Issued> {
    let status = match a.status {
        Status::Active => ClinicalStatus::Active,
        Status::Recurrence => ClinicalStatus::Recurrence,
        Status::Relapse => ClinicalStatus::Relapse,
        Status::Inactive => ClinicalStatus::Inactive,
        Status::Remission => ClinicalStatus::Remission,
        Status::Resolved => ClinicalStatus::Resolved,
    };
    let mut record = RecordData::condition(
        holder(&a.common)?,
        a.diagnosis.clone(),
        a.onset,
        status,
        a.abatement,
        &a.common.issuer,
    );
    if let Some(v) = a.verification {
        record = record.with_verification(match v {
            Verification::Confirmed => VerificationStatus::Confirmed,
            Verification::Provisional => VerificationStatus::Provisional,
            Verification::Differential => VerificationStatus::Differential,
            Verification::Unconfirmed => VerificationStatus::Unconfirmed,
            Verification::Refuted => VerificationStatus::Refuted,
            Verification::EnteredInError => VerificationStatus::EnteredInError,
        });
    }
    issue(&a.common, record)
}

/// Issues demographics.
pub fn demographics(a: &DemographicsArgs) -> CliResult<Issued> {
    let record =
        RecordData::demographics_born(holder(&a.common)?, a.birth, a.gender.clone(), &a.common.issuer);
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
pub fn immunization(a: &ImmunizationArgs) -> CliResult<Issued> {
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

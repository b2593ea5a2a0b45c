//! `medzk issue …`: commit a record, append the commitment, write the credential.

use std::path::PathBuf;

use clap::Args;
use medzk_circuits::code::Code;
use medzk_circuits::credential::Credential;
use medzk_circuits::date::Day;
use medzk_circuits::field;
use medzk_circuits::holder::HolderId;
use medzk_circuits::record::{RecordData, Salt};
use medzk_registry::Appended;

use super::{now_unix, registry};
use crate::io::{self, CliError, CliResult};

/// Arguments of `issue immunization`.
#[derive(Args)]
pub struct ImmunizationArgs {
    /// The registry database file.
    #[arg(long)]
    pub registry: PathBuf,
    /// The holder id (`0x…`, from `medzk holder keygen`).
    #[arg(long)]
    pub holder_id: String,
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
    /// The issuer's name (for example `clinic:oslo-1`).
    #[arg(long)]
    pub issuer: String,
    /// Where to write the holder's credential.
    #[arg(long)]
    pub out: PathBuf,
}

/// Issues an immunization; returns the credential written and the registry's checkpoint.
pub fn immunization(args: &ImmunizationArgs) -> CliResult<(Credential, Appended)> {
    let holder = field::from_hex(&args.holder_id)
        .map(HolderId)
        .map_err(|e| CliError::Input(format!("--holder-id: {e}")))?;
    let record = RecordData::immunization(
        holder,
        args.vaccine.clone(),
        args.date,
        args.dose,
        args.series,
        &args.lot,
        &args.issuer,
    );
    let salt = Salt::generate(&mut rand::rngs::OsRng);
    let commitment = record.encode(&salt).commitment();
    let reg = registry::open(&args.registry)?;
    let appended = reg.append(commitment, now_unix()).map_err(|e| CliError::file(&args.registry, e))?;
    let credential = Credential::new(record, salt, appended.first);
    io::write_private(&args.out, credential.to_json().as_bytes())?;
    Ok((credential, appended))
}

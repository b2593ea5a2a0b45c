//! `medzk`: private medical attestations from the command line.
//!
//! One subcommand per actor step; files on disk. Exit status: 0 success (a presentation
//! accepted), 1 a presentation rejected or a proof impossible (reason on one line),
//! 2 usage, input or I/O error, or the verifier's own configuration (empty verifier id,
//! unreadable policy, a scope bound to another verifier).
#![forbid(unsafe_code)]

mod cmd;
mod io;
mod progress;
mod report;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use serde_json::json;

use crate::cmd::registry::RegistryCommand;
use crate::io::CliError;
use crate::report::{Report, shown};

#[derive(Parser)]
#[command(
    name = "medzk",
    version,
    about = "Zero-knowledge proofs of facts about committed medical records",
    after_help = "Exit status: 0 success (a presentation accepted); 1 a presentation rejected, or a proof \
                  impossible (the reason on one line); 2 a usage, input or I/O error, or the verifier's own \
                  configuration error.\n\n\
                  With --json, stdout holds one JSON document: the result, or {\"error\": {\"kind\", \
                  \"message\", \"path\"}, \"exit_code\"} on failure (kinds: rejected, cannot_prove, file, \
                  input); the message is on stderr as well."
)]
struct Cli {
    /// Print the result as JSON (full values) instead of words.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Holder: manage the holder key.
    #[command(subcommand)]
    Holder(HolderCommand),
    /// Registry operator: create, inspect and revoke in the commitment registry.
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// Issuer: commit a record to the registry and write the holder's credential.
    #[command(subcommand)]
    Issue(IssueCommand),
    /// Issuer: import health credentials (SMART Health Cards, EU DCC, FHIR R4) as records,
    /// signatures checked.
    #[command(subcommand)]
    Import(cmd::import::ImportCommand),
    /// Generate development keys for a statement (insecure: from a public seed).
    Setup(cmd::setup::SetupArgs),
    /// The trusted-setup ceremony: phase 1 and phase 2 contributions, verification, keys.
    #[command(subcommand)]
    Ceremony(cmd::ceremony::CeremonyCommand),
    /// Keys: check a key pair against a ceremony's transcripts.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Holder: prove a credential meets a verifier's policy; writes a presentation.
    Prove(cmd::prove::ProveArgs),
    /// Verifier: check a presentation against the verifier's own policy and session.
    Verify(cmd::verify::VerifyArgs),
    /// Verifier: print a fresh random session nonce (hex).
    Nonce,
    /// Request and presentation QR codes between a kiosk and a wallet: make, decode.
    #[command(subcommand)]
    Qr(cmd::qr::QrCommand),
    /// Policies: hash, check credentials natively, value-set roots.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Print a statement's circuit shape, or a key's origin, as JSON.
    #[command(subcommand)]
    Inspect(InspectCommand),
    /// Run the whole flow in a temporary directory, with timings.
    Demo(cmd::demo::DemoArgs),
    /// Registry operator: serve the registry over HTTP to issuers, holders and verifiers.
    Serve(cmd::serve::ServeArgs),
    /// Issuer: manage the key that signs requests to a registry service.
    #[command(subcommand)]
    Issuer(IssuerCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(cmd::man::CompletionsArgs),
    /// Print the man page, or write one page per command into a directory.
    Man(cmd::man::ManArgs),
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Check that a proving and verifying key are exactly what a ceremony transcript made.
    Verify(cmd::ceremony::KeyVerifyArgs),
}

#[derive(Subcommand)]
enum HolderCommand {
    /// Generate a holder key file and print the holder id.
    Keygen(cmd::holder::KeygenArgs),
}

#[derive(Subcommand)]
enum IssuerCommand {
    /// Generate an issuer key and print the public key the operator enrolls.
    Keygen(cmd::serve::IssuerKeygenArgs),
}

#[derive(Subcommand)]
enum IssueCommand {
    /// An immunization (FHIR Immunization).
    Immunization(cmd::issue::ImmunizationArgs),
    /// A lab result or measurement (FHIR Observation).
    Observation(cmd::issue::ObservationArgs),
    /// A diagnosis (FHIR Condition).
    Condition(cmd::issue::ConditionArgs),
    /// Birth date and administrative gender (FHIR Patient).
    Demographics(cmd::issue::DemographicsArgs),
    /// A medicine taken or prescribed (FHIR MedicationStatement, MedicationRequest).
    Medication(cmd::issue::MedicationArgs),
    /// The issuer's statement that its source holds no record with a code in a value set
    /// for the holder, as of a day (an attested absence).
    Absence(cmd::issue::AbsenceArgs),
    /// More codes of a record already issued (its codes record: a vaccination's
    /// manufacturer and vaccine type, a test's device), tied to it by its salt.
    Codes(cmd::issue::CodesArgs),
}

#[derive(Subcommand)]
enum InspectCommand {
    /// The vaccination statement.
    Vaccination(cmd::inspect::InspectArgs),
    /// The general policy statement.
    Policy(cmd::inspect::InspectPolicyArgs),
    /// A key file: its statement, hash and the ceremony transcript it records.
    Key(cmd::ceremony::InspectKeyArgs),
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the policy hash a verifier computes from a policy file.
    Hash(cmd::policy::HashArgs),
    /// Check natively whether credentials meet a policy, and why not (exit 1 if not).
    Check(cmd::policy::CheckArgs),
    /// Print the root of a value-set file, to reference it in a policy.
    ValueSet(cmd::policy::ValueSetArgs),
    /// Translate a country's DCC business rules (CertLogic) into a policy document,
    /// refusing, with the rule named, what a policy cannot state (docs/certlogic.md).
    FromCertlogic(cmd::policy::FromCertlogicArgs),
    /// Print the JSON Schema of policy documents (docs/policy.schema.json).
    Schema,
}

fn run(command: Command, json_out: bool) -> Result<Report, CliError> {
    Ok(match command {
        Command::Holder(HolderCommand::Keygen(a)) => {
            let key = cmd::holder::keygen(&a)?;
            Report::new(
                key.holder_id.to_string(),
                json!({ "holder_id": key.holder_id.to_string(), "key_file": shown(&a.out) }),
            )
        }
        Command::Registry(c) => cmd::registry::run(c)?,
        Command::Issue(c) => {
            let issued = match c {
                IssueCommand::Immunization(a) => cmd::issue::immunization(&a)?,
                IssueCommand::Observation(a) => cmd::issue::observation(&a)?,
                IssueCommand::Condition(a) => cmd::issue::condition(&a)?,
                IssueCommand::Demographics(a) => cmd::issue::demographics(&a)?,
                IssueCommand::Medication(a) => cmd::issue::medication(&a)?,
                IssueCommand::Absence(a) => cmd::issue::absence(&a)?,
                IssueCommand::Codes(a) => cmd::issue::codes(&a)?,
            };
            issued.report()
        }
        Command::Qr(c) => match c {
            cmd::qr::QrCommand::Request(a) => cmd::qr::request(&a)?,
            cmd::qr::QrCommand::Presentation(a) => cmd::qr::presentation(&a)?,
            cmd::qr::QrCommand::Decode(a) => cmd::qr::decode(&a)?,
            cmd::qr::QrCommand::Encode(a) => cmd::qr::encode(&a)?,
        },
        Command::Import(c) => match c {
            cmd::import::ImportCommand::Shc(a) => cmd::import::shc(&a)?,
            cmd::import::ImportCommand::Dcc(a) => cmd::import::dcc(&a)?,
            cmd::import::ImportCommand::Fhir(a) => cmd::import::fhir(&a)?,
        },
        Command::Policy(c) => match c {
            PolicyCommand::Hash(a) => cmd::policy::hash(&a)?,
            PolicyCommand::Check(a) => cmd::policy::check(&a)?,
            PolicyCommand::ValueSet(a) => cmd::policy::value_set(&a)?,
            PolicyCommand::FromCertlogic(a) => cmd::policy::from_certlogic(&a)?,
            PolicyCommand::Schema => Report::json_only(medzk_circuits::schema::policy_schema()),
        },
        Command::Setup(a) => {
            eprintln!(
                "medzk: WARNING: development setup from a seed; anyone who knows the seed can forge proofs"
            );
            let vk = cmd::setup::setup(&a)?;
            Report::new(
                format!("{} verifying key {}", vk.statement(), vk.hash()),
                json!({
                    "statement": vk.statement().to_string(),
                    "vk_hash": vk.hash().to_string(),
                    "pk": shown(&a.pk),
                    "vk": shown(&a.vk),
                    "insecure": true,
                }),
            )
        }
        Command::Prove(a) => {
            let p = cmd::prove::prove(&a)?;
            let bytes = p.to_bytes().len();
            Report::new(
                format!("wrote {} ({bytes} bytes, {})", a.out.display(), p.statement),
                json!({ "presentation": shown(&a.out), "bytes": bytes, "statement": p.statement.to_string() }),
            )
        }
        Command::Verify(a) => cmd::verify::verify(&a)?.report(),
        Command::Nonce => {
            let nonce = cmd::fresh_nonce();
            Report::new(nonce.clone(), json!({ "nonce": nonce }))
        }
        Command::Inspect(InspectCommand::Vaccination(a)) => Report::json_only(cmd::inspect::vaccination(&a)?),
        Command::Inspect(InspectCommand::Policy(a)) => Report::json_only(cmd::inspect::policy(&a)?),
        Command::Inspect(InspectCommand::Key(a)) => Report::json_only(cmd::ceremony::inspect_key(&a)?),
        Command::Ceremony(c) => cmd::ceremony::run(c)?,
        Command::Key(KeyCommand::Verify(a)) => cmd::ceremony::key_verify(&a)?,
        Command::Demo(a) => cmd::demo::demo(&a, json_out)?,
        Command::Completions(a) => {
            let mut out = Vec::new();
            clap_complete::generate(a.shell, &mut Cli::command(), "medzk", &mut out);
            Report::new(String::from_utf8_lossy(&out).trim_end(), json!(null))
        }
        Command::Man(a) => cmd::man::man(&a, Cli::command())?,
        Command::Serve(a) => cmd::serve::serve(&a)?,
        Command::Issuer(IssuerCommand::Keygen(a)) => cmd::serve::issuer_keygen(&a)?,
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.json {
        progress::disable();
    }
    match run(cli.command, cli.json) {
        Ok(report) => {
            if cli.json && !report.json.is_null() {
                report::say(report::pretty(&report.json));
            } else if !report.text.is_empty() {
                report::say(&report.text);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("medzk: {e}");
            if cli.json {
                report::say(report::pretty(&report::error_json(&e)));
            }
            ExitCode::from(e.exit_code())
        }
    }
}

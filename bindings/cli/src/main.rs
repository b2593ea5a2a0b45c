//! `medzk`: private medical attestations from the command line.
//!
//! One subcommand per actor step; files on disk. Exit status: 0 success (a presentation
//! accepted), 1 a presentation rejected or a proof impossible (reason on one line),
//! 2 usage, input or I/O error, or the verifier's own configuration (empty verifier id,
//! unreadable policy, a scope bound to another verifier).
#![forbid(unsafe_code)]

mod cmd;
mod io;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use medzk_circuits::field;

use crate::io::CliError;

#[derive(Parser)]
#[command(
    name = "medzk",
    version,
    about = "Zero-knowledge proofs of facts about committed medical records",
    after_help = "Exit status: 0 success (a presentation accepted); 1 a presentation rejected, or a proof \
                  impossible (the reason on one line); 2 a usage, input or I/O error, or the verifier's own \
                  configuration error."
)]
struct Cli {
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
    /// Generate development keys for a statement (insecure: from a public seed).
    Setup(cmd::setup::SetupArgs),
    /// Holder: prove a credential meets a verifier's policy; writes a presentation.
    Prove(cmd::prove::ProveArgs),
    /// Verifier: check a presentation against the verifier's own policy and session.
    Verify(cmd::verify::VerifyArgs),
    /// Verifier: print a fresh random session nonce (hex).
    Nonce,
    /// Policies: hash, check credentials natively, value-set roots.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Print a statement's circuit shape as JSON.
    #[command(subcommand)]
    Inspect(InspectCommand),
    /// Run the whole flow in a temporary directory, with timings.
    Demo(cmd::demo::DemoArgs),
}

#[derive(Subcommand)]
enum HolderCommand {
    /// Generate a holder key file and print the holder id.
    Keygen(cmd::holder::KeygenArgs),
}

#[derive(Subcommand)]
enum RegistryCommand {
    /// Create an empty registry.
    Init(cmd::registry::InitArgs),
    /// Print size, root and ledger as JSON.
    Info(RegistryArg),
    /// Write the inclusion path of a leaf.
    Path(cmd::registry::PathArgs),
    /// Revoke a leaf (its record no longer proves against new roots).
    Revoke(cmd::registry::RevokeArgs),
    /// Print the roots a verifier should trust now, as JSON.
    Roots(cmd::registry::RootsArgs),
    /// Check the ledger's hash chain and the tree against the last root.
    Check(RegistryArg),
}

#[derive(Args)]
struct RegistryArg {
    /// The registry database file.
    #[arg(long)]
    registry: PathBuf,
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
}

#[derive(Subcommand)]
enum InspectCommand {
    /// The vaccination statement.
    Vaccination(cmd::inspect::InspectArgs),
    /// The general policy statement.
    Policy(cmd::inspect::InspectPolicyArgs),
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Print the policy hash a verifier computes from a policy file.
    Hash(cmd::policy::HashArgs),
    /// Check natively whether credentials meet a policy, and why not (exit 1 if not).
    Check(cmd::policy::CheckArgs),
    /// Print the root of a value-set file, to reference it in a policy.
    ValueSet(cmd::policy::ValueSetArgs),
}

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("serializable")
}

fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Holder(HolderCommand::Keygen(a)) => {
            let key = cmd::holder::keygen(&a)?;
            println!("{}", key.holder_id);
        }
        Command::Registry(c) => match c {
            RegistryCommand::Init(a) => {
                let reg = cmd::registry::init(&a)?;
                let root = reg.root().map_err(|e| CliError::file(&a.registry, e))?;
                println!("{}", field::to_hex(&root));
            }
            RegistryCommand::Info(a) => println!("{}", json(&cmd::registry::info(&a.registry)?)),
            RegistryCommand::Path(a) => println!("{}", field::to_hex(&cmd::registry::path(&a)?)),
            RegistryCommand::Revoke(a) => println!("{}", field::to_hex(&cmd::registry::revoke(&a)?.root)),
            RegistryCommand::Roots(a) => {
                let roots: Vec<String> = cmd::registry::roots(&a)?.iter().map(field::to_hex).collect();
                println!("{}", json(&roots));
            }
            RegistryCommand::Check(a) => {
                cmd::registry::check(&a.registry)?;
                println!("ok");
            }
        },
        Command::Issue(c) => {
            let (_, appended) = match c {
                IssueCommand::Immunization(a) => cmd::issue::immunization(&a)?,
                IssueCommand::Observation(a) => cmd::issue::observation(&a)?,
                IssueCommand::Condition(a) => cmd::issue::condition(&a)?,
                IssueCommand::Demographics(a) => cmd::issue::demographics(&a)?,
            };
            println!("leaf {} root {}", appended.first, field::to_hex(&appended.checkpoint.root));
        }
        Command::Policy(c) => println!(
            "{}",
            match c {
                PolicyCommand::Hash(a) => cmd::policy::hash(&a)?,
                PolicyCommand::Check(a) => cmd::policy::check(&a)?,
                PolicyCommand::ValueSet(a) => cmd::policy::value_set(&a)?,
            }
        ),
        Command::Setup(a) => {
            eprintln!(
                "medzk: WARNING: development setup from a seed; anyone who knows the seed can forge proofs"
            );
            let vk = cmd::setup::setup(&a)?;
            println!("{} verifying key {}", vk.statement(), vk.hash());
        }
        Command::Prove(a) => {
            let p = cmd::prove::prove(&a)?;
            println!("wrote {} ({} bytes, {})", a.out.display(), p.to_bytes().len(), p.statement);
        }
        Command::Verify(a) => println!("{}", cmd::verify::verify(&a)?),
        Command::Nonce => println!("{}", cmd::fresh_nonce()),
        Command::Inspect(InspectCommand::Vaccination(a)) => {
            println!("{}", json(&cmd::inspect::vaccination(&a)?))
        }
        Command::Inspect(InspectCommand::Policy(a)) => println!("{}", json(&cmd::inspect::policy(&a)?)),
        Command::Demo(a) => cmd::demo::demo(&a)?,
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("medzk: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

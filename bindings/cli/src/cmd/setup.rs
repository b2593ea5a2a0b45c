//! `medzk setup`: development keys.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use medzk_circuits::policy::{DEFAULT_SHAPE, validate_shape};
use medzk_circuits::statement::{PolicyShape, StatementId};
use medzk_circuits::tree::{DEFAULT_DEPTH, Depth};
use medzk_prover::insecure_dev_setup;
use medzk_verifier::VerifyingKey;

use crate::io::{self, CliError, CliResult};

/// Statements with a circuit.
#[derive(Clone, Copy, ValueEnum)]
pub enum StatementArg {
    /// One immunization record against a vaccination policy.
    Vaccination,
    /// Several records against a general policy of one shape.
    Policy,
}

/// Shape of the general policy circuit.
#[derive(Args, Clone, Copy)]
pub struct ShapeArgs {
    /// Record slots (policy statement).
    #[arg(long, default_value_t = DEFAULT_SHAPE.records)]
    pub records: u8,
    /// Clause slots (policy statement).
    #[arg(long, default_value_t = DEFAULT_SHAPE.clauses)]
    pub clauses: u8,
    /// Any-of groups (policy statement).
    #[arg(long, default_value_t = DEFAULT_SHAPE.groups)]
    pub groups: u8,
}

impl Default for ShapeArgs {
    fn default() -> Self {
        ShapeArgs {
            records: DEFAULT_SHAPE.records,
            clauses: DEFAULT_SHAPE.clauses,
            groups: DEFAULT_SHAPE.groups,
        }
    }
}

/// Arguments of `setup`.
#[derive(Args)]
pub struct SetupArgs {
    /// The statement.
    #[arg(long, value_enum)]
    pub statement: StatementArg,
    /// Registry depth in bits.
    #[arg(long, default_value_t = DEFAULT_DEPTH)]
    pub depth: u8,
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// Seed of the development setup. Anyone who knows it can forge proofs.
    #[arg(long)]
    pub seed: String,
    /// Where to write the proving key.
    #[arg(long)]
    pub pk: PathBuf,
    /// Where to write the verifying key.
    #[arg(long)]
    pub vk: PathBuf,
}

/// The statement id of the arguments.
pub fn statement(kind: StatementArg, depth: u8, shape: ShapeArgs) -> CliResult<StatementId> {
    let depth = Depth::new(depth).map_err(|e| CliError::Input(e.to_string()))?;
    Ok(match kind {
        StatementArg::Vaccination => StatementId::vaccination(depth),
        StatementArg::Policy => {
            let shape = PolicyShape { records: shape.records, clauses: shape.clauses, groups: shape.groups };
            validate_shape(shape).map_err(|e| CliError::Input(e.to_string()))?;
            StatementId::policy(depth, shape)
        }
    })
}

/// Generates and writes a development key pair; returns the verifying key.
pub fn setup(args: &SetupArgs) -> CliResult<VerifyingKey> {
    if args.seed.trim().is_empty() {
        return Err(CliError::Input(
            "--seed is empty: give the development seed (the keys are insecure either way)".into(),
        ));
    }
    let id = statement(args.statement, args.depth, args.shape)?;
    let spinner = crate::progress::spinner(format!("generating keys for {id}"));
    let keys = insecure_dev_setup(id, args.seed.as_bytes());
    spinner.finish_and_clear();
    let (pk, vk) = keys.map_err(|e| CliError::Input(e.to_string()))?;
    io::write(&args.pk, &pk.to_bytes())?;
    io::write(&args.vk, vk.to_bytes())?;
    Ok(vk)
}

//! `medzk inspect`.

use clap::Args;
use medzk_circuits::r1cs::R1cs;
use medzk_circuits::statement::{PUBLIC_INPUT_NAMES, StatementId};
use medzk_circuits::tree::DEFAULT_DEPTH;
use medzk_prover::circuit::blank_circuit;

use super::setup::{ShapeArgs, StatementArg, statement};
use serde_json::json;

use crate::io::{CliError, CliResult};

/// Arguments of `inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// Registry depth in bits.
    #[arg(long, default_value_t = DEFAULT_DEPTH)]
    pub depth: u8,
}

/// Arguments of `inspect policy`.
#[derive(Args)]
pub struct InspectPolicyArgs {
    /// Registry depth in bits.
    #[arg(long, default_value_t = DEFAULT_DEPTH)]
    pub depth: u8,
    #[command(flatten)]
    pub shape: ShapeArgs,
}

/// The shape of the vaccination circuit as JSON.
pub fn vaccination_json(depth: u8) -> CliResult<serde_json::Value> {
    let id = statement(StatementArg::Vaccination, depth, ShapeArgs::default())?;
    shape_json(id)
}

/// The shape of the policy circuit as JSON.
pub fn policy(args: &InspectPolicyArgs) -> CliResult<serde_json::Value> {
    shape_json(statement(StatementArg::Policy, args.depth, args.shape)?)
}

fn shape_json(id: StatementId) -> CliResult<serde_json::Value> {
    let depth = id.depth;
    let circuit = blank_circuit(id).map_err(|e| CliError::Input(e.to_string()))?;
    let r1cs = R1cs::synthesize(|cs| circuit.synthesize(cs)).map_err(|e| CliError::Input(e.to_string()))?;
    let mut regions: Vec<(&str, usize)> = Vec::new();
    for r in &r1cs.regions {
        match regions.iter_mut().find(|(name, _)| *name == r.name) {
            Some((_, n)) => *n += r.constraints.len(),
            None => regions.push((r.name, r.constraints.len())),
        }
    }
    let regions: Vec<_> = regions.iter().map(|(name, n)| json!({"name": name, "constraints": n})).collect();
    Ok(json!({
        "statement": id.to_string(),
        "constraints": r1cs.num_constraints(),
        "public_inputs": PUBLIC_INPUT_NAMES,
        "witness_variables": r1cs.num_witnesses(),
        "depth": depth.bits(),
        "tree_levels": depth.levels(),
        "matrix_digest": r1cs.matrix_digest(),
        "regions": regions,
    }))
}

/// The vaccination circuit's shape.
pub fn vaccination(args: &InspectArgs) -> CliResult<serde_json::Value> {
    vaccination_json(args.depth)
}

//! `medzk inspect`.

use clap::Args;
use medzk_circuits::r1cs::R1cs;
use medzk_circuits::statement::{PUBLIC_INPUT_NAMES, StatementId};
use medzk_circuits::tree::{DEFAULT_DEPTH, Depth};
use medzk_circuits::vaccination::circuit::VaccinationCircuit;
use serde_json::json;

use crate::io::{CliError, CliResult};

/// Arguments of `inspect`.
#[derive(Args)]
pub struct InspectArgs {
    /// Registry depth in bits.
    #[arg(long, default_value_t = DEFAULT_DEPTH)]
    pub depth: u8,
}

/// The shape of the vaccination circuit as JSON.
pub fn vaccination_json(depth: u8) -> CliResult<serde_json::Value> {
    let depth = Depth::new(depth).map_err(|e| CliError::Input(e.to_string()))?;
    let circuit = VaccinationCircuit::blank(depth);
    let r1cs = R1cs::synthesize(|cs| circuit.synthesize(cs)).map_err(|e| CliError::Input(e.to_string()))?;
    let regions: Vec<_> =
        r1cs.regions.iter().map(|r| json!({"name": r.name, "constraints": r.constraints.len()})).collect();
    Ok(json!({
        "statement": StatementId::vaccination(depth).to_string(),
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

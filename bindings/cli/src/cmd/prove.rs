//! `medzk prove`.

use std::path::PathBuf;

use clap::Args;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::credential::{Credential, HolderKeyFile, InclusionFile};
use medzk_circuits::date::Day;
use medzk_circuits::vaccination::VaccinationWitness;
use medzk_prover::{ProveError, Prover, ProvingKey, VaccinationRequest};
use medzk_verifier::presentation::Presentation;
use merlin::Transcript;

use super::{load_policy, parse_nonce, registry, today};
use crate::io::{self, CliError, CliResult};

/// Arguments of `prove`.
#[derive(Args)]
pub struct ProveArgs {
    /// The proving key.
    #[arg(long)]
    pub pk: PathBuf,
    /// The credential from the issuer.
    #[arg(long)]
    pub credential: PathBuf,
    /// The holder key.
    #[arg(long)]
    pub holder_key: PathBuf,
    /// The inclusion path from the registry (or use --registry).
    #[arg(long, conflicts_with = "registry", required_unless_present = "registry")]
    pub path: Option<PathBuf>,
    /// Read the inclusion path from a local registry file instead.
    #[arg(long)]
    pub registry: Option<PathBuf>,
    /// The verifier's policy.
    #[arg(long)]
    pub policy: PathBuf,
    /// The verifier's id.
    #[arg(long)]
    pub verifier_id: String,
    /// The verifier's session nonce (hex).
    #[arg(long)]
    pub nonce: String,
    /// The presentation day (default: today, UTC).
    #[arg(long)]
    pub today: Option<Day>,
    /// Where to write the presentation.
    #[arg(long)]
    pub out: PathBuf,
}

/// Proves and writes a presentation.
pub fn prove(args: &ProveArgs) -> CliResult<Presentation> {
    let key = ProvingKey::from_bytes(&io::read(&args.pk)?).map_err(|e| CliError::file(&args.pk, e))?;
    let credential = Credential::from_json(&io::read_text(&args.credential)?)
        .map_err(|e| CliError::file(&args.credential, e))?;
    let holder = HolderKeyFile::from_json(&io::read_text(&args.holder_key)?)
        .map_err(|e| CliError::file(&args.holder_key, e))?;
    let (path, root) = match (&args.path, &args.registry) {
        (Some(p), _) => {
            let f = InclusionFile::from_json(&io::read_text(p)?).map_err(|e| CliError::file(p, e))?;
            (f.path, f.root)
        }
        (None, Some(r)) => {
            registry::open(r)?.path(credential.leaf_index).map_err(|e| CliError::file(r, e))?
        }
        (None, None) => return Err(CliError::Input("give --path or --registry".into())),
    };
    if path.index != credential.leaf_index {
        return Err(CliError::Input("the inclusion path is for another leaf than the credential".into()));
    }
    let policy = load_policy(&args.policy)?;
    let nonce = parse_nonce(&args.nonce)?;
    let witness = VaccinationWitness { record: credential.slots(), secret: holder.secret.clone(), path };
    let request = VaccinationRequest {
        policy: &policy,
        witness: &witness,
        root,
        session: Session { verifier_id: &args.verifier_id, nonce: &nonce },
        today: today(args.today),
    };
    let prover = Prover::new(key).map_err(|e| CliError::Input(e.to_string()))?;
    let presentation = prover
        .prove_vaccination(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut rand::rngs::OsRng)
        .map_err(|e| match e {
            ProveError::Unmet(_) => CliError::CannotProve(e.to_string()),
            other => CliError::Input(other.to_string()),
        })?;
    io::write(&args.out, &presentation.to_bytes())?;
    Ok(presentation)
}

//! `medzk prove`.

use medzk_circuits::clock::Clock;
use std::path::{Path, PathBuf};

use clap::Args;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::credential::{Credential, HolderKeyFile, InclusionFile};
use medzk_circuits::field::Fr;
use medzk_circuits::record::Record;
use medzk_circuits::tree::MerklePath;
use medzk_circuits::valueset::ValueSet;
use medzk_prover::{AnyRequest, ProveError, Prover, ProvingKey};
use medzk_verifier::KeyHash;
use medzk_verifier::presentation::Presentation;
use merlin::Transcript;

use super::{clock, load_policy, parse_nonce, registry};
use crate::io::{self, CliError, CliResult};

/// Arguments of `prove`.
#[derive(Args)]
pub struct ProveArgs {
    /// The proving key (from whoever distributes it: it is checked against --vk-hash).
    #[arg(long)]
    pub pk: PathBuf,
    /// The hash of the verifying key the proving key must match, from a source you trust
    /// (the verifier's published key hash, as `medzk setup` prints it). A proving key for
    /// another verifying key, or one inconsistent with it, is refused.
    #[arg(long)]
    pub vk_hash: KeyHash,
    /// A credential from an issuer (repeatable: the records the policy reads).
    #[arg(long = "credential", required = true)]
    pub credentials: Vec<PathBuf>,
    /// The holder key.
    #[arg(long)]
    pub holder_key: PathBuf,
    /// Inclusion path of each credential, in the same order (or use --registry).
    #[arg(
        long = "path",
        conflicts_with_all = ["registry", "registry_url"],
        required_unless_present_any = ["registry", "registry_url"]
    )]
    pub paths: Vec<PathBuf>,
    /// Read the inclusion paths from a registry (a file, or a postgresql:// URL) instead.
    #[arg(long)]
    pub registry: Option<PathBuf>,
    /// Fetch the inclusion paths from a registry service (`medzk serve`) instead.
    #[arg(long, conflicts_with = "registry")]
    pub registry_url: Option<String>,
    /// With --registry-url: fetch each path as the subtree of 4^k leaves around it, so the
    /// service does not learn which leaf is yours (0: ask for the leaf itself).
    #[arg(long, default_value_t = super::registry::PRIVATE_SUBTREE_LEVELS,
          value_parser = clap::value_parser!(u8).range(0..=6))]
    pub subtree_levels: u8,
    /// The verifier's policy.
    #[arg(long)]
    pub policy: PathBuf,
    /// A value-set file a policy clause names (repeatable).
    #[arg(long = "value-set")]
    pub value_sets: Vec<PathBuf>,
    /// The verifier's request QR code (a PNG image, or its `MZQ1:` text): its verifier id,
    /// nonce and date; its policy and key hashes must be those of --policy and --vk-hash.
    #[arg(long, conflicts_with_all = ["verifier_id", "nonce", "today"])]
    pub request: Option<PathBuf>,
    /// The verifier's id.
    #[arg(long, required_unless_present = "request")]
    pub verifier_id: Option<String>,
    /// The verifier's session nonce (hex).
    #[arg(long, required_unless_present = "request")]
    pub nonce: Option<String>,
    /// The verifier's clock from its request: its date, YYYY-MM-DD, or for a policy with
    /// hour windows its date and UTC time, YYYY-MM-DDTHH:MMZ (default: now, UTC, by this
    /// machine's clock). The verifier accepts a presentation for its own clock only.
    #[arg(long)]
    pub today: Option<Clock>,
    /// Where to write the presentation.
    #[arg(long)]
    pub out: PathBuf,
}

/// Loads credential files.
pub fn load_credentials(paths: &[PathBuf]) -> CliResult<Vec<Credential>> {
    paths
        .iter()
        .map(|p| Credential::from_json(&io::read_text(p)?).map_err(|e| CliError::file(p, e)))
        .collect()
}

/// Loads a holder key file.
pub fn load_holder(path: &Path) -> CliResult<HolderKeyFile> {
    HolderKeyFile::from_json(&io::read_text(path)?).map_err(|e| CliError::file(path, e))
}

/// Loads value-set files.
pub fn load_value_sets(paths: &[PathBuf]) -> CliResult<Vec<ValueSet>> {
    paths.iter().map(|p| ValueSet::from_json(&io::read_text(p)?).map_err(|e| CliError::file(p, e))).collect()
}

/// Each credential's record with its path, and the one root they all lead to.
fn records_with_paths(
    args: &ProveArgs,
    credentials: &[Credential],
) -> CliResult<(Vec<(Record, MerklePath)>, Fr)> {
    let mut out = Vec::with_capacity(credentials.len());
    let mut root: Option<Fr> = None;
    for (i, c) in credentials.iter().enumerate() {
        let (path, r) = match (&args.registry, &args.registry_url) {
            (Some(reg), _) => registry::open(reg)?.path(c.leaf_index).map_err(|e| CliError::file(reg, e))?,
            (None, Some(url)) => {
                let f = registry::fetch_path(url, c.leaf_index, args.subtree_levels)?;
                (f.path, f.root)
            }
            (None, None) => {
                let file = args.paths.get(i).ok_or_else(|| {
                    CliError::Input(format!(
                        "give one --path per --credential ({} paths for {} credentials)",
                        args.paths.len(),
                        credentials.len()
                    ))
                })?;
                let f =
                    InclusionFile::from_json(&io::read_text(file)?).map_err(|e| CliError::file(file, e))?;
                (f.path, f.root)
            }
        };
        if path.index != c.leaf_index {
            return Err(CliError::Input(format!(
                "the inclusion path for {} is for leaf {}, the credential is leaf {}",
                args.credentials[i].display(),
                path.index,
                c.leaf_index
            )));
        }
        if root.is_some_and(|x| x != r) {
            return Err(CliError::Input(
                "the inclusion paths lead to different registry roots; fetch them again".into(),
            ));
        }
        root = Some(r);
        out.push((c.slots(), path));
    }
    if !args.paths.is_empty() && args.paths.len() != credentials.len() {
        return Err(CliError::Input("give one --path per --credential".into()));
    }
    Ok((out, root.expect("at least one credential")))
}

fn prove_error(e: ProveError) -> CliError {
    match e {
        ProveError::Unmet(_) | ProveError::PolicyUnmet(_) | ProveError::ScopeNotForVerifier { .. } => {
            CliError::CannotProve(e.to_string())
        }
        other => CliError::Input(other.to_string()),
    }
}

/// Proves and writes a presentation.
pub fn prove(args: &ProveArgs) -> CliResult<Presentation> {
    let key = ProvingKey::from_bytes(&io::read_at_most(&args.pk, io::MAX_KEY_FILE)?, &args.vk_hash)
        .map_err(|e| CliError::file(&args.pk, e))?;
    let credentials = load_credentials(&args.credentials)?;
    let holder = load_holder(&args.holder_key)?;
    let (records, root) = records_with_paths(args, &credentials)?;
    let policy = load_policy(&args.policy)?;
    let value_sets = load_value_sets(&args.value_sets)?;
    let (verifier_id, nonce, clock) = match &args.request {
        Some(file) => {
            let r = super::qr::read_request(file)?;
            let ours = policy.as_statement().policy_hash();
            if r.policy_hash != ours {
                return Err(CliError::Input(format!(
                    "the request asks for policy {}, {} is policy {}: fetch the verifier's policy{}",
                    medzk_circuits::field::to_hex(&r.policy_hash),
                    args.policy.display(),
                    medzk_circuits::field::to_hex(&ours),
                    r.policy_url.as_deref().map(|u| format!(" from {u}")).unwrap_or_default()
                )));
            }
            if r.vk_hash != args.vk_hash || r.statement != key.statement() {
                return Err(CliError::Input(format!(
                    "the request is for key {} ({}), --vk-hash pins {} ({})",
                    r.vk_hash,
                    r.statement,
                    args.vk_hash,
                    key.statement()
                )));
            }
            (r.verifier_id, r.nonce, r.clock)
        }
        None => {
            let id = args
                .verifier_id
                .clone()
                .ok_or_else(|| CliError::Input("give --verifier-id or --request".into()))?;
            let nonce = parse_nonce(args.nonce.as_deref().unwrap_or_default())?;
            let hours = matches!(&policy, super::AnyPolicy::General(p) if p.has_hour_windows());
            if hours && args.today.and_then(|c| c.minute()).is_none() {
                return Err(CliError::Input(format!(
                    "{}: the policy has hour windows; give --today with the date and minute of the verifier's request (YYYY-MM-DDTHH:MMZ), or --request",
                    args.policy.display()
                )));
            }
            (id, nonce, clock(args.today))
        }
    };
    let session = Session { verifier_id: &verifier_id, nonce: &nonce };
    if policy.statement(key.statement().depth) != key.statement() {
        return Err(CliError::Input(format!(
            "{}: the key proves {}, the policy needs {}",
            args.pk.display(),
            key.statement(),
            policy.statement(key.statement().depth)
        )));
    }
    let policy = policy.at(clock).map_err(|e| CliError::Input(format!("{}: {e}", args.policy.display())))?;
    let prover = Prover::new(key).map_err(|e| CliError::Input(e.to_string()))?;
    let request = AnyRequest {
        policy: &policy,
        records: &records,
        secret: &holder.secret,
        value_sets: &value_sets,
        root,
        session,
        today: clock.day(),
    };
    let spinner = crate::progress::spinner(format!("proving {}", prover.key().statement()));
    let proved = prover.prove(request, &mut Transcript::new(TRANSCRIPT_LABEL), &mut rand::rngs::OsRng);
    spinner.finish_and_clear();
    let presentation = proved.map_err(prove_error)?;
    io::write(&args.out, &presentation.to_bytes())?;
    Ok(presentation)
}

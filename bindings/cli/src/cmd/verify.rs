//! `medzk verify`.

use medzk_circuits::clock::Clock;
use std::fmt;
use std::path::PathBuf;

use clap::Args;
use medzk_circuits::context::{Session, TRANSCRIPT_LABEL};
use medzk_circuits::field::{self, Fr};
use medzk_registry::{NullifierDb, OperatorKey, SignedHead};
use medzk_service::Client;
use medzk_verifier::{Verified, Verifier, VerifyOnceError, VerifyingKey};
use merlin::Transcript;

use super::{clock, load_policy, now_unix, parse_field, parse_nonce, short};
use serde_json::json;

use crate::io::{self, CliError, CliResult};
use crate::report::Report;

/// Arguments of `verify`.
#[derive(Args)]
pub struct VerifyArgs {
    /// The verifying key.
    #[arg(long)]
    pub vk: PathBuf,
    /// The verifier's policy.
    #[arg(long)]
    pub policy: PathBuf,
    /// Trust the recent roots of this registry (see `registry roots`).
    #[arg(long, required_unless_present_any = ["root", "signed_head", "registry_url"])]
    pub registry: Option<PathBuf>,
    /// Trust the roots of the signed head a registry service serves now (`medzk serve`),
    /// after checking its signature under --operator-key.
    #[arg(long, conflicts_with_all = ["registry", "signed_head"], requires = "operator_key")]
    pub registry_url: Option<String>,
    /// With --registry or --signed-head: oldest root to trust, in hours.
    #[arg(long, default_value_t = 24)]
    pub max_root_age_hours: u32,
    /// Trust this root (repeatable), instead of --registry.
    #[arg(long, conflicts_with_all = ["registry", "signed_head"])]
    pub root: Vec<String>,
    /// Trust the roots of this signed head file (from `registry sign-head`), after checking
    /// its signature under --operator-key.
    #[arg(long, conflicts_with = "registry", requires = "operator_key")]
    pub signed_head: Option<PathBuf>,
    /// The registry operator's public key (64 hex digits), from a source you trust.
    #[arg(long)]
    pub operator_key: Option<String>,
    /// With --signed-head: the registry's name the head must carry.
    #[arg(long)]
    pub registry_name: Option<String>,
    /// With --signed-head: the oldest signature to accept, in hours.
    #[arg(long, default_value_t = 24)]
    pub max_head_age_hours: u32,
    /// The verifier's id.
    #[arg(long)]
    pub verifier_id: String,
    /// The session nonce given to the holder (hex).
    #[arg(long)]
    pub nonce: String,
    /// The verifier's clock: its date, YYYY-MM-DD, or for a policy with hour windows the
    /// date and UTC time its request stated, YYYY-MM-DDTHH:MMZ (default: now, UTC).
    #[arg(long)]
    pub today: Option<Clock>,
    /// The presentation: the file `medzk prove` wrote, or its QR code (PNG or `MZP1:` text).
    #[arg(long)]
    pub presentation: PathBuf,
    /// Remember nullifiers in this file and reject a second presentation by the same
    /// holder in the policy's scope (enrolment).
    #[arg(long)]
    pub nullifiers: Option<PathBuf>,
}

/// An accepted presentation, printed on one line.
pub struct Accepted(pub Verified);

impl fmt::Display for Accepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = &self.0;
        write!(
            f,
            "ACCEPTED: {} on {}, nullifier {}, root {}",
            v.statement,
            v.today,
            short(&field::to_hex(&v.nullifier)),
            short(&field::to_hex(&v.root))
        )
    }
}

impl Accepted {
    /// The line above, or JSON with the full nullifier and root.
    pub fn report(&self) -> Report {
        let v = &self.0;
        Report::new(
            self.to_string(),
            json!({
                "accepted": true,
                "statement": v.statement.to_string(),
                "today": v.today.to_string(),
                "nullifier": field::to_hex(&v.nullifier),
                "root": field::to_hex(&v.root),
            }),
        )
    }
}

/// Builds the verifier from the arguments.
pub fn verifier(args: &VerifyArgs) -> CliResult<Verifier> {
    let key = VerifyingKey::from_bytes(&io::read(&args.vk)?).map_err(|e| CliError::file(&args.vk, e))?;
    let policy = load_policy(&args.policy)?;
    let roots: Vec<Fr> = match &args.registry {
        // The published ledger, never the database (or a read-only PostgreSQL snapshot):
        // a verifier neither waits for an issuer that is appending nor writes.
        Some(r) => {
            super::registry::ledger(r)?.trusted_roots(now_unix(), args.max_root_age_hours as i64 * 3600)
        }
        None => {
            let head = match (&args.signed_head, &args.registry_url) {
                (Some(file), _) => Some((
                    SignedHead::from_json(&io::read_text(file)?).map_err(|e| CliError::file(file, e))?,
                    file.display().to_string(),
                )),
                (None, Some(url)) => {
                    Some((Client::new(url).head().map_err(|e| CliError::Input(e.to_string()))?, url.clone()))
                }
                (None, None) => None,
            };
            match head {
                Some((head, source)) => {
                    let pinned = args.operator_key.as_deref().unwrap_or_default();
                    let pinned = OperatorKey::from_hex(pinned)
                        .map_err(|e| CliError::Input(format!("--operator-key: {e}")))?;
                    head.trusted_roots(
                        &pinned,
                        args.registry_name.as_deref(),
                        now_unix(),
                        args.max_root_age_hours as i64 * 3600,
                        args.max_head_age_hours as i64 * 3600,
                    )
                    .map_err(|e| CliError::file(std::path::Path::new(&source), e))?
                }
                None => args.root.iter().map(|h| parse_field(h, "--root")).collect::<CliResult<_>>()?,
            }
        }
    };
    Verifier::new(key, policy.as_statement(), roots).map_err(|e| CliError::Input(e.to_string()))
}

/// Verifies a presentation file. The verifier's own configuration (its id, nonce, policy,
/// key, roots) is checked first: an error there exits 2, never as a rejection.
pub fn verify(args: &VerifyArgs) -> CliResult<Accepted> {
    let nonce = parse_nonce(&args.nonce)?;
    let session = Session { verifier_id: &args.verifier_id, nonce: &nonce };
    session.validate().map_err(|e| CliError::Input(format!("--verifier-id / --nonce: {e}")))?;
    let scope = load_policy(&args.policy)?.scope().clone();
    if !scope.permits(&args.verifier_id) {
        return Err(CliError::Input(format!(
            "{}: the policy's scope {:?} belongs to another verifier than {:?}; honest wallets refuse \
             to present in it (name your own verifier id as the scope, or a shared scope)",
            args.policy.display(),
            scope.name(),
            args.verifier_id
        )));
    }
    let verifier = verifier(args)?;
    if verifier.needs_minute() && args.today.and_then(|c| c.minute()).is_none() {
        return Err(CliError::Input(format!(
            "{}: the policy has hour windows; give --today with the date and minute your request stated (YYYY-MM-DDTHH:MMZ)",
            args.policy.display()
        )));
    }
    let bytes = super::qr::read_presentation(&args.presentation)?;
    let mut transcript = Transcript::new(TRANSCRIPT_LABEL);
    match &args.nullifiers {
        None => {
            verifier.verify(&mut transcript, &session, clock(args.today), &bytes).map_err(|e| e.to_string())
        }
        Some(file) => {
            let mut store = NullifierDb::open(file, now_unix()).map_err(|e| CliError::file(file, e))?;
            verifier.verify_once(&mut store, &mut transcript, &session, clock(args.today), &bytes).map_err(
                |e| match e {
                    VerifyOnceError::Rejected(r) => r.to_string(),
                    VerifyOnceError::Store(s) => format!("{}: {s}", file.display()),
                },
            )
        }
    }
    .map(Accepted)
    .map_err(CliError::Rejected)
}

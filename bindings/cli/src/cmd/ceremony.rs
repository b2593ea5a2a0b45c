//! `medzk ceremony …` and `medzk key verify`: the trusted-setup ceremony, one command per
//! participant step, file in and file out (docs/ceremony.md).

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use medzk_ceremony::{Beacon, Phase1, Phase2, verify_keys};
use medzk_prover::ProvingKey;
use medzk_verifier::VerifyingKey;
use serde_json::{Value, json};

use super::setup::{ShapeArgs, StatementArg, statement};
use crate::io::{self, CliError, CliResult};
use crate::report::{Report, shown};

/// Largest ceremony file read (a phase 1 of 2^20 is about 600 MB).
const MAX_CEREMONY_FILE: u64 = 1 << 30;

/// `medzk ceremony …`.
#[derive(Subcommand)]
pub enum CeremonyCommand {
    /// Phase 1: powers of tau, for every circuit up to a size.
    #[command(subcommand)]
    Phase1(Phase1Command),
    /// Phase 2: one statement's parameters and δ contributions; keys at the end.
    #[command(subcommand)]
    Phase2(Phase2Command),
}

/// `medzk ceremony phase1 …`.
#[derive(Subcommand)]
pub enum Phase1Command {
    /// Coordinator: a new transcript of size 2^power (no contribution yet).
    New(Phase1NewArgs),
    /// Participant: add a contribution of fresh secrets; prints its hash to publish.
    Contribute(ContributeArgs),
    /// Add a last contribution derived from a public random beacon.
    Beacon(BeaconArgs),
    /// Anyone: check every contribution and the accumulator.
    Verify(InArgs),
}

/// `medzk ceremony phase2 …`.
#[derive(Subcommand)]
pub enum Phase2Command {
    /// Coordinator: the statement's parameters from a verified phase 1.
    New(Phase2NewArgs),
    /// Participant: add a δ contribution; prints its hash to publish.
    Contribute(ContributeArgs),
    /// Add a last δ contribution derived from a public random beacon.
    Beacon(BeaconArgs),
    /// Anyone: check the transcript against phase 1 and the circuit.
    Verify(Phase2VerifyArgs),
    /// Coordinator: verify, then write the proving and verifying keys.
    Finalize(FinalizeArgs),
}

/// Arguments of `phase1 new`.
#[derive(Args)]
pub struct Phase1NewArgs {
    /// k: circuits with up to 2^k constraints and inputs (16 covers every medzk statement).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=20))]
    pub power: u8,
    /// The new transcript file.
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of a contribution.
#[derive(Args)]
pub struct ContributeArgs {
    /// The latest transcript.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// Where to write the transcript with this contribution.
    #[arg(long)]
    pub out: PathBuf,
    /// Your name or organisation, as it will appear in the transcript (public).
    #[arg(long)]
    pub name: String,
    /// Extra entropy to mix into the operating system's (any text).
    #[arg(long, conflicts_with = "ask_entropy")]
    pub entropy: Option<String>,
    /// Ask for extra entropy on the terminal.
    #[arg(long)]
    pub ask_entropy: bool,
}

/// Arguments of a beacon contribution.
#[derive(Args)]
pub struct BeaconArgs {
    /// The latest transcript.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// Where to write the transcript with the beacon contribution.
    #[arg(long)]
    pub out: PathBuf,
    /// The beacon's value: 64 hex digits of a public random value published after the
    /// last contribution.
    #[arg(long)]
    pub beacon: String,
    /// The value is hashed 2^e times with SHA-256.
    #[arg(long, default_value_t = 10)]
    pub iterations_exp: u8,
    /// The name recorded for the beacon contribution.
    #[arg(long, default_value = "random beacon")]
    pub name: String,
}

/// A transcript to read.
#[derive(Args)]
pub struct InArgs {
    /// The transcript.
    #[arg(long = "in")]
    pub input: PathBuf,
}

/// Arguments of `phase2 new`.
#[derive(Args)]
pub struct Phase2NewArgs {
    /// The final phase-1 transcript (verified first).
    #[arg(long)]
    pub phase1: PathBuf,
    /// The statement.
    #[arg(long, value_enum)]
    pub statement: StatementArg,
    /// Registry depth in bits.
    #[arg(long, default_value_t = medzk_circuits::tree::DEFAULT_DEPTH)]
    pub depth: u8,
    #[command(flatten)]
    pub shape: ShapeArgs,
    /// The new phase-2 transcript.
    #[arg(long)]
    pub out: PathBuf,
}

/// Arguments of `phase2 verify`.
#[derive(Args)]
pub struct Phase2VerifyArgs {
    /// The phase-1 transcript it was computed from.
    #[arg(long)]
    pub phase1: PathBuf,
    /// The phase-2 transcript.
    #[arg(long = "in")]
    pub input: PathBuf,
}

/// Arguments of `phase2 finalize`.
#[derive(Args)]
pub struct FinalizeArgs {
    /// The phase-1 transcript.
    #[arg(long)]
    pub phase1: PathBuf,
    /// The final phase-2 transcript.
    #[arg(long = "in")]
    pub input: PathBuf,
    /// Where to write the proving key.
    #[arg(long)]
    pub pk: PathBuf,
    /// Where to write the verifying key.
    #[arg(long)]
    pub vk: PathBuf,
}

/// Arguments of `key verify`.
#[derive(Args)]
pub struct KeyVerifyArgs {
    /// The proving key.
    #[arg(long)]
    pub pk: PathBuf,
    /// The verifying key.
    #[arg(long)]
    pub vk: PathBuf,
    /// The phase-1 transcript.
    #[arg(long)]
    pub phase1: PathBuf,
    /// The phase-2 transcript the keys were finalized from.
    #[arg(long)]
    pub transcript: PathBuf,
}

fn read_phase1(path: &Path) -> CliResult<Phase1> {
    Phase1::from_bytes(&io::read_at_most(path, MAX_CEREMONY_FILE)?).map_err(|e| CliError::file(path, e))
}

fn read_phase2(path: &Path) -> CliResult<Phase2> {
    Phase2::from_bytes(&io::read_at_most(path, MAX_CEREMONY_FILE)?).map_err(|e| CliError::file(path, e))
}

fn entropy(args: &ContributeArgs) -> CliResult<zeroize::Zeroizing<Vec<u8>>> {
    if let Some(text) = &args.entropy {
        return Ok(zeroize::Zeroizing::new(text.as_bytes().to_vec()));
    }
    if !args.ask_entropy {
        return Ok(zeroize::Zeroizing::new(Vec::new()));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Input("--ask-entropy needs a terminal".into()));
    }
    eprint!("Type random text and press Enter (it is mixed with the system's randomness): ");
    let mut line = zeroize::Zeroizing::new(String::new());
    std::io::stdin().read_line(&mut line).map_err(|e| CliError::Input(e.to_string()))?;
    Ok(zeroize::Zeroizing::new(line.as_bytes().to_vec()))
}

fn contributions(list: &[(String, [u8; 32], Option<Beacon>)]) -> Vec<Value> {
    list.iter()
        .enumerate()
        .map(|(i, (name, hash, beacon))| {
            json!({
                "index": i + 1,
                "name": name,
                "hash": hex::encode(hash),
                "beacon": beacon.map(|b| json!({ "value": hex::encode(b.value), "iterations_exp": b.iterations_exp })),
            })
        })
        .collect()
}

fn lines(list: &[(String, [u8; 32], Option<Beacon>)]) -> String {
    list.iter()
        .enumerate()
        .map(|(i, (name, hash, beacon))| {
            let source = if beacon.is_some() { " (beacon)" } else { "" };
            format!("  {}. {}{source}: {}", i + 1, name, hex::encode(hash))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn err(path: &Path) -> impl Fn(medzk_ceremony::CeremonyError) -> CliError + '_ {
    move |e| CliError::file(path, e)
}

fn contributed(out: &Path, index: usize, hash: &[u8; 32]) -> Report {
    let hash = hex::encode(hash);
    Report::new(
        format!(
            "contribution {index} hash {hash}\npublish this hash; the transcript is in {}",
            out.display()
        ),
        json!({ "index": index, "hash": hash, "out": shown(out) }),
    )
}

/// Runs a ceremony command.
pub fn run(command: CeremonyCommand) -> CliResult<Report> {
    match command {
        CeremonyCommand::Phase1(c) => phase1(c),
        CeremonyCommand::Phase2(c) => phase2(c),
    }
}

fn phase1(command: Phase1Command) -> CliResult<Report> {
    Ok(match command {
        Phase1Command::New(a) => {
            let p = Phase1::new(a.power).map_err(|e| CliError::Input(e.to_string()))?;
            io::write_with(&a.out, &p.to_bytes(), false)?;
            Report::new(
                format!("phase 1 of size 2^{} in {}", a.power, a.out.display()),
                json!({ "power": a.power, "out": shown(&a.out), "hash": hex::encode(p.transcript_hash()) }),
            )
        }
        Phase1Command::Contribute(a) => {
            let mut p = read_phase1(&a.input)?;
            let entropy = entropy(&a)?;
            let spinner = crate::progress::spinner("contributing (multiplying every power by your secrets)");
            let hash = p.contribute(&a.name, &entropy);
            spinner.finish_and_clear();
            let hash = hash.map_err(|e| CliError::Input(e.to_string()))?;
            io::write_with(&a.out, &p.to_bytes(), false)?;
            contributed(&a.out, p.contributions.len(), &hash)
        }
        Phase1Command::Beacon(a) => {
            let mut p = read_phase1(&a.input)?;
            let beacon =
                Beacon::new(&a.beacon, a.iterations_exp).map_err(|e| CliError::Input(e.to_string()))?;
            let hash = p.contribute_beacon(&a.name, beacon).map_err(|e| CliError::Input(e.to_string()))?;
            io::write_with(&a.out, &p.to_bytes(), false)?;
            contributed(&a.out, p.contributions.len(), &hash)
        }
        Phase1Command::Verify(a) => {
            let p = read_phase1(&a.input)?;
            let spinner = crate::progress::spinner("verifying the phase-1 transcript");
            let report = p.verify();
            spinner.finish_and_clear();
            let report = report.map_err(err(&a.input))?;
            let output = hex::encode(report.output_hash);
            Report::new(
                format!(
                    "phase 1 of size 2^{} verified: {} contribution(s)\n{}\noutput hash {output}",
                    report.power,
                    report.contributions.len(),
                    lines(&report.contributions)
                ),
                json!({
                    "verified": true,
                    "power": report.power,
                    "contributions": contributions(&report.contributions),
                    "output_hash": output,
                }),
            )
        }
    })
}

fn phase2(command: Phase2Command) -> CliResult<Report> {
    Ok(match command {
        Phase2Command::New(a) => {
            let id = statement(a.statement, a.depth, a.shape)?;
            let p1 = read_phase1(&a.phase1)?;
            let spinner =
                crate::progress::spinner(format!("verifying phase 1, then computing {id}'s parameters"));
            let made = p1.verify().and_then(|_| Phase2::new(&p1, id));
            spinner.finish_and_clear();
            let p = made.map_err(err(&a.phase1))?;
            io::write_with(&a.out, &p.to_bytes(), false)?;
            Report::new(
                format!("phase 2 for {id} in {}", a.out.display()),
                json!({ "statement": id.to_string(), "out": shown(&a.out) }),
            )
        }
        Phase2Command::Contribute(a) => {
            let mut p = read_phase2(&a.input)?;
            let entropy = entropy(&a)?;
            let hash = p.contribute(&a.name, &entropy).map_err(|e| CliError::Input(e.to_string()))?;
            io::write_with(&a.out, &p.to_bytes(), false)?;
            contributed(&a.out, p.contributions.len(), &hash)
        }
        Phase2Command::Beacon(a) => {
            let mut p = read_phase2(&a.input)?;
            let beacon =
                Beacon::new(&a.beacon, a.iterations_exp).map_err(|e| CliError::Input(e.to_string()))?;
            let hash = p.contribute_beacon(&a.name, beacon).map_err(|e| CliError::Input(e.to_string()))?;
            io::write_with(&a.out, &p.to_bytes(), false)?;
            contributed(&a.out, p.contributions.len(), &hash)
        }
        Phase2Command::Verify(a) => {
            let (p1, p2) = (read_phase1(&a.phase1)?, read_phase2(&a.input)?);
            let spinner = crate::progress::spinner("verifying phase 1 and phase 2");
            let report = p2.verify(&p1);
            spinner.finish_and_clear();
            let report = report.map_err(err(&a.input))?;
            let transcript = report.transcript_hash.to_string();
            Report::new(
                format!(
                    "phase 2 for {} verified: {} contribution(s)\n{}\ntranscript hash {transcript}",
                    report.statement,
                    report.contributions.len(),
                    lines(&report.contributions)
                ),
                json!({
                    "verified": true,
                    "statement": report.statement.to_string(),
                    "contributions": contributions(&report.contributions),
                    "transcript_hash": transcript,
                }),
            )
        }
        Phase2Command::Finalize(a) => {
            let (p1, p2) = (read_phase1(&a.phase1)?, read_phase2(&a.input)?);
            let spinner = crate::progress::spinner("verifying the transcripts, then writing the keys");
            let keys = p2.verify(&p1).and_then(|_| p2.finalize());
            spinner.finish_and_clear();
            let (pk, vk) = keys.map_err(err(&a.input))?;
            io::write(&a.pk, &pk.to_bytes())?;
            io::write(&a.vk, vk.to_bytes())?;
            let transcript = vk.transcript().map(|t| t.to_string()).unwrap_or_default();
            Report::new(
                format!("{} verifying key {} (transcript {transcript})", vk.statement(), vk.hash()),
                json!({
                    "statement": vk.statement().to_string(),
                    "vk_hash": vk.hash().to_string(),
                    "transcript_hash": transcript,
                    "pk": shown(&a.pk),
                    "vk": shown(&a.vk),
                }),
            )
        }
    })
}

/// `medzk key verify`: checks a key pair against a ceremony's transcripts.
pub fn key_verify(a: &KeyVerifyArgs) -> CliResult<Report> {
    let pk_bytes = io::read_at_most(&a.pk, io::MAX_KEY_FILE)?;
    let pk = ProvingKey::decode_own(&pk_bytes).map_err(|e| CliError::file(&a.pk, e))?;
    let vk = VerifyingKey::from_bytes(&io::read(&a.vk)?).map_err(|e| CliError::file(&a.vk, e))?;
    let (p1, p2) = (read_phase1(&a.phase1)?, read_phase2(&a.transcript)?);
    let spinner = crate::progress::spinner("verifying the transcripts and the keys");
    let checked = verify_keys(&pk, &vk, &p1, &p2);
    spinner.finish_and_clear();
    let transcript = checked.map_err(|e| CliError::Rejected(format!("{}: {e}", a.pk.display())))?;
    Ok(Report::new(
        format!(
            "the keys are the transcript's: {} verifying key {} (transcript {transcript})",
            vk.statement(),
            vk.hash()
        ),
        json!({
            "verified": true,
            "statement": vk.statement().to_string(),
            "vk_hash": vk.hash().to_string(),
            "transcript_hash": transcript.to_string(),
        }),
    ))
}

/// Arguments of `inspect key`.
#[derive(Args)]
pub struct InspectKeyArgs {
    /// A proving key.
    #[arg(long, required_unless_present = "vk", conflicts_with = "vk")]
    pub pk: Option<PathBuf>,
    /// A verifying key.
    #[arg(long)]
    pub vk: Option<PathBuf>,
}

/// `medzk inspect key`: a key's statement, hash and transcript.
pub fn inspect_key(a: &InspectKeyArgs) -> CliResult<Value> {
    let vk = match (&a.pk, &a.vk) {
        (Some(pk), _) => ProvingKey::decode_own(&io::read_at_most(pk, io::MAX_KEY_FILE)?)
            .map_err(|e| CliError::file(pk, e))?
            .verifying_key()
            .clone(),
        (None, Some(vk)) => VerifyingKey::from_bytes(&io::read(vk)?).map_err(|e| CliError::file(vk, e))?,
        (None, None) => return Err(CliError::Input("give --pk or --vk".into())),
    };
    Ok(json!({
        "statement": vk.statement().to_string(),
        "vk_hash": vk.hash().to_string(),
        "transcript_hash": vk.transcript().map(|t| t.to_string()),
        "origin": if vk.transcript().is_some() { "ceremony" } else { "development setup (insecure) or unknown" },
    }))
}

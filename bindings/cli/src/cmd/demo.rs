//! `medzk demo`: the whole flow — registry, issue, prove, verify, and two rejections —
//! through the same commands and files a real deployment uses.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Args;
use medzk_circuits::code::Code;
use medzk_circuits::date::Day;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::fixtures::border_policy;
use medzk_circuits::holder::{HolderSecret, Scope};
use medzk_circuits::record::{RecordData, Salt};
use medzk_circuits::tree::DEFAULT_DEPTH;
use medzk_circuits::vaccination::VaccinationPolicy;
use rand::{Rng, SeedableRng, rngs::StdRng};

use super::setup::StatementArg;
use super::{fresh_nonce, holder, issue, now_unix, prove, registry, setup, short, verify};
use serde_json::{Value, json};

use medzk_registry::OperatorSecret;
use medzk_service::auth::{self, IssuerSecret};
use medzk_service::{Client, Running, ServiceConfig};

use crate::io::{self, CliError, CliResult};
use crate::progress;
use crate::report::{Report, say, shown};

/// Arguments of `demo`.
#[derive(Args)]
pub struct DemoArgs {
    /// Records in the registry (other holders' records plus the patient's).
    #[arg(long, default_value_t = 1000)]
    pub records: u64,
    /// Keep the files in this (new or empty) directory instead of a temporary one.
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Serve the registry over HTTP on loopback (`medzk serve`) and run the issuer, the
    /// patient and the verifier as separate clients of it: signed appends, paths fetched,
    /// roots trusted only from the operator's signed head.
    #[arg(long)]
    pub serve: bool,
}

/// The registry served on loopback, with the demo issuer's and operator's keys.
struct Served {
    running: Running,
    issuer: IssuerSecret,
    operator_key: String,
}

const REGISTRY_NAME: &str = "registry:NO-demo";

fn start_service(reg_path: &Path, issuer_file: &Path) -> CliResult<Served> {
    let operator = OperatorSecret::generate();
    let operator_key = operator.public().to_string();
    let issuer = IssuerSecret::generate(CLINICS[0]);
    io::write_private(issuer_file, issuer.to_json().as_bytes(), false)?;
    let enrolled = auth::public_key(&issuer.public_hex()).map_err(|e| CliError::Input(e.to_string()))?;
    let config = ServiceConfig {
        registry: registry::open(reg_path)?,
        name: REGISTRY_NAME.into(),
        operator,
        issuers: vec![(CLINICS[0].to_string(), enrolled)],
        limits: medzk_service::Limits::default(),
        shc_import: None,
    };
    let running = Running::start(config, "127.0.0.1:0".parse().expect("an address"))
        .map_err(|e| CliError::Input(format!("cannot start the service: {e}")))?;
    Ok(Served { running, issuer, operator_key })
}

const VERIFIER: &str = "border:NO:OSL-gate-7";
const CLINICS: [&str; 4] = ["clinic:oslo-1", "clinic:bergen-2", "pharmacy:tromso-3", "hospital:trondheim-4"];
const VACCINES: [&str; 5] = ["cvx|207", "cvx|208", "cvx|210", "cvx|212", "cvx|88"];

fn timed<T>(f: impl FnOnce() -> CliResult<T>) -> CliResult<(T, Duration)> {
    let start = Instant::now();
    let out = f()?;
    Ok((out, start.elapsed()))
}

fn show(d: Duration) -> String {
    if d.as_secs_f64() >= 1.0 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1e3)
    }
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e4).round() / 10.0
}

/// The demo's output: steps printed as they happen, or collected for `--json` with full
/// values where the words shorten them.
struct Log {
    json: bool,
    steps: Vec<Value>,
}

impl Log {
    fn line(&self, text: impl AsRef<str>) {
        if !self.json {
            say(text.as_ref());
        }
    }

    fn step(&mut self, n: u32, actor: &str, what: impl AsRef<str>, time: Option<Duration>) {
        if !self.json {
            let shown = time.map(show).unwrap_or_default();
            say(format!("{n:>2}. {actor:<9}{shown:>10}  {}", what.as_ref()));
        }
        self.steps.push(json!({
            "step": n,
            "actor": actor,
            "what": what.as_ref(),
            "ms": time.map(millis),
            "details": [],
        }));
    }

    fn detail(&mut self, text: impl AsRef<str>) {
        if !self.json {
            say(format!("{:>25}{}", "", text.as_ref()));
        }
        if let Some(Value::Array(details)) = self.steps.last_mut().map(|s| &mut s["details"]) {
            details.push(text.as_ref().into());
        }
    }

    /// A long hex value, shortened in words and whole in JSON.
    fn short(&self, hex: &str) -> String {
        if self.json { hex.to_string() } else { short(hex) }
    }

    /// A full value of the last step (JSON only).
    fn fact(&mut self, key: &str, value: impl Into<Value>) {
        if let Some(step) = self.steps.last_mut() {
            step[key] = value.into();
        }
    }
}

/// Other holders' immunizations, appended in one transaction.
fn populate(registry: &Path, count: u64, today: Day) -> CliResult {
    let mut rng = StdRng::seed_from_u64(2026);
    let bar = progress::bar(count, "committing other holders' records");
    let commitments: Vec<Fr> = (0..count)
        .map(|i| {
            bar.inc(1);
            let holder = HolderSecret::generate(&mut rng).id();
            let vaccine: Code = VACCINES[rng.gen_range(0..VACCINES.len())].parse().expect("valid");
            let series = rng.gen_range(1..=3);
            let record = RecordData::immunization(
                holder,
                vaccine,
                Day(today.0 - rng.gen_range(0..900)),
                rng.gen_range(1..=series) as u64,
                series,
                &format!("LOT{:05}", rng.gen_range(0..100_000)),
                CLINICS[i as usize % CLINICS.len()],
            );
            record.encode(&Salt::generate(&mut rng)).commitment()
        })
        .collect();
    bar.finish_and_clear();
    let reg = registry::open(registry)?;
    let spinner = progress::spinner(format!("appending {count} commitments to the registry"));
    reg.append_batch(&commitments, now_unix()).map_err(|e| CliError::file(registry, e))?;
    spinner.finish_and_clear();
    Ok(())
}

/// Runs the demo; with `json`, prints nothing and returns the steps as JSON.
pub fn demo(args: &DemoArgs, json: bool) -> CliResult<Report> {
    let mut log = Log { json, steps: Vec::new() };
    if args.records == 0 {
        return Err(CliError::Input("--records must be at least 1".into()));
    }
    let temp;
    let dir = match &args.dir {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(|e| CliError::file(d, e))?;
            if std::fs::read_dir(d).map_err(|e| CliError::file(d, e))?.next().is_some() {
                return Err(CliError::file(d, "directory is not empty"));
            }
            d.clone()
        }
        None => {
            temp = tempfile::Builder::new()
                .prefix("medzk-demo-")
                .tempdir()
                .map_err(|e| CliError::Input(e.to_string()))?;
            temp.path().to_path_buf()
        }
    };
    let file = |name: &str| dir.join(name);
    let today = super::today(None);
    log.line(format!("medzk demo: a border check of vaccination status, files in {}\n", dir.display()));

    // Keys.
    let setup_args = setup::SetupArgs {
        statement: StatementArg::Vaccination,
        depth: DEFAULT_DEPTH,
        shape: setup::ShapeArgs::default(),
        seed: "medzk demo".into(),
        pk: file("vaccination.pk"),
        vk: file("vaccination.vk"),
    };
    let (vk, t) = timed(|| setup::setup(&setup_args))?;
    let shape = super::inspect::vaccination_json(DEFAULT_DEPTH)?;
    log.step(
        1,
        "setup",
        format!("keys for {} ({} constraints)", vk.statement(), shape["constraints"]),
        Some(t),
    );
    log.detail(format!(
        "proving key {} KiB, verifying key {} bytes, key hash {}",
        std::fs::metadata(&setup_args.pk).map(|m| m.len() / 1024).unwrap_or(0),
        vk.to_bytes().len(),
        log.short(&vk.hash().to_string())
    ));
    log.fact("vk_hash", vk.hash().to_string());
    log.detail("WARNING: development setup from a public seed; never deploy these keys");

    // Registry with other holders' records.
    let reg_path = file("registry.redb");
    let others = args.records - 1;
    let (_, t) = timed(|| {
        registry::init(&registry::InitArgs { registry: reg_path.clone(), depth: DEFAULT_DEPTH })?;
        populate(&reg_path, others, today)
    })?;
    log.step(
        2,
        "registry",
        format!("depth-{DEFAULT_DEPTH} registry; {others} commitments from {} issuers", CLINICS.len()),
        Some(t),
    );
    let served = if args.serve {
        let served = start_service(&reg_path, &file("clinic.key"))?;
        log.detail(format!(
            "served on {}; {} enrolled as an issuer; operator key {}",
            served.running.url(),
            CLINICS[0],
            log.short(&served.operator_key)
        ));
        log.fact("service", served.running.url());
        log.fact("operator_key", served.operator_key.clone());
        Some(served)
    } else {
        None
    };
    let url = served.as_ref().map(|s| s.running.url());

    // The patient.
    let key_path = file("holder.key");
    let (key, t) = timed(|| holder::keygen(&holder::KeygenArgs { out: key_path.clone(), force: false }))?;
    log.step(
        3,
        "holder",
        format!("patient creates a holder key; holder id {}", log.short(&key.holder_id.to_string())),
        Some(t),
    );
    log.fact("holder_id", key.holder_id.to_string());

    let dose_date = Day(today.0 - 45);
    let issue_args = issue::ImmunizationArgs {
        common: issue::Common {
            registry: if served.is_some() { None } else { Some(reg_path.clone()) },
            registry_url: url.clone(),
            issuer_key: served.as_ref().map(|_| file("clinic.key")),
            holder_id: key.holder_id.to_string(),
            issuer: CLINICS[0].into(),
            out: file("credential.json"),
            force: false,
        },
        vaccine: "cvx|208".parse().expect("valid"),
        date: dose_date,
        dose: 2,
        series: 2,
        lot: "EW0182".into(),
    };
    let (issued, t) = timed(|| issue::immunization(&issue_args))?;
    let (credential, appended) = (issued.credential, issued.appended);
    log.step(
        4,
        "issue",
        format!(
            "{} commits dose 2/2 of cvx|208 given {dose_date}; leaf {}",
            CLINICS[0], credential.leaf_index
        ),
        Some(t),
    );
    log.detail(format!(
        "published: commitment {} only; the record stays with the patient",
        log.short(&field::to_hex(&credential.commitment))
    ));
    log.fact("leaf", credential.leaf_index);
    log.fact("commitment", field::to_hex(&credential.commitment));

    let path_args = registry::PathArgs {
        registry: if served.is_some() { None } else { Some(reg_path.clone()) },
        registry_url: url.clone(),
        subtree_levels: registry::PRIVATE_SUBTREE_LEVELS,
        index: credential.leaf_index,
        out: file("path.json"),
    };
    let refresh_path = || registry::path(&path_args);
    let (root, t) = timed(refresh_path)?;
    debug_assert_eq!(root, appended.checkpoint.root);
    log.step(
        5,
        "registry",
        format!("hands the patient its inclusion path under root {}", log.short(&field::to_hex(&root))),
        Some(t),
    );
    if served.is_some() {
        log.detail(format!(
            "fetched privately: the subtree of {} leaves around it, so the service does not learn which leaf",
            1u64 << (2 * registry::PRIVATE_SUBTREE_LEVELS)
        ));
    }
    log.fact("root", field::to_hex(&root));

    // The verifier's policy and session.
    let policy: VaccinationPolicy = {
        let p = border_policy();
        VaccinationPolicy::new(
            Scope::new("border:NO").expect("valid"),
            p.vaccines().to_vec(),
            p.window(),
            1,
            true,
        )
        .expect("valid policy")
    };
    io::write(&file("policy.json"), serde_json::to_string_pretty(&policy).expect("serializable").as_bytes())?;
    let nonce = fresh_nonce();
    log.step(
        6,
        "verifier",
        format!("{VERIFIER} asks: approved vaccine, series complete, 14-365 days ago"),
        None,
    );
    log.detail(format!(
        "policy hash {}, session nonce {}",
        log.short(&field::to_hex(&policy.hash())),
        log.short(&nonce)
    ));
    log.fact("policy_hash", field::to_hex(&policy.hash()));
    log.fact("nonce", nonce.clone());

    // Prove and verify.
    let vk_hash = vk.hash();
    let prove_args = |nonce: &str, out: &str| prove::ProveArgs {
        pk: file("vaccination.pk"),
        vk_hash,
        credentials: vec![file("credential.json")],
        holder_key: key_path.clone(),
        paths: vec![file("path.json")],
        registry: None,
        registry_url: None,
        subtree_levels: registry::PRIVATE_SUBTREE_LEVELS,
        policy: file("policy.json"),
        value_sets: vec![],
        request: None,
        verifier_id: Some(VERIFIER.into()),
        nonce: Some(nonce.into()),
        today: Some(today.into()),
        out: file(out),
    };
    let (presentation, t) = timed(|| prove::prove(&prove_args(&nonce, "presentation.bin")))?;
    log.step(7, "prove", "patient proves the policy holds, revealing nothing of the record", Some(t));
    log.detail(format!("presentation.bin: {} bytes", presentation.to_bytes().len()));
    log.fact("bytes", presentation.to_bytes().len());

    let verify_args = |nonce: &str, presentation: &str| verify::VerifyArgs {
        vk: file("vaccination.vk"),
        policy: file("policy.json"),
        registry: if served.is_some() { None } else { Some(reg_path.clone()) },
        max_root_age_hours: 24,
        root: vec![],
        signed_head: None,
        registry_url: url.clone(),
        operator_key: served.as_ref().map(|s| s.operator_key.clone()),
        registry_name: served.as_ref().map(|_| REGISTRY_NAME.to_string()),
        max_head_age_hours: 24,
        verifier_id: VERIFIER.into(),
        nonce: nonce.into(),
        today: Some(today.into()),
        presentation: file(presentation),
        nullifiers: None,
    };
    let (accepted, t) = timed(|| verify::verify(&verify_args(&nonce, "presentation.bin")))?;
    log.step(
        8,
        "verify",
        "the verifier checks the presentation with its own policy, nonce and roots",
        Some(t),
    );
    if !json {
        log.detail(accepted.to_string());
    }
    log.fact("verdict", accepted.report().json);

    // Rejection 1: replay in another session.
    let replay_nonce = fresh_nonce();
    let (replay, t) = timed(|| Ok(verify::verify(&verify_args(&replay_nonce, "presentation.bin"))))?;
    let reason = match replay {
        Err(CliError::Rejected(reason)) => reason,
        Ok(_) => return Err(CliError::Input("demo: the replayed presentation was accepted".into())),
        Err(e) => return Err(e),
    };
    log.step(9, "replay", "the same presentation, shown in a new session (another nonce)", None);
    log.detail(format!("REJECTED: {reason} ({})", show(t)));
    log.fact("reason", reason.as_str());
    log.fact("ms", millis(t));

    // Rejection 2: a presentation from a record revoked since.
    let later_nonce = fresh_nonce();
    prove::prove(&prove_args(&later_nonce, "prepared.bin"))?;
    log.step(10, "prove", "patient prepares a presentation for a later session", None);
    let (checkpoint, t) = timed(|| match &served {
        Some(s) => Client::new(&s.running.url())
            .revoke(&s.issuer, credential.leaf_index)
            .map_err(|e| CliError::Input(e.to_string())),
        None => registry::revoke(&registry::RevokeArgs {
            registry: reg_path.clone(),
            index: credential.leaf_index,
        }),
    })?;
    log.step(
        11,
        "revoke",
        format!(
            "{} revokes the record (leaf {}); new root {}",
            CLINICS[0],
            credential.leaf_index,
            log.short(&field::to_hex(&checkpoint.root))
        ),
        Some(t),
    );
    log.fact("root", field::to_hex(&checkpoint.root));
    let (late, t) = timed(|| Ok(verify::verify(&verify_args(&later_nonce, "prepared.bin"))))?;
    let reason = match late {
        Err(CliError::Rejected(reason)) => reason,
        Ok(_) => return Err(CliError::Input("demo: a revoked record's presentation was accepted".into())),
        Err(e) => return Err(e),
    };
    log.step(12, "verify", "the prepared presentation, after the revocation", None);
    log.detail(format!("REJECTED: {reason} ({})", show(t)));
    log.fact("reason", reason.as_str());
    log.fact("ms", millis(t));

    refresh_path()?;
    match prove::prove(&prove_args(&fresh_nonce(), "retry.bin")) {
        Err(CliError::CannotProve(reason)) => {
            log.step(13, "prove", "patient fetches a fresh path and tries again", None);
            log.detail(&reason);
            log.fact("reason", reason);
        }
        Ok(_) => return Err(CliError::Input("demo: a revoked record was proven".into())),
        Err(e) => return Err(e),
    }
    log.line("\ndone: 1 presentation accepted, 2 rejected, 1 proof refused");
    Ok(Report::printed(json!({
        "dir": if args.dir.is_some() { shown(&dir) } else { Value::Null },
        "records": args.records,
        "steps": log.steps,
        "accepted": 1,
        "rejected": 2,
        "refused": 1,
    })))
}

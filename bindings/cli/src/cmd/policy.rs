//! `medzk policy …`: hash, check, value-set roots.

use medzk_circuits::clock::Clock;
use std::path::PathBuf;

use clap::Args;
use medzk_circuits::field;
use medzk_circuits::policy::eval::{EvalContext, select};
use medzk_circuits::record::Record;
use medzk_circuits::valueset::ValueSet;

use super::prove::{load_credentials, load_holder, load_value_sets};
use super::{AnyPolicy, clock, load_policy};
use serde_json::json;

use crate::io::{self, CliError, CliResult};
use crate::report::{Report, shown};

/// Arguments of `policy hash`.
#[derive(Args)]
pub struct HashArgs {
    /// The policy file.
    pub policy: PathBuf,
}

/// Arguments of `policy check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The policy file.
    pub policy: PathBuf,
    /// The holder's credentials (repeatable).
    #[arg(long = "credential", required = true)]
    pub credentials: Vec<PathBuf>,
    /// The holder key (only the holder's own records count).
    #[arg(long)]
    pub holder_key: PathBuf,
    /// Value-set files the policy names.
    #[arg(long = "value-set")]
    pub value_sets: Vec<PathBuf>,
    /// The clock to check at: a day, or a day and UTC time for a policy with hour windows
    /// (default: now, UTC).
    #[arg(long)]
    pub today: Option<Clock>,
}

/// Arguments of `policy value-set`.
#[derive(Args)]
pub struct ValueSetArgs {
    /// The value-set file.
    pub file: PathBuf,
}

/// The policy's statement and hash.
pub fn hash(args: &HashArgs) -> CliResult<Report> {
    let policy = load_policy(&args.policy)?;
    let (kind, shape) = match &policy {
        AnyPolicy::Vaccination(_) => ("vaccination".to_string(), None),
        AnyPolicy::General(p) => {
            let s = p.shape();
            (format!("policy (shape k{}-m{}-g{})", s.records, s.clauses, s.groups), Some(s))
        }
    };
    let hash = field::to_hex(&policy.as_statement().policy_hash());
    let statement = match policy {
        AnyPolicy::Vaccination(_) => "vaccination",
        AnyPolicy::General(_) => "policy",
    };
    Ok(Report::new(
        format!("{hash} {kind}"),
        json!({ "policy_hash": hash, "statement": statement, "shape": shape, "scope": policy.scope() }),
    ))
}

/// Checks natively whether the holder's credentials meet the policy; the outcome in words.
pub fn check(args: &CheckArgs) -> CliResult<Report> {
    let policy = load_policy(&args.policy)?;
    let holder = load_holder(&args.holder_key)?;
    let id = holder.secret.id();
    let credentials = load_credentials(&args.credentials)?;
    let records: Vec<Record> =
        credentials.iter().filter(|c| c.record.holder == id).map(|c| c.slots()).collect();
    if records.len() < credentials.len() {
        eprintln!("medzk: {} credential(s) of another holder ignored", credentials.len() - records.len());
    }
    let clock = clock(args.today);
    let today = clock.day();
    let policy = policy.at(clock).map_err(|e| CliError::Input(format!("{}: {e}", args.policy.display())))?;
    match &policy {
        AnyPolicy::Vaccination(p) => {
            let mut reasons = Vec::new();
            for (r, c) in records.iter().zip(&args.credentials) {
                match p.evaluate(r, today) {
                    Ok(()) => {
                        return Ok(Report::new(
                            format!("holds: {} meets the policy", c.display()),
                            json!({ "holds": true, "today": today.to_string(), "credential": shown(c) }),
                        ));
                    }
                    Err(e) => reasons.push(format!("{}: {e}", c.display())),
                }
            }
            Err(CliError::CannotProve(format!("does not hold: {}", reasons.join("; "))))
        }
        AnyPolicy::General(p) => {
            let sets = load_value_sets(&args.value_sets)?;
            let ctx = EvalContext { today, value_sets: &sets };
            match select(p, &records, &ctx) {
                Ok(selection) => {
                    let used: Vec<(&str, &PathBuf)> = selection
                        .assignment
                        .iter()
                        .enumerate()
                        .filter_map(|(k, a)| a.map(|i| (p.records()[k].name.as_str(), &args.credentials[i])))
                        .collect();
                    let group = &p.groups()[selection.group].name;
                    let words: Vec<String> =
                        used.iter().map(|(name, file)| format!("{name} = {}", file.display())).collect();
                    let records: serde_json::Map<String, serde_json::Value> =
                        used.iter().map(|(name, file)| (name.to_string(), shown(file))).collect();
                    Ok(Report::new(
                        format!("holds: group {group:?} with {}", words.join(", ")),
                        json!({ "holds": true, "today": today.to_string(), "group": group, "records": records }),
                    ))
                }
                Err(mut reports) => {
                    // The group with the fewest failing conditions first: the one the
                    // patient is closest to meeting.
                    reports.sort_by_key(|r| r.reasons.len());
                    let Some(closest) = reports.first() else {
                        return Err(CliError::CannotProve("does not hold: the policy has no group".into()));
                    };
                    let mut text = format!(
                        "does not hold; closest: group {:?}, where {} condition(s) fail: {}",
                        closest.group,
                        closest.reasons.len(),
                        closest.reasons.join("; ")
                    );
                    if reports.len() > 1 {
                        let others: Vec<String> = reports[1..].iter().map(|r| r.to_string()).collect();
                        text.push_str(&format!(" | other groups: {}", others.join(" | ")));
                    }
                    Err(CliError::CannotProve(text))
                }
            }
        }
    }
}

/// The root of a value-set file.
pub fn value_set(args: &ValueSetArgs) -> CliResult<Report> {
    let set = ValueSet::from_json(&io::read_text(&args.file)?).map_err(|e| CliError::file(&args.file, e))?;
    let root = field::to_hex(&set.root());
    let absence = medzk_circuits::record::absence_code(set.root()).to_string();
    Ok(Report::new(
        format!("{root} {} ({} codes)", set.name(), set.len()),
        json!({ "root": root, "name": set.name(), "codes": set.len(), "absence_code": absence }),
    ))
}

/// Arguments of `policy from-certlogic`.
#[derive(Args)]
pub struct FromCertlogicArgs {
    /// One country's DCC business-rule files (CertLogic JSON), or folders of them.
    #[arg(required = true)]
    pub rules: Vec<PathBuf>,
    /// A folder of DCC value-set files the rules name (`external.valueSets.<id>`).
    #[arg(long)]
    pub valuesets: Option<PathBuf>,
    /// Leave a rule out (repeatable): the policy then accepts what that rule alone refuses.
    #[arg(long = "omit", value_name = "RULE_ID")]
    pub omit: Vec<String>,
    /// The nullifier scope (default `border:<country>`).
    #[arg(long)]
    pub scope: Option<String>,
    /// Write the policy here (refuses to replace a file) instead of printing it.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

fn rule_files(paths: &[PathBuf]) -> CliResult<Vec<PathBuf>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let entries = std::fs::read_dir(path).map_err(|e| CliError::file(path, io::plain(&e)))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    Ok(files)
}

/// Translates DCC business rules into a policy document.
pub fn from_certlogic(args: &FromCertlogicArgs) -> CliResult<Report> {
    use medzk_certlogic::{Options, Rule, ValueSets, read_value_sets, translate};
    let mut rules = Vec::new();
    for path in rule_files(&args.rules)? {
        let text = io::read_text(&path)?;
        rules.push(
            Rule::parse(&text)
                .map_err(|why| CliError::file(&path, format!("not a DCC business rule: {why}")))?,
        );
    }
    let value_sets = match &args.valuesets {
        Some(dir) => read_value_sets(dir).map_err(|e| CliError::Input(e.to_string()))?,
        None => ValueSets::new(),
    };
    let options = Options { scope: args.scope.clone(), omit: args.omit.iter().cloned().collect() };
    let t = translate(&rules, &value_sets, &options)
        .map_err(|e| CliError::Input(format!("cannot translate: {e}")))?;
    let policy = serde_json::to_value(&t.policy).map_err(|e| CliError::Input(e.to_string()))?;
    // The document in its own field order (statement, version, scope, shape, records, groups).
    let document = serde_json::to_string_pretty(&t.policy).map_err(|e| CliError::Input(e.to_string()))?;
    let mut text = String::new();
    if let Some(out) = &args.out {
        let mut bytes = document.into_bytes();
        bytes.push(b'\n');
        io::write_with(out, &bytes, false)?;
        text.push_str(&format!(
            "policy written to {}: {} rule(s) translated\n",
            out.display(),
            rules.len() - args.omit.len()
        ));
    } else {
        text.push_str(&document);
        text.push('\n');
    }
    for note in &t.notes {
        text.push_str(&format!("note: {note}\n"));
    }
    for warning in &t.warnings {
        text.push_str(&format!("warning: {warning}\n"));
    }
    let json = json!({
        "policy": policy,
        "out": args.out.as_deref().map(shown),
        "notes": t.notes,
        "warnings": t.warnings,
    });
    Ok(Report::new(text.trim_end().to_string(), json))
}

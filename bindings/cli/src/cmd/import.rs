//! `medzk import shc|dcc|fhir …`: verify a health credential (or read an issuer's FHIR
//! data), map it to records, append every commitment in one registry transaction and
//! write one credential per record plus a summary.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use medzk_circuits::credential::Credential;
use medzk_circuits::field;
use medzk_circuits::holder::HolderId;
use medzk_circuits::record::Ext;
use medzk_formats::map::{self, Mapping, Options, VaccineCodes};
use medzk_formats::{dcc, fhir, shc};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use medzk_service::auth::IssuerSecret;
use medzk_service::{Client, ClientError};

use super::{now_unix, registry};
use crate::io::{self, CliError, CliResult};
use crate::report::{Report, shown};

/// `medzk import …`.
#[derive(Subcommand)]
pub enum ImportCommand {
    /// A SMART Health Card: a .smart-health-card file, a compact JWS, shc:/ QR text
    /// (chunks one per line) or a PNG of its QR code(s); its ES256 signature is checked
    /// against trusted issuer keys.
    Shc(ShcArgs),
    /// An EU Digital COVID Certificate: HC1: text, or a PNG of its QR code; its signature
    /// is checked against a trust list of document signer certificates.
    Dcc(DccArgs),
    /// A FHIR R4 bundle or resource: the issuer's own data (streamed; any size).
    Fhir(FhirArgs),
}

/// Which vaccine code an immunization keeps.
#[derive(Clone, Copy, ValueEnum)]
pub enum VaccineCodesArg {
    /// The code the source states.
    AsIssued,
    /// CVX, translated from EU product codes where the table has an equivalent.
    Cvx,
}

/// Where the records go.
#[derive(Args)]
pub struct Target {
    /// The registry (a file, or a postgresql:// URL).
    #[arg(long, required_unless_present_any = ["dry_run", "registry_url"])]
    pub registry: Option<PathBuf>,
    /// Append through a registry service instead (`medzk serve`), as the issuer whose key
    /// --issuer-key holds (the importing issuer appends; each record's issuer slot still
    /// names the credential's original issuer).
    #[arg(long, conflicts_with = "registry", requires = "issuer_key")]
    pub registry_url: Option<String>,
    /// The importing issuer's key file (from `medzk issuer keygen`), for --registry-url.
    #[arg(long)]
    pub issuer_key: Option<PathBuf>,
    /// The holder id (`0x…`, from `medzk holder keygen`).
    #[arg(long)]
    pub holder_id: String,
    /// The directory for the credentials and summary.json (created if missing; existing
    /// files are never replaced).
    #[arg(long, required_unless_present = "dry_run")]
    pub out_dir: Option<PathBuf>,
    /// Show the records that would be issued; touch neither the registry nor any file.
    #[arg(long)]
    pub dry_run: bool,
    /// Which vaccine code immunizations keep.
    #[arg(long, value_enum, default_value = "as-issued")]
    pub vaccine_codes: VaccineCodesArg,
    /// The time to check validity at and issue on, RFC 3339 or YYYY-MM-DD (default: now).
    #[arg(long)]
    pub at: Option<String>,
}

/// Arguments of `import shc`.
#[derive(Args)]
pub struct ShcArgs {
    /// The card: a .smart-health-card file, a JWS, QR text, or a PNG of the QR code(s).
    pub input: PathBuf,
    /// A JSON Web Key Set fetched from the issuer (`<iss>/.well-known/jwks.json`); repeatable.
    #[arg(long)]
    pub jwks: Vec<PathBuf>,
    /// A directory of key sets, each naming its issuer (`"iss"`).
    #[arg(long)]
    pub trust_dir: Option<PathBuf>,
    /// An issuer's revocation list (`<iss>/.well-known/crl/<kid>.json`); repeatable.
    #[arg(long = "revocation-list")]
    pub revocation_lists: Vec<PathBuf>,
    #[command(flatten)]
    pub target: Target,
}

/// Arguments of `import dcc`.
#[derive(Args)]
pub struct DccArgs {
    /// The certificate: a text file holding HC1:…, or a PNG image of its QR code.
    pub input: PathBuf,
    /// The trust list of document signer certificates (JSON; see docs/import.md).
    #[arg(long)]
    pub trust_list: PathBuf,
    #[command(flatten)]
    pub target: Target,
}

/// Arguments of `import fhir`.
#[derive(Args)]
pub struct FhirArgs {
    /// The bundle or resource (JSON).
    pub input: PathBuf,
    /// The issuer's name (for example `clinic:oslo-1`): the issuer attests this data.
    #[arg(long)]
    pub issuer: String,
    #[command(flatten)]
    pub target: Target,
}

/// Largest credential text or QR image read.
const MAX_CREDENTIAL_FILE: u64 = 4 << 20;

fn when(target: &Target) -> CliResult<i64> {
    match &target.at {
        None => Ok(now_unix()),
        Some(text) => {
            if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
                return Ok(t.unix_timestamp());
            }
            let day: medzk_circuits::date::Day = text.parse().map_err(|_| {
                CliError::Input(format!("--at {text:?}: give RFC 3339 (2026-12-01T10:00:00Z) or YYYY-MM-DD"))
            })?;
            Ok(day.0 as i64 * 86_400 + 43_200)
        }
    }
}

fn options(target: &Target, at: i64, issuer: &str) -> CliResult<Options> {
    Ok(Options {
        holder: HolderId(super::parse_field(&target.holder_id, "--holder-id")?),
        issuer: issuer.to_string(),
        vaccine_codes: match target.vaccine_codes {
            VaccineCodesArg::AsIssued => VaccineCodes::AsIssued,
            VaccineCodesArg::Cvx => VaccineCodes::Cvx,
        },
        today: medzk_circuits::date::Day::from_unix_seconds(at),
    })
}

fn format_error(path: &Path, e: medzk_formats::FormatError) -> CliError {
    CliError::file(path, format!("{e} [step: {}]", e.step()))
}

/// `import shc`.
pub fn shc(a: &ShcArgs) -> CliResult<Report> {
    let at = when(&a.target)?;
    let mut trust = shc::Trust::new();
    for f in &a.jwks {
        trust.add_jwks_file(f, None).map_err(|e| format_error(f, e))?;
    }
    if let Some(d) = &a.trust_dir {
        trust.add_dir(d).map_err(|e| format_error(d, e))?;
    }
    if trust.is_empty() {
        return Err(CliError::Input("no trusted issuer key: give --jwks or --trust-dir".into()));
    }
    let mut lists = Vec::new();
    for f in &a.revocation_lists {
        lists.push(shc::RevocationList::parse(&io::read_text(f)?).map_err(|e| format_error(f, e))?);
    }
    let raw = io::read_at_most(&a.input, MAX_CREDENTIAL_FILE)?;
    let text = if raw.starts_with(b"\x89PNG") {
        // A photo or screenshot of the card's QR code(s): every shc:/ chunk in the image.
        let texts = medzk_formats::qr_image::decode_png(&raw).map_err(|e| format_error(&a.input, e))?;
        texts
            .into_iter()
            .filter(|t| t.to_ascii_lowercase().starts_with("shc:/"))
            .collect::<Vec<_>>()
            .join("\n")
    } else {
        String::from_utf8(raw).map_err(|_| CliError::file(&a.input, "neither UTF-8 text nor a PNG image"))?
    };
    let jws = shc::jws_of_input(&text).map_err(|e| format_error(&a.input, e))?;
    let mut mapping = Mapping::default();
    let mut sources = Vec::new();
    for (i, one) in jws.iter().enumerate() {
        let card = shc::verify(one, &trust, at, &lists).map_err(|e| format_error(&a.input, e))?;
        let mut m = card.import(options(&a.target, at, "")?).map_err(|e| format_error(&a.input, e))?;
        if jws.len() > 1 {
            for r in &mut m.records {
                r.source = format!("card {i}: {}", r.source);
            }
        }
        sources.push(
            json!({ "iss": card.iss, "kid": card.kid, "issued": medzk_formats::bytes::rfc3339(card.nbf),
                             "signature": "ES256, verified", "issuer_slot": card.issuer_slot() }),
        );
        mapping.records.extend(m.records);
        mapping.skipped.append(&mut m.skipped);
    }
    finish(&a.target, &a.input, json!({ "format": "shc", "cards": sources }), mapping)
}

/// `import dcc`.
pub fn dcc(a: &DccArgs) -> CliResult<Report> {
    let at = when(&a.target)?;
    let trust =
        dcc::TrustList::parse(&io::read_text(&a.trust_list)?).map_err(|e| format_error(&a.trust_list, e))?;
    let raw = io::read_at_most(&a.input, MAX_CREDENTIAL_FILE)?;
    let text = if raw.starts_with(b"\x89PNG") {
        let texts = medzk_formats::qr_image::decode_png(&raw).map_err(|e| format_error(&a.input, e))?;
        texts
            .into_iter()
            .find(|t| t.starts_with("HC1:"))
            .ok_or_else(|| CliError::file(&a.input, "the image holds no HC1: QR code"))?
    } else {
        String::from_utf8(raw).map_err(|_| CliError::file(&a.input, "neither UTF-8 text nor a PNG image"))?
    };
    let cert = dcc::verify(&text, &trust, at).map_err(|e| format_error(&a.input, e))?;
    let mapping = cert.import(options(&a.target, at, "")?).map_err(|e| format_error(&a.input, e))?;
    let source = json!({
        "format": "dcc",
        "issuer_country": cert.claims.issuer,
        "kid": medzk_formats::bytes::to_base64(&cert.kid),
        "signature": format!("{:?}, verified", cert.alg).to_uppercase(),
        "issued": cert.claims.issued_at.map(medzk_formats::bytes::rfc3339),
        "expires": cert.claims.expires.map(medzk_formats::bytes::rfc3339),
        "issuer_slot": cert.issuer_slot(),
    });
    finish(&a.target, &a.input, source, mapping)
}

/// `import fhir`.
pub fn fhir(a: &FhirArgs) -> CliResult<Report> {
    let at = when(&a.target)?;
    if a.issuer.trim().is_empty() {
        return Err(CliError::Input("--issuer is empty; name the issuer (for example clinic:oslo-1)".into()));
    }
    let file = std::fs::File::open(&a.input).map_err(|e| CliError::file(&a.input, io::plain(&e)))?;
    let mapping =
        fhir::import(file, options(&a.target, at, &a.issuer)?).map_err(|e| format_error(&a.input, e))?;
    finish(&a.target, &a.input, json!({ "format": "fhir", "issuer": a.issuer }), mapping)
}

fn record_json(m: &map::Mapped) -> Value {
    let r = &m.record;
    let ext = match &r.ext {
        Ext::None => Value::Null,
        Ext::Lot(lot) => json!({ "lot": lot }),
        Ext::Code(c) => json!({ "code": c.to_string() }),
        Ext::Number(n) => json!({ "number": n }),
    };
    json!({
        "source": m.source, "kind": map::kind_name(r.kind), "code": r.code.to_string(), "date": r.date.to_string(),
        "value": r.value, "aux": r.aux, "ext": ext, "issuer": r.issuer, "notes": m.notes,
    })
}

/// Dry run: print. Otherwise: write every credential (leaf indexes as the registry will
/// give them), append all commitments in one transaction, write the summary; a failed
/// append removes every file written, and a registry that moved in between gets the
/// credentials rewritten with the leaves it gave.
fn finish(target: &Target, input: &Path, source: Value, mapping: Mapping) -> CliResult<Report> {
    let counts = json!({ "records": mapping.count_by_kind(), "skipped": mapping.skipped_by_type() });
    let skipped: Vec<Value> =
        mapping.skipped.iter().map(|s| serde_json::to_value(s).expect("serializable")).collect();
    if target.dry_run {
        let records: Vec<Value> = mapping.records.iter().map(record_json).collect();
        let text = format!(
            "dry run: {} record(s) would be issued, {} skipped (registry untouched)\n{}",
            records.len(),
            skipped.len(),
            crate::report::pretty(&json!({ "records": records, "skipped": skipped }))
        );
        let out = json!({ "dry_run": true, "source": source, "counts": counts, "records": records, "skipped": skipped });
        return Ok(Report::new(text, out));
    }
    if mapping.records.is_empty() {
        return Err(CliError::file(
            input,
            format!("nothing to import: {} skipped ({counts})", skipped.len()),
        ));
    }
    let Some(out_dir) = &target.out_dir else {
        return Err(CliError::Input("give --out-dir (or --dry-run)".into()));
    };
    std::fs::create_dir_all(out_dir).map_err(|e| CliError::file(out_dir, io::plain(&e)))?;
    let summary_path = out_dir.join("summary.json");
    if summary_path.exists() {
        return Err(CliError::file(&summary_path, "exists: import into an empty directory"));
    }
    let sink = Sink::open(target)?;
    // A local registry is held while this runs, so its next leaf is known; through a
    // service the leaves are known only once it has appended (u64::MAX until then).
    let first = sink.next_leaf()?;
    let mut written: Vec<PathBuf> = Vec::new();
    let undo = |written: &[PathBuf]| {
        for f in written {
            let _ = std::fs::remove_file(f);
        }
    };
    let mut issued = Vec::new();
    // Fresh salts; a codes record's follows its record's, which ties the two.
    let salts = mapping.salts(&mut rand::rngs::OsRng);
    for (i, (m, salt)) in mapping.records.iter().zip(salts).enumerate() {
        let file = out_dir.join(format!("{i:04}-{}.json", map::kind_name(m.record.kind)));
        let credential = Credential::new(m.record.clone(), salt.clone(), first.saturating_add(i as u64));
        if let Err(e) = io::write_private(&file, credential.to_json().as_bytes(), false) {
            undo(&written);
            return Err(e);
        }
        written.push(file.clone());
        issued.push((file, m.record.clone(), salt, credential.commitment));
    }
    let commitments: Vec<field::Fr> = issued.iter().map(|(_, _, _, c)| *c).collect();
    let appended = match sink.append(&commitments) {
        Ok(a) => a,
        Err(Failed::Refused(e)) => {
            undo(&written);
            return Err(e);
        }
        Err(Failed::Unclear(e)) => {
            return Err(CliError::Input(format!(
                "{e}; the service may or may not have appended the {} commitments: {} keeps the records and \
                 their salts (leaf indexes unknown); ask the operator before importing again",
                commitments.len(),
                out_dir.display()
            )));
        }
    };
    if appended.first != first {
        // Another issuer appended in between (or the service chose the leaves): the
        // leaves are ours, at these indexes.
        for (i, (file, record, salt, _)) in issued.iter().enumerate() {
            let credential = Credential::new(record.clone(), salt.clone(), appended.first + i as u64);
            io::write_private(file, credential.to_json().as_bytes(), true)?;
        }
    }
    let imported: Vec<Value> = mapping
        .records
        .iter()
        .zip(&issued)
        .enumerate()
        .map(|(i, (m, (file, ..)))| {
            let mut v = record_json(m);
            v["credential_file"] = shown(file);
            v["leaf"] = json!(appended.first + i as u64);
            v
        })
        .collect();
    let root = field::to_hex(&appended.checkpoint.root);
    let summary = json!({
        "source": source, "counts": counts, "imported": imported, "skipped": skipped,
        "registry": { "at": sink.describe(), "first_leaf": appended.first, "root": root, "checkpoint": appended.checkpoint },
    });
    io::write_with(&summary_path, crate::report::pretty(&summary).as_bytes(), false).map_err(|e| {
        CliError::Input(format!(
            "the records were appended (leaves {}..={}) and their credentials written to {}, but the summary was not: {e}",
            appended.first,
            appended.first + imported.len() as u64 - 1,
            out_dir.display()
        ))
    })?;
    let text = format!(
        "imported {} record(s) as leaves {}..={} (root {}), skipped {}; credentials and summary.json in {}",
        imported.len(),
        appended.first,
        appended.first + imported.len() as u64 - 1,
        super::short(&root),
        skipped.len(),
        out_dir.display()
    );
    let mut out = summary;
    out["summary_file"] = shown(&summary_path);
    Ok(Report::new(text, out))
}

/// Where an import appends: a registry this process opens, or a registry service.
enum Sink {
    Local(PathBuf, medzk_registry::Registry),
    Remote(String, Box<IssuerSecret>),
}

/// An append that failed: clearly (nothing appended) or with no answer.
enum Failed {
    Refused(CliError),
    Unclear(CliError),
}

impl Sink {
    fn open(target: &Target) -> CliResult<Sink> {
        match (&target.registry, &target.registry_url, &target.issuer_key) {
            (Some(path), _, _) => Ok(Sink::Local(path.clone(), registry::open(path)?)),
            (None, Some(url), Some(key_file)) => {
                let key = IssuerSecret::from_json(&io::read_text(key_file)?)
                    .map_err(|e| CliError::file(key_file, e))?;
                Ok(Sink::Remote(url.clone(), Box::new(key)))
            }
            _ => Err(CliError::Input(
                "give --registry, or --registry-url with --issuer-key (or --dry-run)".into(),
            )),
        }
    }

    fn next_leaf(&self) -> CliResult<u64> {
        match self {
            Sink::Local(path, reg) => reg.len().map_err(|e| CliError::file(path, e)),
            Sink::Remote(..) => Ok(u64::MAX),
        }
    }

    fn append(&self, commitments: &[field::Fr]) -> Result<medzk_registry::Appended, Failed> {
        match self {
            Sink::Local(path, reg) => reg
                .append_batch(commitments, now_unix())
                .map_err(|e| Failed::Refused(CliError::file(path, e))),
            Sink::Remote(url, key) => match Client::new(url).append(key, commitments) {
                Ok(reply) => {
                    Ok(medzk_registry::Appended { first: reply.first, checkpoint: reply.checkpoint })
                }
                Err(e @ ClientError::Refused { .. }) => Err(Failed::Refused(CliError::Input(e.to_string()))),
                Err(e) => Err(Failed::Unclear(CliError::Input(e.to_string()))),
            },
        }
    }

    fn describe(&self) -> Value {
        match self {
            Sink::Local(path, _) => shown(&crate::io::redacted(path)),
            Sink::Remote(url, key) => json!({ "service": url, "appended_by": key.name() }),
        }
    }
}

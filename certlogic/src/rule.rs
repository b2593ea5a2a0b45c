//! DCC business-rule files and a country's verdict over a certificate: every acceptance
//! rule of the certificate's type (and every general rule) must pass.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::eval;

/// The certificate type a rule applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub enum CertificateType {
    /// Every certificate.
    General,
    /// Vaccination certificates (`v`).
    Vaccination,
    /// Test certificates (`t`).
    Test,
    /// Recovery certificates (`r`).
    Recovery,
}

impl CertificateType {
    /// The payload's entry array for this type (`None` for general rules).
    pub fn entry(self) -> Option<&'static str> {
        match self {
            CertificateType::General => None,
            CertificateType::Vaccination => Some("v"),
            CertificateType::Test => Some("t"),
            CertificateType::Recovery => Some("r"),
        }
    }

    /// The type of a DCC payload: the one entry array it holds.
    pub fn of_payload(payload: &Value) -> Option<CertificateType> {
        let has = |k: &str| payload.get(k).and_then(Value::as_array).is_some_and(|a| !a.is_empty());
        match (has("v"), has("t"), has("r")) {
            (true, false, false) => Some(CertificateType::Vaccination),
            (false, true, false) => Some(CertificateType::Test),
            (false, false, true) => Some(CertificateType::Recovery),
            _ => None,
        }
    }
}

/// A rule's description in one language.
#[derive(Clone, Debug, Deserialize)]
pub struct Description {
    /// Language code.
    pub lang: String,
    /// Text.
    pub desc: String,
}

/// One business rule, as published on the DCC gateway.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Rule {
    /// For example `VR-DE-0001`.
    pub identifier: String,
    /// `Acceptance` or `Invalidation`.
    #[serde(rename = "Type")]
    pub rule_type: String,
    /// The country that set it.
    pub country: String,
    /// The rule's version.
    pub version: String,
    /// `CERTLOGIC`.
    pub engine: String,
    /// The certificate type it applies to.
    pub certificate_type: CertificateType,
    /// Descriptions.
    #[serde(default)]
    pub description: Vec<Description>,
    /// Valid from (date-time).
    pub valid_from: String,
    /// Valid until (date-time).
    pub valid_to: String,
    /// The CertLogic expression.
    pub logic: Value,
}

/// A rule file that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    /// Not readable.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a rule.
    #[error("{path}: not a DCC business rule: {why}")]
    Malformed {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
}

impl Rule {
    /// Parses a rule from its JSON text.
    pub fn parse(text: &str) -> Result<Rule, String> {
        let rule: Rule = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if rule.engine != "CERTLOGIC" {
            return Err(format!("engine {:?} (only CERTLOGIC rules are read)", rule.engine));
        }
        Ok(rule)
    }

    /// Reads a rule file.
    pub fn read(path: &Path) -> Result<Rule, RuleError> {
        let name = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|source| RuleError::Io { path: name.clone(), source })?;
        Rule::parse(&text).map_err(|why| RuleError::Malformed { path: name, why })
    }

    /// The English description, or the first one.
    pub fn text(&self) -> &str {
        self.description
            .iter()
            .find(|d| d.lang == "en")
            .or(self.description.first())
            .map_or("", |d| d.desc.as_str())
    }

    /// Whether the rule applies to certificates of `kind`.
    pub fn applies_to(&self, kind: CertificateType) -> bool {
        self.certificate_type == CertificateType::General || self.certificate_type == kind
    }
}

/// Value sets by id (`external.valueSets.<id>`): the codes each lists.
pub type ValueSets = BTreeMap<String, Vec<String>>;

/// Reads every value-set file (`{"valueSetId": …, "valueSetValues": {code: …}}`) in `dir`.
pub fn read_value_sets(dir: &Path) -> Result<ValueSets, RuleError> {
    let io = |source| RuleError::Io { path: dir.display().to_string(), source };
    let mut sets = ValueSets::new();
    let mut paths: Vec<_> = std::fs::read_dir(dir).map_err(io)?.collect::<Result<Vec<_>, _>>().map_err(io)?;
    paths.sort_by_key(|e| e.path());
    for entry in paths {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let name = path.display().to_string();
        let text =
            std::fs::read_to_string(&path).map_err(|source| RuleError::Io { path: name.clone(), source })?;
        let malformed = |why: &str| RuleError::Malformed { path: name.clone(), why: why.into() };
        let v: Value = serde_json::from_str(&text).map_err(|e| malformed(&e.to_string()))?;
        let id = v.get("valueSetId").and_then(Value::as_str).ok_or_else(|| malformed("no valueSetId"))?;
        let values = v
            .get("valueSetValues")
            .and_then(Value::as_object)
            .ok_or_else(|| malformed("no valueSetValues"))?;
        sets.insert(id.to_string(), values.keys().cloned().collect());
    }
    Ok(sets)
}

/// The data a rule is evaluated over: the payload and the external parameters.
pub fn context(payload: &Value, clock: &str, value_sets: &ValueSets) -> Value {
    json!({
        "payload": payload,
        "external": { "validationClock": clock, "valueSets": value_sets },
    })
}

/// A rule's outcome on one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The rule passed.
    Passed,
    /// The rule failed.
    Failed,
    /// The rule could not be evaluated (counts as failed).
    Error(String),
}

/// Every applicable acceptance rule's outcome on `payload` at `clock`, and the verdict:
/// accepted when every one passed. A payload that is not exactly one of vaccination, test
/// or recovery is not accepted.
pub fn verdict(
    rules: &[Rule],
    payload: &Value,
    clock: &str,
    value_sets: &ValueSets,
) -> (bool, Vec<(String, Outcome)>) {
    let Some(kind) = CertificateType::of_payload(payload) else { return (false, Vec::new()) };
    let data = context(payload, clock, value_sets);
    let mut outcomes = Vec::new();
    for rule in rules.iter().filter(|r| r.rule_type == "Acceptance" && r.applies_to(kind)) {
        let outcome = match eval::passes(&rule.logic, &data) {
            Ok(true) => Outcome::Passed,
            Ok(false) => Outcome::Failed,
            Err(e) => Outcome::Error(e.to_string()),
        };
        outcomes.push((rule.identifier.clone(), outcome));
    }
    (outcomes.iter().all(|(_, o)| *o == Outcome::Passed), outcomes)
}

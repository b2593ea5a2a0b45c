//! Coded concepts `system|code` (FHIR Coding), hashed to one field element.
//!
//! The system is a canonical FHIR URI; short aliases are accepted on input and always
//! expanded, so `cvx|208` and `http://hl7.org/fhir/sid/cvx|208` are the same code.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::Error as _};

use crate::field::Fr;
use crate::{tags, text::hash_text};

/// Longest accepted `system|code` text, in bytes.
pub const MAX_CODE_BYTES: usize = 256;

/// Short names for the code systems medzk's examples use.
pub const SYSTEM_ALIASES: [(&str, &str); 6] = [
    ("cvx", "http://hl7.org/fhir/sid/cvx"),
    ("loinc", "http://loinc.org"),
    ("sct", "http://snomed.info/sct"),
    ("snomed", "http://snomed.info/sct"),
    ("icd10", "http://hl7.org/fhir/sid/icd-10"),
    ("gender", "http://hl7.org/fhir/administrative-gender"),
];

/// A coded concept: code system URI and code.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code {
    system: String,
    code: String,
}

/// Text that is not a valid `system|code`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// No `|` between system and code.
    #[error("code {0:?} is not of the form system|code")]
    MissingSeparator(String),
    /// Empty system or code.
    #[error("code {0:?} has an empty system or code")]
    Empty(String),
    /// Longer than [`MAX_CODE_BYTES`].
    #[error("code is longer than {MAX_CODE_BYTES} bytes")]
    TooLong,
}

impl Code {
    /// A code from its system (alias or URI) and code.
    pub fn new(system: &str, code: &str) -> Result<Code, CodeError> {
        let system = SYSTEM_ALIASES
            .iter()
            .find(|(alias, _)| alias.eq_ignore_ascii_case(system))
            .map_or(system, |(_, uri)| uri);
        let whole = format!("{system}|{code}");
        if system.is_empty() || code.is_empty() || system.trim() != system || code.trim() != code {
            return Err(CodeError::Empty(whole));
        }
        if whole.len() > MAX_CODE_BYTES {
            return Err(CodeError::TooLong);
        }
        Ok(Code { system: system.to_string(), code: code.to_string() })
    }

    /// The code system URI.
    pub fn system(&self) -> &str {
        &self.system
    }

    /// The code within its system.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The slot encoding: `hash_text(CODE, "system|code")`.
    pub fn to_field(&self) -> Fr {
        hash_text(tags::CODE, &self.to_string())
    }
}

impl std::str::FromStr for Code {
    type Err = CodeError;

    fn from_str(s: &str) -> Result<Code, CodeError> {
        if s.len() > MAX_CODE_BYTES {
            return Err(CodeError::TooLong);
        }
        let (system, code) = s.split_once('|').ok_or_else(|| CodeError::MissingSeparator(s.to_string()))?;
        Code::new(system, code)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}|{}", self.system, self.code)
    }
}

impl fmt::Debug for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Code({self})")
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Code, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_expand_to_the_same_code() {
        let a: Code = "cvx|208".parse().unwrap();
        let b: Code = "http://hl7.org/fhir/sid/cvx|208".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.to_field(), b.to_field());
        assert_eq!(a.to_string(), "http://hl7.org/fhir/sid/cvx|208");
        assert_ne!(a.to_field(), "cvx|207".parse::<Code>().unwrap().to_field());
    }

    #[test]
    fn rejects_malformed_codes() {
        assert!(matches!("208".parse::<Code>(), Err(CodeError::MissingSeparator(_))));
        assert!(matches!("cvx|".parse::<Code>(), Err(CodeError::Empty(_))));
        assert!(matches!("|208".parse::<Code>(), Err(CodeError::Empty(_))));
        assert!(matches!("cvx| 208".parse::<Code>(), Err(CodeError::Empty(_))));
        assert_eq!(format!("x|{}", "1".repeat(300)).parse::<Code>(), Err(CodeError::TooLong));
    }
}

//! The holder's files: holder key, credential (record + salt + leaf index) and
//! inclusion path. JSON, versioned, validated on load; secrets never in `Debug`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::field::{self, Fr};
use crate::holder::{HolderId, HolderSecret};
use crate::record::{Record, RecordData, Salt};
use crate::tree::MerklePath;

/// Version of the holder file formats.
pub const FILE_VERSION: u32 = 1;
/// Largest holder file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// Why a holder file is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// Not valid JSON for this file kind.
    #[error("invalid {kind} file: {reason}")]
    Json {
        /// The file kind.
        kind: &'static str,
        /// The parser's message.
        reason: String,
    },
    /// Another kind of file, or an unsupported version.
    #[error("not a version-{FILE_VERSION} {0} file")]
    Format(&'static str),
    /// Internally inconsistent (for example a commitment that does not match).
    #[error("inconsistent {kind} file: {reason}")]
    Inconsistent {
        /// The file kind.
        kind: &'static str,
        /// What does not match.
        reason: &'static str,
    },
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("{0} file is too large")]
    TooLarge(&'static str),
}

fn parse<T: for<'de> Deserialize<'de>>(kind: &'static str, text: &str) -> Result<T, FileError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge(kind));
    }
    serde_json::from_str(text).map_err(|e| FileError::Json { kind, reason: e.to_string() })
}

fn check_header(kind: &'static str, format: &str, version: u32, expected: &str) -> Result<(), FileError> {
    if format != expected || version != FILE_VERSION {
        return Err(FileError::Format(kind));
    }
    Ok(())
}

impl Serialize for Salt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        field::serde_hex::serialize(&self.expose(), s)
    }
}

impl<'de> Deserialize<'de> for Salt {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Salt, D::Error> {
        field::serde_hex::deserialize(d).map(Salt::from_field)
    }
}

impl Serialize for HolderSecret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        field::serde_hex::serialize(&self.expose(), s)
    }
}

impl<'de> Deserialize<'de> for HolderSecret {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<HolderSecret, D::Error> {
        let x = field::serde_hex::deserialize(d)?;
        HolderSecret::from_bytes(&field::to_bytes(&x)).map_err(serde::de::Error::custom)
    }
}

/// The holder's key file.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolderKeyFile {
    /// `"medzk-holder-key"`.
    pub format: String,
    /// [`FILE_VERSION`].
    pub version: u32,
    /// The secret.
    pub secret: HolderSecret,
    /// Its public id (what issuers need).
    pub holder_id: HolderId,
}

impl HolderKeyFile {
    const KIND: &'static str = "holder key";
    const FORMAT: &'static str = "medzk-holder-key";

    /// The file for `secret`.
    pub fn new(secret: HolderSecret) -> HolderKeyFile {
        let holder_id = secret.id();
        HolderKeyFile { format: Self::FORMAT.into(), version: FILE_VERSION, secret, holder_id }
    }

    /// Parses and validates.
    pub fn from_json(text: &str) -> Result<HolderKeyFile, FileError> {
        let f: HolderKeyFile = parse(Self::KIND, text)?;
        check_header(Self::KIND, &f.format, f.version, Self::FORMAT)?;
        if f.secret.id() != f.holder_id {
            return Err(FileError::Inconsistent {
                kind: Self::KIND,
                reason: "holder id does not match the secret",
            });
        }
        Ok(f)
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serializable")
    }
}

impl fmt::Debug for HolderKeyFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HolderKeyFile({:?}, <secret redacted>)", self.holder_id)
    }
}

/// A credential: the record an issuer committed, with what the holder needs to prove.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Credential {
    /// `"medzk-credential"`.
    pub format: String,
    /// [`FILE_VERSION`].
    pub version: u32,
    /// The record.
    pub record: RecordData,
    /// The commitment's blinding.
    pub salt: Salt,
    /// The leaf the commitment was appended at.
    pub leaf_index: u64,
    /// The commitment (the registry leaf).
    #[serde(with = "field::serde_hex")]
    pub commitment: Fr,
}

impl Credential {
    const KIND: &'static str = "credential";
    const FORMAT: &'static str = "medzk-credential";

    /// A credential for `record` committed with `salt` at `leaf_index`.
    pub fn new(record: RecordData, salt: Salt, leaf_index: u64) -> Credential {
        let commitment = record.encode(&salt).commitment();
        Credential {
            format: Self::FORMAT.into(),
            version: FILE_VERSION,
            record,
            salt,
            leaf_index,
            commitment,
        }
    }

    /// Parses and validates (the commitment must match the record and salt).
    pub fn from_json(text: &str) -> Result<Credential, FileError> {
        let c: Credential = parse(Self::KIND, text)?;
        check_header(Self::KIND, &c.format, c.version, Self::FORMAT)?;
        if c.slots().commitment() != c.commitment {
            return Err(FileError::Inconsistent {
                kind: Self::KIND,
                reason: "commitment does not match the record",
            });
        }
        Ok(c)
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serializable")
    }

    /// The record in slot form.
    pub fn slots(&self) -> Record {
        self.record.encode(&self.salt)
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Credential({:?}, leaf {}, <contents redacted>)", self.record.kind, self.leaf_index)
    }
}

/// An inclusion path with the root it leads to, as a registry hands it out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InclusionFile {
    /// `"medzk-inclusion-path"`.
    pub format: String,
    /// [`FILE_VERSION`].
    pub version: u32,
    /// The registry root.
    #[serde(with = "field::serde_hex")]
    pub root: Fr,
    /// The path.
    pub path: MerklePath,
}

impl InclusionFile {
    const KIND: &'static str = "inclusion path";
    const FORMAT: &'static str = "medzk-inclusion-path";

    /// The file for `path` under `root`.
    pub fn new(path: MerklePath, root: Fr) -> InclusionFile {
        InclusionFile { format: Self::FORMAT.into(), version: FILE_VERSION, root, path }
    }

    /// Parses and validates.
    pub fn from_json(text: &str) -> Result<InclusionFile, FileError> {
        let f: InclusionFile = parse(Self::KIND, text)?;
        check_header(Self::KIND, &f.format, f.version, Self::FORMAT)?;
        Ok(f)
    }

    /// The JSON text.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("serializable")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Day;
    use crate::tree::{Depth, MemoryTree};

    fn credential() -> (Credential, HolderSecret) {
        let secret = HolderSecret::from_bytes(&[3; 32]).unwrap();
        let record = RecordData::immunization(
            secret.id(),
            "cvx|208".parse().unwrap(),
            Day::from_ymd(2026, 1, 2).unwrap(),
            1,
            2,
            "LOT1",
            "clinic:x",
        );
        (Credential::new(record, Salt::from_field(Fr::from(9u64)), 4), secret)
    }

    #[test]
    fn files_round_trip_and_redact() {
        let (c, secret) = credential();
        let back = Credential::from_json(&c.to_json()).unwrap();
        assert_eq!(back.commitment, c.commitment);
        assert_eq!(format!("{c:?}"), "Credential(Immunization, leaf 4, <contents redacted>)");
        let key = HolderKeyFile::new(secret);
        let back = HolderKeyFile::from_json(&key.to_json()).unwrap();
        assert_eq!(back.holder_id, key.holder_id);
        assert!(!format!("{key:?}").contains(&field::to_hex(&key.secret.expose())));
        let tree = MemoryTree::empty(Depth::new(4).unwrap());
        let inc = InclusionFile::new(tree.inclusion_path(3), tree.current_root());
        assert_eq!(InclusionFile::from_json(&inc.to_json()).unwrap(), inc);
    }

    #[test]
    fn bad_files_are_typed_errors() {
        let (c, secret) = credential();
        let json = c.to_json();
        assert!(matches!(Credential::from_json("{"), Err(FileError::Json { .. })));
        assert!(matches!(Credential::from_json("null"), Err(FileError::Json { .. })));
        assert_eq!(
            Credential::from_json(&json.replace("\"version\": 1", "\"version\": 2")).unwrap_err(),
            FileError::Format("credential")
        );
        let tampered = json.replace("\"value\": 1", "\"value\": 2");
        assert!(matches!(Credential::from_json(&tampered), Err(FileError::Inconsistent { .. })));
        let key = HolderKeyFile::new(secret).to_json();
        let other = HolderKeyFile::new(HolderSecret::from_bytes(&[4; 32]).unwrap());
        let swapped = key.replace(&other.holder_id.to_string(), "").replace(
            &HolderKeyFile::from_json(&key).unwrap().holder_id.to_string(),
            &other.holder_id.to_string(),
        );
        assert!(matches!(HolderKeyFile::from_json(&swapped), Err(FileError::Inconsistent { .. })));
        assert_eq!(
            Credential::from_json(&" ".repeat(MAX_FILE_BYTES + 1)).unwrap_err(),
            FileError::TooLarge("credential")
        );
        assert!(InclusionFile::from_json("{\"format\":\"x\"}").is_err());
    }
}

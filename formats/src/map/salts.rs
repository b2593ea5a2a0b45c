//! Salts derived from the records, for importers that must give one fact one commitment.
//!
//! An import with fresh salts gives a card imported twice (or two cards that repeat a
//! dose) two commitments per fact, and a policy that counts distinct records would count
//! that fact twice: the circuit's distinctness is distinctness of commitments. A registry
//! service that imports cards for wallets ([`SaltKey`], docs/import.md "Through the
//! registry service") therefore derives each salt from the record itself under a key only
//! it holds: `salt = SHA-512("medzk/import-salt/v1" ‖ key ‖ slots)[..31]`, where `slots` are
//! the record's eight committed slots (kind, holder, code, date, value, aux, ext, issuer;
//! fixed length, 256 bytes). The same fact for the same holder from the same issuer gets
//! the same salt, so the same commitment, which a proof cannot use twice; any other record
//! gets an independent salt, as unpredictable as a fresh one to whoever lacks the key.
//! A codes record's salt is its record's companion, as with fresh salts.

use std::fmt;

use medzk_circuits::field::{self, Fr};
use medzk_circuits::record::{RecordData, Salt};
use sha2::{Digest, Sha512};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::Mapping;

/// Domain tag of a derived salt.
const TAG: &[u8] = b"medzk/import-salt/v1\0";

/// The secret an importer derives salts under: 32 bytes. `Debug` shows nothing of it.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SaltKey([u8; 32]);

impl SaltKey {
    /// A fresh key.
    pub fn generate<R: rand::RngCore + rand::CryptoRng>(rng: &mut R) -> SaltKey {
        let mut key = [0u8; 32];
        rng.fill_bytes(&mut key);
        SaltKey(key)
    }

    /// A key from its 64 hex digits (surrounding white space ignored).
    pub fn from_hex(text: &str) -> Result<SaltKey, &'static str> {
        let mut key = [0u8; 32];
        hex::decode_to_slice(text.trim(), &mut key).map_err(|_| "an import salt key is 64 hex digits")?;
        Ok(SaltKey(key))
    }

    /// The key's 64 hex digits (for its file).
    pub fn to_hex(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0))
    }

    /// The salt of `record` (not of a codes record: see [`Mapping::derived_salts`]).
    pub fn salt(&self, record: &RecordData) -> Salt {
        let slots = record.encode(&Salt::from_field(Fr::from(0u64)));
        let mut hash = Sha512::new();
        hash.update(TAG);
        hash.update(self.0);
        for slot in &slots.slots()[..slots.slots().len() - 1] {
            hash.update(field::to_bytes(slot));
        }
        let digest = Zeroizing::new(hash.finalize());
        Salt::from_field(field::from_short_bytes(&digest[..31]))
    }
}

impl fmt::Debug for SaltKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SaltKey(<redacted>)")
    }
}

impl Mapping {
    /// Salts derived under `key` ([module docs](self)): each record's from its content, a
    /// codes record's its record's companion.
    pub fn derived_salts(&self, key: &SaltKey) -> Vec<Salt> {
        self.salts_by(|record| key.salt(record))
    }
}

#[cfg(test)]
mod tests {
    use medzk_circuits::code::Code;
    use medzk_circuits::date::Day;
    use medzk_circuits::holder::HolderId;
    use rand::SeedableRng;

    use super::*;
    use crate::map::Mapped;

    fn dose(holder: u64, day: &str, dose: u64) -> RecordData {
        RecordData::immunization(
            HolderId(Fr::from(holder)),
            Code::new("http://hl7.org/fhir/sid/cvx", "208").unwrap(),
            day.parse::<Day>().unwrap(),
            dose,
            2,
            "",
            "shc:https://issuer.example#kid",
        )
    }

    fn mapping(records: Vec<RecordData>) -> Mapping {
        Mapping {
            records: records
                .into_iter()
                .map(|record| Mapped { source: "test".into(), record, notes: vec![] })
                .collect(),
            skipped: vec![],
        }
    }

    #[test]
    fn one_fact_one_salt_and_every_other_record_another() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let key = SaltKey::generate(&mut rng);
        let a = key.salt(&dose(7, "2021-03-01", 1));
        assert!(a == key.salt(&dose(7, "2021-03-01", 1)), "the same fact, the same salt");
        for other in [dose(8, "2021-03-01", 1), dose(7, "2021-03-02", 1), dose(7, "2021-03-01", 2)] {
            assert!(a != key.salt(&other), "another holder, day or dose: another salt");
        }
        assert!(a != SaltKey::generate(&mut rng).salt(&dose(7, "2021-03-01", 1)), "another key");
    }

    #[test]
    fn a_codes_record_follows_its_record_and_a_reimport_repeats_every_salt() {
        let key = SaltKey::from_hex(&"ab".repeat(32)).unwrap();
        let main = dose(7, "2021-03-01", 1);
        let codes = RecordData::codes_of(
            &main,
            Code::new("https://spor.ema.europa.eu/v1/organisations", "ORG-100030215").unwrap(),
            None,
        );
        let m = mapping(vec![main.clone(), codes, dose(7, "2021-04-01", 2)]);
        let salts = m.derived_salts(&key);
        assert!(salts[1] == salts[0].companion());
        assert!(salts[2] == key.salt(&m.records[2].record));
        assert!(salts == m.derived_salts(&key), "a second import gives the same salts");
    }

    #[test]
    fn keys_read_back_and_never_print() {
        let key = SaltKey::from_hex(&"0f".repeat(32)).unwrap();
        assert_eq!(*key.to_hex(), "0f".repeat(32));
        assert_eq!(format!("{key:?}"), "SaltKey(<redacted>)");
        for bad in ["", "0f", &"zz".repeat(32), &"0f".repeat(33)] {
            assert!(SaltKey::from_hex(bad).is_err(), "{bad:?}");
        }
    }
}

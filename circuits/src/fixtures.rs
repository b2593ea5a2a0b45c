//! Deterministic sample data for tests, benches, examples and the demo.

use rand::{SeedableRng, rngs::StdRng};

use crate::code::Code;
use crate::date::Day;
use crate::field::Fr;
use crate::holder::{HolderSecret, Scope};
use crate::record::{RecordData, Salt};
use crate::tree::{Depth, MemoryTree};
use crate::vaccination::{DayWindow, VaccinationPolicy, VaccinationWitness};

/// A border-control policy: an mRNA or viral-vector vaccine (CVX 207, 208, 210, 212,
/// 213), a dose completing its series, given 14 to 365 days ago.
pub fn border_policy() -> VaccinationPolicy {
    let vaccines = ["cvx|207", "cvx|208", "cvx|210", "cvx|212", "cvx|213"]
        .iter()
        .map(|c| c.parse::<Code>().expect("valid code"))
        .collect();
    VaccinationPolicy::new(
        Scope::shared("border:demo").expect("valid scope"),
        vaccines,
        DayWindow { min: 14, max: 365 },
        1,
        true,
    )
    .expect("valid policy")
}

/// A registry holding one holder's immunization among other records.
pub struct VaccinationFixture {
    /// The registry.
    pub tree: MemoryTree,
    /// The holder's secret.
    pub secret: HolderSecret,
    /// The holder's record.
    pub record: RecordData,
    /// Its salt.
    pub salt: Salt,
    /// Its leaf index.
    pub index: u64,
    /// The presentation day.
    pub today: Day,
    /// The verifier's policy.
    pub policy: VaccinationPolicy,
}

impl VaccinationFixture {
    /// A fixture with `others` other leaves; the holder's dose 2 of 2 of CVX 208 was given
    /// `days_ago` days before 2026-11-24.
    pub fn new(depth: Depth, others: u64, days_ago: i32, seed: u64) -> VaccinationFixture {
        let mut rng = StdRng::seed_from_u64(seed);
        let today = Day::from_ymd(2026, 11, 24).expect("valid date");
        let secret = HolderSecret::generate(&mut rng);
        let record = RecordData::immunization(
            secret.id(),
            "cvx|208".parse().expect("valid code"),
            Day(today.0 - days_ago),
            2,
            2,
            "EW0182",
            "clinic:oslo-1",
        );
        VaccinationFixture::with_record(depth, others, record, secret, today, seed)
    }

    /// A fixture around a given record.
    pub fn with_record(
        depth: Depth,
        others: u64,
        record: RecordData,
        secret: HolderSecret,
        today: Day,
        seed: u64,
    ) -> VaccinationFixture {
        let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
        let salt = Salt::generate(&mut rng);
        let mut tree = MemoryTree::empty(depth);
        let index = others / 2;
        for i in 0..others {
            tree.insert(if i < index { i } else { i + 1 }, Fr::from(1_000_003 * (i + 1)));
        }
        tree.insert(index, record.encode(&salt).commitment());
        VaccinationFixture { tree, secret, record, salt, index, today, policy: border_policy() }
    }

    /// The registry root.
    pub fn root(&self) -> Fr {
        self.tree.current_root()
    }

    /// The witness for the holder's record.
    pub fn witness(&self) -> VaccinationWitness {
        VaccinationWitness {
            record: self.record.encode(&self.salt),
            secret: self.secret.clone(),
            path: self.tree.inclusion_path(self.index),
        }
    }
}

/// The trial-eligibility policy of `examples/policies/trial-t2d.json`: age 18-65, type 2
/// diabetes (ICD-10 E11.* or SNOMED CT 44054006) active, HbA1c 6.5-10.0 % within 90
/// days, eGFR (CKD-EPI 62238-1 or MDRD 33914-3) ≥ 45.
pub fn trial_policy() -> crate::policy::Policy {
    crate::policy::Policy::from_json(include_str!("../../examples/policies/trial-t2d.json"))
        .expect("valid policy")
}

/// The EU DCC-style border policy of `examples/policies/border-dcc.json`: vaccinated, or
/// tested negative within 3 days, or recovered (positive test 11-180 days ago).
pub fn border_dcc_policy() -> crate::policy::Policy {
    crate::policy::Policy::from_json(include_str!("../../examples/policies/border-dcc.json"))
        .expect("valid policy")
}

/// LOINC HbA1c and eGFR, SARS-CoV-2 PCR, and SNOMED CT results used by the examples.
pub mod codes {
    use crate::code::Code;

    fn code(text: &str) -> Code {
        text.parse().expect("valid code")
    }
    /// HbA1c (LOINC 4548-4), value in tenths of a percent.
    pub fn hba1c() -> Code {
        code("loinc|4548-4")
    }
    /// eGFR CKD-EPI (LOINC 62238-1), value in mL/min/1.73 m².
    pub fn egfr() -> Code {
        code("loinc|62238-1")
    }
    /// SARS-CoV-2 RNA by PCR (LOINC 94500-6).
    pub fn pcr() -> Code {
        code("loinc|94500-6")
    }
    /// "Not detected" (SNOMED CT 260415000).
    pub fn not_detected() -> Code {
        code("sct|260415000")
    }
    /// "Detected" (SNOMED CT 260373001).
    pub fn detected() -> Code {
        code("sct|260373001")
    }
    /// Type 2 diabetes without complications (ICD-10 E11.9).
    pub fn t2d() -> Code {
        code("icd10|E11.9")
    }
    /// Female (administrative gender).
    pub fn female() -> Code {
        code("gender|female")
    }
}

/// The records of a trial candidate: demographics, a T2D diagnosis, an HbA1c and an eGFR.
pub struct TrialPatient {
    /// Birth date.
    pub birth: Day,
    /// HbA1c in tenths of a percent.
    pub hba1c: u64,
    /// Days since the HbA1c measurement.
    pub hba1c_age: i32,
    /// eGFR.
    pub egfr: u64,
    /// Diagnosis code.
    pub diagnosis: Code,
}

impl TrialPatient {
    /// An eligible candidate (born 1975-06-01, HbA1c 7.8 % 20 days ago, eGFR 72).
    pub fn eligible() -> TrialPatient {
        TrialPatient {
            birth: Day::from_ymd(1975, 6, 1).expect("valid"),
            hba1c: 78,
            hba1c_age: 20,
            egfr: 72,
            diagnosis: codes::t2d(),
        }
    }

    /// The records, issued to `secret`'s holder id.
    pub fn records(&self, secret: &HolderSecret, today: Day) -> Vec<RecordData> {
        use crate::record::ClinicalStatus;
        let id = secret.id();
        vec![
            RecordData::demographics(id, self.birth, codes::female(), "registry:population"),
            RecordData::condition(
                id,
                self.diagnosis.clone(),
                Day(today.0 - 800),
                ClinicalStatus::Active,
                None,
                "clinic:endocrinology-1",
            ),
            RecordData::observation(
                id,
                codes::hba1c(),
                Day(today.0 - self.hba1c_age),
                self.hba1c,
                None,
                "lab:central-1",
            ),
            RecordData::observation(id, codes::egfr(), Day(today.0 - 30), self.egfr, None, "lab:central-1"),
        ]
    }
}

/// A registry holding one holder's records among others, for policy statements.
pub struct PolicyFixture {
    /// The registry.
    pub tree: MemoryTree,
    /// The holder's secret.
    pub secret: HolderSecret,
    /// The holder's records in slot form with their leaf indices.
    pub records: Vec<(crate::record::Record, u64)>,
    /// The presentation day.
    pub today: Day,
}

impl PolicyFixture {
    /// Commits `records` (and `others` unrelated leaves) to a registry of `depth`. A codes
    /// record gets the salt of the record before it's companion: it completes that one.
    pub fn new(
        depth: Depth,
        secret: HolderSecret,
        records: &[RecordData],
        others: u64,
        today: Day,
        seed: u64,
    ) -> PolicyFixture {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut tree = MemoryTree::empty(depth);
        for i in 0..others {
            tree.insert(i, Fr::from(7_000_001 * (i + 1)));
        }
        let mut out = Vec::new();
        let mut previous = Salt::generate(&mut rng);
        for (j, r) in records.iter().enumerate() {
            let salt = match r.kind {
                crate::record::RecordKind::Codes => previous.companion(),
                _ => Salt::generate(&mut rng),
            };
            let slots = r.encode(&salt);
            previous = salt;
            let index = others + j as u64;
            tree.insert(index, slots.commitment());
            out.push((slots, index));
        }
        PolicyFixture { tree, secret, records: out, today }
    }

    /// The registry root.
    pub fn root(&self) -> Fr {
        self.tree.current_root()
    }

    /// The holder's records with their inclusion paths.
    pub fn credentials(&self) -> Vec<(crate::record::Record, crate::tree::MerklePath)> {
        self.records.iter().map(|(r, i)| (r.clone(), self.tree.inclusion_path(*i))).collect()
    }
}

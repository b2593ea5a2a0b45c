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
        Scope::new("border:demo").expect("valid scope"),
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

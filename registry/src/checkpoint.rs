//! Checkpoints: the ledger's entries. Each records the root after one event and hashes the
//! checkpoint before it, so the roots form a tamper-evident chain.

use medzk_circuits::field::{self, Fr};
use medzk_circuits::poseidon::Poseidon;
use medzk_circuits::tags;
use serde::{Deserialize, Serialize};

/// What a checkpoint records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "event")]
pub enum Event {
    /// The empty registry.
    Create,
    /// `count` leaves appended from index `first`.
    Append {
        /// First new index.
        first: u64,
        /// Number of leaves.
        count: u64,
    },
    /// A leaf emptied.
    Revoke {
        /// The revoked index.
        index: u64,
    },
}

impl Event {
    fn code(self) -> [u64; 3] {
        match self {
            Event::Create => [0, 0, 0],
            Event::Append { first, count } => [1, first, count],
            Event::Revoke { index } => [2, index, 0],
        }
    }

    fn from_code(code: [u64; 3]) -> Option<Event> {
        match code {
            [0, 0, 0] => Some(Event::Create),
            [1, first, count] => Some(Event::Append { first, count }),
            [2, index, 0] => Some(Event::Revoke { index }),
            _ => None,
        }
    }
}

/// One entry of the root ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// Position in the ledger, from 0.
    pub seq: u64,
    /// The root after the event.
    #[serde(with = "field::serde_hex")]
    pub root: Fr,
    /// Leaves appended so far (revoked ones included).
    pub leaves: u64,
    /// Unix time of the event, in seconds.
    pub timestamp: i64,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
    /// Hash of the previous checkpoint (0 for the first).
    #[serde(with = "field::serde_hex")]
    pub previous: Fr,
    /// `Poseidon10(CHECKPOINT; previous, root, leaves, timestamp, seq, event…)`.
    #[serde(with = "field::serde_hex")]
    pub hash: Fr,
}

const CHECKPOINT_BYTES: usize = 8 + 32 + 8 + 8 + 24 + 32 + 32;

impl Checkpoint {
    pub(crate) fn new(
        seq: u64,
        root: Fr,
        leaves: u64,
        timestamp: i64,
        event: Event,
        previous: Fr,
    ) -> Checkpoint {
        let mut c = Checkpoint { seq, root, leaves, timestamp, event, previous, hash: Fr::from(0u64) };
        c.hash = c.compute_hash();
        c
    }

    /// The hash this checkpoint should carry.
    pub fn compute_hash(&self) -> Fr {
        let [kind, a, b] = self.event.code();
        Poseidon::t10().hash(
            tags::CHECKPOINT,
            &[
                self.previous,
                self.root,
                Fr::from(self.leaves),
                Fr::from(self.timestamp),
                Fr::from(self.seq),
                Fr::from(kind),
                Fr::from(a),
                Fr::from(b),
            ],
        )
    }

    pub(crate) fn to_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(CHECKPOINT_BYTES);
        out.extend_from_slice(&self.seq.to_le_bytes());
        out.extend_from_slice(&field::to_bytes(&self.root));
        out.extend_from_slice(&self.leaves.to_le_bytes());
        out.extend_from_slice(&self.timestamp.to_le_bytes());
        for x in self.event.code() {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.extend_from_slice(&field::to_bytes(&self.previous));
        out.extend_from_slice(&field::to_bytes(&self.hash));
        out
    }

    pub(crate) fn from_bytes(b: &[u8]) -> Option<Checkpoint> {
        if b.len() != CHECKPOINT_BYTES {
            return None;
        }
        let u = |at: usize| u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"));
        let f = |at: usize| field::from_bytes(&b[at..at + 32]).ok();
        Some(Checkpoint {
            seq: u(0),
            root: f(8)?,
            leaves: u(40),
            timestamp: u(48) as i64,
            event: Event::from_code([u(56), u(64), u(72)])?,
            previous: f(80)?,
            hash: f(112)?,
        })
    }
}

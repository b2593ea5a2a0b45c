//! The audit log: an append-only record of every write request made to a registry — who,
//! what, when and with what outcome — kept in the registry's own storage, in the same
//! transaction as the change it records, so a crash can never leave a change without its
//! entry (or an entry without its change).
//!
//! **Chained.** Each entry carries the hash of the entry before it; its own hash is
//! `SHA-256("medzk/audit/v1\0" ‖ previous ‖ body)`, where `body` is the entry's JSON with
//! the `hash` field left out (fields in the order documented in docs/formats.md, no
//! whitespace).
//!
//! **Anchored to the ledger.** Each entry names the checkpoint that was the registry's
//! latest once the request was handled (the checkpoint an accepted write made, or the
//! current one for a refused request). [`verify`] checks the chain, that every named
//! checkpoint is in the ledger with that hash, and that every checkpoint after the first
//! audited one was made by exactly one accepted entry whose action matches the
//! checkpoint's event. Since verifiers pin the operator's signatures on checkpoints, an
//! entry cannot be rewritten or dropped without that showing against a signed head.
//!
//! Reads (paths, heads) are not logged: a log of which leaf each holder fetched would tell
//! the operator exactly what the private subtree fetch hides. They are counted in the
//! service's metrics instead.

use medzk_circuits::field::{self, Fr};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Checkpoint, Event, RegistryError};

/// Domain tag of an entry's hash.
pub const AUDIT_TAG: &[u8] = b"medzk/audit/v1\0";
/// Longest actor name kept (longer claimed names are cut).
pub const MAX_ACTOR_BYTES: usize = 128;
/// Longest refusal reason kept.
pub const MAX_REASON_BYTES: usize = 512;

/// Who made a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActorKind {
    /// An enrolled issuer whose signature verified.
    Issuer,
    /// The registry's operator (signed with the operator key).
    Operator,
    /// A process with direct access to the storage (the CLI on a file or database).
    Local,
    /// A request whose signature did not verify: the name is what it claimed.
    Unauthenticated,
}

/// The request an entry records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Who.
    pub kind: ActorKind,
    /// Their name (an issuer's enrolled name, `operator`, `local`, or a claimed name).
    pub actor: String,
    /// SHA-256 of the request's body, if it came over the network.
    pub body_hash: Option<[u8; 32]>,
    /// The method and path it came on (`POST /v1/append`), if over the network.
    pub route: Option<String>,
}

impl Request {
    /// A local write (the CLI on the storage itself).
    pub fn local() -> Request {
        Request { kind: ActorKind::Local, actor: "local".into(), body_hash: None, route: None }
    }

    /// An authenticated issuer's request.
    pub fn issuer(name: &str, body: &[u8]) -> Request {
        Request {
            kind: ActorKind::Issuer,
            actor: name.into(),
            body_hash: Some(Sha256::digest(body).into()),
            route: None,
        }
    }

    /// The operator's request.
    pub fn operator(body: &[u8]) -> Request {
        Request {
            kind: ActorKind::Operator,
            actor: "operator".into(),
            body_hash: Some(Sha256::digest(body).into()),
            route: None,
        }
    }

    /// A request that did not authenticate; `claimed` is the issuer it named, if any.
    pub fn unauthenticated(claimed: Option<&str>, body: &[u8]) -> Request {
        Request {
            kind: ActorKind::Unauthenticated,
            actor: cut(claimed.unwrap_or(""), MAX_ACTOR_BYTES),
            body_hash: Some(Sha256::digest(body).into()),
            route: None,
        }
    }

    /// The same request, noting the method and path it came on.
    pub fn on(mut self, method: &str, path: &str) -> Request {
        self.route = Some(cut(&format!("{method} {path}"), MAX_ACTOR_BYTES));
        self
    }
}

/// What was asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum Action {
    /// Create the registry.
    Create,
    /// Append `count` commitments (`first` is the first new index once accepted).
    Append {
        /// First new leaf (accepted appends only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        first: Option<u64>,
        /// Commitments in the request.
        count: u64,
    },
    /// Revoke a leaf.
    Revoke {
        /// The leaf.
        index: u64,
    },
    /// Read the audit log (operator).
    ReadAudit,
    /// A request that could not be read far enough to know what it asked.
    Unknown,
}

/// One audit entry. (Unknown fields are not refused: serde cannot combine that with the
/// flattened action; the hash covers what was written, so nothing can be added unseen.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the log, from 0.
    pub seq: u64,
    /// Unix seconds, by the registry's clock.
    pub time: i64,
    /// Who (see [`ActorKind`]).
    pub actor_kind: ActorKind,
    /// Their name.
    pub actor: String,
    /// What was asked.
    #[serde(flatten)]
    pub action: Action,
    /// The method and path, for requests over the network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<String>,
    /// SHA-256 of the request body (hex), for requests over the network.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_sha256: Option<String>,
    /// Whether the request was carried out.
    pub accepted: bool,
    /// Why it was refused (the error kind, then its message).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The latest checkpoint once the request was handled: its sequence number…
    pub checkpoint_seq: u64,
    /// … and its hash.
    #[serde(with = "field::serde_hex")]
    pub checkpoint_hash: Fr,
    /// Hash of the entry before (64 zero digits for the first).
    pub previous: String,
    /// This entry's hash.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hash: String,
}

fn cut(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

impl AuditEntry {
    /// The entry after `previous` (or the first one) recording `request`.
    pub fn next(
        previous: Option<&AuditEntry>,
        time: i64,
        request: &Request,
        action: Action,
        outcome: Result<(), String>,
        checkpoint: &Checkpoint,
    ) -> AuditEntry {
        let mut entry = AuditEntry {
            seq: previous.map_or(0, |p| p.seq + 1),
            time,
            actor_kind: request.kind.clone(),
            actor: cut(&request.actor, MAX_ACTOR_BYTES),
            action,
            route: request.route.clone(),
            body_sha256: request.body_hash.map(hex::encode),
            accepted: outcome.is_ok(),
            reason: outcome.err().map(|r| cut(&r, MAX_REASON_BYTES)),
            checkpoint_seq: checkpoint.seq,
            checkpoint_hash: checkpoint.hash,
            previous: previous.map_or_else(|| hex::encode([0u8; 32]), |p| p.hash.clone()),
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }

    /// The hash this entry should carry.
    pub fn compute_hash(&self) -> String {
        let body = AuditEntry { hash: String::new(), ..self.clone() };
        let mut h = Sha256::new();
        h.update(AUDIT_TAG);
        h.update(hex::decode(&self.previous).unwrap_or_default());
        h.update(serde_json::to_vec(&body).expect("serializable"));
        hex::encode(h.finalize())
    }

    /// The stored form (JSON).
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("serializable")
    }

    /// Reads the stored form.
    pub fn from_bytes(bytes: &[u8]) -> Result<AuditEntry, RegistryError> {
        serde_json::from_slice(bytes).map_err(|e| RegistryError::Corrupt(format!("audit entry: {e}")))
    }
}

/// Checks an audit log (all of it, oldest first) against the registry's ledger: the hash
/// chain, every named checkpoint, and that each checkpoint from the first audited one on
/// was made by exactly one accepted entry with the matching action. A registry written
/// before audit logs existed has checkpoints before its first entry; those are not
/// checked.
pub fn verify(entries: &[AuditEntry], ledger: &[Checkpoint]) -> Result<(), RegistryError> {
    let bad = |seq: u64, why: String| RegistryError::Corrupt(format!("audit entry {seq}: {why}"));
    let mut previous = hex::encode([0u8; 32]);
    // The checkpoint the next accepted write must make.
    let mut expected: Option<u64> = None;
    for (i, e) in entries.iter().enumerate() {
        if e.seq != i as u64 {
            return Err(bad(e.seq, format!("out of order (expected {i})")));
        }
        if e.previous != previous || e.hash != e.compute_hash() {
            return Err(bad(e.seq, "the hash chain is broken".into()));
        }
        previous = e.hash.clone();
        let checkpoint = ledger.get(e.checkpoint_seq as usize).filter(|c| c.hash == e.checkpoint_hash);
        let checkpoint = checkpoint.ok_or_else(|| {
            bad(e.seq, format!("names checkpoint {}, which the ledger does not hold", e.checkpoint_seq))
        })?;
        let writes = e.accepted && makes_checkpoint(&e.action);
        let want = *expected.get_or_insert(if writes { e.checkpoint_seq } else { e.checkpoint_seq + 1 });
        if writes {
            if e.checkpoint_seq != want {
                return Err(bad(
                    e.seq,
                    format!("made checkpoint {}, but the next one is {want}", e.checkpoint_seq),
                ));
            }
            if !matches_event(&e.action, &checkpoint.event) {
                return Err(bad(e.seq, format!("does not match the event of checkpoint {}", checkpoint.seq)));
            }
            expected = Some(want + 1);
        } else if e.checkpoint_seq + 1 != want {
            return Err(bad(e.seq, format!("names checkpoint {}, not the latest then", e.checkpoint_seq)));
        }
    }
    match expected {
        Some(want) if want != ledger.len() as u64 => Err(RegistryError::Corrupt(format!(
            "audit log: checkpoints {want} to {} have no accepted entry",
            ledger.len() as u64 - 1
        ))),
        _ => Ok(()),
    }
}

/// Checks that consecutive entries (a page of the log, from anywhere in it) link: each
/// hash is right, each names the one before, sequence numbers follow each other.
pub fn verify_links(entries: &[AuditEntry]) -> Result<(), RegistryError> {
    for (i, e) in entries.iter().enumerate() {
        if e.hash != e.compute_hash() {
            return Err(RegistryError::Corrupt(format!("audit entry {}: wrong hash", e.seq)));
        }
        if i > 0 && (e.previous != entries[i - 1].hash || e.seq != entries[i - 1].seq + 1) {
            return Err(RegistryError::Corrupt(format!(
                "audit entry {} does not follow {}",
                e.seq,
                entries[i - 1].seq
            )));
        }
    }
    Ok(())
}

fn makes_checkpoint(action: &Action) -> bool {
    matches!(action, Action::Create | Action::Append { .. } | Action::Revoke { .. })
}

fn matches_event(action: &Action, event: &Event) -> bool {
    match (action, event) {
        (Action::Create, Event::Create) => true,
        (Action::Append { first: Some(f), count }, Event::Append { first, count: n }) => {
            f == first && count == n
        }
        (Action::Revoke { index }, Event::Revoke { index: i }) => index == i,
        _ => false,
    }
}

//! Owners, the audit log and subtree fetches: run on every backend by the suite.

use super::*;
use crate::audit::{self, Action, ActorKind, AuditEntry, Request};
use crate::subtree::{Subtree, SubtreeError};

/// Every write is audited in its own transaction's entry; issuers own what they append
/// and revoke nothing else; the log verifies against the ledger.
pub(super) fn audit_records_every_write(fx: &dyn Fixture) {
    let reg = fx.create(Depth::new(8).unwrap(), 10).unwrap();
    let a = Request::issuer("clinic:a", b"batch a");
    let b = Request::issuer("clinic:b", b"batch b");
    let first = reg.append_batch_by(&[leaf(0), leaf(1), leaf(2)], 11, &a).unwrap();
    assert_eq!(first.first, 0);
    reg.append_batch_by(&[leaf(3)], 12, &b).unwrap();
    reg.append(leaf(4), 13).unwrap();
    assert_eq!(reg.owner(1).unwrap().as_deref(), Some("clinic:a"));
    assert_eq!(reg.owner(3).unwrap().as_deref(), Some("clinic:b"));
    assert_eq!(reg.owner(4).unwrap(), None);
    // b may not revoke a's leaf, nor the local one, nor a leaf that does not exist.
    assert!(matches!(reg.revoke_by(1, 14, &b), Err(RegistryError::NotYourLeaf(1))));
    assert!(matches!(reg.revoke_by(4, 14, &b), Err(RegistryError::NotYourLeaf(4))));
    assert!(matches!(reg.revoke_by(200, 14, &b), Err(RegistryError::NotYourLeaf(200))));
    let checkpoint = reg.revoke_by(1, 15, &a).unwrap();
    assert!(matches!(reg.revoke_by(1, 16, &a), Err(RegistryError::AlreadyRevoked(1))));
    // The operator and local writers revoke any leaf.
    reg.revoke_by(3, 17, &Request::operator(b"")).unwrap();
    reg.record_refused(
        18,
        &Request::unauthenticated(Some("clinic:x\u{7}"), b"?"),
        Action::Unknown,
        "unauthorized",
    )
    .unwrap();
    let log = reg.audit(0, 100).unwrap();
    let summary: Vec<(ActorKind, &str, bool)> =
        log.iter().map(|e| (e.actor_kind.clone(), e.actor.as_str(), e.accepted)).collect();
    assert_eq!(
        summary,
        vec![
            (ActorKind::Local, "local", true),
            (ActorKind::Issuer, "clinic:a", true),
            (ActorKind::Issuer, "clinic:b", true),
            (ActorKind::Local, "local", true),
            (ActorKind::Issuer, "clinic:b", false),
            (ActorKind::Issuer, "clinic:b", false),
            (ActorKind::Issuer, "clinic:b", false),
            (ActorKind::Issuer, "clinic:a", true),
            (ActorKind::Issuer, "clinic:a", false),
            (ActorKind::Operator, "operator", true),
            (ActorKind::Unauthenticated, "clinic:x?", false),
        ]
    );
    assert_eq!(log[1].action, Action::Append { first: Some(0), count: 3 });
    assert_eq!(log[7].action, Action::Revoke { index: 1 });
    assert_eq!((log[7].checkpoint_seq, log[7].checkpoint_hash), (checkpoint.seq, checkpoint.hash));
    assert_eq!(log[4].reason.as_deref(), Some("not_your_leaf: leaf 1 was not appended by this issuer"));
    assert_eq!(log[8].reason.as_deref(), Some("already_revoked: leaf 1 is already revoked"));
    assert_eq!(log[1].body_sha256.as_deref(), Some(hex::encode(sha2::Sha256::digest(b"batch a")).as_str()));
    assert_eq!(reg.audit(9, 100).unwrap(), log[9..].to_vec());
    assert_eq!(reg.audit(3, 2).unwrap(), log[3..5].to_vec());
    reg.verify().unwrap();
    drop(reg);
    // Everything persists.
    let reg = fx.reopen().unwrap();
    assert_eq!(reg.audit(0, 100).unwrap(), log);
    assert_eq!(reg.owner(2).unwrap().as_deref(), Some("clinic:a"));
    reg.verify().unwrap();
}

use sha2::Digest;

/// A subtree fetch gives every leaf in it the same path as a direct fetch.
pub(super) fn subtree_paths_equal_direct_paths(fx: &dyn Fixture) {
    let reg = fx.create(Depth::new(8).unwrap(), 0).unwrap();
    let batch: Vec<Fr> = (0..100).map(leaf).collect();
    reg.append_batch(&batch, 1).unwrap();
    reg.revoke(17, 2).unwrap();
    for levels in 1..=4u8 {
        for index in [0u64, 5, 16, 63, 64, 99] {
            let sub = reg.subtree(levels, Subtree::group_of(index, levels)).unwrap();
            let sub: Subtree = serde_json::from_str(&serde_json::to_string(&sub).unwrap()).unwrap();
            assert_eq!(sub.leaves.len(), 1 << (2 * levels));
            assert_eq!(sub.size, 100);
            assert_eq!(sub.path(index).unwrap(), reg.path(index).unwrap(), "levels {levels}, leaf {index}");
        }
    }
    let sub = reg.subtree(2, 1).unwrap();
    // The revoked leaf's path is the direct one (from the empty value); leaves past the end
    // have none; a leaf of another group is refused.
    assert_eq!(sub.path(17).unwrap(), reg.path(17).unwrap());
    assert!(matches!(reg.subtree(2, 6).unwrap().path(100), Err(SubtreeError::NoSuchLeaf(100))));
    assert!(matches!(sub.path(40), Err(SubtreeError::Corrupt(_))));
    // A changed leaf or upper sibling no longer leads to the root.
    let mut changed = sub.clone();
    changed.leaves[3] = leaf(500);
    assert!(matches!(changed.path(16), Err(SubtreeError::Corrupt(_))));
    let mut changed = sub.clone();
    changed.upper[0][1] = leaf(500);
    assert!(matches!(changed.path(16), Err(SubtreeError::Corrupt(_))));
    let mut changed = sub.clone();
    changed.leaves.pop();
    assert!(matches!(changed.path(16), Err(SubtreeError::Corrupt(_))));
    // Sizes the registry does not hand out, and groups past the end.
    assert!(matches!(reg.subtree(0, 0), Err(RegistryError::BadRequest(_))));
    assert!(matches!(reg.subtree(5, 0), Err(RegistryError::BadRequest(_))));
    assert!(matches!(reg.subtree(2, 7), Err(RegistryError::NoSuchLeaf(112))));
    assert!(matches!(reg.subtree(2, u64::MAX), Err(RegistryError::BadRequest(_))));
}

fn entries() -> (Vec<AuditEntry>, Vec<Checkpoint>) {
    let (_dir, path) = temp();
    let reg = Registry::create(&path, Depth::new(4).unwrap(), 1).unwrap();
    let issuer = Request::issuer("clinic:a", b"x");
    reg.append_batch_by(&[leaf(0), leaf(1)], 2, &issuer).unwrap();
    reg.record_refused(3, &Request::unauthenticated(None, b""), Action::Unknown, "unauthorized").unwrap();
    reg.revoke_by(0, 4, &issuer).unwrap();
    reg.append(leaf(2), 5).unwrap();
    (reg.audit(0, 100).unwrap(), reg.history().unwrap())
}

/// Any change to the log shows: a field, the order, a dropped or an extra entry, a
/// checkpoint the ledger does not hold.
#[test]
fn audit_log_changes_are_detected() {
    let (log, ledger) = entries();
    audit::verify(&log, &ledger).unwrap();
    let fails = |log: &[AuditEntry]| audit::verify(log, &ledger).unwrap_err().to_string();

    let mut changed = log.clone();
    changed[1].actor = "clinic:b".into();
    assert!(fails(&changed).contains("hash chain is broken"));
    // Rehashing the changed entry breaks the link to the next one.
    changed[1].hash = changed[1].compute_hash();
    assert!(fails(&changed).contains("audit entry 2: the hash chain is broken"));

    assert!(fails(&log[..log.len() - 1]).contains("checkpoints 3 to 3 have no accepted entry"));
    let mut dropped = log.clone();
    dropped.remove(2);
    assert!(fails(&dropped).contains("out of order"));
    let mut swapped = log.clone();
    swapped.swap(1, 2);
    assert!(fails(&swapped).contains("out of order"));

    // Rewritten consistently (every hash recomputed), a log that skips a write, names a
    // checkpoint with the wrong hash, or claims another event is still refused.
    let rechain = |mut log: Vec<AuditEntry>| {
        let mut previous: Option<AuditEntry> = None;
        for (i, e) in log.iter_mut().enumerate() {
            e.seq = i as u64;
            e.previous = previous.as_ref().map_or_else(|| hex::encode([0u8; 32]), |p| p.hash.clone());
            e.hash = e.compute_hash();
            previous = Some(e.clone());
        }
        log
    };
    let mut skip = log.clone();
    skip.remove(1);
    assert!(fails(&rechain(skip)).contains("audit entry 1: names checkpoint 1, not the latest then"));
    let mut skip = log.clone();
    skip.remove(3);
    assert!(fails(&rechain(skip)).contains("made checkpoint 3, but the next one is 2"));
    let mut wrong = log.clone();
    wrong[3].checkpoint_hash = ledger[1].hash;
    assert!(fails(&rechain(wrong)).contains("which the ledger does not hold"));
    let mut other = log.clone();
    other[1].action = Action::Append { first: Some(0), count: 3 };
    assert!(fails(&rechain(other)).contains("does not match the event"));
    let mut late = log.clone();
    late[2].checkpoint_seq = 0;
    late[2].checkpoint_hash = ledger[0].hash;
    assert!(fails(&rechain(late)).contains("not the latest then"));
}

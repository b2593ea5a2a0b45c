use super::*;
use medzk_circuits::tree::MemoryTree;

fn leaf(i: u64) -> Fr {
    Fr::from(7_000 + i)
}

fn temp() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.redb");
    (dir, path)
}

#[test]
fn matches_the_in_memory_tree_and_persists() {
    let (_dir, path) = temp();
    let depth = Depth::new(8).unwrap();
    let reg = Registry::create(&path, depth, 100).unwrap();
    let mut mem = MemoryTree::empty(depth);
    let a = reg.append(leaf(0), 101).unwrap();
    assert_eq!(a.first, 0);
    mem.insert(0, leaf(0));
    let batch: Vec<Fr> = (1..30).map(leaf).collect();
    let b = reg.append_batch(&batch, 102).unwrap();
    assert_eq!(b.first, 1);
    for (i, l) in batch.iter().enumerate() {
        mem.insert(1 + i as u64, *l);
    }
    assert_eq!(reg.root().unwrap(), mem.current_root());
    assert_eq!(b.checkpoint.root, mem.current_root());
    drop(reg);
    let reg = Registry::open(&path).unwrap();
    assert_eq!(reg.depth(), depth);
    assert_eq!(reg.len().unwrap(), 30);
    for i in [0, 7, 29] {
        let (p, root) = reg.path(i).unwrap();
        assert_eq!(p, mem.inclusion_path(i));
        assert_eq!(p.root(leaf(i)), root);
    }
    assert!(matches!(reg.path(30), Err(RegistryError::NoSuchLeaf(30))));
    reg.verify().unwrap();
}

#[test]
fn revocation_and_trusted_roots() {
    let (_dir, path) = temp();
    let reg = Registry::create(&path, Depth::new(8).unwrap(), 0).unwrap();
    let r1 = reg.append(leaf(0), 10).unwrap().checkpoint.root;
    let r2 = reg.append(leaf(1), 20).unwrap().checkpoint.root;
    // Appends keep earlier roots valid while they are recent.
    assert_eq!(reg.trusted_roots(25, 100).unwrap(), vec![r2, r1, reg.history().unwrap()[0].root]);
    assert_eq!(reg.trusted_roots(25, 10).unwrap(), vec![r2]);
    let revoked = reg.revoke(0, 30).unwrap();
    assert_eq!(reg.leaf(0).unwrap(), EMPTY_LEAF);
    assert!(matches!(reg.revoke(0, 31), Err(RegistryError::AlreadyRevoked(0))));
    assert!(matches!(reg.revoke(5, 31), Err(RegistryError::NoSuchLeaf(5))));
    // Nothing from before the revocation is trusted any more.
    assert_eq!(reg.trusted_roots(31, 1_000).unwrap(), vec![revoked.root]);
    let r4 = reg.append(leaf(2), 40).unwrap().checkpoint.root;
    assert_eq!(reg.trusted_roots(41, 1_000).unwrap(), vec![r4, revoked.root]);
    // Even a stale latest root stays trusted: it is the registry's current state.
    assert_eq!(reg.trusted_roots(10_000, 5).unwrap(), vec![r4]);
    reg.verify().unwrap();
}

#[test]
fn ledger_chains_checkpoints() {
    let (_dir, path) = temp();
    let reg = Registry::create(&path, Depth::new(4).unwrap(), 0).unwrap();
    reg.append(leaf(0), 1).unwrap();
    reg.revoke(0, 2).unwrap();
    let h = reg.history().unwrap();
    assert_eq!(h.len(), 3);
    assert_eq!(h[1].previous, h[0].hash);
    assert_eq!(h[2].previous, h[1].hash);
    assert_eq!(h[2].event, Event::Revoke { index: 0 });
    for c in &h {
        assert_eq!(Checkpoint::from_bytes(&c.to_bytes()), Some(*c));
    }
    let json = serde_json::to_string(&h[1]).unwrap();
    assert!(json.contains("\"event\":\"append\""));
}

#[test]
fn capacity_and_bad_input() {
    let (_dir, path) = temp();
    let reg = Registry::create(&path, Depth::new(2).unwrap(), 0).unwrap();
    reg.append_batch(&[leaf(0), leaf(1), leaf(2)], 1).unwrap();
    assert!(matches!(reg.append_batch(&[leaf(3), leaf(4)], 2), Err(RegistryError::Full(4))));
    // The failed batch changed nothing.
    assert_eq!(reg.len().unwrap(), 3);
    reg.append(leaf(3), 3).unwrap();
    assert!(matches!(reg.append(leaf(4), 4), Err(RegistryError::Full(4))));
    assert!(matches!(reg.append(EMPTY_LEAF, 4), Err(RegistryError::EmptyCommitment)));
    reg.verify().unwrap();
    assert!(matches!(Registry::create(&path, Depth::new(2).unwrap(), 0), Err(RegistryError::Open { .. })));
    let (_d2, missing) = temp();
    assert!(matches!(Registry::open(&missing), Err(RegistryError::Open { .. })));
}

#[test]
fn garbage_files_are_errors_not_panics() {
    let (_dir, path) = temp();
    std::fs::write(&path, b"this is not a database").unwrap();
    assert!(Registry::open(&path).is_err());
    std::fs::write(&path, vec![0u8; 8192]).unwrap();
    assert!(Registry::open(&path).is_err());
}

#[test]
fn an_uncommitted_write_loses_nothing_committed() {
    let (_dir, path) = temp();
    let reg = Registry::create(&path, Depth::new(8).unwrap(), 0).unwrap();
    reg.append_batch(&[leaf(0), leaf(1)], 1).unwrap();
    let root = reg.root().unwrap();
    {
        // A write interrupted before its commit: half a tree update, then dropped.
        let txn = reg.db.begin_write().unwrap();
        {
            let mut nodes = txn.open_table(NODES).unwrap();
            let mut tree = Tree::new(reg.depth, WriteStore(&mut nodes));
            tree.set_leaf(2, leaf(2)).unwrap();
        }
        drop(txn);
    }
    drop(reg);
    let reg = Registry::open(&path).unwrap();
    assert_eq!(reg.root().unwrap(), root);
    assert_eq!(reg.len().unwrap(), 2);
    reg.verify().unwrap();
}

//! One suite for every backend: each case runs on redb (a test per case) and on a
//! throwaway PostgreSQL server (one test that starts it and runs every case).

use super::*;
use medzk_circuits::field;
use medzk_circuits::tree::MemoryTree;

mod service_records;
use service_records::{audit_records_every_write, subtree_paths_equal_direct_paths};

fn leaf(i: u64) -> Fr {
    Fr::from(7_000 + i)
}

fn temp() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.redb");
    (dir, path)
}

/// Where a case's registry lives.
trait Fixture {
    fn create(&self, depth: Depth, now: i64) -> Result<Registry, RegistryError>;
    fn reopen(&self) -> Result<Registry, RegistryError>;
}

/// The directory (kept alive) and the file in it.
struct RedbFixture(#[allow(dead_code)] tempfile::TempDir, std::path::PathBuf);

impl RedbFixture {
    fn new() -> RedbFixture {
        let (dir, path) = temp();
        RedbFixture(dir, path)
    }
}

impl Fixture for RedbFixture {
    fn create(&self, depth: Depth, now: i64) -> Result<Registry, RegistryError> {
        Registry::create(&self.1, depth, now)
    }
    fn reopen(&self) -> Result<Registry, RegistryError> {
        Registry::open(&self.1)
    }
}

struct PgFixture(String);

impl Fixture for PgFixture {
    fn create(&self, depth: Depth, now: i64) -> Result<Registry, RegistryError> {
        Registry::init(Box::new(PgStore::create(&self.0, depth)?), now)
    }
    fn reopen(&self) -> Result<Registry, RegistryError> {
        Ok(Registry::on(Box::new(PgStore::open(&self.0)?)))
    }
}

type Case = fn(&dyn Fixture);

const CASES: [(&str, Case); 9] = [
    ("audit_records_every_write", audit_records_every_write),
    ("subtree_paths_equal_direct_paths", subtree_paths_equal_direct_paths),
    ("matches_the_in_memory_tree_and_persists", matches_the_in_memory_tree_and_persists),
    ("revocation_and_trusted_roots", revocation_and_trusted_roots),
    ("ledger_chains_checkpoints", ledger_chains_checkpoints),
    ("capacity_and_bad_input", capacity_and_bad_input),
    ("an_uncommitted_write_loses_nothing_committed", an_uncommitted_write_loses_nothing_committed),
    ("bulk_appends_equal_the_memory_tree", bulk_appends_equal_the_memory_tree),
    ("creating_twice_is_refused", creating_twice_is_refused),
];

macro_rules! on_redb {
    ($($name:ident),*) => {$(
        mod $name {
            #[test]
            fn redb() {
                super::$name(&super::RedbFixture::new());
            }
        }
    )*};
}
on_redb!(
    audit_records_every_write,
    subtree_paths_equal_direct_paths,
    matches_the_in_memory_tree_and_persists,
    revocation_and_trusted_roots,
    ledger_chains_checkpoints,
    capacity_and_bad_input,
    an_uncommitted_write_loses_nothing_committed,
    bulk_appends_equal_the_memory_tree,
    creating_twice_is_refused
);

#[test]
fn postgres_backend_passes_the_suite() {
    let cluster = match cluster::TempCluster::start() {
        Ok(c) => c,
        Err(cluster::ClusterError::NotInstalled) if std::env::var_os("MEDZK_REQUIRE_POSTGRES").is_none() => {
            eprintln!(
                "skipped: {} (MEDZK_REQUIRE_POSTGRES=1 makes this a failure)",
                cluster::ClusterError::NotInstalled
            );
            return;
        }
        Err(e) => panic!("throwaway PostgreSQL: {e}"),
    };
    for (i, (name, case)) in CASES.iter().enumerate() {
        let url = cluster.create_database(&format!("suite_{i}")).unwrap();
        eprintln!("postgresql: {name}");
        case(&PgFixture(url));
    }
    concurrent_writers_queue(&cluster);
    migrations_between_backends(&cluster);
}

fn sample(reg: &Registry) {
    let batch: Vec<Fr> = (0..40).map(leaf).collect();
    reg.append_batch_by(&batch, 5, &Request::issuer("clinic:a", b"")).unwrap();
    reg.revoke(7, 6).unwrap();
    reg.append(leaf(99), 7).unwrap();
}

/// redb → PostgreSQL → redb: the same leaves, roots, times and hashes; a second copy
/// into a used target is refused.
fn migrations_between_backends(cluster: &cluster::TempCluster) {
    let depth = Depth::new(8).unwrap();
    let (_dir, path) = temp();
    let file = Location::File(path.clone());
    let source = file.create(depth, 1).unwrap();
    sample(&source);
    cluster.create_database("migrated").unwrap();
    // The URL form the CLI takes: host (a socket directory) and user as parameters.
    let pg = PgFixture(cluster.url_form("migrated"));
    assert!(matches!(Location::parse(Path::new(&pg.0)), Location::Postgres(_)));
    let copy = source.migrate_to(Box::new(PgStore::create(&pg.0, depth).unwrap())).unwrap();
    assert_eq!(copy.history().unwrap(), source.history().unwrap());
    assert_eq!(copy.path(39).unwrap(), source.path(39).unwrap());
    assert_eq!(copy.audit(0, 100).unwrap(), source.audit(0, 100).unwrap());
    assert_eq!(copy.owner(2).unwrap().as_deref(), Some("clinic:a"));
    assert_eq!(copy.leaf(7).unwrap(), EMPTY_LEAF);
    let (_dir2, back) = temp();
    let again = copy.migrate_to(Box::new(RedbStore::create(&back, depth).unwrap())).unwrap();
    assert_eq!(again.history().unwrap(), source.history().unwrap());
    assert_eq!(Ledger::read(&back).unwrap().checkpoints, source.history().unwrap());
    let used = Box::new(PgStore::open(&pg.0).unwrap());
    assert!(matches!(again.migrate_to(used), Err(RegistryError::Open { .. })));
}

#[test]
fn migrate_between_files() {
    let depth = Depth::new(8).unwrap();
    let (_d1, a) = temp();
    let (_d2, b) = temp();
    let source = Registry::create(&a, depth, 1).unwrap();
    sample(&source);
    let copy = source.migrate_to(Box::new(RedbStore::create(&b, depth).unwrap())).unwrap();
    assert_eq!(copy.history().unwrap(), source.history().unwrap());
    assert_eq!(copy.audit(0, 100).unwrap(), source.audit(0, 100).unwrap());
    assert_eq!(copy.owner(39).unwrap().as_deref(), Some("clinic:a"));
    assert_eq!(copy.root().unwrap(), source.root().unwrap());
    // A target of another depth is refused before anything is written.
    let (_d3, c) = temp();
    assert!(source.migrate_to(Box::new(RedbStore::create(&c, Depth::new(10).unwrap()).unwrap())).is_err());
    assert_eq!(
        Location::parse(Path::new("postgresql://u:secret@db/x")).to_string(),
        "postgresql database x on db"
    );
}

/// Four writers on their own connections append at once; each batch lands whole, once.
fn concurrent_writers_queue(cluster: &cluster::TempCluster) {
    let url = cluster.create_database("concurrent").unwrap();
    let reg = PgFixture(url.clone()).create(Depth::new(8).unwrap(), 0).unwrap();
    std::thread::scope(|s| {
        for w in 0..4u64 {
            let url = url.clone();
            s.spawn(move || {
                let mine = Registry::on(Box::new(PgStore::open(&url).unwrap()));
                for b in 0..5u64 {
                    let batch: Vec<Fr> = (0..3).map(|k| leaf(w * 100 + b * 10 + k)).collect();
                    mine.append_batch(&batch, 1).unwrap();
                }
            });
        }
    });
    assert_eq!(reg.len().unwrap(), 60);
    assert_eq!(reg.history().unwrap().len(), 21);
    reg.verify().unwrap();
    let mut seen: Vec<Fr> = (0..60).map(|i| reg.leaf(i).unwrap()).collect();
    seen.sort_by_key(field::to_hex);
    seen.dedup();
    assert_eq!(seen.len(), 60);
}

fn matches_the_in_memory_tree_and_persists(fx: &dyn Fixture) {
    let depth = Depth::new(8).unwrap();
    let reg = fx.create(depth, 100).unwrap();
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
    let reg = fx.reopen().unwrap();
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

fn revocation_and_trusted_roots(fx: &dyn Fixture) {
    let reg = fx.create(Depth::new(8).unwrap(), 0).unwrap();
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

fn ledger_chains_checkpoints(fx: &dyn Fixture) {
    let reg = fx.create(Depth::new(4).unwrap(), 0).unwrap();
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

fn capacity_and_bad_input(fx: &dyn Fixture) {
    let reg = fx.create(Depth::new(2).unwrap(), 0).unwrap();
    reg.append_batch(&[leaf(0), leaf(1), leaf(2)], 1).unwrap();
    assert!(matches!(reg.append_batch(&[leaf(3), leaf(4)], 2), Err(RegistryError::Full(4))));
    // The failed batch changed nothing.
    assert_eq!(reg.len().unwrap(), 3);
    reg.append(leaf(3), 3).unwrap();
    assert!(matches!(reg.append(leaf(4), 4), Err(RegistryError::Full(4))));
    assert!(matches!(reg.append(EMPTY_LEAF, 4), Err(RegistryError::EmptyCommitment)));
    reg.verify().unwrap();
}

fn creating_twice_is_refused(fx: &dyn Fixture) {
    let reg = fx.create(Depth::new(2).unwrap(), 0).unwrap();
    reg.append(leaf(0), 1).unwrap();
    assert!(matches!(fx.create(Depth::new(2).unwrap(), 0), Err(RegistryError::Open { .. })));
    drop(reg);
    assert_eq!(fx.reopen().unwrap().len().unwrap(), 1);
}

#[test]
fn a_missing_file_or_database_is_an_open_error() {
    let (_d2, missing) = temp();
    assert!(matches!(Registry::open(&missing), Err(RegistryError::Open { .. })));
    assert!(matches!(
        PgStore::open("host=/nonexistent-medzk-socket-dir user=x dbname=y"),
        Err(RegistryError::Open { .. })
    ));
}

fn bulk_appends_equal_the_memory_tree(fx: &dyn Fixture) {
    let depth = Depth::new(12).unwrap();
    let reg = fx.create(depth, 0).unwrap();
    let mut mem = MemoryTree::empty(depth);
    let mut next = 0u64;
    for size in [1usize, 5, 3000, 2, 700] {
        let batch: Vec<Fr> = (next..next + size as u64).map(leaf).collect();
        let appended = reg.append_batch(&batch, 1).unwrap();
        assert_eq!(appended.first, next);
        for (k, v) in batch.iter().enumerate() {
            mem.insert(next + k as u64, *v);
        }
        next += size as u64;
        assert_eq!(appended.checkpoint.root, mem.current_root(), "after a batch of {size}");
    }
    reg.revoke(3001, 2).unwrap();
    mem.insert(3001, EMPTY_LEAF);
    for i in [0, 5, 6, 3001, 3005, next - 1] {
        let (path, root) = reg.path(i).unwrap();
        assert_eq!(path, mem.inclusion_path(i));
        assert_eq!(root, mem.current_root());
    }
    reg.verify().unwrap();
}

#[test]
fn garbage_files_are_errors_not_panics() {
    let (_dir, path) = temp();
    std::fs::write(&path, b"this is not a database").unwrap();
    assert!(Registry::open(&path).is_err());
    std::fs::write(&path, vec![0u8; 8192]).unwrap();
    assert!(Registry::open(&path).is_err());
}

fn an_uncommitted_write_loses_nothing_committed(fx: &dyn Fixture) {
    let reg = fx.create(Depth::new(8).unwrap(), 0).unwrap();
    reg.append_batch(&[leaf(0), leaf(1)], 1).unwrap();
    let root = reg.root().unwrap();
    // A write that fails half way through a tree update (after nodes, the leaf count and
    // a checkpoint were written): nothing of it remains.
    let depth = reg.depth;
    let outcome = reg.store.write(&mut |txn| {
        Tree::new(depth, NodesMut(txn)).set_leaf(2, leaf(2))?;
        txn.set_leaves(3)?;
        let last = txn.last_checkpoint()?;
        txn.push_checkpoint(&Checkpoint::new(last.seq + 1, leaf(9), 3, 2, Event::Create, last.hash))?;
        Err(RegistryError::Storage("interrupted".into()))
    });
    assert!(outcome.is_err());
    drop(reg);
    let reg = fx.reopen().unwrap();
    assert_eq!(reg.root().unwrap(), root);
    assert_eq!(reg.len().unwrap(), 2);
    reg.verify().unwrap();
}

#[test]
fn signed_heads_verify_only_under_the_pinned_key() {
    use crate::head::{HeadError, OperatorSecret, SignedHead};
    let (_dir, path) = temp();
    let reg = Registry::create(&path, Depth::new(8).unwrap(), 10).unwrap();
    let r1 = reg.append(leaf(0), 20).unwrap().checkpoint.root;
    let r2 = reg.append(leaf(1), 30).unwrap().checkpoint.root;
    let operator = OperatorSecret::generate();
    let pinned = operator.public();
    let head = crate::head::sign(&reg, "registry:NO", &operator, 8, 100).unwrap();
    let head = SignedHead::from_json(&head.to_json()).unwrap();
    assert_eq!(
        head.trusted_roots(&pinned, Some("registry:NO"), 100, 1_000, 3_600).unwrap(),
        vec![r2, r1, reg.history().unwrap()[0].root]
    );
    assert_eq!(head.trusted_roots(&pinned, None, 100, 80, 3_600).unwrap(), vec![r2, r1]);
    // Another operator's key, another registry, a stale head.
    let other = OperatorSecret::generate().public();
    assert!(matches!(head.verify(&other, None), Err(HeadError::OtherOperator { .. })));
    assert!(matches!(head.verify(&pinned, Some("registry:SE")), Err(HeadError::OtherRegistry { .. })));
    assert!(matches!(
        head.trusted_roots(&pinned, None, 100 + 3_601, 1_000, 3_600),
        Err(HeadError::Stale { .. })
    ));
    // A head signed by another key that names the pinned key.
    let mut forged = crate::head::sign(&reg, "registry:NO", &OperatorSecret::generate(), 8, 100).unwrap();
    forged.operator = pinned.to_string();
    assert_eq!(forged.verify(&pinned, None), Err(HeadError::BadSignature));
    // Any change to a signed field.
    let mut changed = head.clone();
    changed.signed_at += 1;
    assert_eq!(changed.verify(&pinned, None), Err(HeadError::BadSignature));
    let mut changed = head.clone();
    changed.registry = "registry:NX".into();
    assert_eq!(changed.verify(&pinned, None), Err(HeadError::BadSignature));
    let mut changed = head.clone();
    let last = changed.checkpoints.len() - 1;
    changed.checkpoints[last].root = leaf(5);
    assert!(matches!(changed.verify(&pinned, None), Err(HeadError::Chain(_))));
    changed.checkpoints[last].hash = changed.checkpoints[last].compute_hash();
    assert_eq!(changed.verify(&pinned, None), Err(HeadError::BadSignature));
    // An earlier checkpoint of the tail: the chain to the signed one breaks.
    let mut changed = head.clone();
    changed.checkpoints[0].root = leaf(6);
    changed.checkpoints[0].hash = changed.checkpoints[0].compute_hash();
    assert!(matches!(changed.verify(&pinned, None), Err(HeadError::Chain(_))));
    // Key files round-trip and hide the secret from Debug; garbage is an error.
    let file = operator.to_json();
    let back = OperatorSecret::from_json(&file).unwrap();
    assert_eq!(back.public(), pinned);
    let secret_hex: serde_json::Value = serde_json::from_str(&file).unwrap();
    assert!(!format!("{back:?}").contains(secret_hex["secret"].as_str().unwrap()));
    assert!(OperatorSecret::from_json(&file.replace(&pinned.to_string(), &other.to_string())).is_err());
    for junk in ["", "{}", "[]", "{\"format\":1}", &head.to_json()[..40]] {
        assert!(SignedHead::from_json(junk).is_err());
        assert!(OperatorSecret::from_json(junk).is_err());
    }
}

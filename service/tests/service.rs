//! The service on loopback, on redb and on a throwaway PostgreSQL server: signed appends
//! and revocations, paths, signed heads, and every request it must refuse.

use std::net::SocketAddr;

use medzk_circuits::field::Fr;
use medzk_circuits::tree::Depth;
use medzk_registry::cluster::{ClusterError, TempCluster};
use medzk_registry::head::HeadError;
use medzk_registry::{Location, OperatorSecret, Registry};
use medzk_service::auth::{self, IssuerSecret};
use medzk_service::{Client, ClientError, Running, ServiceConfig};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn status(e: ClientError) -> (u16, String) {
    match e {
        ClientError::Refused { status, kind, .. } => (status, kind),
        other => panic!("expected a refusal, got {other}"),
    }
}

fn exercise(registry: Registry, dir: &std::path::Path) {
    let operator = OperatorSecret::generate();
    let pinned = operator.public();
    let clinic = IssuerSecret::generate("clinic:oslo-1");
    let lab = IssuerSecret::generate("lab:bergen-2");
    let stranger = IssuerSecret::generate("clinic:unknown");
    let issuers = [&clinic, &lab]
        .iter()
        .map(|i| (i.name().to_string(), auth::public_key(&i.public_hex()).unwrap()))
        .collect();
    let config = ServiceConfig {
        registry,
        name: "registry:test".into(),
        operator,
        issuers,
        state: dir.join("service.redb"),
    };
    let running = Running::start(config, loopback()).unwrap();
    let client = Client::new(&running.url());

    let a = client.append(&clinic, &[Fr::from(11u64), Fr::from(12u64), Fr::from(13u64)]).unwrap();
    assert_eq!((a.first, a.count), (0, 3));
    let b = client.append(&lab, &[Fr::from(21u64)]).unwrap();
    assert_eq!(b.first, 3);
    let path = client.path(1).unwrap();
    assert_eq!(path.path.root(Fr::from(12u64)), path.root);
    assert_eq!(path.root, b.checkpoint.root);
    let head = client.head().unwrap();
    let roots = head.trusted_roots(&pinned, Some("registry:test"), head.signed_at, 3600, 60).unwrap();
    assert_eq!(roots[0], b.checkpoint.root);
    // A verifier that pins another key trusts nothing from this service.
    let other = OperatorSecret::generate().public();
    assert!(matches!(head.verify(&other, None), Err(HeadError::OtherOperator { .. })));

    // Revocation: only by the issuer that appended the leaf.
    assert_eq!(status(client.revoke(&lab, 0).unwrap_err()), (403, "not_your_leaf".into()));
    client.revoke(&clinic, 0).unwrap();
    assert_eq!(status(client.revoke(&clinic, 0).unwrap_err()), (409, "already_revoked".into()));
    assert_eq!(status(client.revoke(&clinic, 99).unwrap_err()).0, 404);
    assert_eq!(status(client.path(99).unwrap_err()).0, 404);

    // Unsigned, not enrolled, wrongly signed, replayed, stale, malformed, too large.
    let one = format!(r#"{{"commitments": ["{}"]}}"#, medzk_circuits::field::to_hex(&Fr::from(1u64)));
    let body = one.as_bytes();
    assert_eq!(status(client.post_raw("/v1/append", &[], body).unwrap_err()), (401, "unauthorized".into()));
    assert_eq!(status(client.append(&stranger, &[Fr::from(5u64)]).unwrap_err()).0, 401);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let headers = |s: &auth::SignedHeaders| {
        vec![
            (auth::ISSUER, s.issuer.clone()),
            (auth::TIMESTAMP, s.timestamp.to_string()),
            (auth::NONCE, hex::encode(s.nonce)),
            (auth::SIGNATURE, hex::encode(s.signature)),
        ]
    };
    let signed = clinic.sign("POST", "/v1/append", now, body);
    let mut as_lab = headers(&signed);
    as_lab[0].1 = lab.name().into();
    assert_eq!(status(client.post_raw("/v1/append", &as_lab, body).unwrap_err()).0, 401);
    let two = format!(r#"{{"commitments": ["{}"]}}"#, medzk_circuits::field::to_hex(&Fr::from(2u64)));
    let other_body = two.as_bytes();
    assert_eq!(status(client.post_raw("/v1/append", &headers(&signed), other_body).unwrap_err()).0, 401);
    client.post_raw("/v1/append", &headers(&signed), body).unwrap();
    assert_eq!(
        status(client.post_raw("/v1/append", &headers(&signed), body).unwrap_err()),
        (409, "replay".into())
    );
    let stale = clinic.sign("POST", "/v1/append", now - 3600, body);
    assert_eq!(status(client.post_raw("/v1/append", &headers(&stale), body).unwrap_err()).0, 401);
    let junk = b"{not json";
    let signed = clinic.sign("POST", "/v1/append", now, junk);
    assert_eq!(status(client.post_raw("/v1/append", &headers(&signed), junk).unwrap_err()).0, 400);
    let zero = format!(r#"{{"commitments": ["{}"]}}"#, medzk_circuits::field::to_hex(&Fr::from(0u64)));
    let empty = zero.as_bytes();
    let signed = clinic.sign("POST", "/v1/append", now, empty);
    assert_eq!(status(client.post_raw("/v1/append", &headers(&signed), empty).unwrap_err()).0, 400);
    // Too large: refused with 413, or the connection is closed before the body is sent.
    let huge = vec![b' '; 5 << 20];
    match client.post_raw("/v1/append", &[], &huge).unwrap_err() {
        ClientError::Refused { status, .. } => assert_eq!(status, 413),
        ClientError::Transport { .. } => {}
        other => panic!("{other}"),
    }

    let health: serde_json::Value = serde_json::from_str(
        &ureq::get(&format!("{}/healthz", running.url()))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(health["leaves"], 5);
}

#[test]
fn the_service_on_redb() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::create(&dir.path().join("reg.redb"), Depth::new(8).unwrap(), 0).unwrap();
    exercise(registry, dir.path());
}

#[test]
fn the_service_on_postgres() {
    let cluster = match TempCluster::start() {
        Ok(c) => c,
        Err(ClusterError::NotInstalled) if std::env::var_os("MEDZK_REQUIRE_POSTGRES").is_none() => {
            eprintln!(
                "skipped: {} (MEDZK_REQUIRE_POSTGRES=1 makes this a failure)",
                ClusterError::NotInstalled
            );
            return;
        }
        Err(e) => panic!("throwaway PostgreSQL: {e}"),
    };
    cluster.create_database("service").unwrap();
    let location = Location::Postgres(cluster.url_form("service"));
    let registry = location.create(Depth::new(8).unwrap(), 0).unwrap();
    let dir = tempfile::tempdir().unwrap();
    exercise(registry, dir.path());
}

//! The service on loopback, on redb and on a throwaway PostgreSQL server: signed appends
//! and revocations, paths, signed heads, and every request it must refuse.

use std::net::SocketAddr;

use medzk_circuits::field::Fr;
use medzk_circuits::tree::Depth;
use medzk_registry::cluster::{ClusterError, TempCluster};
use medzk_registry::head::HeadError;
use medzk_registry::{Action, ActorKind, Location, OperatorSecret, Registry, audit};
use medzk_service::auth::{self, IssuerSecret};
use medzk_service::{Client, ClientError, Limits, Running, ServiceConfig};

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

fn status(e: ClientError) -> (u16, String) {
    match e {
        ClientError::Refused { status, kind, .. } => (status, kind),
        other => panic!("expected a refusal, got {other}"),
    }
}

fn exercise(registry: Registry) {
    let operator = OperatorSecret::generate();
    let operator_copy = OperatorSecret::from_json(&operator.to_json()).unwrap();
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
        limits: Limits::default(),
        shc_import: None,
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
    // A leaf that does not exist is not this issuer's either.
    assert_eq!(status(client.revoke(&clinic, 99).unwrap_err()), (403, "not_your_leaf".into()));
    assert_eq!(status(client.path(99).unwrap_err()).0, 404);

    // The private fetch gives the same path as the direct one.
    for levels in [1u8, 2, 4] {
        for index in [1u64, 3] {
            assert_eq!(client.private_path(index, levels).unwrap(), client.path(index).unwrap());
        }
    }
    assert_eq!(status(client.subtree(7, 0).unwrap_err()), (400, "bad_request".into()));
    assert_eq!(status(client.subtree(1, 9).unwrap_err()).0, 404);

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

    // The audit log: every write, accepted or refused, in order, chained to the ledger
    // that the operator's signed head vouches for.
    let log = client.audit_all(&operator_copy, 0).unwrap();
    let history = client.head().unwrap();
    assert_eq!(history.checkpoints.len(), 5, "create, 3 appends, 1 revocation");
    let accepted: Vec<(&str, Action)> =
        log.iter().filter(|e| e.accepted).map(|e| (e.actor.as_str(), e.action)).collect();
    assert_eq!(
        accepted,
        vec![
            ("local", Action::Create),
            ("clinic:oslo-1", Action::Append { first: Some(0), count: 3 }),
            ("lab:bergen-2", Action::Append { first: Some(3), count: 1 }),
            ("clinic:oslo-1", Action::Revoke { index: 0 }),
            ("clinic:oslo-1", Action::Append { first: Some(4), count: 1 }),
        ]
    );
    let refused: Vec<String> = log
        .iter()
        .filter(|e| !e.accepted)
        .map(|e| e.reason.clone().unwrap().split(':').next().unwrap().to_string())
        .collect();
    assert_eq!(
        refused,
        [
            "not_your_leaf",
            "already_revoked",
            "not_your_leaf",
            "unauthorized",
            "unauthorized",
            "unauthorized",
            "unauthorized",
            "replay",
            "unauthorized",
            "bad_request",
            "empty_commitment"
        ]
    );
    let stranger_entry = log.iter().find(|e| e.actor == "clinic:unknown").unwrap();
    assert_eq!(stranger_entry.actor_kind, ActorKind::Unauthenticated);
    assert_eq!(stranger_entry.route.as_deref(), Some("POST /v1/append"));
    // The log verifies against the full ledger (the head carries all five checkpoints).
    audit::verify(&log, &history.checkpoints).unwrap();
    assert_eq!(client.audit(&operator_copy, 2, 3).unwrap().entries, log[2..5].to_vec());
    // Only the operator reads it: an issuer's signature, or none, is refused (and logged).
    let as_issuer = clinic.sign("GET", "/v1/audit?from=0&limit=10", 0, b"");
    let url = format!("{}/v1/audit?from=0&limit=10", running.url());
    let refused = ureq::get(&url)
        .header(auth::ISSUER, &as_issuer.issuer)
        .header(auth::TIMESTAMP, as_issuer.timestamp.to_string())
        .header(auth::NONCE, hex::encode(as_issuer.nonce))
        .header(auth::SIGNATURE, hex::encode(as_issuer.signature))
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    let other_operator = OperatorSecret::generate();
    assert_eq!(status(client.audit(&other_operator, 0, 10).unwrap_err()).0, 401);
    assert_eq!(status(client.audit(&operator_copy, 0, 0).unwrap_err()).0, 400);
    let last = client.audit_all(&operator_copy, 0).unwrap();
    assert_eq!(last.len(), log.len() + 2);
    assert!(last[log.len()..].iter().all(|e| e.action == Action::ReadAudit && !e.accepted));

    // Metrics: by route template and status, never by leaf.
    let metrics = client.metrics().unwrap();
    for line in [
        "medzk_http_requests_total{route=\"/v1/append\",status=\"200\"} 3",
        "medzk_http_requests_total{route=\"/v1/revoke\",status=\"403\"} 2",
        "medzk_http_requests_total{route=\"/v1/append\",status=\"409\"} 1",
        "medzk_registry_leaves 5",
        "medzk_leaves_appended_total 5",
    ] {
        assert!(metrics.lines().any(|l| l == line), "missing {line} in\n{metrics}");
    }
    assert!(!metrics.contains("/v1/path/1"));
    // Pages of any origin may read heads, paths and subtrees; nothing else.
    let cors = |path: &str| {
        let mut response = ureq::get(&format!("{}{path}", running.url()))
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .unwrap();
        let _ = response.body_mut().read_to_string();
        response.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_string())
    };
    for public in ["/v1/head", "/v1/path/0", "/v1/subtree/1/0"] {
        assert_eq!(cors(public).as_deref(), Some("*"), "{public}");
    }
    for private in ["/healthz", "/metrics", "/v1/audit"] {
        assert_eq!(cors(private), None, "{private}");
    }
}

/// An issuer over its rate is refused with 429 and a Retry-After; other issuers are not
/// affected; the refusals are audited.
#[test]
fn issuers_are_rate_limited() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::create(&dir.path().join("reg.redb"), Depth::new(8).unwrap(), 0).unwrap();
    let operator = OperatorSecret::generate();
    let operator_copy = OperatorSecret::from_json(&operator.to_json()).unwrap();
    let busy = IssuerSecret::generate("clinic:busy");
    let calm = IssuerSecret::generate("clinic:calm");
    let issuers = [&busy, &calm]
        .iter()
        .map(|i| (i.name().to_string(), auth::public_key(&i.public_hex()).unwrap()))
        .collect();
    let limits = Limits { issuer_rate: 0.01, issuer_burst: 2.0, ..Limits::default() };
    let config =
        ServiceConfig { registry, name: "registry:rate".into(), operator, issuers, limits, shc_import: None };
    let running = Running::start(config, loopback()).unwrap();
    let client = Client::new(&running.url());
    client.append(&busy, &[Fr::from(1u64)]).unwrap();
    client.append(&busy, &[Fr::from(2u64)]).unwrap();
    match client.append(&busy, &[Fr::from(3u64)]).unwrap_err() {
        ClientError::Refused { status, kind, message, .. } => {
            assert_eq!((status, kind.as_str()), (429, "rate_limited"));
            assert!(message.contains("retry in"), "{message}");
        }
        other => panic!("{other}"),
    }
    client.append(&calm, &[Fr::from(4u64)]).unwrap();
    let log = client.audit_all(&operator_copy, 0).unwrap();
    let limited = log.iter().find(|e| !e.accepted).unwrap();
    assert_eq!(limited.actor, "clinic:busy");
    assert!(limited.reason.as_deref().unwrap().starts_with("rate_limited"));
    assert!(
        client.metrics().unwrap().lines().any(|l| l == "medzk_rate_limited_total{issuer=\"clinic:busy\"} 1")
    );
    // No issuer may be enrolled under the operator's name.
    let registry = Registry::create(&dir.path().join("reg2.redb"), Depth::new(8).unwrap(), 0).unwrap();
    let fake = IssuerSecret::generate("operator");
    let config = ServiceConfig {
        registry,
        name: "registry:rate".into(),
        operator: OperatorSecret::generate(),
        issuers: vec![("operator".into(), auth::public_key(&fake.public_hex()).unwrap())],
        limits: Limits::default(),
        shc_import: None,
    };
    assert!(medzk_service::Service::new(config).is_err());
}

#[test]
fn the_service_on_redb() {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::create(&dir.path().join("reg.redb"), Depth::new(8).unwrap(), 0).unwrap();
    exercise(registry);
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
    exercise(registry);
}

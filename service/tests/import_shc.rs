//! `POST /v1/import/shc` on loopback: a wallet's SMART Health Card (signed here with the
//! project's own test key) verified, imported and answered with credentials; a second
//! import of the card gives the same commitments; every refusal appends nothing.

mod common;

use std::net::SocketAddr;

use common::{ISS, card, card_with_rid, issuer_key, now, shc_import};
use medzk_circuits::credential::Credential;
use medzk_circuits::field::{self, Fr};
use medzk_circuits::tree::Depth;
use medzk_registry::{Action, ActorKind, OperatorSecret, Registry};
use medzk_service::{Client, ClientError, Limits, Running, ServiceConfig};
use p256::ecdsa::SigningKey;
use serde_json::{Value, json};

/// A service (with card imports or without), the operator's key, and the registry's
/// directory, which outlives the service (dropped after it).
fn service(import: bool) -> (Running, OperatorSecret, tempfile::TempDir) {
    service_with(import.then(shc_import))
}

fn service_with(
    shc_import: Option<medzk_service::ShcImport>,
) -> (Running, OperatorSecret, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::create(&dir.path().join("reg.redb"), Depth::new(8).unwrap(), now()).unwrap();
    let operator = OperatorSecret::generate();
    let copy = OperatorSecret::from_json(&operator.to_json()).unwrap();
    let config = ServiceConfig {
        registry,
        name: "registry:test".into(),
        operator,
        issuers: vec![],
        limits: Limits::default(),
        shc_import,
    };
    (Running::start(config, "127.0.0.1:0".parse::<SocketAddr>().unwrap()).unwrap(), copy, dir)
}

fn import(client: &Client, card: &str, holder: &str) -> Result<Value, ClientError> {
    let body = json!({ "card": card, "holder_id": holder }).to_string();
    client.post_raw("/v1/import/shc", &[], body.as_bytes()).map(|t| serde_json::from_str(&t).unwrap())
}

fn refused(e: ClientError) -> (u16, String, String) {
    match e {
        ClientError::Refused { status, kind, message, .. } => (status, kind, message),
        other => panic!("expected a refusal, got {other}"),
    }
}

fn commitments(answer: &Value) -> Vec<Fr> {
    answer["credentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Credential::from_json(&c.to_string()).expect("a valid credential").commitment)
        .collect()
}

#[test]
fn a_card_is_verified_imported_and_answered_with_credentials_and_a_reimport_repeats_its_commitments() {
    let (running, operator, _dir) = service(true);
    let client = Client::new(&running.url());
    let holder = field::to_hex(&Fr::from(4242u64));
    let text = card(&issuer_key(), "FK1234");

    let first = import(&client, &text, &holder).unwrap();
    assert_eq!((first["first"].as_u64(), first["count"].as_u64()), (Some(0), Some(3)));
    assert_eq!(first["cards"][0]["iss"], ISS);
    let creds = first["credentials"].as_array().unwrap();
    let kinds: Vec<&str> = creds.iter().map(|c| c["record"]["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["demographics", "immunization", "immunization"]);
    for (i, c) in creds.iter().enumerate() {
        let c = Credential::from_json(&c.to_string()).unwrap();
        assert_eq!(c.leaf_index, i as u64);
        assert_eq!(c.record.holder.0, Fr::from(4242u64));
        assert!(c.record.issuer.starts_with(&format!("shc:{ISS}#")), "{}", c.record.issuer);
        // The leaf the service appended is the credential's commitment.
        let path = client.path(i as u64).unwrap();
        assert_eq!(path.path.root(c.commitment), path.root);
    }

    // The same card again: new leaves, the same commitments (one fact, one commitment).
    let again = import(&client, &text, &holder).unwrap();
    assert_eq!(again["first"].as_u64(), Some(3));
    assert_eq!(commitments(&again), commitments(&first));
    // Another holder, or another card (another lot) of the same doses: other commitments.
    let other_holder = import(&client, &text, &field::to_hex(&Fr::from(7u64))).unwrap();
    let other_lot = import(&client, &card(&issuer_key(), "ZZ999"), &holder).unwrap();
    for other in [&other_holder, &other_lot] {
        assert!(commitments(other)[1..].iter().all(|c| !commitments(&first).contains(c)));
    }

    // The import's own issuer owns the leaves; the audit log names it.
    let entries = client.audit_all(&operator, 0).unwrap();
    let appends: Vec<_> =
        entries.iter().filter(|e| matches!(e.action, Action::Append { .. }) && e.accepted).collect();
    assert_eq!(appends.len(), 4);
    assert!(appends.iter().all(|e| e.actor == "shc-import" && e.actor_kind == ActorKind::Issuer));
}

#[test]
fn every_refusal_is_typed_and_appends_nothing() {
    let (running, _, _dir) = service(true);
    let client = Client::new(&running.url());
    let holder = field::to_hex(&Fr::from(4242u64));
    let good = card(&issuer_key(), "FK1234");
    let mut tampered = good.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == '0' { '1' } else { '0' });
    let stranger = card(&SigningKey::from_bytes(&[0x3c; 32].into()).unwrap(), "FK1234");
    let cases: Vec<(String, u16, &str)> = vec![
        (json!({ "card": tampered, "holder_id": holder }).to_string(), 422, "invalid_card"),
        (json!({ "card": stranger, "holder_id": holder }).to_string(), 422, "invalid_card"),
        (json!({ "card": "shc:/123", "holder_id": holder }).to_string(), 422, "invalid_card"),
        (json!({ "card": good, "holder_id": "0xzz" }).to_string(), 400, "bad_request"),
        (json!({ "card": good, "holder_id": holder, "extra": 1 }).to_string(), 400, "bad_request"),
        ("not json".to_string(), 400, "bad_request"),
    ];
    for (body, status, kind) in cases {
        let e = client.post_raw("/v1/import/shc", &[], body.as_bytes()).unwrap_err();
        let (s, k, message) = refused(e);
        assert_eq!((s, k.as_str()), (status, kind), "{message}");
        assert!(!message.contains("FK1234"), "no card content in errors: {message}");
    }
    assert_eq!(client.head().unwrap().checkpoints.last().unwrap().leaves, 0, "nothing appended");
    // A good card still imports afterwards.
    assert_eq!(import(&client, &good, &holder).unwrap()["count"].as_u64(), Some(3));
}

#[test]
fn a_service_without_card_imports_says_so_and_pages_may_call_one_that_has_them() {
    let (off, _, _off_dir) = service(false);
    let e = import(&Client::new(&off.url()), &card(&issuer_key(), "FK1234"), "0x01").unwrap_err();
    let (status, kind, _) = refused(e);
    assert_eq!((status, kind.as_str()), (404, "not_enabled"));

    let (on, _, _on_dir) = service(true);
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let preflight = agent
        .options(&format!("{}/v1/import/shc", on.url()))
        .header("origin", "https://wallet.example")
        .header("access-control-request-method", "POST")
        .call()
        .unwrap();
    assert_eq!(preflight.status().as_u16(), 204);
    let h = preflight.headers();
    assert_eq!(h.get("access-control-allow-origin").unwrap(), "*");
    assert_eq!(h.get("access-control-allow-headers").unwrap(), "content-type");
    let refused = agent
        .post(&format!("{}/v1/import/shc", on.url()))
        .header("content-type", "application/json")
        .send("{}".as_bytes())
        .unwrap();
    assert_eq!(refused.status().as_u16(), 400);
    assert_eq!(refused.headers().get("access-control-allow-origin").unwrap(), "*", "errors readable too");
}

#[test]
fn card_imports_need_an_issuer_name_of_their_own() {
    for name in ["", "operator", "clinic:oslo-1"] {
        let dir = tempfile::tempdir().unwrap();
        let registry = Registry::create(&dir.path().join("reg.redb"), Depth::new(8).unwrap(), now()).unwrap();
        let clinic = medzk_service::auth::IssuerSecret::generate("clinic:oslo-1");
        let mut import = shc_import();
        import.issuer = name.into();
        let config = ServiceConfig {
            registry,
            name: "registry:test".into(),
            operator: OperatorSecret::generate(),
            issuers: vec![(
                "clinic:oslo-1".into(),
                medzk_service::auth::public_key(&clinic.public_hex()).unwrap(),
            )],
            limits: Limits::default(),
            shc_import: Some(import),
        };
        let e = medzk_service::Service::new(config).err().expect("refused");
        assert!(e.to_string().contains("an issuer name of their own"), "{e}");
    }
}

#[test]
fn a_card_on_its_issuers_revocation_list_is_refused() {
    let mut config = shc_import();
    let kid = medzk_formats::shc::keys::public_jwk(issuer_key().verifying_key())["kid"]
        .as_str()
        .unwrap()
        .to_string();
    let list = format!(r#"{{"kid":"{kid}","method":"rid","ctr":1,"rids":["revoked-1"]}}"#);
    config.revocations.push(medzk_formats::shc::RevocationList::parse(&list).unwrap());
    let (running, _, _dir) = service_with(Some(config));
    let client = Client::new(&running.url());
    let holder = field::to_hex(&Fr::from(4242u64));
    let (status, kind, message) = refused(
        import(&client, &card_with_rid(&issuer_key(), "FK1234", Some("revoked-1")), &holder).unwrap_err(),
    );
    assert_eq!((status, kind.as_str()), (422, "invalid_card"), "{message}");
    assert!(message.contains("revocation"), "{message}");
    assert_eq!(client.head().unwrap().checkpoints.last().unwrap().leaves, 0, "nothing appended");
    let other = import(&client, &card_with_rid(&issuer_key(), "FK1234", Some("another")), &holder).unwrap();
    assert_eq!(other["count"].as_u64(), Some(3));
}

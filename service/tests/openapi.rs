//! docs/openapi.json against the running service: every call the service answers is a
//! documented path, method and status, and every JSON body it returns validates against
//! the documented schema; every documented operation is exercised.

mod common;

use std::collections::BTreeSet;

use medzk_circuits::field::{self, Fr};
use medzk_circuits::tree::Depth;
use medzk_registry::{OperatorSecret, Registry};
use medzk_service::auth::{self, IssuerSecret};
use medzk_service::{Limits, Running, ServiceConfig};
use serde_json::{Value, json};

struct Checker {
    doc: Value,
    base: String,
    agent: ureq::Agent,
    seen: BTreeSet<(String, String)>,
}

impl Checker {
    fn call(
        &mut self,
        method: &str,
        path: &str,
        template: &str,
        headers: &[(&str, String)],
        body: Option<&[u8]>,
    ) -> (u16, Value) {
        let url = format!("{}{path}", self.base);
        let response = match body {
            None => {
                let mut request = self.agent.get(&url);
                for (name, value) in headers {
                    request = request.header(*name, value);
                }
                request.call()
            }
            Some(bytes) => {
                let mut request = self.agent.post(&url).header("content-type", "application/json");
                for (name, value) in headers {
                    request = request.header(*name, value);
                }
                request.send(bytes)
            }
        };
        let mut response = response.unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        let operation = &self.doc["paths"][template][method.to_lowercase()];
        assert!(operation.is_object(), "{method} {template} is not in docs/openapi.json");
        let documented = &operation["responses"][status.to_string()];
        assert!(
            documented.is_object(),
            "{method} {template} answered {status}, which docs/openapi.json does not list"
        );
        let documented = match documented.get("$ref").and_then(Value::as_str) {
            Some(r) => self.resolve(r),
            None => documented.clone(),
        };
        let value: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if let Some(schema) = documented["content"]["application/json"].get("schema") {
            let mut root = json!({ "components": self.doc["components"] });
            root["$ref"] = schema["$ref"].clone();
            let validator = jsonschema::draft202012::new(&root).unwrap();
            let errors: Vec<String> =
                validator.iter_errors(&value).map(|e| format!("{e} at {}", e.instance_path())).collect();
            assert!(errors.is_empty(), "{method} {path} {status}: {errors:?}\n{text}");
        }
        self.seen.insert((method.to_string(), template.to_string()));
        (status, value)
    }

    fn resolve(&self, reference: &str) -> Value {
        let mut at = &self.doc;
        for part in reference.trim_start_matches("#/").split('/') {
            at = &at[part];
        }
        at.clone()
    }
}

fn signed(issuer: &IssuerSecret, path: &str, body: &[u8]) -> Vec<(&'static str, String)> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let s = issuer.sign("POST", path, now, body);
    vec![
        (auth::ISSUER, s.issuer),
        (auth::TIMESTAMP, s.timestamp.to_string()),
        (auth::NONCE, hex::encode(s.nonce)),
        (auth::SIGNATURE, hex::encode(s.signature)),
    ]
}

#[test]
fn the_running_service_matches_docs_openapi_json() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("docs/openapi.json")).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let registry = Registry::create(&dir.path().join("reg.redb"), Depth::new(8).unwrap(), 0).unwrap();
    let clinic = IssuerSecret::generate("clinic:a");
    let lab = IssuerSecret::generate("lab:b");
    let operator = OperatorSecret::generate();
    let issuers = [&clinic, &lab]
        .iter()
        .map(|i| (i.name().to_string(), auth::public_key(&i.public_hex()).unwrap()))
        .collect();
    let config = ServiceConfig {
        registry,
        name: "registry:openapi".into(),
        operator: OperatorSecret::from_json(&operator.to_json()).unwrap(),
        issuers,
        limits: Limits::default(),
        shc_import: Some(common::shc_import()),
    };
    let running = Running::start(config, "127.0.0.1:0".parse().unwrap()).unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut c = Checker { doc, base: running.url(), agent, seen: BTreeSet::new() };

    assert_eq!(c.call("GET", "/healthz", "/healthz", &[], None).0, 200);
    let append =
        |n: u64| serde_json::to_vec(&json!({ "commitments": [field::to_hex(&Fr::from(n))] })).unwrap();
    let body = append(7);
    assert_eq!(
        c.call("POST", "/v1/append", "/v1/append", &signed(&clinic, "/v1/append", &body), Some(&body)).0,
        200
    );
    assert_eq!(c.call("POST", "/v1/append", "/v1/append", &[], Some(&body)).0, 401);
    let junk = b"[]".to_vec();
    assert_eq!(
        c.call("POST", "/v1/append", "/v1/append", &signed(&clinic, "/v1/append", &junk), Some(&junk)).0,
        400
    );
    assert_eq!(c.call("GET", "/v1/head", "/v1/head", &[], None).0, 200);
    assert_eq!(c.call("GET", "/v1/path/0", "/v1/path/{index}", &[], None).0, 200);
    assert_eq!(c.call("GET", "/v1/path/5", "/v1/path/{index}", &[], None).0, 404);
    let subtree = "/v1/subtree/{levels}/{group}";
    assert_eq!(c.call("GET", "/v1/subtree/2/0", subtree, &[], None).0, 200);
    assert_eq!(c.call("GET", "/v1/subtree/9/0", subtree, &[], None).0, 400);
    assert_eq!(c.call("GET", "/v1/subtree/1/3", subtree, &[], None).0, 404);
    assert_eq!(c.call("GET", "/metrics", "/metrics", &[], None).0, 200);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let audit = "/v1/audit?from=0&limit=50";
    let s = auth::sign_as_operator(&operator, "GET", audit, now, b"");
    let headers = vec![
        (auth::ISSUER, s.issuer.clone()),
        (auth::TIMESTAMP, s.timestamp.to_string()),
        (auth::NONCE, hex::encode(s.nonce)),
        (auth::SIGNATURE, hex::encode(s.signature)),
    ];
    let (status, page) = c.call("GET", audit, "/v1/audit", &headers, None);
    assert_eq!(status, 200);
    assert_eq!(page["entries"].as_array().unwrap().len(), 4, "{page}");
    assert_eq!(c.call("GET", audit, "/v1/audit", &headers, None).0, 409);
    assert_eq!(c.call("GET", audit, "/v1/audit", &[], None).0, 401);
    let bad_limit = "/v1/audit?limit=5000";
    let s = auth::sign_as_operator(&operator, "GET", bad_limit, now, b"");
    let headers = vec![
        (auth::ISSUER, s.issuer.clone()),
        (auth::TIMESTAMP, s.timestamp.to_string()),
        (auth::NONCE, hex::encode(s.nonce)),
        (auth::SIGNATURE, hex::encode(s.signature)),
    ];
    assert_eq!(c.call("GET", bad_limit, "/v1/audit", &headers, None).0, 400);
    let revoke = serde_json::to_vec(&json!({ "index": 0 })).unwrap();
    assert_eq!(
        c.call("POST", "/v1/revoke", "/v1/revoke", &signed(&lab, "/v1/revoke", &revoke), Some(&revoke)).0,
        403
    );
    assert_eq!(
        c.call("POST", "/v1/revoke", "/v1/revoke", &signed(&clinic, "/v1/revoke", &revoke), Some(&revoke)).0,
        200
    );
    assert_eq!(
        c.call("POST", "/v1/revoke", "/v1/revoke", &signed(&clinic, "/v1/revoke", &revoke), Some(&revoke)).0,
        409
    );
    let import = "/v1/import/shc";
    let card = common::card(&common::issuer_key(), "FK1234");
    let body =
        serde_json::to_vec(&json!({ "card": card, "holder_id": field::to_hex(&Fr::from(42u64)) })).unwrap();
    assert_eq!(c.call("POST", import, import, &[], Some(&body)).0, 200);
    let stranger = common::card(&p256::ecdsa::SigningKey::from_bytes(&[0x3c; 32].into()).unwrap(), "FK1234");
    let body = serde_json::to_vec(&json!({ "card": stranger, "holder_id": field::to_hex(&Fr::from(42u64)) }))
        .unwrap();
    assert_eq!(c.call("POST", import, import, &[], Some(&body)).0, 422);
    assert_eq!(c.call("POST", import, import, &[], Some(b"{}")).0, 400);

    // Every documented operation was exercised, and nothing else is served.
    let documented: BTreeSet<(String, String)> = c.doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object().unwrap().keys().map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect();
    assert_eq!(documented, c.seen);
    let undocumented = c.agent.get(&format!("{}/v1/ledger", running.url())).call().unwrap();
    assert_eq!(undocumented.status().as_u16(), 404);
}

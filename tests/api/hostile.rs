//! Hostile traffic: crafted documents are answered or refused by the gate, over HTTP and
//! WebSocket; every limit follows its setting; persisted queries, request ids, metrics, the
//! request timeout and internal errors behave as a client expects.

use std::time::Duration;

use contactflow::http::{DocumentLimits, Gate};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::crafted::{self as hostile, BUDGET};
use crate::support::socket::{next, open, send};
use crate::support::{Backend, TestServer, error_codes, settings_for};

async fn post_raw(server: &TestServer, body: Value) -> (u16, reqwest::header::HeaderMap, Value) {
    let response = server
        .http()
        .post(format!("{}/graphql", server.base))
        .header("content-type", "application/json")
        .header("accept", "application/graphql-response+json")
        .body(body.to_string())
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    (
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    )
}

async fn sqlite_server() -> TestServer {
    TestServer::start(Backend::Sqlite)
        .await
        .expect("SQLite always runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_crafted_document_is_answered_or_refused_with_its_code() {
    let server = sqlite_server().await;
    for document in hostile::documents() {
        let body = json!({ "query": document.query, "operationName": document.operation_name });
        let (status, _, response) = post_raw(&server, body).await;
        match document.refused_with {
            Some(code) => {
                assert_eq!(status, 400, "{}: {response}", document.name);
                let codes = error_codes(&response);
                assert!(
                    codes.len() <= 101,
                    "{}: {} errors",
                    document.name,
                    codes.len()
                );
                assert!(
                    codes.iter().all(|c| c == code),
                    "{}: {codes:?}",
                    document.name
                );
                assert!(response.get("data").is_none(), "{}", document.name);
            }
            None => {
                assert_eq!(status, 200, "{}: {response}", document.name);
                assert!(
                    response["data"].is_object(),
                    "{}: {response}",
                    document.name
                );
            }
        }
    }
    let deep_variables = format!(
        "{{\"query\":\"{{ __typename }}\",\"variables\":{{\"v\":{}1{}}}}}",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let response = server
        .http()
        .post(format!("{}/graphql", server.base))
        .header("content-type", "application/json")
        .body(deep_variables)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        400,
        "deeply nested JSON variables"
    );
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crafted_document_over_websocket_is_refused_without_closing_the_socket() {
    let server = sqlite_server().await;
    let token = server.login("alice").await;
    let mut socket = open(&server, "graphql-transport-ws").await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    send(&mut socket, init).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(2)).await.unwrap()["type"],
        "connection_ack"
    );
    let bomb = &hostile::documents()[0];
    send(
        &mut socket,
        json!({ "id": "bomb", "type": "subscribe", "payload": { "query": bomb.query } }),
    )
    .await;
    let refused = next(&mut socket, Duration::from_secs(2)).await.unwrap();
    assert_eq!(
        (refused["type"].as_str(), refused["id"].as_str()),
        (Some("error"), Some("bomb"))
    );
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "QUERY_TOO_COMPLEX"
    );
    send(
        &mut socket,
        json!({ "id": "ok", "type": "subscribe", "payload": { "query": "{ me { login } }" } }),
    )
    .await;
    let answered = next(&mut socket, Duration::from_secs(2)).await.unwrap();
    assert_eq!(answered["payload"]["data"]["me"]["login"], "alice");
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_limit_follows_its_setting() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cf.db").display());
    let mut settings = settings_for(&url);
    settings.limits.max_aliases = 1;
    settings.limits.max_depth = 3;
    settings.limits.max_directives = 1;
    settings.limits.max_tokens = 40;
    settings.limits.max_selections = 5;
    settings.limits.max_complexity = 30;
    settings.suggestions = false;
    settings.introspection = false;
    let server = TestServer::start_on_with(settings, true).await;
    let token = server.login("alice").await;
    let cases = [
        ("{ a: __typename b: __typename }", "aliases"),
        ("{ contacts(first: 1) { edges { node { id } } } }", "deep"),
        (
            "{ __typename @skip(if: false) __typename @include(if: true) }",
            "directives",
        ),
        (&*format!("{{ {} }}", "__typename ".repeat(41)), "tokens"),
        (
            "{ __typename __typename __typename __typename __typename __typename }",
            "selections",
        ),
    ];
    for (query, limit) in cases {
        let response = server.post(Some(&token), query, json!({})).await;
        assert_eq!(error_codes(&response), vec!["QUERY_TOO_COMPLEX"], "{query}");
        assert!(
            response["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(limit),
            "{response}"
        );
    }
    let complex = server
        .post(
            Some(&token),
            "{ contacts(first: 40) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        error_codes(&complex),
        vec!["QUERY_TOO_COMPLEX"],
        "{complex}"
    );
    let typo = server
        .post(Some(&token), "{ contact(id: \"x\") { nam } }", json!({}))
        .await;
    let message = typo["errors"][0]["message"].as_str().unwrap();
    assert!(
        !message.contains("Did you mean"),
        "suggestions are off: {message}"
    );
    let introspection = server
        .post(None, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert!(
        introspection.get("errors").is_some(),
        "introspection is off: {introspection}"
    );
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn suggestions_are_on_by_default() {
    let server = sqlite_server().await;
    let token = server.login("alice").await;
    let typo = server
        .post(Some(&token), "{ contact(id: \"x\") { nam } }", json!({}))
        .await;
    assert!(
        typo["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Did you mean"),
        "{typo}"
    );
    server.finish().await;
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn persisted_queries_are_learned_once_and_then_sent_by_hash() {
    let server = sqlite_server().await;
    let query = "query Ping { __typename }";
    let extensions = json!({ "persistedQuery": { "version": 1, "sha256Hash": sha256_hex(query) } });
    let (status, _, unknown) = post_raw(&server, json!({ "extensions": extensions })).await;
    assert_eq!(status, 200, "Apollo clients expect 200 for an unknown hash");
    assert_eq!(error_codes(&unknown), vec!["PERSISTED_QUERY_NOT_FOUND"]);
    assert_eq!(unknown["errors"][0]["message"], "PersistedQueryNotFound");
    let (_, _, learned) =
        post_raw(&server, json!({ "query": query, "extensions": extensions })).await;
    assert_eq!(learned["data"]["__typename"], "Query");
    let (_, _, by_hash) = post_raw(&server, json!({ "extensions": extensions })).await;
    assert_eq!(by_hash["data"]["__typename"], "Query");
    let by_get = server
        .http()
        .get(format!("{}/graphql", server.base))
        .query(&[("extensions", extensions.to_string())])
        .send()
        .await
        .unwrap();
    let by_get: Value = by_get.json().await.unwrap();
    assert_eq!(by_get["data"]["__typename"], "Query", "{by_get}");
    let wrong = json!({ "query": "{ me { login } }", "extensions": extensions });
    let (status, _, mismatch) = post_raw(&server, wrong).await;
    assert_eq!(
        (status, error_codes(&mismatch)),
        (400, vec!["BAD_USER_INPUT".to_owned()])
    );
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_ids_are_echoed_and_metrics_count_operations() {
    let server = sqlite_server().await;
    let (_, headers, _) = post_raw(&server, json!({ "query": "query Ping { __typename }" })).await;
    let generated = headers["x-request-id"].to_str().unwrap().to_owned();
    assert!(!generated.is_empty());
    let kept = server
        .http()
        .get(format!("{}/health/live", server.base))
        .header("x-request-id", "client-42")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "client-42");
    post_raw(&server, json!({ "query": "{ nope }" })).await;
    let metrics = server
        .http()
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap();
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = metrics.text().await.unwrap();
    for expected in [
        "contactflow_operations_total{operation=\"Ping\",type=\"query\",outcome=\"ok\"} 1",
        "outcome=\"refused\"",
        "contactflow_operation_duration_seconds_bucket{type=\"query\",le=\"+Inf\"}",
        "contactflow_subscriptions_active 0",
        "contactflow_websockets_open 0",
        "contactflow_reminders_delivered_total",
        "contactflow_db_pool_connections{state=\"idle\"}",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_over_its_time_is_answered_with_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("cf.db").display());
    let mut settings = settings_for(&url);
    settings.limits.request_timeout = Duration::from_millis(1);
    let server = TestServer::start_on_with(settings, true).await;
    // Signing in hashes a password with argon2: far longer than a millisecond.
    let (status, _, response) = post_raw(
        &server,
        json!({ "query": "mutation { login(input: {login: \"alice\", password: \"demo\"}) { token } }" }),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(error_codes(&response), vec!["TIMEOUT"], "{response}");
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_argument_out_of_range_is_bad_user_input_not_an_internal_error() {
    let server = sqlite_server().await;
    let token = server.login("alice").await;
    let response = server
        .post(
            Some(&token),
            "{ contacts(first: 3000000000) { totalCount } }",
            json!({}),
        )
        .await;
    let codes = error_codes(&response);
    assert!(
        codes == ["BAD_USER_INPUT"]
            || codes == ["QUERY_TOO_COMPLEX"]
            || codes == ["GRAPHQL_VALIDATION_FAILED"],
        "{response}"
    );
    let response = server
        .post(
            Some(&token),
            "query($n: Int) { contacts(first: $n) { totalCount } }",
            json!({ "n": 3_000_000_000u64 }),
        )
        .await;
    assert!(
        !error_codes(&response).contains(&"INTERNAL_SERVER_ERROR".to_owned()),
        "{response}"
    );
    assert!(!error_codes(&response).is_empty(), "{response}");
    server.finish().await;
}

#[test]
fn every_crafted_document_fits_a_request_body_and_meets_the_gate_as_expected() {
    let gate = Gate::new(DocumentLimits::default());
    for document in hostile::documents() {
        assert!(document.query.len() <= BUDGET, "{}", document.name);
        let verdict = gate.admit(&document.query);
        match (document.refused_with, verdict) {
            // Validation errors come from async-graphql, after the gate, except cycles.
            (Some("GRAPHQL_VALIDATION_FAILED"), _) | (None, Ok(_)) => {}
            (Some(code), Err(refusal)) => assert_eq!(refusal.code, code, "{}", document.name),
            (expected, verdict) => {
                panic!(
                    "{}: expected {expected:?}, got {:?}",
                    document.name,
                    verdict.err()
                )
            }
        }
    }
}

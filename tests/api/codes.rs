//! Top-level error codes: the server declares exactly the contract's (an error with any other
//! is answered as `INTERNAL_SERVER_ERROR`), and each a client can provoke comes back as itself.
//! Every response the harness reads is checked against the contract too (`support`), so each
//! test of the suite also checks the codes it meets; `TIMEOUT` and `INTERNAL_SERVER_ERROR` are
//! provoked in `hostile`, `SERVICE_UNAVAILABLE` in `outage`. No operation of today's schema
//! answers a top-level `FORBIDDEN`: a mutation the caller's role may not run answers it as a
//! user error (`admin`, `rights`).

use std::collections::BTreeSet;

use contactflow::graphql::errors::codes;
use serde_json::{Value, json};

use crate::support::{Backend, CONTRACT_CODES, TestServer, error_codes};

#[test]
fn the_server_declares_exactly_the_contracts_codes() {
    let declared: BTreeSet<&str> = codes::ALL.into_iter().collect();
    let contract: BTreeSet<&str> = CONTRACT_CODES.into_iter().collect();
    assert_eq!(declared, contract);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_code_a_client_can_provoke_comes_back_as_itself() {
    let server = TestServer::start(Backend::Sqlite).await.unwrap();
    let alice = server.login("alice").await;
    let wrong_password =
        r#"mutation { login(input: { login: "bob", password: "wrong" }) { token } }"#;
    let too_many_aliases = format!(
        "{{ {} }}",
        (0..200)
            .map(|n| format!("a{n}: __typename "))
            .collect::<String>()
    );
    let cases: Vec<(&str, Value)> = vec![
        (
            "UNAUTHENTICATED",
            server
                .post(None, "{ me { login } }", json!({}))
                .await,
        ),
        (
            "BAD_USER_INPUT",
            server
                .post(Some(&alice), "{ contacts(after: \"not a cursor\") { totalCount } }", json!({}))
                .await,
        ),
        ("GRAPHQL_PARSE_FAILED", server.post(Some(&alice), "{ me {", json!({})).await),
        (
            "GRAPHQL_VALIDATION_FAILED",
            server.post(Some(&alice), "{ nope }", json!({})).await,
        ),
        (
            "QUERY_TOO_COMPLEX",
            server.post(Some(&alice), &too_many_aliases, json!({})).await,
        ),
        (
            "PERSISTED_QUERY_NOT_FOUND",
            server
                .post_body(json!({ "extensions": { "persistedQuery": { "version": 1, "sha256Hash": "0".repeat(64) } } }))
                .await,
        ),
    ];
    for (expected, response) in cases {
        assert_eq!(error_codes(&response), vec![expected], "{response}");
    }
    let mut last = Value::Null;
    for _ in 0..6 {
        last = server.post(None, wrong_password, json!({})).await;
    }
    assert_eq!(error_codes(&last), vec!["RATE_LIMITED"], "{last}");
    server.finish().await;
}

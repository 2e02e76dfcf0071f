//! The test harness: the real server on a random port over a fresh database (SQLite always,
//! PostgreSQL when `CONTACTFLOW_TEST_POSTGRES_URL` is set), a GraphQL client, a WebSocket
//! client, the external tools the client tests drive, and the demo data's ids.

pub mod binary;
mod client;
pub mod cluster;
mod databases;
mod demo;
mod program;
mod server;
pub mod socket;
pub mod tools;

pub use databases::{Backend, TestDatabase};
pub use demo::{CONTACT_FIELDS, DemoIds, contact_in, had_discovery_call, read_contact};
pub use server::{TestServer, settings_for};

use serde_json::Value;

/// Defines each named `async fn(&TestServer)` of the calling module as two tests: on SQLite,
/// and on PostgreSQL when configured.
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let backend = $crate::support::Backend::Sqlite;
                    if let Some(server) = $crate::support::TestServer::start(backend).await {
                        let run = tokio::time::timeout(std::time::Duration::from_secs(180), super::$name(&server));
                        run.await.expect("the test finishes within 3 minutes");
                        server.finish().await;
                    }
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let backend = $crate::support::Backend::Postgres;
                    if let Some(server) = $crate::support::TestServer::start(backend).await {
                        let run = tokio::time::timeout(std::time::Duration::from_secs(180), super::$name(&server));
                        run.await.expect("the test finishes within 3 minutes");
                        server.finish().await;
                    }
                }
            )+
        }
    };
}

pub(crate) use on_both_databases;

/// A client builder for HTTP(S) requests of the tests: rustls's ring provider installed first,
/// as the server does (reqwest is built without a provider of its own).
pub fn http_builder() -> reqwest::ClientBuilder {
    static PROVIDER: std::sync::Once = std::sync::Once::new();
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
}

/// A client for HTTP(S) requests of the tests.
pub fn http() -> reqwest::Client {
    http_builder().build().expect("an HTTP client")
}

/// The nodes of a connection's edges.
pub fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

/// The `extensions.code` of each top-level error.
/// The codes a top-level error may carry: API.md, "Transport" and "Browsers, limits and
/// faults" (`SERVICE_UNAVAILABLE`).
pub const CONTRACT_CODES: [&str; 11] = [
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "BAD_USER_INPUT",
    "GRAPHQL_PARSE_FAILED",
    "GRAPHQL_VALIDATION_FAILED",
    "QUERY_TOO_COMPLEX",
    "PERSISTED_QUERY_NOT_FOUND",
    "RATE_LIMITED",
    "TIMEOUT",
    "INTERNAL_SERVER_ERROR",
    "SERVICE_UNAVAILABLE",
];

/// Fails the test unless every top-level error of `response` carries one of the contract's
/// codes; every response the harness reads passes through here.
pub fn assert_contract_codes(response: &Value) {
    let Some(errors) = response["errors"].as_array() else {
        return;
    };
    for error in errors {
        let code = error["extensions"]["code"].as_str();
        assert!(
            code.is_some_and(|code| CONTRACT_CODES.contains(&code)),
            "a top-level error outside the contract: {error}"
        );
    }
}

/// The codes of a response's top-level errors (each checked to be the contract's).
pub fn error_codes(response: &Value) -> Vec<String> {
    assert_contract_codes(response);
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The `userErrors` of a payload as (code, field path) pairs.
pub fn user_errors(payload: &Value) -> Vec<(String, String)> {
    payload["userErrors"]
        .as_array()
        .expect("userErrors")
        .iter()
        .map(|e| {
            let field = e["field"]
                .as_array()
                .map(|parts| {
                    parts
                        .iter()
                        .map(|p| p.as_str().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            (e["code"].as_str().unwrap().to_owned(), field)
        })
        .collect()
}

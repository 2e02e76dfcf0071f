//! Starting up: several instances on one PostgreSQL database, restarts, and a server
//! without demo data.

use serde_json::json;

use crate::support::{Backend, TestDatabase, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_migrate_and_seed_once() {
    let Some(database) = TestDatabase::fresh(Backend::Postgres).await else {
        return;
    };
    let starts = (0..4).map(|_| TestServer::start_on(&database.url, true));
    let servers = futures_util::future::join_all(starts).await;
    let token = servers[0].login("alice").await;
    for server in &servers {
        let data = server
            .data(
                &token,
                "{ operators { id } contacts { totalCount } workflows { id } }",
                json!({}),
            )
            .await;
        assert_eq!(
            data["operators"].as_array().map(Vec::len),
            Some(4),
            "operators seeded once"
        );
        assert_eq!(data["contacts"]["totalCount"], 36, "contacts seeded once");
        assert_eq!(data["workflows"].as_array().map(Vec::len), Some(1));
    }
    for server in servers {
        server.finish().await;
    }
}

async fn restart_keeps_data_and_tokens(backend: Backend) {
    let Some(first) = TestServer::start(backend).await else {
        return;
    };
    let token = first.login("bob").await;
    let url = first.database_url.clone();
    let second = TestServer::start_on(&url, true).await;
    let data = second
        .data(
            &token,
            "{ me { login } contacts { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({ "me": { "login": "bob" }, "contacts": { "totalCount": 36 } }),
        "the secret kept in the database outlives a restart; --demo does not load twice"
    );
    second.finish().await;
    first.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_the_data_and_the_issued_tokens_on_sqlite() {
    restart_keeps_data_and_tokens(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_keeps_the_data_and_the_issued_tokens_on_postgres() {
    restart_keeps_data_and_tokens(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_demo_the_database_starts_empty() {
    let server = TestServer::start_with(Backend::Sqlite, false)
        .await
        .expect("sqlite");
    let response = server.post(None, "mutation { login(input: {login: \"admin\", password: \"demo\"}) { userErrors { code } } }", json!({})).await;
    assert_eq!(
        response["data"]["login"]["userErrors"][0]["code"],
        "INVALID_CREDENTIALS"
    );
    server.finish().await;
}

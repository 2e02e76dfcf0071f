//! On PostgreSQL queries read on a pool of their own, apart from the one writes, subscriptions
//! and background work use: `/metrics` shows both.

use serde_json::json;

use crate::support::{Backend, TestServer};

/// A gauge's value in `/metrics`.
fn gauge(metrics: &str, series: &str) -> u32 {
    metrics
        .lines()
        .find_map(|line| line.strip_prefix(&format!("{series} ")))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("{series} in\n{metrics}"))
}

fn open(metrics: &str, pool: &str) -> u32 {
    gauge(metrics, &format!("{pool}{{state=\"idle\"}}"))
        + gauge(metrics, &format!("{pool}{{state=\"in_use\"}}"))
}

/// Pages read at once open connections of the query pool, as many as it may hold and no
/// more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queries_read_on_a_pool_of_their_own_up_to_its_size() {
    let Some(server) = TestServer::start_adjusted(Backend::Postgres, true, |settings| {
        settings.db_query_connections = 3;
    })
    .await
    else {
        return;
    };
    let token = server.login("alice").await;
    let before = server.metrics().await;
    let page = "{ contacts(first: 50) { totalCount edges { node { id name stage { code } owner { id } } } } }";
    let pages = (0..24).map(|_| server.data(&token, page, json!({})));
    let answers = futures_util::future::join_all(pages).await;
    assert!(
        answers
            .iter()
            .all(|answer| answer["contacts"]["totalCount"].as_u64() > Some(0))
    );
    let after = server.metrics().await;
    let (queries_before, queries_after) = (
        open(&before, "contactflow_db_query_pool_connections"),
        open(&after, "contactflow_db_query_pool_connections"),
    );
    assert!(
        queries_after > queries_before.max(1) && queries_after <= 3,
        "24 pages at once grew the query pool from {queries_before} to {queries_after}, at most 3"
    );
    server.finish().await;
}

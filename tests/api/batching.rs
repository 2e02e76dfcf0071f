//! Data loading without N+1: a page of contacts with its relations costs the same number of SQL
//! statements whatever the page size, counted by the server itself (`/metrics`).

use serde_json::{Value, json};

use crate::support::{DemoIds, TestServer, nodes, on_both_databases};

/// The SQL statements the server has run so far.
async fn statements_run(server: &TestServer) -> u64 {
    server
        .metrics()
        .await
        .lines()
        .find_map(|line| line.strip_prefix("contactflow_db_statements_total{kind=\"data\"} "))
        .and_then(|count| count.trim().parse().ok())
        .expect("the statement counter is exported")
}

/// Waits until the server runs no statement of its own (the reminder engine settles the
/// pending activities just saved in the background).
async fn quiet(server: &TestServer) {
    let mut last = statements_run(server).await;
    for _ in 0..100 {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let now = statements_run(server).await;
        if now == last {
            return;
        }
        last = now;
    }
    panic!("the server never stopped running statements");
}

const PAGE: &str = "query Page($n: Int!) { contacts(first: $n, orderBy: { field: NAME, direction: ASC }) { edges { node {
    id name stage { code } owner { login } pendingActivities { dueAt } lastActivity { performedAt }
} } } }";

async fn a_page_of_contacts_with_relations_costs_the_same_statements_at_any_size(
    server: &TestServer,
) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    // The demo holds 36 contacts; 64 more make a full page of 100, each with an activity and
    // an open pending activity.
    for n in 0..64 {
        let input = json!({
            "name": format!("Batch {n:02}"),
            "activity": { "activityTypeId": ids.kind("CALL"), "description": "call" },
            "pendingActivity": { "activityTypeId": ids.kind("EMAIL"), "description": "write", "dueAt": "2030-01-10T10:00:00Z" },
        });
        let saved = server
            .data(&token, "mutation($input: SaveContactInput!) { saveContact(input: $input) { userErrors { code } } }", json!({ "input": input }))
            .await;
        assert_eq!(saved["saveContact"]["userErrors"], json!([]));
    }
    let mut costs = Vec::new();
    for size in [1usize, 10, 100] {
        quiet(server).await;
        let before = statements_run(server).await;
        let data = server.data(&token, PAGE, json!({ "n": size })).await;
        let cost = statements_run(server).await - before;
        let page = nodes(&data["contacts"]);
        assert_eq!(page.len(), size);
        let with_pending = page
            .iter()
            .filter(|c| {
                c["pendingActivities"]
                    .as_array()
                    .is_some_and(|p| !p.is_empty())
            })
            .count();
        let with_last = page
            .iter()
            .filter(|c| c["lastActivity"] != Value::Null)
            .count();
        if size == 100 {
            assert!(
                with_pending >= 64 && with_last >= 64,
                "relations are loaded: {with_pending} pending, {with_last} last"
            );
        }
        costs.push((size, cost));
    }
    assert!(
        costs.iter().all(|(_, cost)| *cost == costs[0].1),
        "statements grow with the page: {costs:?}"
    );
    assert!(
        costs[0].1 <= 6,
        "a page costs at most 6 statements: {costs:?}"
    );
}

async fn the_last_activity_is_the_newest_one_done(server: &TestServer) {
    let token = server.login("alice").await;
    let data = server
        .data(&token, "{ contacts(first: 100) { edges { node { lastActivity { id performedAt } activities(first: 1) { edges { node { id } } } } } } }", json!({}))
        .await;
    for contact in nodes(&data["contacts"]) {
        let newest = nodes(&contact["activities"])
            .first()
            .map(|a| a["id"].clone());
        assert_eq!(
            contact["lastActivity"]["id"].clone(),
            newest.unwrap_or(Value::Null),
            "{contact}"
        );
    }
}

on_both_databases!(
    a_page_of_contacts_with_relations_costs_the_same_statements_at_any_size,
    the_last_activity_is_the_newest_one_done,
);

//! Data loading without N+1: a page of contacts with its relations costs the same number of SQL
//! statements whatever the page size, counted by the server itself (`/metrics`).

use serde_json::{Value, json};

use crate::support::{DemoIds, TestServer, nodes, on_both_databases};

/// The SQL statements of a kind (`data`, or `control`: setting the company) the server has run
/// so far.
async fn statements_of(server: &TestServer, kind: &str) -> u64 {
    let prefix = format!("contactflow_db_statements_total{{kind=\"{kind}\"}} ");
    server
        .metrics()
        .await
        .lines()
        .find_map(|line| line.strip_prefix(prefix.as_str()))
        .and_then(|count| count.trim().parse().ok())
        .expect("the statement counter is exported")
}

/// The data statements the server has run so far.
async fn statements_run(server: &TestServer) -> u64 {
    statements_of(server, "data").await
}

/// Every statement the server has run so far, those that set the company included.
async fn all_statements_run(server: &TestServer) -> u64 {
    statements_of(server, "data").await + statements_of(server, "control").await
}

const PAGE: &str = "query Page($n: Int!) { contacts(first: $n, orderBy: { field: NAME, direction: ASC }) { edges { node {
    id name stage { code name } owner { login displayName }
    pendingActivities { dueAt type { code name } assignee { login } } lastActivity { performedAt type { code } }
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
        server.quiet().await;
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
    // The contacts, their open pending activities and their last activities: stages, owners,
    // activity types and assignees come from the company's configuration in memory.
    assert!(
        costs[0].1 <= 3,
        "a page costs at most 3 statements: {costs:?}"
    );
}

/// One contact with its stage and owner costs one statement; the caller and the configuration
/// are in memory.
async fn a_contact_with_its_stage_and_owner_costs_one_statement(server: &TestServer) {
    let token = server.login("alice").await;
    let listed = server
        .data(
            &token,
            "{ contacts(first: 50) { edges { node { id stage { code } owner { login } } } } }",
            json!({}),
        )
        .await;
    let listed = nodes(&listed["contacts"]);
    let expected = listed
        .iter()
        .find(|c| !c["owner"].is_null())
        .expect("a contact with an owner");
    let query = "query($id: ID!) { contact(id: $id) { id name version stage { id code name } owner { id login displayName } } }";
    let variables = json!({ "id": expected["id"] });
    server.quiet().await;
    let before = statements_run(server).await;
    let data = server.data(&token, query, variables).await;
    let cost = statements_run(server).await - before;
    assert_eq!(
        data["contact"]["stage"]["code"], expected["stage"]["code"],
        "{data}"
    );
    assert_eq!(
        data["contact"]["owner"]["login"], expected["owner"]["login"],
        "{data}"
    );
    assert_eq!(cost, 1, "statements for one contact");
}

/// A new contact with a done activity, a pending activity with its reminder window and a to-do
/// costs at most 8 statements, the company's setting, the reminder engine's settling and the
/// notice to the other instances included; on PostgreSQL its five rows go in one statement, so
/// the save costs three (the company's setting, the rows, the notice).
async fn a_save_with_activity_pending_activity_and_todo_costs_at_most_eight_statements(
    server: &TestServer,
) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let save = "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { id version } pendingActivity { id } todo { id } userErrors { code } } }";
    let mut costs = Vec::new();
    for n in 0..3 {
        let input = json!({
            "name": format!("Counted {n}"),
            "activity": { "activityTypeId": ids.kind("CALL"), "description": "call" },
            "pendingActivity": { "activityTypeId": ids.kind("FOLLOW_UP"), "description": "follow up",
                "dueAt": "2031-01-10T10:00:00Z", "reminderStartsAt": "2031-01-10T09:00:00Z",
                "reminderEndsAt": "2031-01-10T10:00:00Z", "createTodo": true },
        });
        server.quiet().await;
        let before = all_statements_run(server).await;
        let saved = server.data(&token, save, json!({ "input": input })).await;
        assert_eq!(saved["saveContact"]["userErrors"], json!([]), "{saved}");
        assert!(saved["saveContact"]["todo"]["id"].is_string(), "{saved}");
        server.quiet().await;
        costs.push(all_statements_run(server).await - before);
    }
    eprintln!("statements per save: {costs:?}");
    let most = if server.database_url.starts_with("postgres") {
        3
    } else {
        8
    };
    assert!(
        costs.iter().all(|&cost| cost <= most),
        "a save costs at most {most} statements: {costs:?}"
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
    a_contact_with_its_stage_and_owner_costs_one_statement,
    a_save_with_activity_pending_activity_and_todo_costs_at_most_eight_statements,
    the_last_activity_is_the_newest_one_done,
);

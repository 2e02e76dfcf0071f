//! Reading the work around contacts: activities, pending activities, to-dos and reminders.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::support::{TestServer, nodes, on_both_databases};

async fn a_contacts_activities_are_newest_first_and_page(server: &TestServer) {
    let token = server.login("alice").await;
    let query = "query($after: String) { contacts(first: 100, orderBy: {field: CREATED_AT, direction: ASC}) { edges { node {
        activities(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
          edges { node { id performedAt createdAt description type { code } operator { login } stage { code } contact { id } } } }
        id } } } }";
    let data = server.data(&token, query, json!({ "after": null })).await;
    let busiest = nodes(&data["contacts"])
        .into_iter()
        .max_by_key(|c| c["activities"]["totalCount"].as_i64())
        .unwrap();
    let total = busiest["activities"]["totalCount"].as_i64().unwrap();
    assert!(total > 4);
    let mut seen: Vec<Value> = Vec::new();
    let mut after = Value::Null;
    for _ in 0..50 {
        let page = server.data(&token, "query($id: ID!, $after: String) { contact(id: $id) { activities(first: 2, after: $after) {
            pageInfo { hasNextPage endCursor } edges { node { id performedAt contact { id } } } } } }", json!({ "id": busiest["id"], "after": after })).await;
        let connection = &page["contact"]["activities"];
        seen.extend(nodes(connection));
        if connection["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = connection["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len() as i64, total);
    let unique: HashSet<_> = seen.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(unique.len() as i64, total);
    for pair in seen.windows(2) {
        assert!(
            pair[0]["performedAt"].as_str() >= pair[1]["performedAt"].as_str(),
            "newest first"
        );
    }
    assert!(seen.iter().all(|a| a["contact"]["id"] == busiest["id"]));
}

async fn pending_activities_filter_by_assignee_status_and_deadline(server: &TestServer) {
    let token = server.login("alice").await;
    let me = server.data(&token, "{ me { id } }", json!({})).await["me"]["id"].clone();
    let query = "query($f: PendingActivityFilter) { pendingActivities(first: 100, filter: $f) { totalCount
        edges { node { id status dueAt assignee { id } createdBy { id } type { code } contact { id } createTodo todo { id status }
          completedAt completedActivity { id type { code } } pendingSince } } } }";
    let open = server.data(&token, query, json!({ "f": null })).await;
    let open_rows = nodes(&open["pendingActivities"]);
    assert!(!open_rows.is_empty());
    assert!(
        open_rows
            .iter()
            .all(|p| p["status"] == "OPEN" && p["completedActivity"].is_null())
    );
    for pair in open_rows.windows(2) {
        assert!(
            pair[0]["dueAt"].as_str() <= pair[1]["dueAt"].as_str(),
            "soonest deadline first"
        );
    }
    for pending in &open_rows {
        assert_eq!(
            pending["createTodo"],
            !pending["todo"].is_null(),
            "a to-do exactly when createTodo"
        );
    }
    let mine = server
        .data(&token, query, json!({ "f": { "assigneeId": me } }))
        .await;
    assert!(
        nodes(&mine["pendingActivities"])
            .iter()
            .all(|p| p["assignee"]["id"] == me)
    );
    let done = server
        .data(&token, query, json!({ "f": { "status": ["DONE"] } }))
        .await;
    let done_rows = nodes(&done["pendingActivities"]);
    assert!(!done_rows.is_empty());
    for pending in &done_rows {
        assert_eq!(pending["status"], "DONE");
        assert_eq!(pending["completedActivity"]["type"], pending["type"]);
        assert!(pending["completedAt"].is_string());
    }
    let now = chrono::Utc::now().to_rfc3339();
    let late = server
        .data(&token, query, json!({ "f": { "dueBefore": now } }))
        .await;
    let late_rows = nodes(&late["pendingActivities"]);
    assert!(!late_rows.is_empty());
    assert!(
        late_rows
            .iter()
            .all(|p| p["dueAt"].as_str().unwrap() < now.as_str())
    );
    let both = server
        .data(
            &token,
            query,
            json!({ "f": { "status": ["OPEN", "DONE", "CANCELLED"] } }),
        )
        .await;
    let count = |data: &Value| data["pendingActivities"]["totalCount"].as_i64().unwrap();
    assert_eq!(count(&both), count(&open) + count(&done));
}

async fn todos_default_to_the_callers_open_list(server: &TestServer) {
    for login in ["alice", "bob"] {
        let token = server.login(login).await;
        let data = server.data(&token, "{ me { id } todos(first: 100) { totalCount edges { node { id title status operator { id }
            pendingActivity { id todo { id } } contact { name } type { code } dueAt createdAt } } } }", json!({})).await;
        let todos = nodes(&data["todos"]);
        assert!(!todos.is_empty(), "{login} has to-dos in the demo");
        for todo in &todos {
            assert_eq!(todo["operator"]["id"], data["me"]["id"]);
            assert_eq!(todo["status"], "OPEN");
            assert_eq!(
                todo["pendingActivity"]["todo"]["id"], todo["id"],
                "the to-do and its pending activity point at each other"
            );
        }
    }
    let alice = server.login("alice").await;
    let bob_id = server
        .data(&server.login("bob").await, "{ me { id } }", json!({}))
        .await["me"]["id"]
        .clone();
    let bobs = server
        .data(
            &alice,
            "query($o: ID) { todos(filter: {operatorId: $o, status: [DONE]}) { totalCount } }",
            json!({ "o": bob_id }),
        )
        .await;
    assert_eq!(bobs["todos"]["totalCount"], 0);
}

async fn active_reminders_show_only_the_callers_showing_reminders(server: &TestServer) {
    let mut total = 0;
    for login in ["alice", "bob", "maria"] {
        let token = server.login(login).await;
        let data = server.data(&token, "{ me { id } activeReminders { id state startsAt endsAt assignee { id }
            pendingActivity { id status reminderStartsAt } contact { id } snoozedUntil dismissedAt } }", json!({})).await;
        let now = chrono::Utc::now().to_rfc3339();
        for reminder in data["activeReminders"].as_array().unwrap() {
            assert_eq!(reminder["assignee"]["id"], data["me"]["id"]);
            assert_eq!(reminder["state"], "ACTIVE");
            assert!(
                reminder["startsAt"].as_str().unwrap() <= now.as_str()
                    && now.as_str() < reminder["endsAt"].as_str().unwrap()
            );
            assert_eq!(reminder["pendingActivity"]["status"], "OPEN");
            let node = server
                .data(
                    &token,
                    "query($id: ID!) { node(id: $id) { __typename ... on Reminder { state } } }",
                    json!({ "id": reminder["id"] }),
                )
                .await;
            assert_eq!(
                node["node"],
                json!({ "__typename": "Reminder", "state": "ACTIVE" })
            );
            total += 1;
        }
    }
    assert!(total > 0, "the demo has reminders showing now");
}

async fn work_nodes_round_trip_through_node(server: &TestServer) {
    let token = server.login("alice").await;
    let data = server
        .data(
            &token,
            "{ contacts(first: 5) { edges { node { id
        activities(first: 1) { edges { node { id } } }
        pendingActivities { id todo { id } }
        stageLog(first: 1) { edges { node { id } } } } } } }",
            json!({}),
        )
        .await;
    let mut ids: Vec<(String, &str)> = Vec::new();
    for contact in nodes(&data["contacts"]) {
        ids.push((contact["id"].as_str().unwrap().into(), "Contact"));
        for a in nodes(&contact["activities"]) {
            ids.push((a["id"].as_str().unwrap().into(), "Activity"));
        }
        for p in contact["pendingActivities"].as_array().unwrap() {
            ids.push((p["id"].as_str().unwrap().into(), "PendingActivity"));
            if let Some(todo) = p["todo"]["id"].as_str() {
                ids.push((todo.into(), "Todo"));
            }
        }
        for c in nodes(&contact["stageLog"]) {
            ids.push((c["id"].as_str().unwrap().into(), "StageChange"));
        }
    }
    let kinds: HashSet<&str> = ids.iter().map(|(_, kind)| *kind).collect();
    assert_eq!(kinds.len(), 5, "every kind of work record is covered");
    for (id, kind) in ids {
        let found = server
            .data(
                &token,
                "query($id: ID!) { node(id: $id) { __typename id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(found["node"], json!({ "__typename": kind, "id": id }));
    }
}

on_both_databases!(
    a_contacts_activities_are_newest_first_and_page,
    pending_activities_filter_by_assignee_status_and_deadline,
    todos_default_to_the_callers_open_list,
    active_reminders_show_only_the_callers_showing_reminders,
    work_nodes_round_trip_through_node,
);

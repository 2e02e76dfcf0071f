//! Reading contacts: one by id, history, what each may do next, and the list filters.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::support::{TestServer, nodes, on_both_databases};

const ALL_CONTACTS: &str = "{ contacts(first: 100) { totalCount edges { node {
    id name email phone version owner { id login } workflow { id } stage { id code } stageEnteredAt createdAt updatedAt
    pendingActivities { id dueAt } } } } }";

async fn all_contacts(server: &TestServer, token: &str) -> Vec<Value> {
    let data = server.data(token, ALL_CONTACTS, json!({})).await;
    assert_eq!(data["contacts"]["totalCount"], 36);
    nodes(&data["contacts"])
}

async fn filtered_ids(server: &TestServer, token: &str, filter: Value) -> (HashSet<String>, i64) {
    let query = "query($f: ContactFilter) { contacts(first: 100, filter: $f) { totalCount edges { node { id } } } }";
    let data = server.data(token, query, json!({ "f": filter })).await;
    let ids = nodes(&data["contacts"])
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_owned())
        .collect();
    (ids, data["contacts"]["totalCount"].as_i64().unwrap())
}

fn ids_where(contacts: &[Value], keep: impl Fn(&Value) -> bool) -> HashSet<String> {
    contacts
        .iter()
        .filter(|c| keep(c))
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_contact_is_read_by_id_and_unknown_ids_give_null(server: &TestServer) {
    let token = server.login("alice").await;
    let first = &all_contacts(server, &token).await[0];
    let query =
        "query($id: ID!) { contact(id: $id) { id name version } node(id: $id) { __typename id } }";
    let data = server
        .data(&token, query, json!({ "id": first["id"] }))
        .await;
    assert_eq!(data["contact"]["name"], first["name"]);
    assert_eq!(
        data["node"],
        json!({ "__typename": "Contact", "id": first["id"] })
    );
    for unknown in ["Q29udGFjdDo5OTk5OTk", "garbage", "U3RhZ2U6MQ"] {
        let data = server.data(&token, query, json!({ "id": unknown })).await;
        assert_eq!(data["contact"], Value::Null, "{unknown}");
    }
    let none = server.data(&token, "{ node(id: \"Q29udGFjdDo5OTk5OTk\") { id } nodes(ids: [\"x\", \"Q29udGFjdDo5OTk5OTk\"]) { id } }", json!({})).await;
    assert_eq!(none, json!({ "node": null, "nodes": [null, null] }));
}

async fn every_stage_log_is_a_legal_chain_ending_in_the_current_stage(server: &TestServer) {
    let token = server.login("alice").await;
    let query = "{ contacts(first: 100) { edges { node { version stage { code } stageEnteredAt
        stageLog(first: 100) { totalCount edges { node { id from { code } to { code } changedAt operator { login } } } }
        activities(first: 100) { totalCount } } } } }";
    let data = server.data(&token, query, json!({})).await;
    for contact in nodes(&data["contacts"]) {
        let mut log = nodes(&contact["stageLog"]);
        log.reverse();
        assert_eq!(
            log[0]["from"],
            Value::Null,
            "the first row enters the initial stage"
        );
        assert_eq!(log[0]["to"]["code"], "START");
        for pair in log.windows(2) {
            assert_eq!(
                pair[1]["from"], pair[0]["to"],
                "each row starts where the previous ended"
            );
            assert!(pair[1]["changedAt"].as_str() >= pair[0]["changedAt"].as_str());
        }
        let last = log.last().unwrap();
        assert_eq!(last["to"], contact["stage"]);
        assert_eq!(last["changedAt"], contact["stageEnteredAt"]);
    }
}

async fn allowed_activity_types_are_the_stage_lookup(server: &TestServer) {
    let token = server.login("alice").await;
    let query = "{ contacts(first: 100) { edges { node { stage { id code } allowedActivityTypes { code } } } } }";
    let data = server.data(&token, query, json!({})).await;
    for contact in nodes(&data["contacts"]) {
        let lookup = server
            .data(
                &token,
                "query($s: ID) { activityTypes(stageId: $s) { code } }",
                json!({ "s": contact["stage"]["id"] }),
            )
            .await;
        assert_eq!(
            contact["allowedActivityTypes"], lookup["activityTypes"],
            "{}",
            contact["stage"]["code"]
        );
    }
}

async fn available_transitions_explain_what_blocks_the_caller(server: &TestServer) {
    let query = "query($f: ContactFilter) { contacts(first: 100, filter: $f) { edges { node { stage { code }
        activities(first: 100) { edges { node { type { code } stage { code } } } }
        availableTransitions { transition { name } to { code } allowed blockedBy } } } } }";
    let workflow = server
        .data(
            &server.login("alice").await,
            "{ workflows { stages { id code } } }",
            json!({}),
        )
        .await;
    let stage_id = |code: &str| {
        workflow["workflows"][0]["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["code"] == code)
            .unwrap()["id"]
            .clone()
    };
    for (login, customer_allowed) in [("alice", false), ("maria", true), ("admin", true)] {
        let token = server.login(login).await;
        let data = server
            .data(
                &token,
                query,
                json!({ "f": { "stageIds": [stage_id("OPPORTUNITY")] } }),
            )
            .await;
        let opportunities = nodes(&data["contacts"]);
        assert!(!opportunities.is_empty());
        for contact in opportunities {
            let options = contact["availableTransitions"].as_array().unwrap();
            let targets: HashSet<_> = options
                .iter()
                .map(|o| o["to"]["code"].as_str().unwrap())
                .collect();
            assert_eq!(targets, HashSet::from(["LEAD", "CUSTOMER", "CLOSED"]));
            let to_customer = options
                .iter()
                .find(|o| o["to"]["code"] == "CUSTOMER")
                .unwrap();
            assert_eq!(to_customer["allowed"], customer_allowed, "{login}");
            let expected = if customer_allowed {
                json!([])
            } else {
                json!(["TRANSITION_FORBIDDEN"])
            };
            assert_eq!(to_customer["blockedBy"], expected);
        }
    }
    let token = server.login("alice").await;
    let data = server
        .data(
            &token,
            query,
            json!({ "f": { "stageIds": [stage_id("QUALIFICATION")] } }),
        )
        .await;
    let (mut waiting, mut called) = (0, 0);
    for contact in nodes(&data["contacts"]) {
        let had_call = nodes(&contact["activities"]).iter().any(|a| {
            a["type"]["code"] == "DISCOVERY_CALL" && a["stage"]["code"] == "QUALIFICATION"
        });
        for option in contact["availableTransitions"].as_array().unwrap() {
            let expected = if had_call {
                json!([])
            } else {
                json!(["MANDATORY_ACTIVITY_MISSING"])
            };
            assert_eq!(option["blockedBy"], expected, "to {}", option["to"]["code"]);
            assert_eq!(option["allowed"], had_call);
        }
        if had_call { called += 1 } else { waiting += 1 }
    }
    assert!(
        waiting > 0 && called > 0,
        "the demo has contacts on both sides of the mandatory rule"
    );
}

async fn filters_admit_exactly_the_matching_contacts(server: &TestServer) {
    let token = server.login("alice").await;
    let contacts = all_contacts(server, &token).await;
    let me = server.data(&token, "{ me { id } }", json!({})).await["me"]["id"].clone();
    let stage_of = |c: &Value| c["stage"]["code"].as_str().unwrap().to_owned();
    let some_stages: Vec<Value> = contacts
        .iter()
        .filter(|c| ["QUALIFICATION", "LEAD"].contains(&stage_of(c).as_str()))
        .map(|c| c["stage"]["id"].clone())
        .collect::<Vec<_>>();
    let now = chrono::Utc::now().to_rfc3339();
    let cases: Vec<(Value, HashSet<String>)> = vec![
        (
            json!({ "search": "GIULIA" }),
            ids_where(&contacts, |c| {
                c["name"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .contains("giulia")
            }),
        ),
        (
            json!({ "search": "example.com" }),
            ids_where(&contacts, |_| true),
        ),
        (json!({ "search": "%" }), HashSet::new()),
        (
            json!({ "stageIds": some_stages }),
            ids_where(&contacts, |c| {
                ["QUALIFICATION", "LEAD"].contains(&stage_of(c).as_str())
            }),
        ),
        (json!({ "stageIds": [] }), HashSet::new()),
        (
            json!({ "ownerId": me }),
            ids_where(&contacts, |c| c["owner"]["id"] == me),
        ),
        (json!({ "ownerId": "bogus" }), HashSet::new()),
        (
            json!({ "workflowId": contacts[0]["workflow"]["id"] }),
            ids_where(&contacts, |_| true),
        ),
        (
            json!({ "hasOpenPending": true }),
            ids_where(&contacts, |c| {
                !c["pendingActivities"].as_array().unwrap().is_empty()
            }),
        ),
        (
            json!({ "hasOpenPending": false }),
            ids_where(&contacts, |c| {
                c["pendingActivities"].as_array().unwrap().is_empty()
            }),
        ),
        (
            json!({ "overdue": true }),
            ids_where(&contacts, |c| {
                c["pendingActivities"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|p| p["dueAt"].as_str().is_some_and(|d| d < now.as_str()))
            }),
        ),
        (
            json!({ "overdue": true, "ownerId": me }),
            ids_where(&contacts, |c| {
                c["owner"]["id"] == me
                    && c["pendingActivities"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p["dueAt"].as_str().is_some_and(|d| d < now.as_str()))
            }),
        ),
    ];
    for (filter, expected) in cases {
        let (found, total) = filtered_ids(server, &token, filter.clone()).await;
        assert_eq!(found, expected, "filter {filter}");
        assert_eq!(total as usize, expected.len(), "totalCount for {filter}");
    }
    let (overdue, _) = filtered_ids(server, &token, json!({ "overdue": true })).await;
    assert!(!overdue.is_empty(), "the demo has overdue contacts");
}

async fn dates_are_utc_with_milliseconds(server: &TestServer) {
    let token = server.login("alice").await;
    for contact in all_contacts(server, &token).await {
        for field in ["createdAt", "updatedAt", "stageEnteredAt"] {
            let text = contact[field].as_str().unwrap();
            assert_eq!(text.len(), 24, "{text}");
            assert!(text.ends_with('Z') && text.as_bytes()[19] == b'.', "{text}");
            assert!(chrono::DateTime::parse_from_rfc3339(text).is_ok());
        }
    }
}

on_both_databases!(
    a_contact_is_read_by_id_and_unknown_ids_give_null,
    every_stage_log_is_a_legal_chain_ending_in_the_current_stage,
    allowed_activity_types_are_the_stage_lookup,
    available_transitions_explain_what_blocks_the_caller,
    filters_admit_exactly_the_matching_contacts,
    dates_are_utc_with_milliseconds,
);

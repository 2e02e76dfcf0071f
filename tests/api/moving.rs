//! `moveContactToStage`, and driving a contact from START to CUSTOMER with only what the API
//! says is possible.

use serde_json::{Value, json};

use crate::support::{
    DemoIds, TestServer, contact_in, had_discovery_call, nodes, on_both_databases, read_contact,
    user_errors,
};

const MOVE: &str =
    "mutation($input: MoveContactToStageInput!) { moveContactToStage(input: $input) {
    contact { id version stage { code } stageEnteredAt }
    stageChange { from { code } to { code } operator { login } changedAt note }
    userErrors { field message code } } }";

async fn move_to(
    server: &TestServer,
    token: &str,
    contact: &Value,
    stage: &str,
    note: Option<&str>,
) -> Value {
    let input = json!({ "contactId": contact["id"], "toStageId": stage, "expectedVersion": contact["version"], "note": note });
    server.data(token, MOVE, json!({ "input": input })).await["moveContactToStage"].clone()
}

async fn a_move_writes_one_log_row_and_bumps_the_version(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let contact = contact_in(server, &token, &ids, "PROSPECT", |_| true).await;
    let moved = move_to(
        server,
        &token,
        &contact,
        ids.stage("LEAD"),
        Some("asked for a demo"),
    )
    .await;
    assert_eq!(moved["userErrors"], json!([]));
    assert_eq!(
        moved["contact"]["version"].as_i64(),
        contact["version"].as_i64().map(|v| v + 1)
    );
    assert_eq!(moved["contact"]["stage"]["code"], "LEAD");
    assert_eq!(moved["stageChange"]["from"]["code"], "PROSPECT");
    assert_eq!(moved["stageChange"]["to"]["code"], "LEAD");
    assert_eq!(moved["stageChange"]["operator"]["login"], "alice");
    assert_eq!(moved["stageChange"]["note"], "asked for a demo");
    assert_eq!(
        moved["stageChange"]["changedAt"],
        moved["contact"]["stageEnteredAt"]
    );
    let after = read_contact(server, &token, &contact["id"]).await;
    assert_eq!(
        after["stageLog"]["totalCount"].as_i64(),
        contact["stageLog"]["totalCount"].as_i64().map(|n| n + 1)
    );
}

async fn refused_moves_are_user_errors_and_write_nothing(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let opportunity = contact_in(server, &token, &ids, "OPPORTUNITY", |_| true).await;
    let waiting = contact_in(server, &token, &ids, "QUALIFICATION", |c| {
        !had_discovery_call(c)
    })
    .await;
    let stale =
        json!({ "id": opportunity["id"], "version": opportunity["version"].as_i64().unwrap() + 5 });
    let unknown = json!({ "id": "Q29udGFjdDo5OTk5OTk", "version": 1 });
    let cases: Vec<(&str, &Value, &str, (&str, &str))> = vec![
        (
            "to the same stage",
            &opportunity,
            ids.stage("OPPORTUNITY"),
            ("ILLEGAL_TRANSITION", "input.toStageId"),
        ),
        (
            "without a transition",
            &opportunity,
            ids.stage("START"),
            ("ILLEGAL_TRANSITION", "input.toStageId"),
        ),
        (
            "reserved to managers",
            &opportunity,
            ids.stage("CUSTOMER"),
            ("TRANSITION_FORBIDDEN", "input.toStageId"),
        ),
        (
            "without the mandatory call",
            &waiting,
            ids.stage("PROSPECT"),
            ("MANDATORY_ACTIVITY_MISSING", "input.toStageId"),
        ),
        (
            "also to CLOSED",
            &waiting,
            ids.stage("CLOSED"),
            ("MANDATORY_ACTIVITY_MISSING", "input.toStageId"),
        ),
        (
            "with a stale version",
            &stale,
            ids.stage("LEAD"),
            ("STALE_VERSION", "input.expectedVersion"),
        ),
        (
            "of an unknown contact",
            &unknown,
            ids.stage("LEAD"),
            ("NOT_FOUND", "input.contactId"),
        ),
        (
            "to an unknown stage",
            &opportunity,
            "U3RhZ2U6OTk5OQ",
            ("NOT_FOUND", "input.toStageId"),
        ),
    ];
    for (case, contact, stage, expected) in cases {
        let before = server.snapshot().await;
        let refused = move_to(server, &token, contact, stage, None).await;
        assert_eq!(
            user_errors(&refused),
            vec![(expected.0.to_owned(), expected.1.to_owned())],
            "{case}"
        );
        assert_eq!(refused["contact"], Value::Null);
        assert_eq!(server.snapshot().await, before, "{case}: nothing written");
    }
    for login in ["maria", "admin"] {
        let token = server.login(login).await;
        let current = read_contact(server, &token, &opportunity["id"]).await;
        if current["stage"]["code"] == "OPPORTUNITY" {
            let moved = move_to(server, &token, &current, ids.stage("CUSTOMER"), None).await;
            assert_eq!(moved["userErrors"], json!([]), "{login} makes customers");
        }
    }
}

async fn a_frontend_drives_a_contact_from_start_to_customer_with_what_the_api_offers(
    server: &TestServer,
) {
    let alice = server.login("alice").await;
    let maria = server.login("maria").await;
    let created = server
        .data(&alice, "mutation { saveContact(input: {name: \"Driven Srl\"}) { contact { id } userErrors { code } } }", json!({}))
        .await;
    let id = created["saveContact"]["contact"]["id"].clone();
    let path = [
        "QUALIFICATION",
        "PROSPECT",
        "LEAD",
        "OPPORTUNITY",
        "CUSTOMER",
    ];
    let state = "query($id: ID!) { contact(id: $id) { id version stage { code activityRules { mandatory activityType { id } } }
        allowedActivityTypes { id code } availableTransitions { to { id code } allowed blockedBy } } }";
    for target in path {
        let mut moved = false;
        for _ in 0..3 {
            let contact = server.data(&alice, state, json!({ "id": id })).await["contact"].clone();
            let option = contact["availableTransitions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|o| o["to"]["code"] == target)
                .cloned()
                .expect("a transition to the next stage");
            let blockers: Vec<&str> = option["blockedBy"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_str().unwrap())
                .collect();
            if option["allowed"] == true {
                let save = "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { stage { code } } userErrors { code } } }";
                let input = json!({ "id": id, "expectedVersion": contact["version"], "toStageId": option["to"]["id"] });
                let result = server.data(&alice, save, json!({ "input": input })).await;
                assert_eq!(result["saveContact"]["userErrors"], json!([]));
                moved = true;
                break;
            } else if blockers.contains(&"MANDATORY_ACTIVITY_MISSING") {
                let rules = contact["stage"]["activityRules"].as_array().unwrap();
                let mandatory =
                    rules.iter().find(|r| r["mandatory"] == true).unwrap()["activityType"]["id"]
                        .clone();
                assert!(
                    contact["allowedActivityTypes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|t| t["id"] == mandatory),
                    "the mandatory type is offered"
                );
                let save = "mutation($input: SaveContactInput!) { saveContact(input: $input) { userErrors { code } } }";
                let input = json!({ "id": id, "expectedVersion": contact["version"], "activity": { "activityTypeId": mandatory } });
                assert_eq!(
                    server.data(&alice, save, json!({ "input": input })).await["saveContact"]["userErrors"],
                    json!([])
                );
            } else {
                assert_eq!(
                    blockers,
                    ["TRANSITION_FORBIDDEN"],
                    "only the role stands in the way"
                );
                let manager_view =
                    server.data(&maria, state, json!({ "id": id })).await["contact"].clone();
                let option = manager_view["availableTransitions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|o| o["to"]["code"] == target)
                    .cloned()
                    .unwrap();
                assert_eq!(option["allowed"], true, "a manager may take it");
                let moved_by_manager = server.data(&maria, MOVE, json!({ "input": { "contactId": id, "toStageId": option["to"]["id"], "expectedVersion": manager_view["version"] } })).await;
                assert_eq!(
                    moved_by_manager["moveContactToStage"]["userErrors"],
                    json!([])
                );
                moved = true;
                break;
            }
        }
        assert!(moved, "reached {target}");
    }
    let done = server.data(&alice, "query($id: ID!) { contact(id: $id) { stage { code } stageLog(first: 10) { edges { node { from { code } to { code } operator { login } } } } } }", json!({ "id": id })).await;
    assert_eq!(done["contact"]["stage"]["code"], "CUSTOMER");
    let mut log = nodes(&done["contact"]["stageLog"]);
    log.reverse();
    let codes: Vec<String> = log
        .iter()
        .map(|row| row["to"]["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        codes,
        [
            "START",
            "QUALIFICATION",
            "PROSPECT",
            "LEAD",
            "OPPORTUNITY",
            "CUSTOMER"
        ]
    );
    assert_eq!(log.last().unwrap()["operator"]["login"], "maria");
}

on_both_databases!(
    a_move_writes_one_log_row_and_bumps_the_version,
    refused_moves_are_user_errors_and_write_nothing,
    a_frontend_drives_a_contact_from_start_to_customer_with_what_the_api_offers,
);

//! Pipeline insight through the API: time in stage, stale contacts at their boundaries, counts
//! per stage, `updatedAfter`, the stage log's stays and origins, and `staleAfterDays` saved
//! with a workflow.

use chrono::{Duration, Utc};
use contactflow::graphql::ids::{decode, kind};
use serde_json::{Value, json};

use crate::support::{DemoIds, TestServer, nodes, on_both_databases, user_errors};

/// The number behind a contact's global id.
fn number(id: &Value) -> i64 {
    decode(id.as_str().expect("an id"), kind::CONTACT).expect("a contact id")
}

const IN_STAGE: &str = "query($s: ID!, $stale: Boolean) { contacts(first: 100, filter: { stageIds: [$s], stale: $stale }) {
    totalCount edges { node { id isStale staleSince secondsInStage stageEnteredAt updatedAt } } } }";

/// Puts a contact's last touch at `at` (only the database can).
async fn touched_at(server: &TestServer, contact: &Value, at: chrono::DateTime<Utc>) {
    server
        .execute(
            "UPDATE contacts SET updated_at = ? WHERE id = ?",
            vec![at.into(), number(&contact["id"]).into()],
        )
        .await;
}

async fn stale_contacts_are_marked_and_filtered_from_exactly_their_stages_days(
    server: &TestServer,
) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let qualification = ids.stage("QUALIFICATION");
    let all = server
        .data(&token, IN_STAGE, json!({ "s": qualification }))
        .await;
    let contacts = nodes(&all["contacts"]);
    assert!(
        contacts.len() >= 3,
        "the demo has contacts in QUALIFICATION"
    );
    // One just short of the boundary, one just past it, one well past it.
    let now = Utc::now();
    let seven = Duration::days(7);
    touched_at(server, &contacts[0], now - seven + Duration::minutes(2)).await;
    touched_at(server, &contacts[1], now - seven - Duration::seconds(1)).await;
    touched_at(server, &contacts[2], now - Duration::days(30)).await;
    let fresh: Vec<&Value> = contacts[3..].iter().collect();
    for contact in &fresh {
        touched_at(server, contact, now - Duration::hours(1)).await;
    }
    let read = server
        .data(&token, IN_STAGE, json!({ "s": qualification }))
        .await;
    let by_id = |id: &Value| {
        nodes(&read["contacts"])
            .into_iter()
            .find(|c| &c["id"] == id)
            .expect("listed")
    };
    let short = by_id(&contacts[0]["id"]);
    assert_eq!(short["isStale"], false, "{short}");
    let past = by_id(&contacts[1]["id"]);
    assert_eq!(past["isStale"], true, "{past}");
    assert_eq!(by_id(&contacts[2]["id"])["isStale"], true);
    // staleSince is the last touch plus the stage's days.
    for contact in [&short, &past] {
        let updated: chrono::DateTime<Utc> =
            contact["updatedAt"].as_str().unwrap().parse().unwrap();
        let since: chrono::DateTime<Utc> = contact["staleSince"].as_str().unwrap().parse().unwrap();
        assert_eq!(since - updated, seven, "{contact}");
    }
    let stale = server
        .data(
            &token,
            IN_STAGE,
            json!({ "s": qualification, "stale": true }),
        )
        .await;
    let stale_ids: Vec<Value> = nodes(&stale["contacts"])
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(
        stale_ids.len(),
        2,
        "exactly the two past the boundary: {stale_ids:?}"
    );
    assert!(stale_ids.contains(&contacts[1]["id"]) && stale_ids.contains(&contacts[2]["id"]));
    assert_eq!(stale["contacts"]["totalCount"], 2);
    let not_stale = server
        .data(
            &token,
            IN_STAGE,
            json!({ "s": qualification, "stale": false }),
        )
        .await;
    assert_eq!(
        not_stale["contacts"]["totalCount"].as_i64().unwrap() + 2,
        read["contacts"]["totalCount"].as_i64().unwrap()
    );
    // A stage without staleAfterDays never has stale contacts, however old the touch.
    let start = ids.stage("START");
    let old = nodes(&server.data(&token, IN_STAGE, json!({ "s": start })).await["contacts"]);
    for contact in &old {
        touched_at(server, contact, now - Duration::days(400)).await;
        assert_eq!(contact["staleSince"], Value::Null);
    }
    let none = server
        .data(&token, IN_STAGE, json!({ "s": start, "stale": true }))
        .await;
    assert_eq!(none["contacts"]["totalCount"], 0);
    // Saving the contact touches it: no longer stale.
    let saved = server
        .data(
            &token,
            "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { isStale staleSince } userErrors { code } } }",
            json!({ "input": { "id": contacts[2]["id"], "expectedVersion": version_of(server, &token, &contacts[2]["id"]).await, "phone": "+39 02 1111 2222" } }),
        )
        .await["saveContact"]
        .clone();
    assert_eq!(saved["userErrors"], json!([]));
    assert_eq!(saved["contact"]["isStale"], false);
}

async fn version_of(server: &TestServer, token: &str, id: &Value) -> Value {
    server
        .data(
            token,
            "query($id: ID!) { contact(id: $id) { version } }",
            json!({ "id": id }),
        )
        .await["contact"]["version"]
        .clone()
}

async fn time_in_stage_counts_and_updated_after_answer_from_the_stored_rows(server: &TestServer) {
    let token = server.login("alice").await;
    let data = server
        .data(
            &token,
            "{ workflows { stages { id code staleAfterDays contactCount } } contacts(first: 100) { totalCount edges { node { stage { code } secondsInStage stageEnteredAt } } } }",
            json!({}),
        )
        .await;
    let stages = data["workflows"][0]["stages"].as_array().unwrap().clone();
    let days: Vec<(String, Value)> = stages
        .iter()
        .map(|s| {
            (
                s["code"].as_str().unwrap().to_owned(),
                s["staleAfterDays"].clone(),
            )
        })
        .collect();
    for (code, value) in &days {
        let expected = match code.as_str() {
            "QUALIFICATION" => json!(7),
            "OPPORTUNITY" => json!(14),
            _ => Value::Null,
        };
        assert_eq!(value, &expected, "{code}");
    }
    let contacts = nodes(&data["contacts"]);
    for stage in &stages {
        let code = &stage["code"];
        let listed = contacts
            .iter()
            .filter(|c| &c["stage"]["code"] == code)
            .count();
        assert_eq!(stage["contactCount"], json!(listed), "{code}");
    }
    for contact in &contacts {
        let entered: chrono::DateTime<Utc> =
            contact["stageEnteredAt"].as_str().unwrap().parse().unwrap();
        let expected = (Utc::now() - entered).num_seconds();
        let seconds = contact["secondsInStage"].as_i64().unwrap();
        assert!(
            (expected - seconds).abs() <= 5,
            "{seconds} s in stage, expected about {expected}"
        );
    }
    // updatedAfter: a save now is after a moment taken before it; the rest were earlier.
    let before = Utc::now() - Duration::seconds(1);
    let created = server
        .data(
            &token,
            "mutation { saveContact(input: { name: \"Fresh contact\" }) { contact { id updatedAt } } }",
            json!({}),
        )
        .await["saveContact"]["contact"]
        .clone();
    let after = server
        .data(
            &token,
            "query($t: DateTime!) { contacts(first: 50, filter: { updatedAfter: $t }) { totalCount edges { node { id } } } }",
            json!({ "t": before.to_rfc3339() }),
        )
        .await;
    let listed: Vec<Value> = nodes(&after["contacts"])
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(listed, vec![created["id"].clone()]);
    let later = server
        .data(
            &token,
            "query($t: DateTime!) { contacts(first: 50, filter: { updatedAfter: $t }) { totalCount } }",
            json!({ "t": created["updatedAt"] }),
        )
        .await;
    assert_eq!(later["contacts"]["totalCount"], 0, "strictly after");
}

async fn the_stage_log_keeps_each_stays_length_and_how_the_change_came(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let created = server
        .data(
            &token,
            "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { id version } stageChange { via secondsInPreviousStage } userErrors { code } } }",
            json!({ "input": { "name": "Logged contact" } }),
        )
        .await["saveContact"]
        .clone();
    assert_eq!(created["stageChange"]["via"], "CREATE");
    assert_eq!(
        created["stageChange"]["secondsInPreviousStage"],
        Value::Null
    );
    let id = created["contact"]["id"].clone();
    // Pretend it entered START three hours ago: the move records that stay.
    let three_hours_ago = Utc::now() - Duration::hours(3);
    server
        .execute(
            "UPDATE contacts SET stage_entered_at = ? WHERE id = ?",
            vec![three_hours_ago.into(), number(&id).into()],
        )
        .await;
    let moved = server
        .data(
            &token,
            "mutation($input: MoveContactToStageInput!) { moveContactToStage(input: $input) { contact { version } stageChange { via secondsInPreviousStage } userErrors { code } } }",
            json!({ "input": { "contactId": id, "toStageId": ids.stage("QUALIFICATION"), "expectedVersion": created["contact"]["version"] } }),
        )
        .await["moveContactToStage"]
        .clone();
    assert_eq!(moved["userErrors"], json!([]), "{moved}");
    assert_eq!(moved["stageChange"]["via"], "MOVE");
    let seconds = moved["stageChange"]["secondsInPreviousStage"]
        .as_i64()
        .unwrap();
    assert!((3 * 3600..3 * 3600 + 60).contains(&seconds), "{seconds}");
    let saved = server
        .data(
            &token,
            "mutation($input: SaveContactInput!) { saveContact(input: $input) { stageChange { via secondsInPreviousStage } userErrors { code } } }",
            json!({ "input": { "id": id, "expectedVersion": moved["contact"]["version"], "toStageId": ids.stage("NOT_QUALIFIED"),
                "activity": { "activityTypeId": ids.kind("DISCOVERY_CALL") } } }),
        )
        .await["saveContact"]
        .clone();
    assert_eq!(saved["userErrors"], json!([]), "{saved}");
    assert_eq!(saved["stageChange"]["via"], "SAVE");
    assert!(
        saved["stageChange"]["secondsInPreviousStage"]
            .as_i64()
            .unwrap()
            < 60
    );
    let log = server
        .data(
            &token,
            "query($id: ID!) { contact(id: $id) { stageLog(first: 10) { edges { node { via secondsInPreviousStage } } } } }",
            json!({ "id": id }),
        )
        .await;
    let vias: Vec<Value> = nodes(&log["contact"]["stageLog"])
        .iter()
        .map(|n| n["via"].clone())
        .collect();
    assert_eq!(vias.len(), 3);
    for via in ["CREATE", "MOVE", "SAVE"] {
        assert!(vias.contains(&json!(via)), "{vias:?}");
    }
}

const SAVE_WORKFLOW: &str = "mutation($input: SaveWorkflowInput!) { saveWorkflow(input: $input) {
    workflow { stages { code staleAfterDays } } userErrors { field code } } }";

async fn stale_days_are_saved_with_the_workflow_and_checked(server: &TestServer) {
    let admin = server.login("admin").await;
    let stages = |days: Value| {
        json!({ "input": { "code": "FIELD", "name": "Field visits", "stages": [
            { "code": "NEW", "name": "New", "staleAfterDays": days },
            { "code": "DONE", "name": "Done", "isFinal": true }
        ], "transitions": [{ "fromStageCode": "NEW", "toStageCode": "DONE" }] } })
    };
    for bad in [json!(0), json!(-1), json!(3651)] {
        let before = server.snapshot().await;
        let refused = server
            .data(&admin, SAVE_WORKFLOW, stages(bad.clone()))
            .await["saveWorkflow"]
            .clone();
        assert_eq!(
            user_errors(&refused),
            vec![(
                "INVALID_INPUT".to_owned(),
                "input.stages.0.staleAfterDays".to_owned()
            )],
            "{bad}"
        );
        assert_eq!(server.snapshot().await, before, "nothing written for {bad}");
    }
    let saved = server.data(&admin, SAVE_WORKFLOW, stages(json!(3))).await["saveWorkflow"].clone();
    assert_eq!(saved["userErrors"], json!([]), "{saved}");
    assert_eq!(
        saved["workflow"]["stages"],
        json!([{ "code": "NEW", "staleAfterDays": 3 }, { "code": "DONE", "staleAfterDays": null }])
    );
}

on_both_databases!(
    stale_contacts_are_marked_and_filtered_from_exactly_their_stages_days,
    time_in_stage_counts_and_updated_after_answer_from_the_stored_rows,
    the_stage_log_keeps_each_stays_length_and_how_the_change_came,
    stale_days_are_saved_with_the_workflow_and_checked,
);

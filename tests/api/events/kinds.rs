//! What each write pushes: its events, in the order things happened, to every subscriber of
//! the company and to no one else; nothing for a save that changes nothing or is refused.

use std::time::Duration;

use serde_json::{Value, json};

use super::{SAVE, cursors, events, kinds, save, subscribed, take};
use crate::support::{DemoIds, TestServer, contact_in, on_both_databases};

async fn a_save_pushes_its_events_in_the_order_things_happened(server: &TestServer) {
    let alice = server.login("alice").await;
    let ids = DemoIds::read(server, &alice).await;
    let mut own = subscribed(server, "alice", json!({})).await;
    let mut colleague = subscribed(server, "maria", json!({})).await;
    let mut other_company = subscribed(server, "carla", json!({})).await;
    assert!(
        events(&mut own, Duration::from_millis(300))
            .await
            .is_empty()
    );
    let created = save(
        server,
        &alice,
        json!({
            "name": "Eventi Srl",
            "activity": { "activityTypeId": ids.kind("CALL") },
            "pendingActivity": { "activityTypeId": ids.kind("DISCOVERY_CALL"), "createTodo": true },
        }),
    )
    .await;
    let first = take(&mut own, 3, Duration::from_secs(5)).await;
    assert_eq!(
        kinds(&first),
        ["CREATED", "ACTIVITY_RECORDED", "PENDING_SCHEDULED"]
    );
    assert!(
        first
            .iter()
            .all(|e| e["contact"]["id"] == created["id"] && e["operator"]["login"] == "alice")
    );
    assert_eq!(first[0]["stageChange"]["to"]["code"], "START");
    assert_eq!(first[0]["stageChange"]["from"], Value::Null);
    assert_eq!(first[1]["activity"]["type"]["code"], "CALL");
    assert_eq!(
        first[2]["pendingActivity"]["type"]["code"],
        "DISCOVERY_CALL"
    );
    // An update that changes a field, records an activity, moves and schedules: four events.
    save(
        server,
        &alice,
        json!({
            "id": created["id"], "expectedVersion": created["version"], "name": "Eventi Srl (Roma)",
            "activity": { "activityTypeId": ids.kind("EMAIL") },
            "toStageId": ids.stage("QUALIFICATION"),
            "pendingActivity": { "activityTypeId": ids.kind("CALL") },
        }),
    )
    .await;
    let second = take(&mut own, 4, Duration::from_secs(5)).await;
    assert_eq!(
        kinds(&second),
        [
            "UPDATED",
            "ACTIVITY_RECORDED",
            "STAGE_CHANGED",
            "PENDING_SCHEDULED"
        ]
    );
    assert_eq!(second[2]["stageChange"]["from"]["code"], "START");
    assert_eq!(second[2]["stageChange"]["to"]["code"], "QUALIFICATION");
    assert_eq!(second[0]["contact"]["name"], "Eventi Srl (Roma)");
    let all: Vec<Value> = first.into_iter().chain(second).collect();
    let mut sorted = cursors(&all);
    sorted.dedup();
    assert_eq!(sorted.len(), 7, "every event has its own cursor");
    // The colleague sees the same events, in the same order; the other company none.
    let seen = take(&mut colleague, 7, Duration::from_secs(5)).await;
    assert_eq!(cursors(&seen), cursors(&all));
    assert!(
        events(&mut other_company, Duration::from_millis(500))
            .await
            .is_empty()
    );
    assert!(
        events(&mut own, Duration::from_millis(300))
            .await
            .is_empty()
    );
}

async fn a_save_that_changes_nothing_and_a_refused_save_push_nothing(server: &TestServer) {
    let alice = server.login("alice").await;
    let ids = DemoIds::read(server, &alice).await;
    let contact = contact_in(server, &alice, &ids, "QUALIFICATION", |c| {
        !crate::support::had_discovery_call(c)
    })
    .await;
    let mut socket = subscribed(server, "alice", json!({})).await;
    events(&mut socket, Duration::from_millis(300)).await;
    let before = server.count("SELECT COUNT(*) FROM contact_events").await;
    // The same name again: saved, but nothing changed.
    let same = save(
        server,
        &alice,
        json!({
            "id": contact["id"], "expectedVersion": contact["version"], "name": contact["name"],
        }),
    )
    .await;
    // Leaving QUALIFICATION without the discovery call is refused.
    let refused = server
        .data(
            &alice,
            SAVE,
            json!({ "input": {
            "id": contact["id"], "expectedVersion": same["version"],
            "toStageId": ids.stage("PROSPECT"),
            "activity": { "activityTypeId": ids.kind("EMAIL") },
        } }),
        )
        .await;
    assert_ne!(refused["saveContact"]["userErrors"], json!([]));
    assert!(
        events(&mut socket, Duration::from_millis(1_500))
            .await
            .is_empty()
    );
    let after = server.count("SELECT COUNT(*) FROM contact_events").await;
    assert_eq!(after, before, "no event row was written");
}

async fn following_one_workflow_skips_the_others(server: &TestServer) {
    let admin = server.login("admin").await;
    let created = server
        .data(&admin, "mutation { saveWorkflow(input: { code: \"SIDE\", name: \"Side\", stages: [{ code: \"ONE\", name: \"One\", isInitial: true }] }) { workflow { id } userErrors { code message } } }", json!({}))
        .await;
    let side = created["saveWorkflow"]["workflow"]["id"].clone();
    assert!(side.is_string(), "{created}");
    let default = server
        .data(&admin, "{ workflows { id code } }", json!({}))
        .await["workflows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "CRM_CONTACTS")
        .unwrap()["id"]
        .clone();
    let mut socket = subscribed(server, "admin", json!({ "workflowId": side })).await;
    save(server, &admin, json!({ "name": "Main flow" })).await;
    save(
        server,
        &admin,
        json!({ "name": "Side flow", "workflowId": side }),
    )
    .await;
    let seen = take(&mut socket, 1, Duration::from_secs(5)).await;
    assert_eq!(seen[0]["contact"]["name"], "Side flow");
    assert!(
        events(&mut socket, Duration::from_millis(500))
            .await
            .is_empty()
    );
    assert_ne!(default, side);
}

async fn completing_cancelling_and_bulk_moves_push_their_events(server: &TestServer) {
    let alice = server.login("alice").await;
    let maria = server.login("maria").await;
    let ids = DemoIds::read(server, &alice).await;
    // Subscribed first: a subscriber without `after` may still get events that committed
    // just before it came (on PostgreSQL, until they settle), so none are left before it.
    let mut socket = subscribed(server, "alice", json!({})).await;
    events(&mut socket, Duration::from_millis(300)).await;
    let mut created = Vec::new();
    for name in ["Chiusura A", "Chiusura B"] {
        let saved = server
            .data(&alice, "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { id } pendingActivity { id } userErrors { code } } }", json!({ "input": {
                "name": name, "pendingActivity": { "activityTypeId": ids.kind("CALL") } } }))
            .await;
        created.push(saved["saveContact"].clone());
    }
    let made = take(&mut socket, 4, Duration::from_secs(5)).await;
    assert_eq!(
        kinds(&made),
        [
            "CREATED",
            "PENDING_SCHEDULED",
            "CREATED",
            "PENDING_SCHEDULED"
        ]
    );
    let pending = |n: usize| created[n]["pendingActivity"]["id"].clone();
    let completed = server
        .data(&alice, "mutation($id: ID!) { completePendingActivity(input: { pendingActivityId: $id }) { userErrors { code } } }", json!({ "id": pending(0) }))
        .await;
    assert_eq!(
        completed["completePendingActivity"]["userErrors"],
        json!([]),
        "{completed}"
    );
    let mut closed = take(&mut socket, 2, Duration::from_secs(5)).await;
    // The stage may schedule a next pending activity of its own.
    closed.extend(events(&mut socket, Duration::from_millis(500)).await);
    assert_eq!(kinds(&closed)[..2], ["ACTIVITY_RECORDED", "PENDING_CLOSED"]);
    assert!(
        kinds(&closed)[2..]
            .iter()
            .all(|kind| *kind == "PENDING_SCHEDULED")
    );
    assert_eq!(closed[1]["pendingActivity"]["status"], "DONE");
    assert_eq!(closed[1]["activity"]["type"]["code"], "CALL");
    let cancelled = server
        .data(&alice, "mutation($id: ID!) { cancelPendingActivity(input: { pendingActivityId: $id }) { userErrors { code } } }", json!({ "id": pending(1) }))
        .await;
    assert_eq!(
        cancelled["cancelPendingActivity"]["userErrors"],
        json!([]),
        "{cancelled}"
    );
    let closed = take(&mut socket, 1, Duration::from_secs(5)).await;
    assert_eq!(kinds(&closed), ["PENDING_CLOSED"]);
    assert_eq!(closed[0]["pendingActivity"]["status"], "CANCELLED");
    let contacts: Vec<Value> = created.iter().map(|c| c["contact"]["id"].clone()).collect();
    let moved = server
        .data(&maria, "mutation($input: MoveContactsToStageInput!) { moveContactsToStage(input: $input) { movedCount } }", json!({ "input": {
            "contactIds": contacts, "toStageId": ids.stage("QUALIFICATION") } }))
        .await;
    assert_eq!(moved["moveContactsToStage"]["movedCount"], 2, "{moved}");
    let changed = take(&mut socket, 2, Duration::from_secs(5)).await;
    assert_eq!(kinds(&changed), ["STAGE_CHANGED", "STAGE_CHANGED"]);
    assert!(
        changed.iter().all(|e| e["operator"]["login"] == "maria"
            && e["stageChange"]["to"]["code"] == "QUALIFICATION")
    );
}

on_both_databases!(
    a_save_pushes_its_events_in_the_order_things_happened,
    a_save_that_changes_nothing_and_a_refused_save_push_nothing,
    following_one_workflow_skips_the_others,
    completing_cancelling_and_bulk_moves_push_their_events,
);

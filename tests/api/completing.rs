//! Completing and cancelling pending activities and to-dos: rules 6 and 7.

use serde_json::{Value, json};

use crate::support::{DemoIds, TestServer, on_both_databases, read_contact, user_errors};

const COMPLETE: &str = "mutation($input: CompletePendingActivityInput!) { completePendingActivity(input: $input) {
    activity { id type { code } operator { login } stage { code } description }
    pendingActivity { id status completedAt completedActivity { id } todo { status } }
    next { id type { code } assignee { login } createTodo todo { id operator { login } status } reminderStartsAt }
    userErrors { field code message } } }";
const CANCEL: &str = "mutation($id: ID!) { cancelPendingActivity(input: {pendingActivityId: $id}) { pendingActivity { status completedAt todo { status } } userErrors { field code } } }";
const COMPLETE_TODO: &str = "mutation($id: ID!) { completeTodo(input: {todoId: $id}) { todo { id status completedAt } pendingActivity { id status completedActivity { type { code } operator { login } } } userErrors { field code } } }";

/// A fresh contact in START whose open pending activity (type `kind`) has a to-do for `assignee`.
async fn contact_waiting_on(
    server: &TestServer,
    token: &str,
    ids: &DemoIds,
    kind: &str,
    assignee: &str,
) -> (Value, Value) {
    let save = "mutation($input: SaveContactInput!) { saveContact(input: $input) { contact { id version } pendingActivity { id todo { id } } userErrors { code } } }";
    let input = json!({ "name": format!("Waiting on {kind}"), "pendingActivity": { "activityTypeId": ids.kind(kind), "assigneeId": ids.operator(assignee), "createTodo": true, "description": "to do" } });
    let saved = server.data(token, save, json!({ "input": input })).await["saveContact"].clone();
    assert_eq!(saved["userErrors"], json!([]));
    (saved["contact"].clone(), saved["pendingActivity"].clone())
}

async fn completing_records_the_activity_closes_the_to_do_and_schedules_the_default_next(
    server: &TestServer,
) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let (contact, pending) = contact_waiting_on(server, &token, &ids, "CALL", "bob").await;
    let done = server.data(&token, COMPLETE, json!({ "input": { "pendingActivityId": pending["id"], "description": "called back" } })).await["completePendingActivity"].clone();
    assert_eq!(done["userErrors"], json!([]));
    assert_eq!(
        done["activity"],
        json!({ "id": done["activity"]["id"], "type": { "code": "CALL" }, "operator": { "login": "alice" }, "stage": { "code": "START" }, "description": "called back" })
    );
    assert_eq!(done["pendingActivity"]["status"], "DONE");
    assert_eq!(
        done["pendingActivity"]["completedActivity"]["id"],
        done["activity"]["id"]
    );
    assert_eq!(
        done["pendingActivity"]["todo"]["status"], "DONE",
        "completing the pending activity completes its to-do"
    );
    let next = &done["next"];
    assert_eq!(
        next["type"]["code"], "FOLLOW_UP",
        "START's rule for CALL names FOLLOW_UP next"
    );
    assert_eq!(next["assignee"]["login"], "bob", "for the same assignee");
    assert_eq!(
        (
            next["createTodo"].clone(),
            next["todo"]["operator"]["login"].clone()
        ),
        (json!(true), json!("bob")),
        "with a to-do, as the rule says"
    );
    let after = read_contact(server, &token, &contact["id"]).await;
    assert_eq!(
        after["version"].as_i64(),
        contact["version"].as_i64().map(|v| v + 1),
        "one completion, one version"
    );
}

async fn an_explicit_next_replaces_the_default_and_is_checked(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let (_, pending) = contact_waiting_on(server, &token, &ids, "CALL", "alice").await;
    let before = server.snapshot().await;
    let bad_next = json!({ "pendingActivityId": pending["id"], "next": { "activityTypeId": ids.kind("EMAIL"), "reminderStartsAt": "2030-01-01T10:00:00Z", "reminderEndsAt": "2030-01-01T09:00:00Z" } });
    let refused = server
        .data(&token, COMPLETE, json!({ "input": bad_next }))
        .await["completePendingActivity"]
        .clone();
    assert_eq!(
        user_errors(&refused),
        vec![(
            "REMINDER_END_BEFORE_START".to_owned(),
            "input.next.reminderEndsAt".to_owned()
        )]
    );
    let wrong_stage = json!({ "pendingActivityId": pending["id"], "next": { "activityTypeId": ids.kind("QUOTE") } });
    let refused = server
        .data(&token, COMPLETE, json!({ "input": wrong_stage }))
        .await["completePendingActivity"]
        .clone();
    assert_eq!(
        user_errors(&refused),
        vec![(
            "ACTIVITY_TYPE_NOT_ALLOWED_IN_STAGE".to_owned(),
            "input.next.activityTypeId".to_owned()
        )]
    );
    assert_eq!(server.snapshot().await, before, "nothing written");
    let good = json!({ "pendingActivityId": pending["id"], "next": { "activityTypeId": ids.kind("EMAIL"), "reminderStartsAt": "2030-01-01T09:00:00Z", "reminderEndsAt": "2030-01-01T10:00:00Z" } });
    let done = server
        .data(&token, COMPLETE, json!({ "input": good }))
        .await["completePendingActivity"]
        .clone();
    assert_eq!(done["next"]["type"]["code"], "EMAIL");
    assert_eq!(done["next"]["reminderStartsAt"], "2030-01-01T09:00:00.000Z");
    assert_eq!(done["next"]["todo"], Value::Null);
}

async fn a_closed_pending_activity_or_to_do_cannot_be_closed_again(server: &TestServer) {
    let token = server.login("alice").await;
    let ids = DemoIds::read(server, &token).await;
    let (_, pending) = contact_waiting_on(server, &token, &ids, "EMAIL", "alice").await;
    let cancelled = server
        .data(&token, CANCEL, json!({ "id": pending["id"] }))
        .await["cancelPendingActivity"]
        .clone();
    assert_eq!(cancelled["userErrors"], json!([]));
    assert_eq!(cancelled["pendingActivity"]["status"], "CANCELLED");
    assert_eq!(
        cancelled["pendingActivity"]["todo"]["status"], "CANCELLED",
        "cancelling the pending activity cancels its to-do"
    );
    let before = server.snapshot().await;
    let again = server
        .data(&token, CANCEL, json!({ "id": pending["id"] }))
        .await["cancelPendingActivity"]
        .clone();
    assert_eq!(
        user_errors(&again),
        vec![(
            "PENDING_NOT_OPEN".to_owned(),
            "input.pendingActivityId".to_owned()
        )]
    );
    let complete = server
        .data(
            &token,
            COMPLETE,
            json!({ "input": { "pendingActivityId": pending["id"] } }),
        )
        .await["completePendingActivity"]
        .clone();
    assert_eq!(
        user_errors(&complete),
        vec![(
            "PENDING_NOT_OPEN".to_owned(),
            "input.pendingActivityId".to_owned()
        )]
    );
    let todo = server
        .data(
            &token,
            COMPLETE_TODO,
            json!({ "id": pending["todo"]["id"] }),
        )
        .await["completeTodo"]
        .clone();
    assert_eq!(
        user_errors(&todo),
        vec![("PENDING_NOT_OPEN".to_owned(), "input.todoId".to_owned())]
    );
    let unknown = server
        .data(
            &token,
            CANCEL,
            json!({ "id": "UGVuZGluZ0FjdGl2aXR5Ojk5OTk5" }),
        )
        .await["cancelPendingActivity"]
        .clone();
    assert_eq!(
        user_errors(&unknown),
        vec![("NOT_FOUND".to_owned(), "input.pendingActivityId".to_owned())]
    );
    assert_eq!(server.snapshot().await, before, "nothing written");
}

async fn completing_a_to_do_completes_its_pending_activity_for_its_operator_only(
    server: &TestServer,
) {
    let alice = server.login("alice").await;
    let bob = server.login("bob").await;
    let admin = server.login("admin").await;
    let ids = DemoIds::read(server, &alice).await;
    let (_, pending) = contact_waiting_on(server, &alice, &ids, "CALL", "alice").await;
    let before = server.snapshot().await;
    let refused = server
        .data(&bob, COMPLETE_TODO, json!({ "id": pending["todo"]["id"] }))
        .await["completeTodo"]
        .clone();
    assert_eq!(
        user_errors(&refused),
        vec![("FORBIDDEN".to_owned(), "input.todoId".to_owned())]
    );
    let unknown = server
        .data(&bob, COMPLETE_TODO, json!({ "id": "VG9kbzo5OTk5OQ" }))
        .await["completeTodo"]
        .clone();
    assert_eq!(
        user_errors(&unknown),
        vec![("NOT_FOUND".to_owned(), "input.todoId".to_owned())]
    );
    assert_eq!(server.snapshot().await, before, "nothing written");
    let done = server
        .data(
            &alice,
            COMPLETE_TODO,
            json!({ "id": pending["todo"]["id"] }),
        )
        .await["completeTodo"]
        .clone();
    assert_eq!(done["userErrors"], json!([]));
    assert_eq!(done["todo"]["status"], "DONE");
    assert_eq!(done["pendingActivity"]["status"], "DONE");
    assert_eq!(
        done["pendingActivity"]["completedActivity"],
        json!({ "type": { "code": "CALL" }, "operator": { "login": "alice" } })
    );
    let (_, other) = contact_waiting_on(server, &alice, &ids, "EMAIL", "alice").await;
    let by_admin = server
        .data(&admin, COMPLETE_TODO, json!({ "id": other["todo"]["id"] }))
        .await["completeTodo"]
        .clone();
    assert_eq!(
        by_admin["userErrors"],
        json!([]),
        "an ADMIN may complete anyone's to-do"
    );
}

on_both_databases!(
    completing_records_the_activity_closes_the_to_do_and_schedules_the_default_next,
    an_explicit_next_replaces_the_default_and_is_checked,
    a_closed_pending_activity_or_to_do_cannot_be_closed_again,
    completing_a_to_do_completes_its_pending_activity_for_its_operator_only,
);

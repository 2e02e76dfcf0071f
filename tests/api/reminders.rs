//! Dismissing and snoozing reminders: only by their assignee, never touching the contact.

use serde_json::{Value, json};

use crate::support::{TestServer, on_both_databases, user_errors};

const ACTIVE: &str =
    "{ activeReminders { id state pendingActivity { id contact { id version } } } }";
const DISMISS: &str = "mutation($id: ID!) { dismissReminder(input: {reminderId: $id}) { reminder { id state dismissedAt } userErrors { field code message } } }";
const SNOOZE: &str = "mutation($id: ID!, $until: DateTime!) { snoozeReminder(input: {reminderId: $id, until: $until}) { reminder { id state snoozedUntil } userErrors { field code message } } }";

async fn showing(server: &TestServer, token: &str) -> Vec<Value> {
    server.data(token, ACTIVE, json!({})).await["activeReminders"]
        .as_array()
        .unwrap()
        .clone()
}

async fn dismissing_and_snoozing_hide_a_reminder_without_touching_the_contact(server: &TestServer) {
    let token = server.login("alice").await;
    let before = showing(server, &token).await;
    assert!(before.len() >= 2, "alice has reminders showing in the demo");
    let (first, second) = (&before[0], &before[1]);
    let dismissed = server
        .data(&token, DISMISS, json!({ "id": first["id"] }))
        .await["dismissReminder"]
        .clone();
    assert_eq!(dismissed["userErrors"], json!([]));
    assert_eq!(dismissed["reminder"]["state"], "DISMISSED");
    assert!(dismissed["reminder"]["dismissedAt"].is_string());
    let until = (chrono::Utc::now() + chrono::Duration::minutes(30)).to_rfc3339();
    let snoozed = server
        .data(
            &token,
            SNOOZE,
            json!({ "id": second["id"], "until": until }),
        )
        .await["snoozeReminder"]
        .clone();
    assert_eq!(snoozed["userErrors"], json!([]));
    assert_eq!(snoozed["reminder"]["state"], "SNOOZED");
    let after = showing(server, &token).await;
    assert_eq!(after.len(), before.len() - 2);
    assert!(
        !after
            .iter()
            .any(|r| r["id"] == first["id"] || r["id"] == second["id"])
    );
    let contact = server
        .data(
            &token,
            "query($id: ID!) { contact(id: $id) { version } }",
            json!({ "id": first["pendingActivity"]["contact"]["id"] }),
        )
        .await;
    assert_eq!(
        contact["contact"]["version"], first["pendingActivity"]["contact"]["version"],
        "a reminder is not the contact"
    );
}

async fn only_the_assignee_sees_and_acts_on_a_reminder_and_refusals_write_nothing(
    server: &TestServer,
) {
    let alice = server.login("alice").await;
    let bob = server.login("bob").await;
    let reminder = showing(server, &alice).await[0].clone();
    let node = "query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }";
    let seen = |token| server.data(token, node, json!({ "id": reminder["id"] }));
    assert_eq!(
        seen(&alice).await,
        json!({ "node": { "id": reminder["id"] }, "nodes": [{ "id": reminder["id"] }] })
    );
    assert_eq!(
        seen(&bob).await,
        json!({ "node": null, "nodes": [null] }),
        "another operator's reminder is as unknown as one that does not exist"
    );
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let before = server.snapshot().await;
    let cases = [
        (
            bob.as_str(),
            DISMISS,
            json!({ "id": reminder["id"] }),
            "dismissReminder",
            ("NOT_FOUND", "input.reminderId"),
        ),
        (
            bob.as_str(),
            SNOOZE,
            json!({ "id": reminder["id"], "until": past }),
            "snoozeReminder",
            ("NOT_FOUND", "input.reminderId"),
        ),
        (
            alice.as_str(),
            SNOOZE,
            json!({ "id": reminder["id"], "until": past }),
            "snoozeReminder",
            ("INVALID_INPUT", "input.until"),
        ),
        (
            alice.as_str(),
            DISMISS,
            json!({ "id": "UmVtaW5kZXI6OTk5OTk" }),
            "dismissReminder",
            ("NOT_FOUND", "input.reminderId"),
        ),
    ];
    for (token, mutation, variables, field, expected) in cases {
        let payload = server.data(token, mutation, variables).await[field].clone();
        assert_eq!(
            user_errors(&payload),
            vec![(expected.0.to_owned(), expected.1.to_owned())],
            "{field} {expected:?}"
        );
        assert_eq!(payload["reminder"], Value::Null);
    }
    assert_eq!(server.snapshot().await, before, "nothing written");
    let cancel = "mutation($id: ID!) { cancelPendingActivity(input: {pendingActivityId: $id}) { userErrors { code } } }";
    server
        .data(
            &alice,
            cancel,
            json!({ "id": reminder["pendingActivity"]["id"] }),
        )
        .await;
    let closed = server
        .data(&alice, DISMISS, json!({ "id": reminder["id"] }))
        .await["dismissReminder"]
        .clone();
    assert_eq!(
        user_errors(&closed),
        vec![("PENDING_NOT_OPEN".to_owned(), "input.reminderId".to_owned())]
    );
}

on_both_databases!(
    dismissing_and_snoozing_hide_a_reminder_without_touching_the_contact,
    only_the_assignee_sees_and_acts_on_a_reminder_and_refusals_write_nothing,
);

//! The `reminders` subscription over WebSocket (`graphql-transport-ws`), as a client sees it.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::support::socket::{Socket, open, send};
use crate::support::{Backend, DemoIds, TestServer, on_both_databases};

const SUBSCRIBE: &str = "subscription { reminders { kind at reminder { id state startsAt pendingActivity { id } assignee { login } } } }";

/// The next protocol message (pings answered, pongs skipped); `None` on close or timeout.
async fn receive(socket: &mut Socket, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let message = tokio::time::timeout_at(deadline, socket.next())
            .await
            .ok()??
            .ok()?;
        match message {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).ok()?;
                match value["type"].as_str() {
                    Some("ping") => send(socket, json!({ "type": "pong" })).await,
                    Some("pong") => {}
                    _ => return Some(value),
                }
            }
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

async fn subscribed(server: &TestServer, login: &str) -> Socket {
    let token = server.login(login).await;
    let mut socket = open(server, "graphql-transport-ws").await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    let ack = receive(&mut socket, Duration::from_secs(1)).await;
    assert_eq!(
        ack.as_ref().and_then(|a| a["type"].as_str()),
        Some("connection_ack"),
        "ack within a second"
    );
    send(
        &mut socket,
        json!({ "id": "reminders", "type": "subscribe", "payload": { "query": SUBSCRIBE } }),
    )
    .await;
    socket
}

/// Events until `quiet` passes without one.
async fn drain(socket: &mut Socket, quiet: Duration) -> Vec<Value> {
    let mut events = Vec::new();
    while let Some(message) = receive(socket, quiet).await {
        assert_eq!(message["type"], "next", "{message}");
        events.push(message["payload"]["data"]["reminders"].clone());
    }
    events
}

async fn a_subscriber_first_gets_what_shows_then_what_falls_due(server: &TestServer) {
    let alice = server.login("alice").await;
    let showing = server
        .data(&alice, "{ activeReminders { id } }", json!({}))
        .await["activeReminders"]
        .as_array()
        .unwrap()
        .len();
    let mut socket = subscribed(server, "alice").await;
    let mut other = subscribed(server, "bob").await;
    let caught_up = drain(&mut socket, Duration::from_millis(700)).await;
    assert_eq!(caught_up.len(), showing, "one DUE per reminder showing now");
    assert!(
        caught_up
            .iter()
            .all(|e| e["kind"] == "DUE" && e["reminder"]["assignee"]["login"] == "alice")
    );
    drain(&mut other, Duration::from_millis(300)).await;

    let ids = DemoIds::read(server, &alice).await;
    let starts = chrono::Utc::now() + chrono::Duration::seconds(2);
    let input = json!({ "name": "Reminded Srl", "pendingActivity": { "activityTypeId": ids.kind("CALL"),
        "reminderStartsAt": starts.to_rfc3339(), "reminderEndsAt": (starts + chrono::Duration::hours(1)).to_rfc3339() } });
    let saved = server.data(&alice, "mutation($input: SaveContactInput!) { saveContact(input: $input) { pendingActivity { id } userErrors { code } } }", json!({ "input": input })).await;
    let pending_id = saved["saveContact"]["pendingActivity"]["id"].clone();
    let message = receive(&mut socket, Duration::from_secs(5))
        .await
        .expect("the reminder falls due");
    let arrived = chrono::Utc::now();
    let event = &message["payload"]["data"]["reminders"];
    assert_eq!(
        (
            event["kind"].clone(),
            event["reminder"]["pendingActivity"]["id"].clone()
        ),
        (json!("DUE"), pending_id.clone())
    );
    let lag = arrived
        - chrono::DateTime::parse_from_rfc3339(event["reminder"]["startsAt"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc);
    assert!(
        lag >= chrono::Duration::zero() - chrono::Duration::milliseconds(5),
        "not early: {lag}"
    );
    assert!(
        lag < chrono::Duration::milliseconds(1000),
        "delivered {lag} after its time"
    );
    assert!(
        drain(&mut other, Duration::from_millis(300))
            .await
            .is_empty(),
        "another operator never receives it"
    );

    let reminder_id = event["reminder"]["id"].clone();
    let dismiss =
        "mutation($id: ID!) { dismissReminder(input: {reminderId: $id}) { userErrors { code } } }";
    server
        .data(&alice, dismiss, json!({ "id": reminder_id }))
        .await;
    let cleared = receive(&mut socket, Duration::from_secs(2))
        .await
        .expect("cleared on dismiss");
    assert_eq!(cleared["payload"]["data"]["reminders"]["kind"], "CLEARED");
    assert_eq!(
        cleared["payload"]["data"]["reminders"]["reminder"]["id"],
        reminder_id
    );
}

async fn snoozing_and_completing_clear_a_reminder_and_a_snooze_brings_it_back(server: &TestServer) {
    let alice = server.login("alice").await;
    let reminders = server
        .data(
            &alice,
            "{ activeReminders { id pendingActivity { id } } }",
            json!({}),
        )
        .await["activeReminders"]
        .as_array()
        .unwrap()
        .clone();
    let mut socket = subscribed(server, "alice").await;
    drain(&mut socket, Duration::from_millis(700)).await;
    let until = chrono::Utc::now() + chrono::Duration::seconds(2);
    let snooze = "mutation($id: ID!, $until: DateTime!) { snoozeReminder(input: {reminderId: $id, until: $until}) { userErrors { code } } }";
    server
        .data(
            &alice,
            snooze,
            json!({ "id": reminders[0]["id"], "until": until.to_rfc3339() }),
        )
        .await;
    let cleared = receive(&mut socket, Duration::from_secs(2))
        .await
        .expect("cleared on snooze");
    assert_eq!(cleared["payload"]["data"]["reminders"]["kind"], "CLEARED");
    let again = receive(&mut socket, Duration::from_secs(5))
        .await
        .expect("due again when the snooze ends");
    assert_eq!(again["payload"]["data"]["reminders"]["kind"], "DUE");
    assert_eq!(
        again["payload"]["data"]["reminders"]["reminder"]["id"],
        reminders[0]["id"]
    );
    let complete = "mutation($id: ID!) { completePendingActivity(input: {pendingActivityId: $id}) { userErrors { code } } }";
    server
        .data(
            &alice,
            complete,
            json!({ "id": reminders[1]["pendingActivity"]["id"] }),
        )
        .await;
    let done = receive(&mut socket, Duration::from_secs(2))
        .await
        .expect("cleared on completion");
    assert_eq!(done["payload"]["data"]["reminders"]["kind"], "CLEARED");
    assert_eq!(
        done["payload"]["data"]["reminders"]["reminder"]["id"],
        reminders[1]["id"]
    );
}

async fn a_bad_token_gets_no_acknowledgement(server: &TestServer) {
    let mut socket = open(server, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "authorization": "Bearer forged" } }),
    )
    .await;
    let answer = receive(&mut socket, Duration::from_secs(2)).await;
    assert!(
        answer.is_none()
            || answer
                .as_ref()
                .is_some_and(|a| a["type"] != "connection_ack"),
        "no ack: {answer:?}"
    );
}

/// Saves a contact whose pending activity for alice starts reminding `after` from now.
async fn schedule_for_alice(server: &TestServer, after: chrono::Duration) -> Value {
    let alice = server.login("alice").await;
    let ids = DemoIds::read(server, &alice).await;
    let starts = chrono::Utc::now() + after;
    let input = json!({ "name": "Scheduled Srl", "pendingActivity": { "activityTypeId": ids.kind("EMAIL"),
        "reminderStartsAt": starts.to_rfc3339(), "reminderEndsAt": (starts + chrono::Duration::hours(2)).to_rfc3339() } });
    let mutation = "mutation($input: SaveContactInput!) { saveContact(input: $input) { pendingActivity { id } userErrors { code } } }";
    let saved = server
        .data(&alice, mutation, json!({ "input": input }))
        .await;
    assert_eq!(saved["saveContact"]["userErrors"], json!([]));
    saved["saveContact"]["pendingActivity"]["id"].clone()
}

async fn a_reminder_due_while_the_server_was_down_arrives_on_the_next_subscribe(backend: Backend) {
    let Some(mut server) = TestServer::start(backend).await else {
        return;
    };
    let pending = schedule_for_alice(&server, chrono::Duration::milliseconds(1500)).await;
    server.restart().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let mut socket = subscribed(&server, "alice").await;
    let caught_up = drain(&mut socket, Duration::from_millis(700)).await;
    assert!(
        caught_up
            .iter()
            .any(|e| e["kind"] == "DUE" && e["reminder"]["pendingActivity"]["id"] == pending),
        "delivered on the next subscribe"
    );
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_due_while_the_server_was_down_arrives_on_the_next_subscribe_on_sqlite() {
    a_reminder_due_while_the_server_was_down_arrives_on_the_next_subscribe(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_due_while_the_server_was_down_arrives_on_the_next_subscribe_on_postgres() {
    a_reminder_due_while_the_server_was_down_arrives_on_the_next_subscribe(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_on_one_instance_reaches_a_subscriber_of_another() {
    let Some(first) = TestServer::start(Backend::Postgres).await else {
        return;
    };
    let second = TestServer::start_on(&first.database_url, false).await;
    let mut socket = subscribed(&second, "alice").await;
    drain(&mut socket, Duration::from_millis(700)).await;
    let soon = schedule_for_alice(&first, chrono::Duration::seconds(2)).await;
    let now = schedule_for_alice(&first, chrono::Duration::seconds(-60)).await;
    let immediate = receive(&mut socket, Duration::from_secs(2))
        .await
        .expect("an open window is announced at once");
    assert_eq!(
        immediate["payload"]["data"]["reminders"]["reminder"]["pendingActivity"]["id"],
        now
    );
    let later = receive(&mut socket, Duration::from_secs(5))
        .await
        .expect("a later one falls due on the other instance");
    assert_eq!(
        later["payload"]["data"]["reminders"]["reminder"]["pendingActivity"]["id"],
        soon
    );
    assert_eq!(later["payload"]["data"]["reminders"]["kind"], "DUE");
    second.finish().await;
    first.finish().await;
}

on_both_databases!(
    a_subscriber_first_gets_what_shows_then_what_falls_due,
    snoozing_and_completing_clear_a_reminder_and_a_snooze_brings_it_back,
    a_bad_token_gets_no_acknowledgement,
);

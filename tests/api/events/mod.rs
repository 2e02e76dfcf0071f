//! `contactEvents`: every change of a contact pushed to the subscribers of its company, in
//! commit order, from the outbox; `after` resumes without gap or duplicate. Here the client's
//! side of it; [`kinds`] checks what each write pushes, [`resume`] how a subscriber catches up.

mod kinds;
mod resume;
mod sharing;

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::TestServer;
use crate::support::socket::{Socket, next, open, send};

pub(super) const EVENTS: &str = "subscription($after: String, $workflowId: ID) {
    contactEvents(after: $after, workflowId: $workflowId) {
        cursor kind at operator { login }
        contact { id name stage { code } }
        stageChange { from { code } to { code } }
        activity { type { code } }
        pendingActivity { type { code } status }
    } }";

pub(super) const SAVE: &str = "mutation($input: SaveContactInput!) { saveContact(input: $input) {
    contact { id version } userErrors { code message } } }";

/// `contactEvents` subscribers tuned in on the server (from `/metrics`).
pub(super) async fn tuned_in(server: &TestServer) -> i64 {
    let metrics = server.metrics().await;
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("contactflow_contact_event_subscribers "))
        .and_then(|value| value.trim().parse().ok())
        .expect("the subscriber gauge")
}

/// A socket subscribed to `contactEvents` as `login`, once the server has tuned it in (it
/// misses nothing that commits from then on).
pub(super) async fn subscribed(server: &TestServer, login: &str, variables: Value) -> Socket {
    subscribed_to(server, login, EVENTS, variables).await
}

/// A socket subscribed with `query` as `login`, once the server has tuned it in.
pub(super) async fn subscribed_to(
    server: &TestServer,
    login: &str,
    query: &str,
    variables: Value,
) -> Socket {
    let before = tuned_in(server).await;
    let socket = subscribing_to(server, login, query, variables).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tuned_in(server).await <= before {
        assert!(
            tokio::time::Instant::now() < deadline,
            "tuned in within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    socket
}

/// A socket that sent its `contactEvents` subscription as `login` (it may still be refused).
pub(super) async fn subscribing(server: &TestServer, login: &str, variables: Value) -> Socket {
    subscribing_to(server, login, EVENTS, variables).await
}

/// A socket that sent `query` (a `contactEvents` subscription) as `login`.
pub(super) async fn subscribing_to(
    server: &TestServer,
    login: &str,
    query: &str,
    variables: Value,
) -> Socket {
    let token = server.login(login).await;
    let mut socket = open(server, "graphql-transport-ws").await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    let ack = next(&mut socket, Duration::from_secs(2))
        .await
        .expect("ack");
    assert_eq!(ack["type"], "connection_ack");
    send(
        &mut socket,
        json!({ "id": "events", "type": "subscribe", "payload": { "query": query, "variables": variables } }),
    )
    .await;
    socket
}

/// The next message that is not a ping or a pong.
pub(super) async fn message(socket: &mut Socket, within: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let message = next(socket, left).await.ok()?;
        match message["type"].as_str() {
            Some("ping") => send(socket, json!({ "type": "pong" })).await,
            Some("pong") => {}
            _ => return Some(message),
        }
    }
}

/// The events that arrive until `quiet` passes without one.
pub(super) async fn events(socket: &mut Socket, quiet: Duration) -> Vec<Value> {
    let mut events = Vec::new();
    while let Some(message) = message(socket, quiet).await {
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["payload"]["errors"], Value::Null, "{message}");
        events.push(message["payload"]["data"]["contactEvents"].clone());
    }
    events
}

/// Exactly `count` events, each within `within` of the one before.
pub(super) async fn take(socket: &mut Socket, count: usize, within: Duration) -> Vec<Value> {
    let mut taken = Vec::new();
    while taken.len() < count {
        let message = message(socket, within)
            .await
            .unwrap_or_else(|| panic!("event {} of {count} within {within:?}", taken.len() + 1));
        assert_eq!(message["type"], "next", "{message}");
        taken.push(message["payload"]["data"]["contactEvents"].clone());
    }
    taken
}

pub(super) fn kinds(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["kind"].as_str().unwrap()).collect()
}

pub(super) fn cursors(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["cursor"].as_str().unwrap().to_owned())
        .collect()
}

pub(super) async fn save(server: &TestServer, token: &str, input: Value) -> Value {
    let saved = server.data(token, SAVE, json!({ "input": input })).await;
    assert_eq!(saved["saveContact"]["userErrors"], json!([]), "{saved}");
    saved["saveContact"]["contact"].clone()
}

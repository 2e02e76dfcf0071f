//! The graphql-transport-ws protocol at its edges: acknowledgement, pings, close codes, and the
//! legacy graphql-ws protocol.

use std::time::Duration;

use futures_util::SinkExt;
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::socket::{Socket, close_code, next, open, send, ws_url};
use crate::support::{TestServer, on_both_databases};

async fn initialised(server: &TestServer) -> Socket {
    let token = server.login("alice").await;
    let mut socket = open(server, "graphql-transport-ws").await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(1))
            .await
            .ok()
            .map(|m| m["type"].clone()),
        Some(json!("connection_ack"))
    );
    socket
}

/// The next message for the operation `id`, skipping the others.
async fn message_for(socket: &mut Socket, id: &str) -> serde_json::Value {
    loop {
        let message = next(socket, Duration::from_secs(5))
            .await
            .unwrap_or_else(|code| panic!("no message for {id}: closed with {code:?}"));
        if message["id"] == id {
            return message;
        }
    }
}

async fn a_socket_carries_at_most_a_hundred_operations(server: &TestServer) {
    let mut socket = initialised(server).await;
    let reminders = json!({ "query": "subscription { reminders { kind } }" });
    for n in 1..=100 {
        let id = n.to_string();
        send(
            &mut socket,
            json!({ "id": id, "type": "subscribe", "payload": reminders }),
        )
        .await;
    }
    send(
        &mut socket,
        json!({ "id": "101", "type": "subscribe", "payload": reminders }),
    )
    .await;
    let refused = message_for(&mut socket, "101").await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    send(&mut socket, json!({ "id": "1", "type": "complete" })).await;
    let query = json!({ "query": "{ me { login } }" });
    send(
        &mut socket,
        json!({ "id": "q", "type": "subscribe", "payload": query }),
    )
    .await;
    let answered = message_for(&mut socket, "q").await;
    assert_eq!(
        answered["payload"]["data"]["me"]["login"], "alice",
        "{answered}"
    );
}

async fn pings_are_answered_and_queries_run_over_the_socket(server: &TestServer) {
    let mut socket = initialised(server).await;
    send(
        &mut socket,
        json!({ "type": "ping", "payload": { "n": 1 } }),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(1)).await.ok(),
        Some(json!({ "type": "pong", "payload": { "n": 1 } }))
    );
    send(
        &mut socket,
        json!({ "id": "q", "type": "subscribe", "payload": { "query": "{ me { login } }" } }),
    )
    .await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(2)).await.ok(),
        Some(
            json!({ "type": "next", "id": "q", "payload": { "data": { "me": { "login": "alice" } } } })
        )
    );
    assert_eq!(
        next(&mut socket, Duration::from_secs(2)).await.ok(),
        Some(json!({ "type": "complete", "id": "q" }))
    );
    send(&mut socket, json!({ "id": "bad", "type": "subscribe", "payload": { "query": "subscription { nope }" } })).await;
    let refused = next(&mut socket, Duration::from_secs(2))
        .await
        .ok()
        .unwrap();
    assert_eq!(
        (refused["type"].clone(), refused["id"].clone()),
        (json!("error"), json!("bad"))
    );
    assert!(refused["payload"][0]["message"].is_string());
}

async fn protocol_violations_close_with_their_codes(server: &TestServer) {
    let token = server.login("alice").await;
    let init = json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } });
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { reminders { kind } }" } });

    let mut socket = open(server, "graphql-transport-ws").await;
    send(&mut socket, subscribe.clone()).await;
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(2)).await,
        Some(4401),
        "subscribe before ack"
    );

    let mut socket = open(server, "graphql-transport-ws").await;
    send(
        &mut socket,
        json!({ "type": "connection_init", "payload": { "authorization": "Bearer forged" } }),
    )
    .await;
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(2)).await,
        Some(4403),
        "bad token, and no ack"
    );

    let mut socket = open(server, "graphql-transport-ws").await;
    send(&mut socket, json!({ "type": "connection_init" })).await;
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(2)).await,
        Some(4403),
        "no token"
    );

    let mut socket = initialised(server).await;
    send(&mut socket, init.clone()).await;
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(2)).await,
        Some(4429),
        "a second init"
    );

    let mut socket = initialised(server).await;
    send(&mut socket, subscribe.clone()).await;
    send(&mut socket, subscribe.clone()).await;
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(3)).await,
        Some(4409),
        "a duplicate id"
    );

    let mut socket = initialised(server).await;
    socket.send(Message::Text("not json".into())).await.unwrap();
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(2)).await,
        Some(4400),
        "a bad message"
    );

    let mut socket = open(server, "graphql-transport-ws").await;
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(5)).await,
        Some(4408),
        "no connection_init in time"
    );
}

async fn the_legacy_graphql_ws_protocol_works_too(server: &TestServer) {
    let token = server.login("alice").await;
    let mut socket = open(server, "graphql-ws").await;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(1))
            .await
            .ok()
            .map(|m| m["type"].clone()),
        Some(json!("connection_ack"))
    );
    send(&mut socket, json!({ "id": "1", "type": "start", "payload": { "query": "subscription { reminders { kind reminder { assignee { login } } } }" } })).await;
    let first = next(&mut socket, Duration::from_secs(2))
        .await
        .ok()
        .unwrap();
    assert_eq!(first["type"], "data");
    assert_eq!(
        first["payload"]["data"]["reminders"]["reminder"]["assignee"]["login"],
        "alice"
    );
    send(&mut socket, json!({ "id": "1", "type": "stop" })).await;
    send(&mut socket, json!({ "type": "connection_terminate" })).await;
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(2)).await,
        Some(1000)
    );
}

async fn a_socket_closes_when_its_token_expires(server: &TestServer) {
    let db = sea_orm::Database::connect(server.database_url.as_str())
        .await
        .unwrap();
    let secret = contactflow::service::auth::token_secret(&db, None)
        .await
        .unwrap();
    db.close().await.ok();
    let keys = contactflow::service::auth::TokenKeys::new(&secret, Duration::from_secs(2));
    let me = server
        .data(
            &server.login("alice").await,
            "{ me { id } company { id } }",
            json!({}),
        )
        .await;
    let number =
        contactflow::graphql::ids::decode(me["me"]["id"].as_str().unwrap(), "Operator").unwrap();
    let company =
        contactflow::graphql::ids::decode(me["company"]["id"].as_str().unwrap(), "Company")
            .unwrap();
    let mut socket = open(server, "graphql-transport-ws").await;
    let short_lived = keys.issue(number, 0, company).unwrap().token;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {short_lived}") } })).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(1))
            .await
            .ok()
            .map(|m| m["type"].clone()),
        Some(json!("connection_ack"))
    );
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(5)).await,
        Some(4403),
        "closed when the token expires"
    );
}

async fn a_reminder_is_cleared_when_its_window_ends(server: &TestServer) {
    let alice = server.login("alice").await;
    let call = server
        .data(&alice, "{ activityTypes { id code } }", json!({}))
        .await["activityTypes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["code"] == "CALL")
        .unwrap()["id"]
        .clone();
    let mut socket = initialised(server).await;
    send(&mut socket, json!({ "id": "r", "type": "subscribe", "payload": { "query": "subscription { reminders { kind reminder { pendingActivity { id } state } } }" } })).await;
    let now = chrono::Utc::now();
    let input = json!({ "name": "Brief window", "pendingActivity": { "activityTypeId": call,
        "reminderStartsAt": (now - chrono::Duration::seconds(5)).to_rfc3339(), "reminderEndsAt": (now + chrono::Duration::seconds(2)).to_rfc3339() } });
    let saved = server.data(&alice, "mutation($input: SaveContactInput!) { saveContact(input: $input) { pendingActivity { id } } }", json!({ "input": input })).await;
    let pending = saved["saveContact"]["pendingActivity"]["id"].clone();
    let mut kinds = Vec::new();
    while let Ok(message) = next(&mut socket, Duration::from_secs(4)).await {
        let event = &message["payload"]["data"]["reminders"];
        if event["reminder"]["pendingActivity"]["id"] == pending {
            kinds.push((
                event["kind"].as_str().unwrap().to_owned(),
                event["reminder"]["state"].as_str().unwrap().to_owned(),
            ));
            if kinds.len() == 2 {
                break;
            }
        }
    }
    assert_eq!(
        kinds,
        [
            ("DUE".to_owned(), "ACTIVE".to_owned()),
            ("CLEARED".to_owned(), "EXPIRED".to_owned())
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sockets_close_when_the_server_shuts_down_and_foreign_origins_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("origins.db").display()
    );
    let mut settings = crate::support::settings_for(&url);
    settings.allowed_origins = contactflow::config::Origins(vec!["https://crm.example.com".into()]);
    let server = TestServer::start_on_with(settings, true).await;
    let address = ws_url(&server);
    // The server's own origin (GraphiQL's page) is accepted whatever the list says.
    let own = server.base.clone();
    for (origin, accepted) in [
        ("https://evil.example", false),
        ("https://crm.example.com", true),
        (own.as_str(), true),
    ] {
        let mut request = address.clone().into_client_request().unwrap();
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
        assert_eq!(
            tokio_tungstenite::connect_async(request).await.is_ok(),
            accepted,
            "{origin}"
        );
    }
    let mut socket = initialised(&server).await;
    server.finish().await;
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(3)).await,
        Some(1001),
        "closed on shutdown"
    );
}

on_both_databases!(
    a_socket_carries_at_most_a_hundred_operations,
    pings_are_answered_and_queries_run_over_the_socket,
    protocol_violations_close_with_their_codes,
    the_legacy_graphql_ws_protocol_works_too,
    a_socket_closes_when_its_token_expires,
    a_reminder_is_cleared_when_its_window_ends,
);

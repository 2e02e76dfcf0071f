//! The graphql-transport-ws protocol at its edges: acknowledgement, pings, close codes, and the
//! legacy graphql-ws protocol.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::{TestServer, on_both_databases};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

async fn open(server: &TestServer, protocol: &str) -> Socket {
    let url = format!("{}/graphql", server.base.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .expect("WebSocket upgrade")
        .0
}

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("sent");
}

/// The next text message, or the close code when the server closes instead.
async fn next(socket: &mut Socket, within: Duration) -> Result<Value, Option<u16>> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return Err(None),
            Ok(None) | Ok(Some(Err(_))) => return Err(None),
            Ok(Some(Ok(Message::Text(text)))) => return Ok(serde_json::from_str(&text).unwrap()),
            Ok(Some(Ok(Message::Close(frame)))) => return Err(frame.map(|f| u16::from(f.code))),
            Ok(Some(Ok(_))) => {}
        }
    }
}

async fn close_code(socket: &mut Socket, within: Duration) -> Option<u16> {
    loop {
        match next(socket, within).await {
            Ok(_) => continue,
            Err(code) => return code,
        }
    }
}

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

on_both_databases!(
    pings_are_answered_and_queries_run_over_the_socket,
    protocol_violations_close_with_their_codes,
    the_legacy_graphql_ws_protocol_works_too,
);

//! A WebSocket client for the tests: open `/graphql` with a subprotocol, send JSON messages.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::support::TestServer;

/// A client socket.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The server's WebSocket address.
pub fn ws_url(server: &TestServer) -> String {
    format!("{}/graphql", server.base.replacen("http", "ws", 1))
}

/// Opens `/graphql` offering one subprotocol.
pub async fn open(server: &TestServer, protocol: &str) -> Socket {
    open_url(&ws_url(server), protocol).await
}

/// Opens the WebSocket at `url` offering one subprotocol.
pub async fn open_url(url: &str, protocol: &str) -> Socket {
    let mut request = url.into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .expect("WebSocket upgrade")
        .0
}

/// Sends one JSON message.
pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("sent");
}

/// The next text message, or the close code when the server closes instead.
pub async fn next(socket: &mut Socket, within: Duration) -> Result<Value, Option<u16>> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Err(_) => return Err(None),
            Ok(None) | Ok(Some(Err(_))) => return Err(None),
            Ok(Some(Ok(Message::Text(text)))) => {
                let message: Value = serde_json::from_str(&text).unwrap();
                check_codes(&message);
                return Ok(message);
            }
            Ok(Some(Ok(Message::Close(frame)))) => return Err(frame.map(|f| u16::from(f.code))),
            Ok(Some(Ok(_))) => {}
        }
    }
}

/// Every top-level error in a `next` (its payload's `errors`) or `error` message (its payload
/// is the list) carries one of the contract's codes.
fn check_codes(message: &Value) {
    let payload = &message["payload"];
    if payload.is_array() {
        super::assert_contract_codes(&serde_json::json!({ "errors": payload }));
    } else {
        super::assert_contract_codes(payload);
    }
}

/// The close code the server ends with, skipping messages before it.
pub async fn close_code(socket: &mut Socket, within: Duration) -> Option<u16> {
    loop {
        match next(socket, within).await {
            Ok(_) => continue,
            Err(code) => return code,
        }
    }
}

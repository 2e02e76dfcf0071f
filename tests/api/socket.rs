//! A WebSocket client for the tests: open `/graphql` with a subprotocol, send JSON messages.

use futures_util::SinkExt;
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
    let mut request = ws_url(server).into_client_request().unwrap();
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

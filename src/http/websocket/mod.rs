//! GraphQL over WebSocket at `/graphql` (`graphql-transport-ws`, and the legacy `graphql-ws`):
//! subprotocol choice (async-graphql-axum's `GraphQLProtocol`) at the upgrade (the origin
//! allow-list is applied before, in [`super::browsers`]); the session in [`session`].

mod protocol;
mod session;

use async_graphql_axum::GraphQLProtocol;
use std::net::SocketAddr;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;

use super::refusal::refuse;
use super::request_id::RequestId;
use super::state::HttpState;
use protocol::Protocol;

/// Upgrades a `GET /graphql` carrying `Upgrade: websocket`.
pub async fn upgrade(state: HttpState, mut parts: Parts) -> Response {
    let chosen = GraphQLProtocol::from_request_parts(&mut parts, &state).await;
    let Some(protocol) = chosen.ok().and_then(Protocol::of) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            "use the WebSocket subprotocol graphql-transport-ws (or graphql-ws)",
        );
    };
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let languages = super::endpoint::languages_in(&parts.headers);
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|peer| peer.0.ip());
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return refuse(rejection.status(), &rejection.body_text()),
    };
    upgrade
        .protocols([protocol.name()])
        .read_buffer_size(4 * 1024)
        .write_buffer_size(4 * 1024)
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| {
            session::serve(socket, protocol, state, request_id, peer, languages)
        })
}

//! GraphQL over WebSocket at `/graphql` (subprotocols `graphql-transport-ws` and the legacy
//! `graphql-ws`): the bearer token comes in the `connection_init` payload.

use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::FromRequestParts;
use axum::extract::ws::WebSocketUpgrade;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::HttpState;
use crate::graphql::{AppState, RequestAuth, loaders};
use crate::service::auth;

/// The token in a `connection_init` payload: `{"authorization": "Bearer <token>"}`.
fn token_of(payload: &Value) -> Option<String> {
    let value = payload
        .get("authorization")
        .or_else(|| payload.get("Authorization"))?
        .as_str()?
        .trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => value,
    };
    (!token.is_empty()).then(|| token.to_owned())
}

/// Checks the token of a new connection; a missing or invalid one refuses the connection.
async fn connection_data(app: AppState, payload: Value) -> async_graphql::Result<Data> {
    let token = token_of(&payload).ok_or_else(|| {
        async_graphql::Error::new("Forbidden: send {\"authorization\": \"Bearer <token>\"}")
    })?;
    auth::authenticate(&app.db, &app.keys, &token)
        .await
        .map_err(|_| async_graphql::Error::new("Forbidden: invalid token"))?;
    let mut data = Data::default();
    data.insert(RequestAuth::new(Some(token)));
    data.insert(loaders::for_request(&app.db));
    Ok(data)
}

/// Upgrades a `GET /graphql` carrying `Upgrade: websocket`.
pub async fn upgrade(state: HttpState, mut parts: Parts) -> Response {
    let protocol = match GraphQLProtocol::from_request_parts(&mut parts, &state).await {
        Ok(protocol) => protocol,
        Err(status) => {
            return (
                status,
                "use the WebSocket subprotocol graphql-transport-ws (or graphql-ws)",
            )
                .into_response();
        }
    };
    let upgrade = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(upgrade) => upgrade,
        Err(rejection) => return rejection.into_response(),
    };
    let HttpState { schema, app } = state;
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            GraphQLWebSocket::new(socket, schema, protocol)
                .on_connection_init(move |payload| connection_data(app, payload))
                .serve()
                .await;
        })
}

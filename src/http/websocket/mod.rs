//! GraphQL over WebSocket at `/graphql` (`graphql-transport-ws`, and the legacy `graphql-ws`):
//! origin allow-list and subprotocol choice (async-graphql-axum's `GraphQLProtocol`) at the
//! upgrade; the session in [`session`].

mod protocol;
mod session;

use async_graphql_axum::GraphQLProtocol;
use std::net::SocketAddr;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::header::{HOST, ORIGIN};
use axum::http::request::Parts;
use axum::response::Response;

use super::refusal::refuse;
use super::request_id::RequestId;
use super::state::HttpState;
use protocol::Protocol;

/// Whether an `Origin` may open a socket: no header (not a browser), an allowed one, or the
/// server's own (a page it served, such as GraphiQL, whose `Origin` names the `Host` asked for).
fn origin_allowed(allowed: &[String], origin: Option<&str>, host: Option<&str>) -> bool {
    let Some(origin) = origin.map(|o| o.trim_end_matches('/')) else {
        return true;
    };
    let own = origin
        .split_once("://")
        .zip(host)
        .is_some_and(|((_, authority), host)| authority.eq_ignore_ascii_case(host.trim()));
    own || allowed
        .iter()
        .any(|entry| entry == "*" || entry.eq_ignore_ascii_case(origin))
}

/// Upgrades a `GET /graphql` carrying `Upgrade: websocket`.
pub async fn upgrade(state: HttpState, mut parts: Parts) -> Response {
    let origin = parts
        .headers
        .get(ORIGIN)
        .and_then(|value| value.to_str().ok());
    let host = parts
        .headers
        .get(HOST)
        .and_then(|value| value.to_str().ok());
    if !origin_allowed(&state.options.allowed_origins, origin, host) {
        return refuse(
            StatusCode::FORBIDDEN,
            "this origin may not open a WebSocket",
        );
    }
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
        .on_upgrade(move |socket| session::serve(socket, protocol, state, request_id, peer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sockets_without_an_origin_or_from_an_allowed_one_are_accepted() {
        let any = vec!["*".to_owned()];
        let listed = vec!["https://crm.example.com".to_owned()];
        let host = Some("api.example.com");
        assert!(origin_allowed(&any, Some("https://evil.example"), host));
        assert!(origin_allowed(&listed, None, host));
        assert!(origin_allowed(
            &listed,
            Some("https://CRM.example.com/"),
            host
        ));
        assert!(!origin_allowed(&listed, Some("https://evil.example"), host));
        assert!(!origin_allowed(&listed, Some("https://evil.example"), None));
    }

    #[test]
    fn the_servers_own_pages_may_open_a_socket_whatever_the_list() {
        let listed = vec!["https://crm.example.com".to_owned()];
        let own = Some("https://api.example.com");
        assert!(origin_allowed(&listed, own, Some("api.example.com")));
        assert!(origin_allowed(
            &listed,
            Some("http://127.0.0.1:8080"),
            Some("127.0.0.1:8080")
        ));
        assert!(!origin_allowed(
            &listed,
            Some("http://127.0.0.1:8081"),
            Some("127.0.0.1:8080")
        ));
        assert!(!origin_allowed(
            &listed,
            Some("https://api.example.com.evil"),
            Some("api.example.com")
        ));
    }
}

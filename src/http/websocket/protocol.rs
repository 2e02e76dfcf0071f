//! The two wire protocols spoken at `/graphql`: `graphql-transport-ws` and the legacy
//! `graphql-ws` (subscriptions-transport-ws), mapped onto one set of client and server messages.

use std::sync::LazyLock;

use async_graphql_axum::GraphQLProtocol;
use axum::extract::FromRequestParts;
use futures_util::FutureExt;
use serde_json::{Value, json};

/// Which subprotocol the client chose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `graphql-transport-ws` (the `graphql-ws` npm package).
    TransportWs,
    /// `graphql-ws` (the legacy subscriptions-transport-ws).
    Legacy,
}

/// What async-graphql-axum's negotiation answers for a client offering just `name`.
fn negotiated(name: &'static str) -> Option<GraphQLProtocol> {
    let request = axum::http::Request::builder()
        .header(axum::http::header::SEC_WEBSOCKET_PROTOCOL, name)
        .body(())
        .ok()?;
    let (mut parts, ()) = request.into_parts();
    GraphQLProtocol::from_request_parts(&mut parts, &())
        .now_or_never()?
        .ok()
}

/// The protocols async-graphql-axum negotiates, with ours: it keeps its choice private, so a
/// choice is told by comparing it with what it chooses for each name alone.
static KNOWN: LazyLock<Vec<(GraphQLProtocol, Protocol)>> = LazyLock::new(|| {
    [Protocol::TransportWs, Protocol::Legacy]
        .into_iter()
        .filter_map(|ours| negotiated(ours.name()).map(|theirs| (theirs, ours)))
        .collect()
});

impl Protocol {
    /// The subprotocol's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::TransportWs => "graphql-transport-ws",
            Self::Legacy => "graphql-ws",
        }
    }

    /// Ours of the protocol async-graphql-axum negotiated.
    pub fn of(negotiated: GraphQLProtocol) -> Option<Self> {
        KNOWN
            .iter()
            .find(|(theirs, _)| *theirs == negotiated)
            .map(|(_, ours)| *ours)
    }
}

/// A message from the client.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientMessage {
    /// Authenticate the connection.
    ConnectionInit(Value),
    /// Keep-alive request.
    Ping(Value),
    /// Keep-alive answer.
    Pong,
    /// Start an operation.
    Subscribe { id: String, payload: Value },
    /// Stop an operation.
    Complete { id: String },
    /// Legacy: close the connection.
    Terminate,
}

/// Why a client message was refused (the socket closes with 4400).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadMessage(pub String);

fn id_of(message: &Value) -> Result<String, BadMessage> {
    message["id"]
        .as_str()
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| BadMessage("the message needs an id".to_owned()))
}

/// Reads a client message.
pub fn parse(protocol: Protocol, text: &str) -> Result<ClientMessage, BadMessage> {
    let message: Value =
        serde_json::from_str(text).map_err(|_| BadMessage("the message is not JSON".to_owned()))?;
    let kind = message["type"]
        .as_str()
        .ok_or_else(|| BadMessage("the message has no type".to_owned()))?;
    let payload = message.get("payload").cloned().unwrap_or(Value::Null);
    match (protocol, kind) {
        (_, "connection_init") => Ok(ClientMessage::ConnectionInit(payload)),
        (Protocol::TransportWs, "ping") => Ok(ClientMessage::Ping(payload)),
        (Protocol::TransportWs, "pong") => Ok(ClientMessage::Pong),
        (Protocol::TransportWs, "subscribe") | (Protocol::Legacy, "start") => {
            if !payload.is_object() || !payload["query"].is_string() {
                return Err(BadMessage(
                    "subscribe needs a payload with a query".to_owned(),
                ));
            }
            Ok(ClientMessage::Subscribe {
                id: id_of(&message)?,
                payload,
            })
        }
        (Protocol::TransportWs, "complete") | (Protocol::Legacy, "stop") => {
            Ok(ClientMessage::Complete {
                id: id_of(&message)?,
            })
        }
        (Protocol::Legacy, "connection_terminate") => Ok(ClientMessage::Terminate),
        (_, other) => Err(BadMessage(format!("unknown message type {other:?}"))),
    }
}

/// The text of a server message in the client's protocol.
pub fn ack(_: Protocol) -> String {
    json!({ "type": "connection_ack" }).to_string()
}

/// A keep-alive from the server.
pub fn ping(protocol: Protocol) -> String {
    match protocol {
        Protocol::TransportWs => json!({ "type": "ping" }).to_string(),
        Protocol::Legacy => json!({ "type": "ka" }).to_string(),
    }
}

/// The answer to a client's ping.
pub fn pong(payload: Value) -> String {
    if payload.is_null() {
        json!({ "type": "pong" }).to_string()
    } else {
        json!({ "type": "pong", "payload": payload }).to_string()
    }
}

/// One result of an operation, its payload already JSON text (an answer several subscribers
/// share is serialised once): the message is written around it, never parsed again.
pub fn next(protocol: Protocol, id: &str, payload: &str) -> String {
    let kind = if protocol == Protocol::TransportWs {
        "next"
    } else {
        "data"
    };
    let id = Value::from(id);
    format!(r#"{{"type":"{kind}","id":{id},"payload":{payload}}}"#)
}

/// An operation that failed before it produced a result.
pub fn error(protocol: Protocol, id: &str, errors: &Value) -> String {
    let payload = if protocol == Protocol::TransportWs {
        errors.clone()
    } else {
        json!({ "errors": errors })
    };
    json!({ "type": "error", "id": id, "payload": payload }).to_string()
}

/// The end of an operation.
pub fn complete(_: Protocol, id: &str) -> String {
    json!({ "type": "complete", "id": id }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_protocols_read_into_the_same_messages() {
        let subscribe = r#"{"id":"1","type":"subscribe","payload":{"query":"subscription { reminders { kind } }"}}"#;
        let start = r#"{"id":"1","type":"start","payload":{"query":"subscription { reminders { kind } }"}}"#;
        assert_eq!(
            parse(Protocol::TransportWs, subscribe),
            parse(Protocol::Legacy, start)
        );
        assert_eq!(
            parse(Protocol::Legacy, r#"{"id":"1","type":"stop"}"#),
            Ok(ClientMessage::Complete { id: "1".into() })
        );
    }

    #[test]
    fn both_subprotocols_are_told_apart_after_the_stock_negotiation() {
        for ours in [Protocol::TransportWs, Protocol::Legacy] {
            let theirs = negotiated(ours.name()).expect("async-graphql-axum speaks it");
            assert_eq!(Protocol::of(theirs), Some(ours));
        }
        assert!(negotiated("graphql-sse").is_none());
    }

    #[test]
    fn malformed_messages_are_refused() {
        for text in [
            "nope",
            "{}",
            r#"{"type":"subscribe","payload":{"query":"{ me { id } }"}}"#,
            r#"{"id":"1","type":"subscribe"}"#,
            r#"{"type":"start"}"#,
        ] {
            assert!(parse(Protocol::TransportWs, text).is_err(), "{text}");
        }
    }

    #[test]
    fn results_use_each_protocols_names() {
        let message: Value =
            serde_json::from_str(&next(Protocol::TransportWs, "a\"b", r#"{"data":{}}"#)).unwrap();
        assert_eq!(
            message,
            json!({ "type": "next", "id": "a\"b", "payload": { "data": {} } })
        );
        assert!(next(Protocol::Legacy, "1", "{}").contains("\"data\""));
        assert!(ping(Protocol::Legacy).contains("\"ka\""));
    }
}

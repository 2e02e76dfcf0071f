//! One WebSocket session: `connection_init` within a few seconds with a valid token, then
//! operations by id; server pings, dead peers dropped, a small bounded outgoing buffer, closed
//! when the token expires or the server shuts down. Close codes follow graphql-transport-ws.

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use futures_util::StreamExt;
use serde_json::Value;

use crate::http::operation::{Client, Refused};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio::time::{Instant, sleep_until};

mod outgoing;
mod subscribe;

use outgoing::Outgoing;
use subscribe::Sending;

use super::protocol::{self, ClientMessage, Protocol};
use crate::http::bearer::{access_ended, bearer_token, stream_caller};
use crate::http::state::HttpState;
use crate::service::ServiceError;

/// How long a client has to send `connection_init`.
const INIT_TIMEOUT: Duration = Duration::from_secs(3);
/// How often the server pings.
const PING_EVERY: Duration = Duration::from_secs(15);
/// Operations that ended, queued before their tasks wait.
const FINISHED_BUFFER: usize = 16;

struct Session {
    protocol: Protocol,
    request_id: String,
    peer: Option<IpAddr>,
    /// The languages of the upgrade's `Accept-Language`, for every operation of the socket.
    languages: Vec<String>,
    state: HttpState,
    out: mpsc::Sender<Outgoing>,
    done: mpsc::Sender<String>,
    token: Option<String>,
    /// The signed-in operator, once `connection_init` was accepted.
    operator: Option<i64>,
    expires: Option<Instant>,
    initialised: bool,
    operations: HashMap<String, AbortHandle>,
}

/// What the session does after a message.
enum Next {
    Continue,
    Close(u16, String),
}

/// Serves one socket until it closes.
pub async fn serve(
    socket: WebSocket,
    protocol: Protocol,
    state: HttpState,
    request_id: String,
    peer: Option<IpAddr>,
    languages: Vec<String>,
) {
    let metrics = state.metrics.clone();
    let _open = metrics.websocket_open();
    let (sink, mut stream) = socket.split();
    let (out, writer) = outgoing::write(sink);
    let (done, mut finished) = mpsc::channel::<String>(FINISHED_BUFFER);
    let shutdown = state.shutdown.clone();
    let mut revocations = state.app.reminders.revocations();
    let mut session = Session {
        protocol,
        request_id,
        peer,
        languages,
        state,
        out,
        done,
        token: None,
        operator: None,
        expires: None,
        initialised: false,
        operations: HashMap::new(),
    };
    let init_deadline = Instant::now() + INIT_TIMEOUT;
    let mut pings = tokio::time::interval_at(Instant::now() + PING_EVERY, PING_EVERY);
    let mut last_heard = Instant::now();
    let far = Instant::now() + Duration::from_secs(60 * 60 * 24 * 365);
    let close = loop {
        let next = tokio::select! {
            _ = shutdown.cancelled() => Next::Close(1001, "the server is shutting down".into()),
            _ = sleep_until(init_deadline), if !session.initialised => Next::Close(4408, "Connection initialisation timeout".into()),
            _ = sleep_until(session.expires.unwrap_or(far)), if session.expires.is_some() => Next::Close(4403, "Forbidden: the token expired".into()),
            _ = pings.tick() => {
                if last_heard.elapsed() > PING_EVERY * 2 {
                    Next::Close(4408, "no answer to pings".into())
                } else {
                    let _ = session.out.send(Outgoing::Ping).await;
                    session.send(protocol::ping(protocol)).await;
                    Next::Continue
                }
            }
            revoked = revocations.recv(), if session.operator.is_some() => match revoked {
                Ok(operator) if Some(operator) == session.operator => {
                    Next::Close(4403, "Forbidden: the operator's access ended".into())
                }
                Err(RecvError::Lagged(_)) => session.check_still_allowed().await,
                _ => Next::Continue,
            },
            Some(id) = finished.recv() => {
                session.operations.remove(&id);
                Next::Continue
            }
            message = stream.next() => {
                last_heard = Instant::now();
                match message {
                    Some(Ok(Message::Text(text))) => session.handle(text.as_str()).await,
                    Some(Ok(Message::Binary(_))) => Next::Close(4400, "binary messages are not supported".into()),
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break None,
                    Some(Ok(_)) => Next::Continue,
                }
            }
        };
        if let Next::Close(code, reason) = next {
            break Some((code, reason));
        }
    };
    for (_, operation) in session.operations.drain() {
        operation.abort();
    }
    if let Some((code, reason)) = close {
        let _ = session.out.send(Outgoing::Close(code, reason)).await;
    }
    drop(session);
    let _ = writer.await;
}

fn token_of(payload: &Value) -> Option<String> {
    let value = payload
        .get("authorization")
        .or_else(|| payload.get("Authorization"))?;
    bearer_token(value.as_str()?)
}

impl Session {
    async fn send(&self, text: String) {
        let _ = self.out.send(Outgoing::Text(text)).await;
    }

    async fn handle(&mut self, text: &str) -> Next {
        let message = match protocol::parse(self.protocol, text) {
            Ok(message) => message,
            Err(bad) => return Next::Close(4400, bad.0),
        };
        match message {
            ClientMessage::ConnectionInit(payload) => self.initialise(payload).await,
            ClientMessage::Ping(payload) => {
                self.send(protocol::pong(payload)).await;
                Next::Continue
            }
            ClientMessage::Pong => Next::Continue,
            ClientMessage::Subscribe { id, payload } => self.subscribe(id, payload),
            ClientMessage::Complete { id } => {
                if let Some(operation) = self.operations.remove(&id) {
                    operation.abort();
                }
                Next::Continue
            }
            ClientMessage::Terminate => Next::Close(1000, "terminated".into()),
        }
    }

    async fn initialise(&mut self, payload: Value) -> Next {
        if self.initialised {
            return Next::Close(4429, "Too many initialisation requests".into());
        }
        self.initialised = true;
        let token = token_of(&payload);
        let signed_in = match &token {
            Some(token) => stream_caller(&self.state.app, token).await,
            None => Err(ServiceError::Unauthenticated),
        };
        let (Some(token), Ok(caller)) = (token, signed_in.as_ref()) else {
            if let Err(ServiceError::Unavailable) = signed_in {
                return Next::Close(1013, "the database is unavailable: try again later".into());
            }
            if self.protocol == Protocol::Legacy {
                self.send(serde_json::json!({ "type": "connection_error", "payload": { "message": "Forbidden" } }).to_string()).await;
            }
            return Next::Close(4403, "Forbidden".into());
        };
        self.operator = Some(caller.operator);
        self.expires = caller.expires;
        self.token = Some(token);
        self.send(protocol::ack(self.protocol)).await;
        Next::Continue
    }

    /// After missing revocations, whether the token still names an active operator.
    async fn check_still_allowed(&self) -> Next {
        let Some(token) = &self.token else {
            return Next::Continue;
        };
        if access_ended(&self.state.app, token).await {
            Next::Close(4403, "Forbidden: the operator's access ended".into())
        } else {
            Next::Continue
        }
    }

    fn subscribe(&mut self, id: String, payload: Value) -> Next {
        let Some(token) = self.token.clone() else {
            return Next::Close(4401, "Unauthorized".into());
        };
        if self.operations.contains_key(&id) {
            return Next::Close(4409, format!("Subscriber for {id} already exists"));
        }
        if !payload.is_object() {
            return Next::Close(4400, "the subscribe payload must be an object".into());
        }
        let (out, done, protocol) = (self.out.clone(), self.done.clone(), self.protocol);
        let operation_id = id.clone();
        let most = self.state.options.max_subscriptions_per_socket;
        let read = if self.operations.len() >= most {
            Err(Refused::Malformed(format!(
                "this socket already carries {most} operations: complete one first"
            )))
        } else {
            serde_json::from_value::<async_graphql::Request>(payload).map_err(|error| {
                Refused::Malformed(format!("the payload is not a GraphQL request: {error}"))
            })
        };
        let admitted = read.and_then(|request| {
            let client = Client {
                token: Some(token),
                address: self.peer,
                languages: self.languages.clone(),
            };
            self.state.operations.prepare(request, client)
        });
        let prepared = match admitted {
            Ok(prepared) => prepared,
            Err(refused) => {
                let message = protocol::error(protocol, &operation_id, &refused.errors());
                tokio::spawn(async move {
                    let _ = out.send(Outgoing::Text(message)).await;
                });
                return Next::Continue;
            }
        };
        let answers = self
            .state
            .operations
            .stream(prepared, self.request_id.clone());
        let task = subscribe::send_answers(
            answers,
            Sending {
                out,
                done,
                protocol,
                operation_id,
                metrics: self.state.metrics.clone(),
            },
        );
        self.operations.insert(id, task.abort_handle());
        Next::Continue
    }
}

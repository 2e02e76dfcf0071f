//! GraphQL over Server-Sent Events (the `graphql-sse` protocol, distinct connections mode): a
//! `POST /graphql` that accepts `text/event-stream` is answered `200` with an event stream —
//! each answer a `next` event, then `complete`; a refused request is one `next` with its
//! errors, then `complete`. Same pipeline, auth and metrics as a WebSocket: the bearer token
//! comes in `Authorization`; the stream ends when the token expires or the operator loses
//! access (with the error as a last `next`), and without `complete` when the server shuts
//! down (the client reconnects elsewhere). A comment every few seconds keeps proxies from
//! closing a quiet stream and finds a client that went away.

use std::convert::Infallible;
use std::time::Duration;

use async_graphql::parser::types::OperationType;
use axum::body::{Body, Bytes};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

use super::bearer::{StreamCaller, access_ended, stream_caller};
use super::operation::{Client, error_json};
use super::state::HttpState;
use crate::graphql::errors::codes;

/// Events written ahead of a slow client before the stream waits for it.
const EVENTS_BUFFERED: usize = 8;
/// A comment goes out after this long without an event.
const KEEP_ALIVE: Duration = Duration::from_secs(12);

/// One event of the stream, its data on as many `data:` lines as it has lines.
fn event(name: &str, data: &str) -> Bytes {
    let mut text = format!("event: {name}\n");
    for line in data.split('\n') {
        text.push_str("data: ");
        text.push_str(line);
        text.push('\n');
    }
    text.push('\n');
    Bytes::from(text)
}

fn next(data: &str) -> Bytes {
    event("next", data)
}

fn complete() -> Bytes {
    event("complete", "")
}

/// A `next` carrying one error.
fn failure(message: &str, code: &str) -> Bytes {
    let errors = serde_json::json!({ "errors": [error_json(message, code)] });
    next(&errors.to_string())
}

/// A request refused before it was read (its body is no GraphQL request), as an event
/// stream: one `next` with the error, then `complete`.
pub fn malformed(message: &str) -> Response {
    let mut text = failure(message, codes::BAD_USER_INPUT).to_vec();
    text.extend_from_slice(&complete());
    stream_response(Body::from(text))
}

fn stream_response(body: Body) -> Response {
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    // Reverse proxies such as nginx would otherwise hold events back.
    headers.insert(
        HeaderName::from_static("x-accel-buffering"),
        HeaderValue::from_static("no"),
    );
    response
}

/// Answers a request over Server-Sent Events.
pub async fn answer(
    state: HttpState,
    request: async_graphql::Request,
    client: Client,
    request_id: String,
) -> Response {
    let (events, written) = mpsc::channel::<Bytes>(EVENTS_BUFFERED);
    tokio::spawn(run(state, request, client, request_id, events));
    let body = futures_util::stream::unfold(written, |mut written| async move {
        let bytes = written.recv().await?;
        Some((Ok::<_, Infallible>(bytes), written))
    });
    stream_response(Body::from_stream(body))
}

/// Who a stream is for, when its token names an active operator: the stream ends when their
/// access ends or the token expires.
struct Watched {
    caller: StreamCaller,
    token: String,
}

async fn watched(state: &HttpState, token: Option<String>) -> Option<Watched> {
    let token = token?;
    let caller = stream_caller(&state.app, &token).await.ok()?;
    Some(Watched { caller, token })
}

/// Runs the operation and writes its events until it completes, the client goes away, the
/// caller's access ends or the server shuts down.
async fn run(
    state: HttpState,
    request: async_graphql::Request,
    client: Client,
    request_id: String,
    events: mpsc::Sender<Bytes>,
) {
    let metrics = state.metrics.clone();
    let _open = metrics.event_stream_open();
    // The futures of the rare steps are boxed, so a stream's task stays small (it lives as
    // long as the stream does).
    let watched = Box::pin(watched(&state, client.token.clone())).await;
    let prepared = match state.operations.prepare(request, client) {
        Ok(prepared) => prepared,
        Err(refused) => {
            let errors = serde_json::json!({ "errors": refused.errors() });
            let _ = events.send(next(&errors.to_string())).await;
            let _ = events.send(complete()).await;
            return;
        }
    };
    if prepared.kind != Some(OperationType::Subscription) {
        let answer = Box::pin(state.operations.run(prepared, &request_id)).await;
        let _ = events.send(next(&answer.to_json())).await;
        let _ = events.send(complete()).await;
        return;
    }
    let _running = metrics.subscription_started();
    let answers = state.operations.stream(prepared, request_id);
    let mut answers = std::pin::pin!(answers);
    let mut revocations = state.app.reminders.revocations();
    let mut keep_alive = tokio::time::interval_at(Instant::now() + KEEP_ALIVE, KEEP_ALIVE);
    let far = Instant::now() + Duration::from_secs(60 * 60 * 24 * 365);
    let expires = watched
        .as_ref()
        .and_then(|w| w.caller.expires)
        .unwrap_or(far);
    let last = loop {
        tokio::select! {
            () = events.closed() => return,
            () = state.shutdown.cancelled() => return,
            () = sleep_until(expires) => break Some(failure("the token expired", codes::UNAUTHENTICATED)),
            revoked = revocations.recv(), if watched.is_some() => {
                let Some(watched) = &watched else { continue };
                let ended = match revoked {
                    Ok(operator) => operator == watched.caller.operator,
                    Err(RecvError::Lagged(_)) => Box::pin(access_ended(&state.app, &watched.token)).await,
                    Err(RecvError::Closed) => false,
                };
                if ended {
                    break Some(failure("the operator's access ended", codes::FORBIDDEN));
                }
            }
            _ = keep_alive.tick() => {
                if events.send(Bytes::from_static(b":\n\n")).await.is_err() {
                    return;
                }
            }
            answer = answers.next() => match answer {
                Some(answer) => {
                    keep_alive.reset();
                    if events.send(next(&answer.to_json())).await.is_err() {
                        return;
                    }
                }
                None => break None,
            },
        }
    };
    if let Some(last) = last {
        let _ = events.send(last).await;
    }
    let _ = events.send(complete()).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_carry_each_line_of_their_data_on_a_data_line() {
        assert_eq!(next("{\"data\":1}"), "event: next\ndata: {\"data\":1}\n\n");
        assert_eq!(complete(), "event: complete\ndata: \n\n");
        assert_eq!(event("next", "a\nb"), "event: next\ndata: a\ndata: b\n\n");
    }
}

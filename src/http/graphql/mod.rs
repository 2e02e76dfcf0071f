//! Our own GraphQL-over-HTTP handler: GET for queries only, POST with JSON only, one operation
//! per request, `Accept` negotiation, status codes per the GraphQL-over-HTTP spec, persisted
//! queries, the document gate, a request timeout and metrics.

mod order;
mod persisted;
mod prepare;
mod respond;

use std::collections::HashMap;
use std::time::Instant;

use async_graphql::parser::types::OperationType;
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, UPGRADE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value, json};

pub use persisted::PersistedQueries;
pub use prepare::{Refused, error_json, prepare};
pub use respond::normalise;

use super::HttpState;
use super::media::{ResponseType, accepts_html, is_json_body, negotiate};
use super::metrics::Outcome;
use super::request_id::RequestId;

fn json_response(status: StatusCode, response_type: ResponseType, body: &Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, response_type.content_type())],
        body.to_string(),
    )
        .into_response()
}

fn malformed(message: &str, response_type: ResponseType) -> Response {
    let body = json!({ "errors": [error_json(message, "BAD_USER_INPUT")] });
    json_response(StatusCode::BAD_REQUEST, response_type, &body)
}

fn not_acceptable() -> Response {
    (
        StatusCode::NOT_ACCEPTABLE,
        "send Accept: application/graphql-response+json or application/json",
    )
        .into_response()
}

fn token_in(headers: &HeaderMap) -> Option<String> {
    super::bearer_token(headers.get(AUTHORIZATION)?.to_str().ok()?)
}

/// Whether a request came as GET, where only queries run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

/// Prepares, runs and answers one operation, and counts it.
async fn run(
    state: &HttpState,
    headers: &HeaderMap,
    fields: &Map<String, Value>,
    response_type: ResponseType,
    request_id: &str,
    method: Method,
) -> Response {
    let started = Instant::now();
    let operation = match prepare(state, fields, token_in(headers)) {
        Ok(operation) => operation,
        Err(Refused::Malformed(message)) => return malformed(&message, response_type),
        Err(Refused::Request(errors)) => {
            state
                .metrics
                .record(None, "unknown", Outcome::Refused, started.elapsed());
            let status = match (response_type, &errors[0]["extensions"]["code"]) {
                (_, code) if code == "PERSISTED_QUERY_NOT_FOUND" => StatusCode::OK,
                (ResponseType::GraphqlResponse, _) => StatusCode::BAD_REQUEST,
                (ResponseType::Json, _) => StatusCode::OK,
            };
            return json_response(status, response_type, &json!({ "errors": errors }));
        }
    };
    if method == Method::Get
        && matches!(
            operation.kind,
            Some(OperationType::Mutation | OperationType::Subscription)
        )
    {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(ALLOW, "POST")],
            "mutations are sent with POST",
        )
            .into_response();
    }
    let kind = operation.kind_label();
    let name = operation.name.clone();
    let order = operation.order.clone();
    let execution = operation
        .loads
        .drive(state.schema.execute(operation.request));
    let executed = tokio::time::timeout(state.options.request_timeout, execution).await;
    let (body, outcome) = match executed {
        Ok(mut response) => {
            order.apply(&mut response);
            normalise(&response, request_id)
        }
        Err(_) => {
            tracing::warn!(request_id, operation = ?name, "request timed out");
            let message = format!(
                "the request took longer than {} ms",
                state.options.request_timeout.as_millis()
            );
            let body = json!({ "data": null, "errors": [error_json(&message, "TIMEOUT")] });
            (body, Outcome::Timeout)
        }
    };
    state
        .metrics
        .record(name.as_deref(), kind, outcome, started.elapsed());
    let status = if outcome == Outcome::Refused && response_type == ResponseType::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    json_response(status, response_type, &body)
}

/// `POST /graphql` with an `application/json` body holding one operation.
pub async fn post_request(
    State(state): State<HttpState>,
    Extension(RequestId(request_id)): Extension<RequestId>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(response_type) = negotiate(&headers) else {
        return not_acceptable();
    };
    if !is_json_body(&headers) {
        return (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request as Content-Type: application/json",
        )
            .into_response();
    }
    let fields = match serde_json::from_slice::<Value>(&body) {
        Ok(Value::Object(fields)) => fields,
        Ok(Value::Array(_)) => {
            return malformed(
                "batched requests are not supported: send one operation per request",
                response_type,
            );
        }
        _ => return malformed("the body is not a JSON object", response_type),
    };
    run(
        &state,
        &headers,
        &fields,
        response_type,
        &request_id,
        Method::Post,
    )
    .await
}

/// `GET /graphql`: a WebSocket upgrade, or `?query=…` for queries only (mutations are
/// refused with 405).
pub async fn get_request(State(state): State<HttpState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let wants_websocket = parts
        .headers
        .get(UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("websocket"));
    if wants_websocket {
        return super::websocket::upgrade(state, parts).await;
    }
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let headers = &parts.headers;
    let Ok(Query(params)) = Query::<HashMap<String, String>>::try_from_uri(&parts.uri) else {
        return (StatusCode::BAD_REQUEST, "the query string is malformed").into_response();
    };
    if state.options.graphiql
        && !params.contains_key("query")
        && !params.contains_key("extensions")
        && accepts_html(headers)
    {
        // A browser opening the endpoint: show the explorer instead of an error.
        return Redirect::to("graphiql").into_response();
    }
    let Some(response_type) = negotiate(headers) else {
        return not_acceptable();
    };
    let mut fields = Map::new();
    for (name, value) in params {
        let value = match name.as_str() {
            "variables" | "extensions" => match serde_json::from_str(&value) {
                Ok(parsed) => parsed,
                Err(_) => return malformed(&format!("\"{name}\" is not JSON"), response_type),
            },
            _ => Value::String(value),
        };
        fields.insert(name, value);
    }
    run(
        &state,
        headers,
        &fields,
        response_type,
        &request_id,
        Method::Get,
    )
    .await
}

//! Our own GraphQL-over-HTTP handler: GET for queries only, POST with JSON only, one operation
//! per request, `Accept` negotiation, and status codes per the GraphQL-over-HTTP spec.

use std::collections::HashMap;

use async_graphql::parser::types::{DocumentOperations, OperationType};
use axum::body::Bytes;
use axum::extract::Request;
use axum::extract::{Query, State};
use axum::http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, UPGRADE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::HttpState;
use super::media::{ResponseType, is_json_body, negotiate};
use crate::graphql::{RequestAuth, loaders};

fn plain_error(status: StatusCode, message: &str, response_type: ResponseType) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": "BAD_REQUEST" } }] });
    (
        status,
        [(CONTENT_TYPE, response_type.content_type())],
        body.to_string(),
    )
        .into_response()
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

/// The type of the operation a request selects, when the document parses.
fn operation_type(query: &str, operation_name: Option<&str>) -> Option<OperationType> {
    let document = async_graphql::parser::parse_query(query).ok()?;
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    }
}

/// The code of an error raised before execution: the document does not parse, or it does not
/// validate against the schema.
fn request_error_code(query: &str) -> &'static str {
    if async_graphql::parser::parse_query(query).is_err() {
        "GRAPHQL_PARSE_FAILED"
    } else {
        "GRAPHQL_VALIDATION_FAILED"
    }
}

/// Refines a pre-execution error's code from its message: limits and variable values.
fn classify(message: &str, fallback: &'static str) -> &'static str {
    if message.contains("too complex") || message.contains("nested too deep") {
        "QUERY_TOO_COMPLEX"
    } else if message.starts_with("Invalid value for argument") || message.starts_with("Variable ")
    {
        "BAD_USER_INPUT"
    } else {
        fallback
    }
}

async fn execute(
    state: &HttpState,
    headers: &HeaderMap,
    request: async_graphql::Request,
    response_type: ResponseType,
) -> Response {
    let query = request.query.clone();
    let request = request
        .data(RequestAuth::new(token_in(headers)))
        .data(loaders::for_request(&state.app.db));
    let response = state.schema.execute(request).await;
    // Errors before execution (parse, validation, variables) have no path and leave no data.
    let request_error = super::failed_before_execution(&response);
    let mut body = serde_json::to_value(&response).unwrap_or_else(|_| json!({}));
    if request_error && let Some(object) = body.as_object_mut() {
        object.remove("data");
        let code = request_error_code(&query);
        if let Some(Value::Array(errors)) = object.get_mut("errors") {
            for error in errors.iter_mut().filter_map(Value::as_object_mut) {
                let code = classify(
                    error
                        .get("message")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                    code,
                );
                let extensions = error.entry("extensions").or_insert_with(|| json!({}));
                if let Some(extensions) = extensions.as_object_mut() {
                    extensions.entry("code").or_insert_with(|| json!(code));
                }
            }
        }
    }
    let status = if request_error && response_type == ResponseType::GraphqlResponse {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (
        status,
        [(CONTENT_TYPE, response_type.content_type())],
        body.to_string(),
    )
        .into_response()
}

fn build_request(
    fields: &serde_json::Map<String, Value>,
    response_type: ResponseType,
) -> Result<async_graphql::Request, Box<Response>> {
    let bad =
        |message: &str| Box::new(plain_error(StatusCode::BAD_REQUEST, message, response_type));
    let query = match fields.get("query") {
        Some(Value::String(query)) => query.clone(),
        _ => return Err(bad("the request needs a \"query\" string")),
    };
    let mut request = async_graphql::Request::new(query);
    match fields.get("operationName") {
        None | Some(Value::Null) => {}
        Some(Value::String(name)) => request = request.operation_name(name.clone()),
        Some(_) => return Err(bad("\"operationName\" must be a string")),
    }
    match fields.get("variables") {
        None | Some(Value::Null) => {}
        Some(variables @ Value::Object(_)) => {
            request = request.variables(async_graphql::Variables::from_json(variables.clone()));
        }
        Some(_) => return Err(bad("\"variables\" must be an object")),
    }
    match fields.get("extensions") {
        None | Some(Value::Null) | Some(Value::Object(_)) => {}
        Some(_) => return Err(bad("\"extensions\" must be an object")),
    }
    Ok(request)
}

/// `POST /graphql` with an `application/json` body holding one operation.
pub async fn post_request(
    State(state): State<HttpState>,
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
            return plain_error(
                StatusCode::BAD_REQUEST,
                "batched requests are not supported: send one operation per request",
                response_type,
            );
        }
        _ => {
            return plain_error(
                StatusCode::BAD_REQUEST,
                "the body is not a JSON object",
                response_type,
            );
        }
    };
    match build_request(&fields, response_type) {
        Ok(request) => execute(&state, &headers, request, response_type).await,
        Err(response) => *response,
    }
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
    let headers = parts.headers.clone();
    let Ok(Query(params)) = Query::<HashMap<String, String>>::try_from_uri(&parts.uri) else {
        return (StatusCode::BAD_REQUEST, "the query string is malformed").into_response();
    };
    let Some(response_type) = negotiate(&headers) else {
        return not_acceptable();
    };
    let mut fields = serde_json::Map::new();
    for (name, value) in params {
        let value = match name.as_str() {
            "variables" | "extensions" => match serde_json::from_str(&value) {
                Ok(parsed) => parsed,
                Err(_) => {
                    return plain_error(
                        StatusCode::BAD_REQUEST,
                        &format!("\"{name}\" is not JSON"),
                        response_type,
                    );
                }
            },
            _ => Value::String(value),
        };
        fields.insert(name, value);
    }
    let request = match build_request(&fields, response_type) {
        Ok(request) => request,
        Err(response) => return *response,
    };
    let name = fields.get("operationName").and_then(Value::as_str);
    let query = fields
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if matches!(
        operation_type(query, name),
        Some(OperationType::Mutation | OperationType::Subscription)
    ) {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(ALLOW, "POST")],
            "mutations are sent with POST",
        )
            .into_response();
    }
    execute(&state, &headers, request, response_type).await
}

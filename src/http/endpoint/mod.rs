//! GraphQL over HTTP at `/graphql`: GET for queries only, POST with JSON only, one operation
//! per request, `Accept` negotiation and the status codes of the GraphQL-over-HTTP spec; a
//! POST that accepts `text/event-stream` is answered over Server-Sent Events ([`super::sse`]). The
//! request is read into an `async_graphql::Request` ([`read`]) and handed to the operation
//! pipeline.

mod read;

use std::net::SocketAddr;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::bearer::bearer_token;
use super::media::{ResponseType, accepts_html, is_json_body, negotiate, wants_event_stream};
use super::monitoring::metrics::Outcome;
use super::operation::{Client, Refused, needs_post};
use super::refusal::refuse;
use super::request_id::RequestId;
use super::sse;
use super::state::HttpState;
use crate::graphql::errors::codes;

/// When a client should retry a request the database could not serve.
const RETRY_AFTER_SECONDS: &str = "5";

fn json_response(status: StatusCode, response_type: ResponseType, body: &Value) -> Response {
    (
        status,
        [(CONTENT_TYPE, response_type.content_type())],
        body.to_string(),
    )
        .into_response()
}

fn not_acceptable() -> Response {
    refuse(
        StatusCode::NOT_ACCEPTABLE,
        "send Accept: application/graphql-response+json or application/json",
    )
}

fn token_in(headers: &HeaderMap) -> Option<String> {
    bearer_token(headers.get(AUTHORIZATION)?.to_str().ok()?)
}

/// The languages of a request's `Accept-Language`, most wanted first.
pub(super) fn languages_in(headers: &HeaderMap) -> Vec<String> {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .map(crate::domain::locale::accepted)
        .unwrap_or_default()
}

/// The client of a request: its bearer token, the peer's address and the languages it reads.
fn client_of(headers: &HeaderMap, peer: Option<SocketAddr>) -> Client {
    Client {
        token: token_in(headers),
        address: peer.map(|peer| peer.ip()),
        languages: languages_in(headers),
    }
}

/// How a request came: over GET only queries run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

/// The answer to a refused request: 400 for a request that is not GraphQL; a request error
/// (the document) is 400 under the GraphQL media type, 200 under JSON, and an unknown
/// persisted query 200 either way.
fn refusal(refused: &Refused, response_type: ResponseType) -> Response {
    let errors = refused.errors();
    let status = match (refused, response_type) {
        (Refused::Malformed(_), _) => StatusCode::BAD_REQUEST,
        _ if errors[0]["extensions"]["code"] == codes::PERSISTED_QUERY_NOT_FOUND => StatusCode::OK,
        (_, ResponseType::GraphqlResponse) => StatusCode::BAD_REQUEST,
        (_, ResponseType::Json) => StatusCode::OK,
    };
    json_response(status, response_type, &json!({ "errors": errors }))
}

/// Runs one operation through the pipeline and answers it.
async fn answer(
    state: &HttpState,
    request: async_graphql::Request,
    client: Client,
    response_type: ResponseType,
    request_id: &str,
    method: Method,
) -> Response {
    let prepared = match state.operations.prepare(request, client) {
        Ok(prepared) => prepared,
        Err(refused) => return refusal(&refused, response_type),
    };
    if method == Method::Get && needs_post(prepared.kind) {
        let mut refused = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "mutations and subscriptions are sent with POST",
        );
        refused
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("POST"));
        return refused;
    }
    let answer = state.operations.run(prepared, request_id).await;
    let status = match (answer.outcome, response_type) {
        (Outcome::Refused, ResponseType::GraphqlResponse) => StatusCode::BAD_REQUEST,
        (Outcome::Unavailable, _) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::OK,
    };
    let body = answer.to_json();
    let mut response =
        (status, [(CONTENT_TYPE, response_type.content_type())], body).into_response();
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
    }
    response
}

fn malformed(message: String, response_type: ResponseType) -> Response {
    refusal(&Refused::Malformed(message), response_type)
}

/// `POST /graphql` with an `application/json` body holding one operation.
pub async fn post_request(
    State(state): State<HttpState>,
    axum::Extension(RequestId(request_id)): axum::Extension<RequestId>,
    peer: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let event_stream = wants_event_stream(&headers);
    let response_type = match negotiate(&headers) {
        Some(response_type) => response_type,
        None if event_stream => ResponseType::Json,
        None => return not_acceptable(),
    };
    if !is_json_body(&headers) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send the request as Content-Type: application/json",
        );
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            let limit = state.options.max_body_bytes;
            let message = format!("the body is larger than {limit} bytes");
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, &message);
        }
        Err(rejection) => return refuse(rejection.status(), &rejection.body_text()),
    };
    let request = match read::post_body(&headers, body).await {
        Ok(request) => request,
        Err(problem) if event_stream => return sse::malformed(&problem),
        Err(problem) => return malformed(problem, response_type),
    };
    let client = client_of(&headers, peer.map(|peer| peer.0.0));
    if event_stream {
        return sse::answer(state, request, client, request_id).await;
    }
    answer(
        &state,
        request,
        client,
        response_type,
        &request_id,
        Method::Post,
    )
    .await
}

/// `/graphql` with a method other than GET and POST.
pub async fn other_method() -> Response {
    let mut refused = refuse(
        StatusCode::METHOD_NOT_ALLOWED,
        "send GraphQL with GET (queries) or POST",
    );
    refused
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static("GET, POST"));
    refused
}

/// `GET /graphql?query=…` for queries only (mutations are refused with 405); a browser asking
/// for HTML with no query is sent to GraphiQL.
pub async fn get_request(state: HttpState, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let headers = &parts.headers;
    let query_string = parts.uri.query().unwrap_or_default();
    let read = read::query_string(query_string);
    if state.options.graphiql
        && read.as_ref().is_ok_and(read::Get::is_empty)
        && accepts_html(headers)
    {
        return Redirect::to("graphiql").into_response();
    }
    let Some(response_type) = negotiate(headers) else {
        return not_acceptable();
    };
    let request = match read {
        Ok(get) => get.request,
        Err(read::GetError::QueryString) => {
            return refuse(StatusCode::BAD_REQUEST, "the query string is malformed");
        }
        Err(read::GetError::Field(problem)) => return malformed(problem, response_type),
    };
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|peer| peer.0);
    let client = client_of(headers, peer);
    answer(
        &state,
        request,
        client,
        response_type,
        &request_id,
        Method::Get,
    )
    .await
}

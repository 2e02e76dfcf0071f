//! GraphQL over HTTP at `/graphql`: GET for queries only, POST with JSON only, one operation
//! per request, `Accept` negotiation and the status codes of the GraphQL-over-HTTP spec. The
//! request is read into an `async_graphql::Request` ([`read`]) and handed to the operation
//! pipeline.

mod read;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::header::{ALLOW, AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::bearer::bearer_token;
use super::media::{ResponseType, accepts_html, is_json_body, negotiate};
use super::monitoring::metrics::Outcome;
use super::operation::{Refused, needs_post};
use super::request_id::RequestId;
use super::state::HttpState;
use crate::graphql::errors::codes;

fn json_response(status: StatusCode, response_type: ResponseType, body: &Value) -> Response {
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
    bearer_token(headers.get(AUTHORIZATION)?.to_str().ok()?)
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
    headers: &HeaderMap,
    response_type: ResponseType,
    request_id: &str,
    method: Method,
) -> Response {
    let prepared = match state.operations.prepare(request, token_in(headers)) {
        Ok(prepared) => prepared,
        Err(refused) => return refusal(&refused, response_type),
    };
    if method == Method::Get && needs_post(prepared.kind) {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            [(ALLOW, "POST")],
            "mutations are sent with POST",
        )
            .into_response();
    }
    let answer = state.operations.run(prepared, request_id).await;
    let status =
        if answer.outcome == Outcome::Refused && response_type == ResponseType::GraphqlResponse {
            StatusCode::BAD_REQUEST
        } else {
            StatusCode::OK
        };
    json_response(status, response_type, &answer.body)
}

fn malformed(message: String, response_type: ResponseType) -> Response {
    refusal(&Refused::Malformed(message), response_type)
}

/// `POST /graphql` with an `application/json` body holding one operation.
pub async fn post_request(
    State(state): State<HttpState>,
    axum::Extension(RequestId(request_id)): axum::Extension<RequestId>,
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
    let request = match read::post_body(&headers, body).await {
        Ok(request) => request,
        Err(problem) => return malformed(problem, response_type),
    };
    answer(
        &state,
        request,
        &headers,
        response_type,
        &request_id,
        Method::Post,
    )
    .await
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
            return (StatusCode::BAD_REQUEST, "the query string is malformed").into_response();
        }
        Err(read::GetError::Field(problem)) => return malformed(problem, response_type),
    };
    answer(
        &state,
        request,
        headers,
        response_type,
        &request_id,
        Method::Get,
    )
    .await
}

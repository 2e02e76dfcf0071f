//! Refusals at `/graphql` before any GraphQL runs (wrong method, media type, size, subprotocol
//! or origin): still a GraphQL JSON body with `errors[].extensions.code`, since clients parse
//! every answer as one.

use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::graphql::errors::codes;

/// A refusal with this status and message, coded `BAD_USER_INPUT`.
pub fn refuse(status: StatusCode, message: &str) -> Response {
    refuse_coded(status, codes::BAD_USER_INPUT, message)
}

/// A refusal with this status, code and message.
pub fn refuse_coded(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({
        "errors": [{ "message": message, "extensions": { "code": code } }]
    });
    (
        status,
        [(CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_refusal_is_a_graphql_error_body() {
        let response = refuse(StatusCode::PAYLOAD_TOO_LARGE, "too large");
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        let bytes = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}

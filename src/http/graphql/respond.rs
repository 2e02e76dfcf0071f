//! Responses as clients see them: every top-level error carries one of the contract's codes,
//! request errors carry no `data`, and an internal error is logged with the request id and
//! shown as a generic message that names the id.

use serde_json::{Value, json};

use crate::http::failed_before_execution;
use crate::http::metrics::Outcome;

const INTERNAL: &str = "INTERNAL_SERVER_ERROR";
/// Errors shown for one response; a document with more problems gets the first ones and a
/// note, so a crafted document cannot make the answer huge.
const MAX_ERRORS: usize = 100;

/// The code of a request error (it failed before execution) that async-graphql left uncoded.
fn request_error_code(message: &str) -> &'static str {
    if message.contains("too complex") || message.contains("nested too deep") {
        "QUERY_TOO_COMPLEX"
    } else if message.starts_with("Invalid value for argument") {
        "BAD_USER_INPUT"
    } else {
        "GRAPHQL_VALIDATION_FAILED"
    }
}

/// The code of a field error that async-graphql left uncoded: an argument it could not read is
/// the client's mistake; anything else is ours.
fn field_error_code(message: &str) -> &'static str {
    if message.starts_with("Failed to parse") || message.starts_with("Invalid value") {
        "BAD_USER_INPUT"
    } else {
        INTERNAL
    }
}

/// A GraphQL response as JSON with every error coded, and how the operation ended.
pub fn normalise(response: &async_graphql::Response, request_id: &str) -> (Value, Outcome) {
    let request_error = failed_before_execution(response);
    let mut body = serde_json::to_value(response).unwrap_or_else(|_| json!({}));
    let mut internal = false;
    if let Some(Value::Array(errors)) = body.get_mut("errors") {
        if errors.len() > MAX_ERRORS {
            let more = errors.len() - MAX_ERRORS;
            errors.truncate(MAX_ERRORS);
            let code = if request_error {
                "GRAPHQL_VALIDATION_FAILED"
            } else {
                INTERNAL
            };
            errors.push(json!({
                "message": format!("{more} more errors are not shown"),
                "extensions": { "code": code },
            }));
        }
        for error in errors.iter_mut().filter_map(Value::as_object_mut) {
            let message = error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let extensions = error.entry("extensions").or_insert_with(|| json!({}));
            let Some(extensions) = extensions.as_object_mut() else {
                continue;
            };
            let code = match extensions.get("code").and_then(Value::as_str) {
                Some(code) => code.to_owned(),
                None => {
                    let code = if request_error {
                        request_error_code(&message)
                    } else {
                        field_error_code(&message)
                    };
                    if code == INTERNAL {
                        tracing::error!(request_id, error = %message, "uncoded error while answering a request");
                        error.insert("message".into(), json!("internal server error"));
                    }
                    code.to_owned()
                }
            };
            if code == INTERNAL {
                internal = true;
                if let Some(extensions) = error.get_mut("extensions").and_then(Value::as_object_mut)
                {
                    extensions.insert("code".into(), json!(INTERNAL));
                    extensions.insert("requestId".into(), json!(request_id));
                }
            } else if let Some(extensions) =
                error.get_mut("extensions").and_then(Value::as_object_mut)
            {
                extensions.insert("code".into(), json!(code));
            }
        }
    }
    if request_error && let Some(object) = body.as_object_mut() {
        object.remove("data");
    }
    let outcome = if request_error {
        Outcome::Refused
    } else if internal {
        Outcome::InternalError
    } else if response.errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::FieldErrors
    };
    (body, outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{Pos, ServerError};

    fn response_with(error: ServerError, data: bool) -> async_graphql::Response {
        let mut response = async_graphql::Response::from_errors(vec![error]);
        if data {
            response.data = async_graphql::Value::from_json(json!({ "a": null })).unwrap();
        }
        response
    }

    #[test]
    fn an_uncoded_field_error_is_internal_and_its_text_hidden() {
        let mut error = ServerError::new(
            "database is locked: SELECT …",
            Some(Pos { line: 1, column: 3 }),
        );
        error.path = vec![async_graphql::PathSegment::Field("a".into())];
        let (body, outcome) = normalise(&response_with(error, true), "req-1");
        assert_eq!(outcome, Outcome::InternalError);
        let error = &body["errors"][0];
        assert_eq!(error["message"], "internal server error");
        assert_eq!(error["extensions"]["code"], INTERNAL);
        assert_eq!(error["extensions"]["requestId"], "req-1");
    }

    #[test]
    fn request_errors_lose_data_and_keep_their_locations() {
        let error = ServerError::new(
            "Unknown field \"x\" on type \"Query\".",
            Some(Pos { line: 1, column: 3 }),
        );
        let (body, outcome) = normalise(&response_with(error, false), "req-2");
        assert_eq!(outcome, Outcome::Refused);
        assert!(body.get("data").is_none());
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "GRAPHQL_VALIDATION_FAILED"
        );
        assert_eq!(body["errors"][0]["locations"][0]["column"], 3);
    }

    #[test]
    fn an_unreadable_argument_is_bad_user_input() {
        let mut error = ServerError::new(
            "Failed to parse \"Int\": Only integers from -2147483648 to 2147483647 are accepted.",
            None,
        );
        error.path = vec![async_graphql::PathSegment::Field("a".into())];
        let (body, outcome) = normalise(&response_with(error, true), "req-3");
        assert_eq!(outcome, Outcome::FieldErrors);
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}

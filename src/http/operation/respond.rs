//! Responses as clients see them: every top-level error carries one of the contract's codes,
//! request errors carry no `data`, and an internal error is logged with the request id and
//! shown as a generic message that names the id.

use std::sync::Arc;

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::{Map, Value, json};

use crate::graphql::errors::codes::{
    self, BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED, INTERNAL_SERVER_ERROR as INTERNAL,
    QUERY_TOO_COMPLEX, SERVICE_UNAVAILABLE,
};
use crate::http::monitoring::metrics::Outcome;

/// An operation's answer as the client sees it, and how it ended. `data` stays as executed and
/// is written straight into the body: a page of 100 is serialised once, not turned into a JSON
/// tree first.
#[derive(Debug)]
pub struct Answer {
    /// `data`; none for a request error, whose answer has no `data`.
    data: Option<async_graphql::Value>,
    /// `extensions` and the coded `errors`, those there are.
    rest: Map<String, Value>,
    /// The whole answer as JSON text already, made once for several subscribers; then `data`
    /// and `rest` are empty.
    json: Option<Arc<str>>,
    /// How the operation ended.
    pub outcome: Outcome,
}

impl Answer {
    /// An answer with no data (`"data": null`) and these errors.
    pub fn failed(errors: Vec<Value>, outcome: Outcome) -> Self {
        let mut rest = Map::new();
        rest.insert("errors".into(), Value::Array(errors));
        Self {
            data: Some(async_graphql::Value::Null),
            rest,
            json: None,
            outcome,
        }
    }

    /// A successful answer already serialised (shared by the subscribers that asked the same).
    pub fn shared(json: Arc<str>) -> Self {
        Self {
            data: None,
            rest: Map::new(),
            json: Some(json),
            outcome: Outcome::Ok,
        }
    }

    /// The answer's errors, if it has any.
    pub fn errors(&self) -> Option<&Value> {
        self.rest.get("errors")
    }

    /// The answer as JSON text.
    pub fn to_json(&self) -> String {
        match &self.json {
            Some(json) => json.to_string(),
            None => serde_json::to_string(self).unwrap_or_else(|_| "{}".into()),
        }
    }

    /// The answer as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| json!({}))
    }
}

impl Serialize for Answer {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Some(json) = &self.json {
            let value: Value = serde_json::from_str(json).map_err(serde::ser::Error::custom)?;
            return value.serialize(serializer);
        }
        let mut map = serializer.serialize_map(Some(self.rest.len() + 1))?;
        if let Some(data) = &self.data {
            map.serialize_entry("data", data)?;
        }
        for (key, value) in &self.rest {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// Errors shown for one response; a document with more problems gets the first ones and a
/// note, so a crafted document cannot make the answer huge.
const MAX_ERRORS: usize = 100;

/// Whether a response is a request error: it failed before execution (parse, validation,
/// variables), so it has errors without a path and no data.
fn failed_before_execution(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

// async-graphql leaves its own errors without a code; these read its messages, whose texts the
// tests below pin against the schema itself.

/// The code of a request error (it failed before execution) that async-graphql left uncoded.
fn request_error_code(message: &str) -> &'static str {
    if message.contains("too complex") {
        QUERY_TOO_COMPLEX
    } else if message.starts_with("Invalid value for argument") {
        BAD_USER_INPUT
    } else {
        GRAPHQL_VALIDATION_FAILED
    }
}

/// The code of a field error that async-graphql left uncoded: an argument it could not read is
/// the client's mistake; anything else is ours.
fn field_error_code(message: &str) -> &'static str {
    if message.starts_with("Failed to parse") {
        BAD_USER_INPUT
    } else {
        INTERNAL
    }
}

/// A GraphQL response as JSON with every error coded, and how the operation ended.
pub fn normalise(response: &mut async_graphql::Response, request_id: &str) -> Answer {
    let request_error = failed_before_execution(response);
    let data = std::mem::take(&mut response.data);
    let mut body = if response.errors.is_empty() && response.extensions.is_empty() {
        Map::new()
    } else {
        match serde_json::to_value(&*response) {
            Ok(Value::Object(mut rest)) => {
                rest.remove("data");
                rest
            }
            _ => Map::new(),
        }
    };
    let mut internal = false;
    if let Some(Value::Array(errors)) = body.get_mut("errors") {
        if errors.len() > MAX_ERRORS {
            let more = errors.len() - MAX_ERRORS;
            errors.truncate(MAX_ERRORS);
            let code = if request_error {
                GRAPHQL_VALIDATION_FAILED
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
                Some(code) if codes::known(code) => code.to_owned(),
                // A code outside the contract is a mistake of ours: answer it as internal.
                Some(other) => {
                    tracing::error!(request_id, code = other, error = %message, "an error with a code outside the contract");
                    error.insert("message".into(), json!("internal server error"));
                    INTERNAL.to_owned()
                }
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
    let unavailable = body
        .get("errors")
        .and_then(Value::as_array)
        .is_some_and(|errors| {
            errors
                .iter()
                .any(|error| error["extensions"]["code"] == SERVICE_UNAVAILABLE)
        });
    let outcome = if request_error {
        Outcome::Refused
    } else if unavailable {
        Outcome::Unavailable
    } else if internal {
        Outcome::InternalError
    } else if response.errors.is_empty() {
        Outcome::Ok
    } else {
        Outcome::FieldErrors
    };
    Answer {
        data: (!request_error).then_some(data),
        rest: body,
        json: None,
        outcome,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{Pos, ServerError};

    /// The answer as the client reads it, and its outcome.
    fn normalised(response: &mut async_graphql::Response, request_id: &str) -> (Value, Outcome) {
        let answer = normalise(response, request_id);
        let body: Value = serde_json::from_str(&answer.to_json()).unwrap();
        assert_eq!(body, answer.to_value());
        (body, answer.outcome)
    }

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
        let (body, outcome) = normalised(&mut response_with(error, true), "req-1");
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
        let (body, outcome) = normalised(&mut response_with(error, false), "req-2");
        assert_eq!(outcome, Outcome::Refused);
        assert!(body.get("data").is_none());
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "GRAPHQL_VALIDATION_FAILED"
        );
        assert_eq!(body["errors"][0]["locations"][0]["column"], 3);
    }

    /// The codes of the errors the schema itself answers `query` with.
    async fn codes_of(query: &str, variables: serde_json::Value, complexity: usize) -> Vec<String> {
        let limits = crate::graphql::SchemaLimits {
            complexity,
            ..Default::default()
        };
        let schema = crate::graphql::build_schema(None, limits);
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        let (body, _) = normalised(&mut schema.execute(request).await, "req");
        body["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|error| {
                error["extensions"]["code"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect()
    }

    #[tokio::test]
    async fn the_schemas_own_messages_get_their_codes() {
        let page = "{ contacts(first: 100) { edges { node { id name } } } }";
        assert_eq!(codes_of(page, json!({}), 50).await, [QUERY_TOO_COMPLEX]);
        let wrong_type = "{ contacts(first: \"ten\") { totalCount } }";
        let codes = codes_of(wrong_type, json!({}), 10_000).await;
        assert_eq!(codes.first().map(String::as_str), Some(BAD_USER_INPUT));
        let unknown = "{ nope }";
        assert_eq!(
            codes_of(unknown, json!({}), 10_000).await,
            [GRAPHQL_VALIDATION_FAILED]
        );
        let date =
            "query($d: DateTime) { pendingActivities(filter: { dueBefore: $d }) { totalCount } }";
        assert_eq!(
            codes_of(date, json!({ "d": "28/11/2026" }), 10_000).await,
            [BAD_USER_INPUT]
        );
    }

    #[test]
    fn a_code_outside_the_contract_is_answered_as_internal() {
        let mut error = ServerError::new("secret detail", None);
        error.path = vec![async_graphql::PathSegment::Field("a".into())];
        error.extensions = Some({
            let mut extensions = async_graphql::ErrorExtensionValues::default();
            extensions.set("code", "NOT_A_CONTRACT_CODE");
            extensions
        });
        let (body, outcome) = normalised(&mut response_with(error, true), "req-4");
        assert_eq!(outcome, Outcome::InternalError);
        assert_eq!(body["errors"][0]["extensions"]["code"], INTERNAL);
        assert_eq!(body["errors"][0]["message"], "internal server error");
        for code in codes::ALL {
            let mut error = ServerError::new("m", None);
            error.extensions = Some({
                let mut extensions = async_graphql::ErrorExtensionValues::default();
                extensions.set("code", code);
                extensions
            });
            let (body, _) = normalised(&mut response_with(error, true), "req-5");
            assert_eq!(body["errors"][0]["extensions"]["code"], code);
        }
    }

    #[test]
    fn an_unreadable_argument_is_bad_user_input() {
        let mut error = ServerError::new(
            "Failed to parse \"Int\": Only integers from -2147483648 to 2147483647 are accepted.",
            None,
        );
        error.path = vec![async_graphql::PathSegment::Field("a".into())];
        let (body, outcome) = normalised(&mut response_with(error, true), "req-3");
        assert_eq!(outcome, Outcome::FieldErrors);
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
}

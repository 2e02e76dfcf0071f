//! Reading a request into an `async_graphql::Request`. A POST body goes through
//! async-graphql-axum's `GraphQLBatchRequest` (after our own checks of method, media types and
//! size; a batch is refused). GET parameters are read here: the stock reader looks for
//! `operation_name` where clients send `operationName`, so it would run the wrong operation.

use std::collections::HashMap;

use async_graphql::BatchRequest;
use async_graphql_axum::GraphQLBatchRequest;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Query};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// Why async-graphql-axum could not read a body.
struct Unreadable(async_graphql::ParseRequestError);

impl From<async_graphql::ParseRequestError> for Unreadable {
    fn from(error: async_graphql::ParseRequestError) -> Self {
        Self(error)
    }
}

impl IntoResponse for Unreadable {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, self.0.to_string()).into_response()
    }
}

/// What is wrong with a body async-graphql could not read, in words a client can act on.
fn describe(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Err(_) => "the body is not JSON".to_owned(),
        Ok(Value::Object(_)) => match serde_json::from_slice::<async_graphql::Request>(body) {
            Err(error) => format!("the body is not a GraphQL request: {error}"),
            Ok(_) => "the body is not a GraphQL request".to_owned(),
        },
        Ok(_) => "the body is not a JSON object".to_owned(),
    }
}

/// A POST body (already checked to be JSON and within the size limit) as one request.
pub async fn post_body(headers: &HeaderMap, body: Bytes) -> Result<async_graphql::Request, String> {
    let mut request = axum::http::Request::new(Body::from(body.clone()));
    *request.method_mut() = Method::POST;
    if let Some(content_type) = headers.get(CONTENT_TYPE) {
        request
            .headers_mut()
            .insert(CONTENT_TYPE, content_type.clone());
    }
    match GraphQLBatchRequest::<Unreadable>::from_request(request, &()).await {
        Ok(read) => match read.into_inner() {
            BatchRequest::Single(request) => with_document_id(request, &body),
            BatchRequest::Batch(_) => {
                Err("batched requests are not supported: send one operation per request".to_owned())
            }
        },
        Err(_) => Err(describe(&body)),
    }
}

/// Relay names a trusted document with `doc_id` (or `documentId`) beside `variables`, where the
/// stock reader does not look: carried on as the request's `documentId` extension.
fn with_document_id(
    mut request: async_graphql::Request,
    body: &[u8],
) -> Result<async_graphql::Request, String> {
    let mentions = |needle: &[u8]| body.windows(needle.len()).any(|window| window == needle);
    if !mentions(b"\"doc_id\"") && !mentions(b"\"documentId\"") {
        return Ok(request);
    }
    #[derive(serde::Deserialize)]
    struct Named {
        doc_id: Option<String>,
        #[serde(rename = "documentId")]
        document_id: Option<String>,
    }
    let named: Named = serde_json::from_slice(body)
        .map_err(|_| "doc_id and documentId must be strings".to_owned())?;
    if let Some(id) = named.doc_id.or(named.document_id) {
        name_document(&mut request, id);
    }
    Ok(request)
}

/// Carries the id of a trusted document a request names as its `documentId` extension.
fn name_document(request: &mut async_graphql::Request, id: String) {
    request.extensions.insert(
        crate::http::operation::DOCUMENT_ID.to_owned(),
        async_graphql::Value::String(id),
    );
}

/// A GET request's parameters.
pub struct Get {
    /// The request they make.
    pub request: async_graphql::Request,
    /// Whether they name a document at all (`query` or `extensions`).
    names_a_document: bool,
}

impl Get {
    /// No `query` and no `extensions`: a browser opening the endpoint, say.
    pub fn is_empty(&self) -> bool {
        !self.names_a_document
    }
}

/// Why GET parameters are not a request.
pub enum GetError {
    /// The query string is not `name=value` pairs.
    QueryString,
    /// A parameter is not what GraphQL over HTTP says it is.
    Field(String),
}

fn json_object(params: &HashMap<String, String>, name: &str) -> Result<Option<Value>, GetError> {
    let Some(text) = params.get(name) else {
        return Ok(None);
    };
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Null) => Ok(None),
        Ok(value @ Value::Object(_)) => Ok(Some(value)),
        Ok(_) => Err(GetError::Field(format!("\"{name}\" must be an object"))),
        Err(_) => Err(GetError::Field(format!("\"{name}\" is not JSON"))),
    }
}

/// Reads `query`, `operationName`, `variables` and `extensions` from a query string.
pub fn query_string(text: &str) -> Result<Get, GetError> {
    let uri: Uri = format!("/?{text}")
        .parse()
        .map_err(|_| GetError::QueryString)?;
    let Ok(Query(params)) = Query::<HashMap<String, String>>::try_from_uri(&uri) else {
        return Err(GetError::QueryString);
    };
    let variables = json_object(&params, "variables")?;
    let extensions = json_object(&params, "extensions")?;
    let document_id = params.get("doc_id").or_else(|| params.get("documentId"));
    let names_a_document =
        params.contains_key("query") || params.contains_key("extensions") || document_id.is_some();
    let mut request = async_graphql::Request::new(params.get("query").cloned().unwrap_or_default());
    request.operation_name = params.get("operationName").cloned();
    if let Some(variables) = variables {
        request.variables = async_graphql::Variables::from_json(variables);
    }
    if let Some(extensions) = extensions {
        request.extensions = serde_json::from_value(extensions)
            .map_err(|_| GetError::Field("\"extensions\" must be an object".to_owned()))?;
    }
    if let Some(id) = document_id {
        name_document(&mut request, id.clone());
    }
    Ok(Get {
        request,
        names_a_document,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stock_query_string_reader_loses_the_operation_name() {
        let text = "query=query%20A%20%7B%20__typename%20%7D&operationName=A";
        let stock = async_graphql::http::parse_query_string(text).unwrap();
        assert_eq!(stock.operation_name, None, "switch GET to the stock reader");
        let ours = query_string(text).ok().unwrap();
        assert_eq!(ours.request.operation_name.as_deref(), Some("A"));
        assert!(!ours.is_empty());
    }

    #[test]
    fn get_parameters_must_be_json_objects() {
        assert!(matches!(
            query_string("query=x&variables=%5B1%5D"),
            Err(GetError::Field(_))
        ));
        assert!(matches!(
            query_string("query=x&variables=nope"),
            Err(GetError::Field(_))
        ));
        assert!(query_string("").ok().unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_batch_or_a_wrongly_typed_field_is_refused_with_a_reason() {
        let headers = HeaderMap::from_iter([(CONTENT_TYPE, "application/json".parse().unwrap())]);
        let batch = post_body(&headers, Bytes::from_static(br#"[{"query":"{ a }"}]"#)).await;
        assert!(batch.unwrap_err().contains("batched"));
        let typed = post_body(&headers, Bytes::from_static(br#"{"query": 5}"#)).await;
        assert!(typed.unwrap_err().contains("invalid type"));
        let single = post_body(&headers, Bytes::from_static(br#"{"query":"{ a }"}"#)).await;
        assert_eq!(single.ok().map(|r| r.query), Some("{ a }".to_owned()));
    }
}

//! From a request's fields (a POST body, GET parameters or a WebSocket `subscribe` payload) to
//! an admitted operation ready to run, or why it is refused. One path for HTTP and WebSocket,
//! so every document meets the same limits.

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use serde_json::{Map, Value, json};

use super::order::ResponseOrder;
use super::persisted::Lookup;
use crate::graphql::load_queue::LoadQueue;
use crate::graphql::{RequestAuth, loaders};
use crate::http::HttpState;
use crate::http::gate::Refusal;

/// An admitted operation.
pub struct Operation {
    /// The request, with its parsed document, credentials and data loaders.
    pub request: async_graphql::Request,
    /// The operation's name, when it has one.
    pub name: Option<String>,
    /// What it does, when the document names one operation unambiguously.
    pub kind: Option<OperationType>,
    /// Where its batch loads wait to run.
    pub loads: LoadQueue,
    /// The order its answers' fields are put in.
    pub order: ResponseOrder,
}

impl Operation {
    /// The type as a metrics label.
    pub fn kind_label(&self) -> &'static str {
        kind_label(self.kind)
    }
}

/// A metrics label for an operation type.
pub fn kind_label(kind: Option<OperationType>) -> &'static str {
    match kind {
        Some(OperationType::Query) => "query",
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        None => "unknown",
    }
}

/// Why a request does not run.
#[derive(Debug)]
pub enum Refused {
    /// The request is not a GraphQL request (400 whatever the media type).
    Malformed(String),
    /// A request error: the document does not parse or passes a limit (errors, no data).
    Request(Value),
}

/// One top-level error as JSON.
pub fn error_json(message: &str, code: &str) -> Value {
    json!({ "message": message, "extensions": { "code": code } })
}

fn refusal_errors(refusal: Refusal) -> Value {
    let mut error = error_json(&refusal.message, refusal.code);
    if !refusal.locations.is_empty() {
        let locations: Vec<Value> = refusal
            .locations
            .iter()
            .map(|pos| json!({ "line": pos.line, "column": pos.column }))
            .collect();
        error["locations"] = Value::Array(locations);
    }
    json!([error])
}

fn text_field<'a>(fields: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, Refused> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(Refused::Malformed(format!("\"{name}\" must be a string"))),
    }
}

fn object_field<'a>(
    fields: &'a Map<String, Value>,
    name: &str,
) -> Result<Option<&'a Value>, Refused> {
    match fields.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(value @ Value::Object(_)) => Ok(Some(value)),
        Some(_) => Err(Refused::Malformed(format!("\"{name}\" must be an object"))),
    }
}

/// The selected operation's name and type, when the document names one unambiguously.
fn selected(
    document: &ExecutableDocument,
    name: Option<&str>,
) -> (Option<String>, Option<OperationType>) {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => (None, Some(op.node.ty)),
        (DocumentOperations::Multiple(ops), Some(name)) => {
            (Some(name.to_owned()), ops.get(name).map(|op| op.node.ty))
        }
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.iter().next().map_or((None, None), |(name, op)| {
                (Some(name.to_string()), Some(op.node.ty))
            })
        }
        _ => (None, None),
    }
}

/// Resolves the document (persisted or sent), admits it through the gate and builds the
/// request for the caller with `token`.
pub fn prepare(
    state: &HttpState,
    fields: &Map<String, Value>,
    token: Option<String>,
) -> Result<Operation, Refused> {
    let query = text_field(fields, "query")?;
    let operation_name = text_field(fields, "operationName")?;
    let variables = object_field(fields, "variables")?;
    let extensions = object_field(fields, "extensions")?;
    let query = match state.persisted.resolve(query, extensions) {
        Lookup::Found(query) => query,
        Lookup::NotPersisted => match query {
            Some(query) => query.to_owned(),
            None => {
                return Err(Refused::Malformed(
                    "the request needs a \"query\" string".into(),
                ));
            }
        },
        Lookup::NotFound => {
            let error = error_json("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND");
            return Err(Refused::Request(json!([error])));
        }
        Lookup::Invalid(problem) => return Err(Refused::Malformed(problem.into())),
    };
    let document = state
        .gate
        .admit(&query)
        .map_err(|refusal| Refused::Request(refusal_errors(refusal)))?;
    let (name, kind) = selected(&document, operation_name);
    let name = name.or_else(|| operation_name.map(str::to_owned));
    let mut request = async_graphql::Request::new(query);
    request.set_parsed_query((*document).clone());
    if let Some(operation_name) = operation_name {
        request = request.operation_name(operation_name);
    }
    if let Some(variables) = variables {
        request = request.variables(async_graphql::Variables::from_json(variables.clone()));
    }
    let (loader, loads) = loaders::for_request(&state.app.db);
    let request = request.data(RequestAuth::new(token)).data(loader);
    let order = ResponseOrder::new(document, name.clone());
    Ok(Operation {
        request,
        name,
        kind,
        loads,
        order,
    })
}

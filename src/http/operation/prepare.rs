//! From a request as a client sent it (a POST body, GET parameters or a WebSocket `subscribe`
//! payload, each read into an `async_graphql::Request`) to an admitted operation ready to run,
//! or why it is refused: the persisted document looked up, the gate passed, the caller's
//! credentials and a fresh data loader attached.

use std::sync::Arc;
use std::time::Instant;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use serde_json::{Value, json};

use super::gate::{Gate, Refusal};
use super::order::ResponseOrder;
use super::persisted::{Lookup, PersistedQueries};
use crate::graphql::errors::codes;
use crate::graphql::load_queue::LoadQueue;
use crate::graphql::sharing::Sharing;
use crate::graphql::{RequestAuth, loaders};
use crate::service::company::Reads;

/// An admitted operation.
pub struct Prepared {
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
    /// When the request arrived.
    pub started: Instant,
    /// A `contactEvents` subscription's part in sharing answers with its company's others.
    pub sharing: Option<Arc<Sharing>>,
}

impl Prepared {
    /// The type as a metrics label.
    pub fn kind_label(&self) -> &'static str {
        match self.kind {
            Some(OperationType::Query) => "query",
            Some(OperationType::Mutation) => "mutation",
            Some(OperationType::Subscription) => "subscription",
            None => "unknown",
        }
    }
}

/// Who sent a request: the bearer token it carried and the address it came from.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The bearer token, if any.
    pub token: Option<String>,
    /// The peer's address, if known.
    pub address: Option<std::net::IpAddr>,
    /// The languages it reads, most wanted first (its `Accept-Language`).
    pub languages: Vec<String>,
}

/// Why a request does not run.
#[derive(Debug)]
pub enum Refused {
    /// The request is not a GraphQL request (400 whatever the media type).
    Malformed(String),
    /// A request error: the document does not parse or passes a limit (errors, no data).
    Request(Value),
}

impl Refused {
    /// The `errors` of the refusal, as a client sees them.
    pub fn errors(&self) -> Value {
        match self {
            Refused::Malformed(message) => json!([error_json(message, codes::BAD_USER_INPUT)]),
            Refused::Request(errors) => errors.clone(),
        }
    }
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

/// The extension a request names a trusted document by (Relay's `doc_id`, read from the body or
/// the query string).
pub const DOCUMENT_ID: &str = "documentId";

/// The document a request runs: the one it sent, or the persisted one its hash names.
fn document_text(
    persisted: &PersistedQueries,
    request: &async_graphql::Request,
) -> Result<String, Refused> {
    let sent = (!request.query.is_empty()).then_some(request.query.as_str());
    let extension = request
        .extensions
        .get("persistedQuery")
        .map(|value| value.clone().into_json())
        .transpose()
        .map_err(|_| Refused::Malformed("the persistedQuery extension is not JSON".into()))?;
    let document_id = match request.extensions.get(DOCUMENT_ID) {
        None => None,
        Some(async_graphql::Value::String(id)) => Some(id.as_str()),
        Some(_) => return Err(Refused::Malformed("documentId must be a string".into())),
    };
    match persisted.resolve(sent, extension.as_ref(), document_id) {
        Lookup::Found(query) => Ok(query),
        Lookup::NotTrusted => {
            let error = error_json(
                "only persisted documents run here: send the id of one the server was given",
                codes::PERSISTED_QUERY_NOT_FOUND,
            );
            Err(Refused::Request(json!([error])))
        }
        Lookup::NotPersisted => sent
            .map(str::to_owned)
            .ok_or_else(|| Refused::Malformed("the request needs a \"query\" string".into())),
        Lookup::NotFound => {
            let error = error_json("PersistedQueryNotFound", codes::PERSISTED_QUERY_NOT_FOUND);
            Err(Refused::Request(json!([error])))
        }
        Lookup::Invalid(problem) => Err(Refused::Malformed(problem.into())),
    }
}

/// Where a request reads: the database, in the company of the request's token.
pub struct Reading {
    /// The database pool of mutations and subscriptions.
    pub db: sea_orm::DatabaseConnection,
    /// The database pool of queries (on SQLite the same as `db`).
    pub queries_db: sea_orm::DatabaseConnection,
    /// Checks bearer tokens: the company a request reads for is its token's.
    pub keys: crate::service::auth::TokenKeys,
    /// Whether reads get the application's company filter (always, but in one test).
    pub company_filter: bool,
    /// Each company's configuration and members, in memory.
    pub snapshots: std::sync::Arc<crate::service::snapshot::Snapshots>,
}

/// Resolves the document (persisted or sent), admits it through the gate and builds the
/// request for its client.
pub fn prepare(
    gate: &Gate,
    persisted: &PersistedQueries,
    reading: &Reading,
    mut request: async_graphql::Request,
    client: Client,
    started: Instant,
) -> Result<Prepared, Refused> {
    let query = document_text(persisted, &request)?;
    let document = gate
        .admit(&query)
        .map_err(|refusal| Refused::Request(refusal_errors(refusal)))?;
    let operation_name = request.operation_name.clone();
    let (name, kind) = selected(&document, operation_name.as_deref());
    let name = name.or(operation_name);
    request.query = query;
    request.set_parsed_query((*document).clone());
    // The request reads for its token's company (none without a genuine token: it sees
    // nothing, and its fields are refused anyway).
    let company = client
        .token
        .as_deref()
        .and_then(|token| reading.keys.verify_session(token))
        .map_or(0, |verified| verified.company_id);
    let lives_on = kind == Some(async_graphql::parser::types::OperationType::Subscription);
    let is_query = kind == Some(async_graphql::parser::types::OperationType::Query);
    // Queries read on their own pool; a subscription reads statement by statement.
    let reads = match (is_query, lives_on) {
        (true, _) => Reads::for_request(reading.queries_db.clone(), company),
        (_, true) => Reads::per_statement(reading.db.clone(), company),
        _ => Reads::for_request(reading.db.clone(), company),
    };
    let reads = if reading.company_filter {
        reads
    } else {
        reads.without_company_filter()
    };
    // A query shows the configuration of one moment; a mutation shows what it changed, and a
    // subscription lives on: they take the latest each time.
    let (loader, loads) = loaders::for_request(&reads, &reading.snapshots, is_query);
    let sharing = lives_on
        .then(|| Sharing::of(&document, &request, &client.languages))
        .flatten();
    let credentials = RequestAuth::new(client.token, client.address).reading(client.languages);
    let mut request = request.data(credentials).data(loader).data(reads);
    if let Some(sharing) = &sharing {
        request = request.data(sharing.clone());
    }
    let order = ResponseOrder::new(document, name.clone());
    Ok(Prepared {
        request,
        name,
        kind,
        loads,
        order,
        started,
        sharing,
    })
}

//! The one pipeline every GraphQL operation goes through, over HTTP and WebSocket alike:
//! the persisted document looked up ([`persisted`]), the document gate ([`gate`]), the request
//! prepared for its caller ([`prepare`]), executed (with the request timeout, its batch loads
//! run in its own task), its answer's fields put in document order ([`order`]) and every error
//! coded ([`respond`]) — each operation counted in the metrics.

pub mod gate;
mod lru;
mod order;
mod persisted;
mod prepare;
mod respond;

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::parser::types::OperationType;
use futures_util::stream::{Stream, StreamExt};

pub use persisted::{Manifest, PersistedQueries};
pub use prepare::{Client, DOCUMENT_ID, Prepared, Reading, Refused, error_json};
pub use respond::Answer;

use self::gate::Gate;
use self::order::ResponseOrder;
use super::monitoring::metrics::{Metrics, Outcome};
use crate::graphql::ContactflowSchema;
use crate::graphql::errors::codes;
use crate::graphql::load_queue::LoadQueue;
use crate::graphql::sharing::Shared;

/// Everything an operation needs on its way through.
pub struct Operations {
    schema: ContactflowSchema,
    gate: Gate,
    persisted: PersistedQueries,
    reading: prepare::Reading,
    metrics: Arc<Metrics>,
    timeout: Duration,
}

/// The parts of the pipeline.
pub struct Parts {
    /// The executable schema.
    pub schema: ContactflowSchema,
    /// Checks and caches documents before they run.
    pub gate: Gate,
    /// Documents known by their hash.
    pub persisted: PersistedQueries,
    /// Where requests read, in their token's company.
    pub reading: prepare::Reading,
    /// Counts every operation.
    pub metrics: Arc<Metrics>,
    /// Longest a query or mutation may run.
    pub timeout: Duration,
}

impl Operations {
    /// The pipeline of these parts.
    pub fn new(parts: Parts) -> Self {
        Self {
            schema: parts.schema,
            gate: parts.gate,
            persisted: parts.persisted,
            reading: parts.reading,
            metrics: parts.metrics,
            timeout: parts.timeout,
        }
    }

    /// The longest a query or mutation may run.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The pool queries read on.
    pub fn queries_db(&self) -> &sea_orm::DatabaseConnection {
        &self.reading.queries_db
    }

    /// Admits a request of `client`, or says why it is refused (and counts the refusal).
    pub fn prepare(
        &self,
        request: async_graphql::Request,
        client: Client,
    ) -> Result<Prepared, Refused> {
        let started = Instant::now();
        prepare::prepare(
            &self.gate,
            &self.persisted,
            &self.reading,
            request,
            client,
            started,
        )
        .inspect_err(|_| {
            let took = started.elapsed();
            self.metrics.record(None, "unknown", Outcome::Refused, took);
        })
    }

    /// Runs a query or mutation: its answer, or `TIMEOUT` when it runs too long (its
    /// transaction then rolls back).
    pub async fn run(&self, prepared: Prepared, request_id: &str) -> Answer {
        let (request, loads, answering) = Answering::of(prepared);
        let execution = loads.drive(self.schema.execute(request));
        let answer = match tokio::time::timeout(self.timeout, execution).await {
            Ok(mut response) => answering.answer(&mut response, request_id),
            Err(_) => {
                let name = &answering.name;
                tracing::warn!(request_id, operation = ?name, "request timed out");
                let message = format!(
                    "the request took longer than {} ms",
                    self.timeout.as_millis()
                );
                let errors = vec![error_json(&message, codes::TIMEOUT)];
                Answer::failed(errors, Outcome::Timeout)
            }
        };
        answering.count(&self.metrics, answer.outcome);
        answer
    }

    /// Runs an operation as a stream of answers (a subscription; a query or mutation sent over
    /// a socket answers once). The first answer is counted, with the time it took to come.
    pub fn stream(
        self: &Arc<Self>,
        prepared: Prepared,
        request_id: String,
    ) -> impl Stream<Item = Answer> + Send + use<> {
        let sharing = prepared.sharing.clone();
        let (request, loads, answering) = Answering::of(prepared);
        loads.spawn();
        let operations = Arc::clone(self);
        let mut first = true;
        self.schema
            .execute_stream(request)
            .map(move |mut response| {
                let answer = match sharing.as_ref().and_then(|sharing| sharing.take()) {
                    Some(Shared::Kept(json)) => {
                        operations.metrics.answer_shared();
                        Answer::shared(json)
                    }
                    Some(Shared::Made {
                        making,
                        used_caller,
                    }) => {
                        let answer = answering.answer(&mut response, &request_id);
                        if answer.outcome == Outcome::Ok {
                            let json: Arc<str> = answer.to_json().into();
                            making.finish(Some(json.clone()), used_caller);
                            Answer::shared(json)
                        } else {
                            making.finish(None, used_caller);
                            answer
                        }
                    }
                    None => answering.answer(&mut response, &request_id),
                };
                if std::mem::take(&mut first) {
                    answering.count(&operations.metrics, answer.outcome);
                }
                answer
            })
    }
}

/// What turns an operation's responses into answers, and counts the operation.
struct Answering {
    name: Option<String>,
    kind: &'static str,
    started: Instant,
    order: ResponseOrder,
}

impl Answering {
    /// The request to execute, its batch loads, and how its responses are answered.
    fn of(prepared: Prepared) -> (async_graphql::Request, LoadQueue, Self) {
        let kind = prepared.kind_label();
        let answering = Self {
            name: prepared.name,
            kind,
            started: prepared.started,
            order: prepared.order,
        };
        (prepared.request, prepared.loads, answering)
    }

    /// A response as the client sees it: fields in document order, every error coded.
    fn answer(&self, response: &mut async_graphql::Response, request_id: &str) -> Answer {
        self.order.apply(response);
        respond::normalise(response, request_id)
    }

    /// Counts the operation, with the time since its request arrived.
    fn count(&self, metrics: &Metrics, outcome: Outcome) {
        let took = self.started.elapsed();
        metrics.record(self.name.as_deref(), self.kind, outcome, took);
    }
}

/// Whether an operation changes data or streams: those are not run over GET.
pub fn needs_post(kind: Option<OperationType>) -> bool {
    matches!(
        kind,
        Some(OperationType::Mutation | OperationType::Subscription)
    )
}

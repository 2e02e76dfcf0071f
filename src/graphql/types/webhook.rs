//! Webhooks (ADMIN) and their deliveries.

use async_graphql::{Context, Enum, ID, Object, Result};

use super::connection::connection;
use super::event::ContactEventKind;
use crate::entity::{webhook, webhook_delivery};
use crate::graphql::context::db;
use crate::graphql::errors::ApiResult;
use crate::graphql::ids::{self, kind};
use crate::graphql::scalars::DateTime;
use crate::service::pagination::PageRequest;
use crate::service::webhooks::{self, status};
use crate::service::writes::admin::webhooks::kinds_of;

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum WebhookDeliveryStatus {
    /// Not delivered yet (tried again at `nextAttemptAt` when an attempt failed).
    Pending,
    /// The receiver answered with a 2xx status.
    Delivered,
    /// Every attempt failed for 24 hours: given up.
    Failed,
}

impl WebhookDeliveryStatus {
    fn of(stored: &str) -> Self {
        match stored {
            status::DELIVERED => Self::Delivered,
            status::FAILED => Self::Failed,
            _ => Self::Pending,
        }
    }
}

connection!(
    WebhookDeliveryConnection,
    WebhookDeliveryEdge,
    WebhookDelivery,
    "A page of a webhook's deliveries, newest first."
);

/// An HTTP endpoint that hears of the company's contact events: each event of a listed kind
/// is POSTed to it as a CloudEvents 1.0 JSON object, signed with `Contactflow-Signature`.
pub struct Webhook(pub webhook::Model);

/// An HTTP endpoint that hears of the company's contact events: each event of a listed kind
/// is POSTed to it as a CloudEvents 1.0 JSON object, signed with `Contactflow-Signature`.
#[Object]
impl Webhook {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::WEBHOOK, self.0.id)
    }
    /// Where deliveries are POSTed.
    async fn url(&self) -> &str {
        &self.0.url
    }
    /// The kinds of event delivered.
    async fn events(&self) -> Vec<ContactEventKind> {
        kinds_of(&self.0.events)
            .into_iter()
            .map(Into::into)
            .collect()
    }
    /// Whether deliveries are made (an inactive webhook keeps what it has not delivered).
    async fn active(&self) -> bool {
        self.0.active
    }
    /// When it was created (server time).
    async fn created_at(&self) -> DateTime {
        self.0.created_at.into()
    }
    /// Its deliveries, newest first.
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many rows to return from the start (after `after`).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "Cursor of the row after which the page starts (the previous page's `pageInfo.endCursor`)."
        )]
        after: Option<String>,
    ) -> Result<WebhookDeliveryConnection> {
        let request = PageRequest {
            first,
            after,
            ..Default::default()
        };
        let (page, counter) = webhooks::deliveries(db(ctx), self.0.id, &request)
            .await
            .api()?;
        Ok(WebhookDeliveryConnection::new(
            page,
            counter,
            WebhookDelivery,
        ))
    }
}

/// One event POSTed (or to be POSTed) to a webhook.
pub struct WebhookDelivery(pub webhook_delivery::Model);

/// One event POSTed (or to be POSTed) to a webhook.
#[Object]
impl WebhookDelivery {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::WEBHOOK_DELIVERY, self.0.id)
    }
    /// The event's cursor (the CloudEvent's `id`).
    async fn event_cursor(&self) -> &str {
        &self.0.event_cursor
    }
    /// The event's kind.
    async fn kind(&self) -> ContactEventKind {
        self.0.kind.into()
    }
    /// Attempts made so far.
    async fn attempts(&self) -> i32 {
        self.0.attempts
    }
    /// Where it stands.
    async fn status(&self) -> WebhookDeliveryStatus {
        WebhookDeliveryStatus::of(&self.0.status)
    }
    /// The HTTP status of the last answer; null when none came in time.
    async fn response_status(&self) -> Option<i32> {
        self.0.response_status
    }
    /// When the last attempt was made.
    async fn last_attempt_at(&self) -> Option<DateTime> {
        self.0.last_attempt_at.map(Into::into)
    }
    /// When the next attempt is due (PENDING after a failed attempt).
    async fn next_attempt_at(&self) -> Option<DateTime> {
        self.0.next_attempt_at.map(Into::into)
    }
}

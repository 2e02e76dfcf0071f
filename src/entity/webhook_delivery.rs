//! `webhook_deliveries`: one event to POST to one webhook, and how that went.

use sea_orm::entity::prelude::*;

use crate::domain::event::ContactEventKind;

/// One delivery; `body` is the CloudEvent as it was built when the event was taken up.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub webhook_id: i64,
    pub event_id: i64,
    pub event_cursor: String,
    pub kind: ContactEventKind,
    pub body: String,
    pub attempts: i32,
    pub status: String,
    pub response_status: Option<i32>,
    pub event_at: DateTimeUtc,
    pub last_attempt_at: Option<DateTimeUtc>,
    pub next_attempt_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

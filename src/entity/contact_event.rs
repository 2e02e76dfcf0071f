//! `contact_events`: the outbox, one row per change of a contact, written with the change.

use sea_orm::entity::prelude::*;

use crate::domain::event::ContactEventKind;

/// One contact event as it is written. Its `tx` column, which orders the feed, is the
/// database's to set (see the migration) and is read by the feed's own query.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contact_events")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub kind: ContactEventKind,
    pub contact_id: i64,
    pub workflow_id: i64,
    pub operator_id: i64,
    pub at: DateTimeUtc,
    pub stage_change_id: Option<i64>,
    pub activity_id: Option<i64>,
    pub pending_activity_id: Option<i64>,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

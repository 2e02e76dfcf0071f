//! `pending_activities`: The next activity to do for a contact.

use sea_orm::entity::prelude::*;

use crate::domain::WorkStatus;

/// The next activity to do for a contact.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_activities")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub contact_id: i64,
    pub activity_type_id: i64,
    pub description: Option<String>,
    pub pending_since: DateTimeUtc,
    pub due_at: Option<DateTimeUtc>,
    pub assignee_id: i64,
    pub reminder_starts_at: Option<DateTimeUtc>,
    pub reminder_ends_at: Option<DateTimeUtc>,
    pub create_todo: bool,
    pub status: WorkStatus,
    pub completed_at: Option<DateTimeUtc>,
    pub completed_activity_id: Option<i64>,
    pub created_by_id: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `reminder_states`: What an assignee did with a pending activity's reminder: snooze or dismiss.

use sea_orm::entity::prelude::*;

/// What an assignee did with a pending activity's reminder: snooze or dismiss.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reminder_states")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub pending_activity_id: i64,
    pub snoozed_until: Option<DateTimeUtc>,
    pub dismissed_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

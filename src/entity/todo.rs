//! `todos`: An entry in an operator's general to-do list.

use sea_orm::entity::prelude::*;

use crate::domain::WorkStatus;

/// An entry in an operator's general to-do list.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "todos")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub operator_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub activity_type_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub pending_activity_id: Option<i64>,
    pub due_at: Option<DateTimeUtc>,
    pub status: WorkStatus,
    pub completed_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

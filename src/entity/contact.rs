//! `contacts`: A contact moving through a workflow.

use sea_orm::entity::prelude::*;

/// A contact moving through a workflow.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "contacts")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub version: i32,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub owner_id: Option<i64>,
    pub workflow_id: i64,
    pub stage_id: i64,
    pub stage_entered_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

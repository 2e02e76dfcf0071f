//! `stages`: A stage of a workflow.

use sea_orm::entity::prelude::*;

/// A stage of a workflow.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stages")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub workflow_id: i64,
    pub code: String,
    pub name: String,
    pub position: i32,
    pub is_initial: bool,
    pub is_final: bool,
    pub color: Option<String>,
    pub stale_after_days: Option<i32>,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

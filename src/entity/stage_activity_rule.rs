//! `stage_activity_rules`: An activity type listed on a stage, with its rule.

use sea_orm::entity::prelude::*;

/// An activity type listed on a stage, with its rule.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_activity_rules")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub stage_id: i64,
    pub activity_type_id: i64,
    pub next_activity_type_id: Option<i64>,
    pub mandatory: bool,
    pub create_todo_for_next: bool,
    pub highlighted: bool,
    pub position: i32,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

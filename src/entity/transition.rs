//! `transitions`: A permitted move between two stages; `allowed_roles` is a comma-separated role list, empty for every role.

use sea_orm::entity::prelude::*;

/// A permitted move between two stages; `allowed_roles` is a comma-separated role list, empty for every role.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transitions")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub workflow_id: i64,
    pub name: String,
    pub from_stage_id: i64,
    pub to_stage_id: i64,
    pub allowed_roles: String,
    pub position: i32,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `stage_names`: The name of a stage in one locale.

use sea_orm::entity::prelude::*;

/// The name of a stage in one locale.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_names")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub stage_id: i64,
    pub locale: String,
    pub name: String,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

//! `activities`: An activity that was done, recorded in a stage.

use sea_orm::entity::prelude::*;

/// An activity that was done, recorded in a stage.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activities")]
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
    pub stage_id: i64,
    pub operator_id: i64,
    pub description: Option<String>,
    pub performed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

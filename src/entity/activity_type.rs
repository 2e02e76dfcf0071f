//! `activity_types`: A kind of activity (call, e-mail, meeting …).

use sea_orm::entity::prelude::*;

/// A kind of activity (call, e-mail, meeting …).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_types")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub code: String,
    pub name: String,
    pub active: bool,
    pub position: i32,
    pub created_at: DateTimeUtc,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

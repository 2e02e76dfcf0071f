//! `workflows`: A workflow: the stages a contact moves through.

use sea_orm::entity::prelude::*;

/// A workflow: the stages a contact moves through.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "workflows")]
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
    pub description: Option<String>,
    pub log_tab_visible: bool,
    pub restrict_activity_types: bool,
    pub is_default: bool,
    pub created_at: DateTimeUtc,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

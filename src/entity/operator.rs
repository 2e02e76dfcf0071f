//! `operators`: A person who signs in and works contacts for the companies they are a member of.

use sea_orm::entity::prelude::*;

/// A person who signs in; their role and whether they may work are per company ([`super::membership`]).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "operators")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub email: Option<String>,
    pub time_zone: String,
    pub password_hash: String,
    pub token_generation: i32,
    pub locale: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

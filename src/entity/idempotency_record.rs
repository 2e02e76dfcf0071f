//! `idempotency_records`: The first answer to a mutation sent with an idempotency key.

use sea_orm::entity::prelude::*;

/// The first answer to a mutation sent with an idempotency key.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_records")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub operator_id: i64,
    pub operation: String,
    pub key: String,
    pub fingerprint: String,
    pub response: String,
    pub created_at: DateTimeUtc,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

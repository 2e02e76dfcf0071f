//! `stage_changes`: One row of a contact's stage log (append-only).

use sea_orm::entity::prelude::*;

use crate::domain::StageChangeVia;

/// One row of a contact's stage log (append-only).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stage_changes")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub contact_id: i64,
    pub from_stage_id: Option<i64>,
    pub to_stage_id: i64,
    pub operator_id: i64,
    pub changed_at: DateTimeUtc,
    pub note: Option<String>,
    pub seconds_in_previous_stage: Option<i64>,
    pub via: StageChangeVia,
}

/// Relations are followed by explicit, batched queries in `service`, not by joins here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

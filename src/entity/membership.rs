//! `memberships`: An operator working for a company, in a role, and whether they may now.

use sea_orm::entity::prelude::*;

use crate::domain::Role;

/// An operator working for a company, in a role, and whether they may now.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
#[expect(
    missing_docs,
    reason = "the columns are named after the table's own, documented in the migration"
)]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub company_id: i64,
    pub operator_id: i64,
    pub role: Role,
    pub active: bool,
    pub token_generation: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// A membership is read with its operator, in one statement.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The operator who is the member.
    #[sea_orm(
        belongs_to = "super::operator::Entity",
        from = "Column::OperatorId",
        to = "super::operator::Column::Id"
    )]
    Operator,
}

impl Related<super::operator::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Operator.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

//! Writes: each use case runs in ONE transaction ([`Write`]: the write lock taken up front on
//! SQLite, the reminder engine told of what it changed), asks `domain` for the plan, and writes
//! nothing at all when any rule is broken.

pub mod admin;
pub mod bulk_move;
pub mod complete;
mod events;
mod idempotency;
mod next;
pub mod reminders;
mod rows;
pub mod save_contact;
mod unit;

pub use rows::StageStep;
pub use unit::Write;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, QueryFilter};

use super::company::{self, InCompany};
use super::{FieldViolation, ServiceError, ServiceResult};
use crate::domain::{Field, FieldPath, Role, RuleCode};
use crate::entity::contact;

/// Who is writing, for which company.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    /// The signed-in operator.
    pub operator_id: i64,
    /// Their role in the company.
    pub role: Role,
    /// The company the caller's token is for: every row the write reads or writes is its.
    pub company_id: i64,
}

/// A change to an optional field: leave it, clear it, or set it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub enum Patch<T> {
    /// Not sent: unchanged.
    #[default]
    Keep,
    /// Sent as null: cleared.
    Clear,
    /// Sent with a value.
    Set(T),
}

impl<T> Patch<T> {
    /// The value to store, given the current one.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Keep => current,
            Patch::Clear => None,
            Patch::Set(value) => Some(value),
        }
    }

    /// The value being set, if any.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(value) => Some(value),
            _ => None,
        }
    }
}

/// A refusal with one violation at `path`.
pub(crate) fn refuse(
    path: impl Into<FieldPath>,
    code: RuleCode,
    message: impl Into<String>,
) -> ServiceError {
    ServiceError::Rules(vec![FieldViolation::new(path, code, message)])
}

/// Bumps a contact's version by one, only if it still is `expected` (when given): the check is
/// in the UPDATE's WHERE clause, so two writers of one version cannot both win.
pub(crate) async fn bump_version(
    db: &impl InCompany,
    contact_id: i64,
    expected: Option<i32>,
    now: DateTime<Utc>,
    extra: Vec<(contact::Column, Expr)>,
) -> ServiceResult<()> {
    let mut update = company::update_many::<contact::Entity>(db)
        .col_expr(
            contact::Column::Version,
            Expr::col(contact::Column::Version).add(1),
        )
        .col_expr(contact::Column::UpdatedAt, Expr::val(now))
        .filter(contact::Column::Id.eq(contact_id));
    for (column, value) in extra {
        update = update.col_expr(column, value);
    }
    if let Some(expected) = expected {
        update = update.filter(contact::Column::Version.eq(expected));
    }
    let result = update.exec(db).await?;
    if result.rows_affected == 1 {
        Ok(())
    } else if expected.is_some() {
        Err(refuse(
            Field::Version,
            RuleCode::StaleVersion,
            "the contact was changed meanwhile: reload it and try again",
        ))
    } else {
        Err(refuse(
            FieldPath::whole(),
            RuleCode::NotFound,
            "the contact no longer exists",
        ))
    }
}

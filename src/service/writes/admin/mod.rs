//! ADMIN configuration: activity types in [`activity_types`], operators in [`operators`],
//! workflows in [`workflow`]. Only an ADMIN may call these; anything in use is never deleted.
//! Here: the checks they share, collected so that every problem of an edit is reported at once.

pub mod activity_types;
pub mod companies;
pub(crate) mod names;
pub mod operators;
pub mod webhooks;
pub mod workflow;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PrimaryKeyTrait, QueryFilter, Select};

pub use activity_types::{SaveActivityType, delete_activity_type, save_activity_type};
pub use companies::{SaveCompany, save_company};
pub use operators::{SaveOperator, save_operator};
pub use webhooks::{SaveWebhook, delete_webhook, save_webhook};

use super::{Actor, refuse};
use crate::domain::limits::check_text;
use crate::domain::{Field, FieldPath, FieldViolation, RuleCode};
use crate::service::company::{self, InCompany};
use crate::service::{ServiceError, ServiceResult};

/// Refuses anyone but an ADMIN.
pub(crate) fn require_admin(actor: Actor) -> ServiceResult<()> {
    if actor.role.may_configure() {
        Ok(())
    } else {
        Err(refuse(
            FieldPath::whole(),
            RuleCode::Forbidden,
            "only an ADMIN may change the configuration",
        ))
    }
}

/// A unique column of `E`, and how to read a row's id.
pub(crate) type UniqueColumn<E> = (
    <E as EntityTrait>::Column,
    fn(&<E as EntityTrait>::Model) -> i64,
);

/// The problems of one ADMIN edit.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<FieldViolation>);

impl Problems {
    /// Notes a problem.
    pub fn push(&mut self, violation: FieldViolation) {
        self.0.push(violation);
    }

    /// Flags a value an edit that creates a record must give.
    pub fn required(&mut self, creating: bool, field: Field, what: &str, given: bool) {
        if creating && !given {
            let message = format!("{what} is required to create");
            self.push(FieldViolation::new(field, RuleCode::InvalidInput, message));
        }
    }

    /// Flags a label that is blank or longer than `max` characters.
    pub fn label(&mut self, field: Field, what: &str, value: Option<&str>, max: usize) {
        let Some(value) = value else { return };
        if value.trim().is_empty() {
            let message = format!("the {what} may not be blank");
            self.push(FieldViolation::new(field, RuleCode::InvalidInput, message));
        } else if let Err(error) = check_text(what, value, max) {
            self.push(FieldViolation::at(field, error));
        }
    }

    /// Flags `value` when another row of `E` already holds it in the unique `column`.
    pub async fn unique<E: company::Owned>(
        &mut self,
        db: &impl InCompany,
        column: UniqueColumn<E>,
        value: &str,
        own_id: Option<i64>,
        field: (Field, &str),
    ) -> ServiceResult<()> {
        let among = company::find::<E>(db);
        self.unique_among(db, among, column, value, own_id, field)
            .await
    }

    /// Flags `value` when a row of `among` other than `own_id` already holds it in `column`
    /// (for what is unique in the whole group: logins, company codes).
    pub async fn unique_among<E: EntityTrait>(
        &mut self,
        db: &impl ConnectionTrait,
        among: Select<E>,
        (column, id_of): UniqueColumn<E>,
        value: &str,
        own_id: Option<i64>,
        (field, what): (Field, &str),
    ) -> ServiceResult<()> {
        if value.contains('\0') {
            // Refused by its label check; PostgreSQL could not even compare it.
            return Ok(());
        }
        let holder = among.filter(column.eq(value.trim())).one(db).await?;
        if holder.is_some_and(|other| Some(id_of(&other)) != own_id) {
            let message = format!("the {what} {value:?} is taken");
            self.push(FieldViolation::new(field, RuleCode::InvalidInput, message));
        }
        Ok(())
    }

    /// Refuses the edit when it has any problem.
    pub fn check(self) -> ServiceResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Rules(self.0))
        }
    }
}

/// The row an ADMIN edit changes, or none when the edit creates one; an unknown id is
/// `NOT_FOUND` at the record's id.
pub(crate) async fn row_to_change<E>(
    db: &impl InCompany,
    id: Option<i64>,
    what: &str,
) -> ServiceResult<Option<E::Model>>
where
    E: company::Owned,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
{
    let Some(id) = id else {
        return Ok(None);
    };
    match company::find_by_id::<E>(db, id).one(db).await? {
        Some(row) => Ok(Some(row)),
        None => Err(refuse(
            Field::Record,
            RuleCode::NotFound,
            format!("no such {what}"),
        )),
    }
}

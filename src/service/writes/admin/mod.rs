//! ADMIN configuration: activity types and operators here, workflows in [`workflow`]. Only an
//! ADMIN may call these; anything in use is never deleted.

pub mod workflow;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::ExprTrait;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, PrimaryKeyTrait, QueryFilter,
};

use super::{Actor, Patch, refuse};
use crate::domain::limits::{EMAIL_MAX, LABEL_MAX, NAME_MAX, check_length};
use crate::domain::{FieldViolation, Role, RuleCode, Violation};
use crate::entity::{
    activity, activity_type, operator, pending_activity, stage_activity_rule, todo,
};
use crate::service::{ServiceError, ServiceResult, auth, clock};

/// Refuses anyone but an ADMIN.
pub(crate) fn require_admin(actor: Actor) -> ServiceResult<()> {
    if actor.role.may_configure() {
        Ok(())
    } else {
        Err(refuse(
            &["input"],
            RuleCode::Forbidden,
            "only an ADMIN may change the configuration",
        ))
    }
}

fn check_label(problems: &mut Vec<FieldViolation>, field: &str, value: Option<&str>, max: usize) {
    let Some(value) = value else { return };
    if value.trim().is_empty() {
        problems.push(FieldViolation::at(
            &["input", field],
            Violation::new(RuleCode::InvalidInput, format!("{field} may not be blank")),
        ));
    } else if let Err(error) = check_length(field, value, max) {
        problems.push(FieldViolation::at(&["input", field], error));
    }
}

fn check_required(
    problems: &mut Vec<FieldViolation>,
    creating: bool,
    field: &str,
    value: Option<&str>,
) {
    if creating && value.is_none() {
        problems.push(FieldViolation::at(
            &["input", field],
            Violation::new(
                RuleCode::InvalidInput,
                format!("{field} is required to create"),
            ),
        ));
    }
}

/// The row an ADMIN edit changes, or none when the edit creates one; an unknown id is
/// `NOT_FOUND` at `input.id`.
pub(crate) async fn row_to_change<E>(
    db: &impl ConnectionTrait,
    id: Option<i64>,
    what: &str,
) -> ServiceResult<Option<E::Model>>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<i64>,
{
    let Some(id) = id else {
        return Ok(None);
    };
    match E::find_by_id(id).one(db).await? {
        Some(row) => Ok(Some(row)),
        None => Err(refuse(
            &["input", "id"],
            RuleCode::NotFound,
            format!("no such {what}"),
        )),
    }
}

/// Flags `input.<field>` when another row of `E` already holds `value` in the unique `column`.
pub(crate) async fn check_unique<E>(
    db: &impl ConnectionTrait,
    column: E::Column,
    value: &str,
    own_id: Option<i64>,
    id_of: fn(&E::Model) -> i64,
    field: &str,
    problems: &mut Vec<FieldViolation>,
) -> ServiceResult<()>
where
    E: EntityTrait,
{
    let holder = E::find().filter(column.eq(value.trim())).one(db).await?;
    if holder.is_some_and(|other| Some(id_of(&other)) != own_id) {
        problems.push(FieldViolation::at(
            &["input", field],
            Violation::new(
                RuleCode::InvalidInput,
                format!("the {field} {value:?} is taken"),
            ),
        ));
    }
    Ok(())
}

/// An activity type to create (no id) or change.
#[derive(Debug, Clone, Default)]
pub struct SaveActivityType {
    /// The type to change; none: create.
    pub id: Option<i64>,
    /// Stable code, unique.
    pub code: Option<String>,
    /// Name shown to people.
    pub name: Option<String>,
    /// Switched on or off.
    pub active: Option<bool>,
    /// Place in lists.
    pub position: Option<i32>,
}

/// `saveActivityType`.
pub async fn save_activity_type(
    db: &DatabaseConnection,
    actor: Actor,
    input: SaveActivityType,
) -> ServiceResult<activity_type::Model> {
    require_admin(actor)?;
    let (txn, _writer) = crate::db::begin_write(db).await?;
    let existing = row_to_change::<activity_type::Entity>(&txn, input.id, "activity type").await?;
    let mut problems = Vec::new();
    check_required(
        &mut problems,
        existing.is_none(),
        "code",
        input.code.as_deref(),
    );
    check_required(
        &mut problems,
        existing.is_none(),
        "name",
        input.name.as_deref(),
    );
    check_label(&mut problems, "code", input.code.as_deref(), LABEL_MAX);
    check_label(&mut problems, "name", input.name.as_deref(), NAME_MAX);
    if let Some(code) = &input.code {
        let column = activity_type::Column::Code;
        check_unique::<activity_type::Entity>(
            &txn,
            column,
            code,
            input.id,
            |t| t.id,
            "code",
            &mut problems,
        )
        .await?;
    }
    if !problems.is_empty() {
        return Err(ServiceError::Rules(problems));
    }
    let saved = match existing {
        Some(row) => {
            let mut active: activity_type::ActiveModel = row.into();
            if let Some(code) = input.code {
                active.code = Set(code.trim().to_owned());
            }
            if let Some(name) = input.name {
                active.name = Set(name.trim().to_owned());
            }
            if let Some(flag) = input.active {
                active.active = Set(flag);
            }
            if let Some(position) = input.position {
                active.position = Set(position);
            }
            active.update(&txn).await?
        }
        None => {
            let position = match input.position {
                Some(position) => position,
                None => activity_type::Entity::find().count(&txn).await? as i32,
            };
            activity_type::ActiveModel {
                id: NotSet,
                code: Set(input.code.unwrap_or_default().trim().to_owned()),
                name: Set(input.name.unwrap_or_default().trim().to_owned()),
                active: Set(input.active.unwrap_or(true)),
                position: Set(position),
                created_at: Set(clock::now()),
            }
            .insert(&txn)
            .await?
        }
    };
    txn.commit().await?;
    Ok(saved)
}

/// `deleteActivityType`: refused while any activity, pending activity, to-do or stage rule uses it.
pub async fn delete_activity_type(
    db: &DatabaseConnection,
    actor: Actor,
    id: i64,
) -> ServiceResult<activity_type::Model> {
    require_admin(actor)?;
    let (txn, _writer) = crate::db::begin_write(db).await?;
    let Some(row) = row_to_change::<activity_type::Entity>(&txn, Some(id), "activity type").await?
    else {
        return Err(ServiceError::Internal(
            "a looked-up row is missing".to_owned(),
        ));
    };
    let uses = activity::Entity::find()
        .filter(activity::Column::ActivityTypeId.eq(id))
        .count(&txn)
        .await?
        + pending_activity::Entity::find()
            .filter(pending_activity::Column::ActivityTypeId.eq(id))
            .count(&txn)
            .await?
        + todo::Entity::find()
            .filter(todo::Column::ActivityTypeId.eq(id))
            .count(&txn)
            .await?
        + stage_activity_rule::Entity::find()
            .filter(
                stage_activity_rule::Column::ActivityTypeId
                    .eq(id)
                    .or(stage_activity_rule::Column::NextActivityTypeId.eq(id)),
            )
            .count(&txn)
            .await?;
    if uses > 0 {
        return Err(refuse(
            &["input", "id"],
            RuleCode::InvalidInput,
            format!(
                "activity type {} is in use ({uses} records): deactivate it instead",
                row.code
            ),
        ));
    }
    activity_type::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    Ok(row)
}

/// An operator to create (no id) or change.
#[derive(Debug, Clone, Default)]
pub struct SaveOperator {
    /// The operator to change; none: create.
    pub id: Option<i64>,
    /// Sign-in name, unique.
    pub login: Option<String>,
    /// Name shown to people.
    pub display_name: Option<String>,
    /// E-mail address.
    pub email: Patch<String>,
    /// Role.
    pub role: Option<Role>,
    /// Whether the operator may sign in and be assigned work.
    pub active: Option<bool>,
    /// IANA time zone.
    pub time_zone: Option<String>,
    /// A new password (at least 8 characters); required on create.
    pub password: Option<String>,
}

async fn other_active_admins(db: &impl ConnectionTrait, except: i64) -> ServiceResult<u64> {
    Ok(operator::Entity::find()
        .filter(operator::Column::Role.eq(Role::Admin.as_str()))
        .filter(operator::Column::Active.eq(true))
        .filter(operator::Column::Id.ne(except))
        .count(db)
        .await?)
}

/// `saveOperator`.
pub async fn save_operator(
    db: &DatabaseConnection,
    actor: Actor,
    input: SaveOperator,
) -> ServiceResult<operator::Model> {
    require_admin(actor)?;
    let password_hash = match &input.password {
        Some(password) if password.chars().count() >= 8 => Some(auth::hash_password(password)?),
        Some(_) => {
            return Err(refuse(
                &["input", "password"],
                RuleCode::InvalidInput,
                "a password needs at least 8 characters",
            ));
        }
        None => None,
    };
    let (txn, _writer) = crate::db::begin_write(db).await?;
    let existing = row_to_change::<operator::Entity>(&txn, input.id, "operator").await?;
    let creating = existing.is_none();
    let mut problems = Vec::new();
    check_required(&mut problems, creating, "login", input.login.as_deref());
    check_required(
        &mut problems,
        creating,
        "displayName",
        input.display_name.as_deref(),
    );
    check_required(
        &mut problems,
        creating,
        "role",
        input.role.map(Role::as_str),
    );
    check_required(
        &mut problems,
        creating,
        "password",
        input.password.as_deref(),
    );
    check_label(&mut problems, "login", input.login.as_deref(), LABEL_MAX);
    check_label(
        &mut problems,
        "displayName",
        input.display_name.as_deref(),
        NAME_MAX,
    );
    check_label(&mut problems, "timeZone", input.time_zone.as_deref(), 64);
    if let Some(error) = input
        .email
        .as_set()
        .and_then(|e| check_length("email", e, EMAIL_MAX).err())
    {
        problems.push(FieldViolation::at(&["input", "email"], error));
    }
    if let Some(login) = &input.login {
        let column = operator::Column::Login;
        check_unique::<operator::Entity>(
            &txn,
            column,
            login,
            input.id,
            |o| o.id,
            "login",
            &mut problems,
        )
        .await?;
    }
    if let Some(row) = &existing {
        let stays_admin = input
            .role
            .map_or(row.role == Role::Admin.as_str(), |r| r == Role::Admin)
            && input.active.unwrap_or(row.active);
        if row.role == Role::Admin.as_str()
            && row.active
            && !stays_admin
            && other_active_admins(&txn, row.id).await? == 0
        {
            problems.push(FieldViolation::at(
                &["input"],
                Violation::new(
                    RuleCode::InvalidInput,
                    "the last active ADMIN cannot be demoted or deactivated",
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(ServiceError::Rules(problems));
    }
    let now = clock::now();
    let saved = match existing {
        Some(row) => {
            let email = input.email.clone().apply(row.email.clone());
            let mut active: operator::ActiveModel = row.into();
            if let Some(login) = input.login {
                active.login = Set(login.trim().to_owned());
            }
            if let Some(name) = input.display_name {
                active.display_name = Set(name.trim().to_owned());
            }
            active.email = Set(email);
            if let Some(role) = input.role {
                active.role = Set(role.as_str().to_owned());
            }
            if let Some(flag) = input.active {
                active.active = Set(flag);
            }
            if let Some(zone) = input.time_zone {
                active.time_zone = Set(zone.trim().to_owned());
            }
            if let Some(hash) = password_hash {
                active.password_hash = Set(hash);
            }
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            operator::ActiveModel {
                id: NotSet,
                login: Set(input.login.unwrap_or_default().trim().to_owned()),
                display_name: Set(input.display_name.unwrap_or_default().trim().to_owned()),
                email: Set(input.email.apply(None)),
                role: Set(input.role.unwrap_or(Role::Operator).as_str().to_owned()),
                active: Set(input.active.unwrap_or(true)),
                time_zone: Set(input
                    .time_zone
                    .map_or_else(|| "UTC".to_owned(), |z| z.trim().to_owned())),
                password_hash: Set(password_hash.unwrap_or_default()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    txn.commit().await?;
    Ok(saved)
}

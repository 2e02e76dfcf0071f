//! `saveOperator`: operators created and changed by an ADMIN; the last active ADMIN stays one.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
};

use super::{Problems, require_admin, row_to_change};
use crate::domain::limits::{EMAIL_MAX, LABEL_MAX, NAME_MAX, TIME_ZONE_MAX, check_text};
use crate::domain::{Field, FieldPath, FieldViolation, Role, RuleCode, locale};
use crate::entity::operator;
use crate::service::auth::sessions;
use crate::service::writes::{Actor, Patch, Write, refuse};
use crate::service::{ServiceResult, Store, clock};

/// Fewest characters a password may have.
const PASSWORD_MIN: usize = 8;

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
    /// The language names are shown in (BCP 47), when the request does not ask for one.
    pub locale: Option<String>,
}

async fn other_active_admins(db: &impl ConnectionTrait, except: i64) -> ServiceResult<u64> {
    Ok(operator::Entity::find()
        .filter(operator::Column::Role.eq(Role::Admin))
        .filter(operator::Column::Active.eq(true))
        .filter(operator::Column::Id.ne(except))
        .count(db)
        .await?)
}

/// Every problem of the edit, before anything is written.
async fn check(
    db: &impl ConnectionTrait,
    input: &SaveOperator,
    existing: Option<&operator::Model>,
) -> ServiceResult<()> {
    let creating = existing.is_none();
    let mut problems = Problems::default();
    problems.required(creating, Field::Login, "login", input.login.is_some());
    let display_name = input.display_name.as_deref();
    problems.required(
        creating,
        Field::DisplayName,
        "display name",
        display_name.is_some(),
    );
    problems.required(creating, Field::Role, "role", input.role.is_some());
    problems.required(
        creating,
        Field::Password,
        "password",
        input.password.is_some(),
    );
    problems.label(Field::Login, "login", input.login.as_deref(), LABEL_MAX);
    problems.label(Field::DisplayName, "display name", display_name, NAME_MAX);
    let zone = input.time_zone.as_deref();
    problems.label(Field::TimeZone, "time zone", zone, TIME_ZONE_MAX);
    if let Some(Err(error)) = input.locale.as_deref().map(locale::normalize) {
        problems.push(FieldViolation::at(Field::Locale, error));
    }
    if let Some(error) = input
        .email
        .as_set()
        .and_then(|e| check_text("email", e, EMAIL_MAX).err())
    {
        problems.push(FieldViolation::at(Field::Email, error));
    }
    if let Some(error) = input
        .password
        .as_deref()
        .and_then(|p| check_text("password", p, usize::MAX).err())
    {
        problems.push(FieldViolation::at(Field::Password, error));
    }
    if let Some(login) = &input.login {
        let column = (
            operator::Column::Login,
            (|o: &operator::Model| o.id) as fn(&_) -> i64,
        );
        let field = (Field::Login, "login");
        problems
            .unique::<operator::Entity>(db, column, login, input.id, field)
            .await?;
    }
    if let Some(row) = existing {
        let stays_admin =
            input.role.unwrap_or(row.role) == Role::Admin && input.active.unwrap_or(row.active);
        if row.role == Role::Admin
            && row.active
            && !stays_admin
            && other_active_admins(db, row.id).await? == 0
        {
            problems.push(FieldViolation::new(
                FieldPath::whole(),
                RuleCode::InvalidInput,
                "the last active ADMIN cannot be demoted or deactivated",
            ));
        }
    }
    problems.check()
}

/// `saveOperator`.
pub async fn save_operator(
    store: &Store,
    actor: Actor,
    input: SaveOperator,
) -> ServiceResult<operator::Model> {
    require_admin(actor)?;
    let password_hash = match &input.password {
        Some(password) if password.chars().count() >= PASSWORD_MIN => {
            Some(store.passwords.hash(password).await?)
        }
        Some(_) => {
            return Err(refuse(
                Field::Password,
                RuleCode::InvalidInput,
                format!("a password needs at least {PASSWORD_MIN} characters"),
            ));
        }
        None => None,
    };
    let write = Write::begin(store).await?;
    let existing = row_to_change::<operator::Entity>(&*write, input.id, "operator").await?;
    check(&*write, &input, existing.as_ref()).await?;
    let locale = input
        .locale
        .as_deref()
        .and_then(|tag| locale::normalize(tag).ok());
    let now = clock::now();
    let mut write = write;
    if let Some(row) = &existing
        && row.active
        && input.active == Some(false)
    {
        sessions::end_every_session(&mut write, row.id, now).await?;
    }
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
                active.role = Set(role);
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
            if let Some(locale) = &locale {
                active.locale = Set(locale.clone());
            }
            active.updated_at = Set(now);
            active.update(&*write).await?
        }
        None => {
            operator::ActiveModel {
                id: NotSet,
                login: Set(input.login.unwrap_or_default().trim().to_owned()),
                display_name: Set(input.display_name.unwrap_or_default().trim().to_owned()),
                email: Set(input.email.apply(None)),
                role: Set(input.role.unwrap_or(Role::Operator)),
                active: Set(input.active.unwrap_or(true)),
                time_zone: Set(input
                    .time_zone
                    .map_or_else(|| "UTC".to_owned(), |z| z.trim().to_owned())),
                password_hash: Set(password_hash.unwrap_or_default()),
                token_generation: NotSet,
                locale: Set(locale.unwrap_or_else(|| locale::DEFAULT_LOCALE.to_owned())),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&*write)
            .await?
        }
    };
    write.commit().await?;
    Ok(saved)
}

//! `saveOperator`: an ADMIN creates and changes the operators of their company: the person
//! (login, name, password …) and their membership of this company (role, active), never their
//! memberships of other companies. The company's last active ADMIN stays one.

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{Problems, require_admin};
use crate::domain::limits::{EMAIL_MAX, LABEL_MAX, NAME_MAX, TIME_ZONE_MAX, check_text};
use crate::domain::{Field, FieldPath, FieldViolation, Role, RuleCode, locale};
use crate::entity::{membership, operator};
use crate::service::auth::sessions;
use crate::service::company::{self, InCompany};
use crate::service::members::{self, Member};
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

async fn other_active_admins(db: &impl InCompany, except: i64) -> ServiceResult<u64> {
    Ok(company::find::<membership::Entity>(db)
        .filter(membership::Column::Role.eq(Role::Admin))
        .filter(membership::Column::Active.eq(true))
        .filter(membership::Column::OperatorId.ne(except))
        .count(db)
        .await?)
}

/// Every problem of the edit, before anything is written.
async fn check(
    db: &impl InCompany,
    input: &SaveOperator,
    existing: Option<&Member>,
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
    // Logins are the group's: one person signs in with one login to every company.
    if let Some(login) = &input.login {
        let column = (
            operator::Column::Login,
            (|o: &operator::Model| o.id) as fn(&_) -> i64,
        );
        let field = (Field::Login, "login");
        problems
            .unique_among(db, operator::Entity::find(), column, login, input.id, field)
            .await?;
    }
    if let Some(row) = existing {
        let stays_admin =
            input.role.unwrap_or(row.role()) == Role::Admin && input.active.unwrap_or(row.active());
        if row.role() == Role::Admin
            && row.active()
            && !stays_admin
            && other_active_admins(db, row.operator.id).await? == 0
        {
            problems.push(FieldViolation::new(
                FieldPath::whole(),
                RuleCode::InvalidInput,
                "the company's last active ADMIN cannot be demoted or deactivated",
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
) -> ServiceResult<Member> {
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
    let mut write = Write::begin(store, actor.company_id).await?;
    let existing = match input.id {
        Some(id) => Some(
            members::member(&*write, id)
                .await?
                .ok_or_else(|| refuse(Field::Record, RuleCode::NotFound, "no such operator"))?,
        ),
        None => None,
    };
    check(&*write, &input, existing.as_ref()).await?;
    let locale = input
        .locale
        .as_deref()
        .and_then(|tag| locale::normalize(tag).ok());
    let now = clock::now();
    if let Some(row) = &existing
        && row.active()
        && input.active == Some(false)
    {
        sessions::end_company_sessions(&mut write, row.operator.id, now).await?;
    }
    let saved = match existing {
        Some(Member {
            operator: row,
            membership,
        }) => {
            let email = input.email.clone().apply(row.email.clone());
            let mut person: operator::ActiveModel = row.into();
            if let Some(login) = input.login {
                person.login = Set(login.trim().to_owned());
            }
            if let Some(name) = input.display_name {
                person.display_name = Set(name.trim().to_owned());
            }
            person.email = Set(email);
            if let Some(zone) = input.time_zone {
                person.time_zone = Set(zone.trim().to_owned());
            }
            if let Some(hash) = password_hash {
                person.password_hash = Set(hash);
            }
            if let Some(locale) = &locale {
                person.locale = Set(locale.clone());
            }
            person.updated_at = Set(now);
            let operator = person.update(write.unscoped()).await?;
            let mut member: membership::ActiveModel = membership.into();
            if let Some(role) = input.role {
                member.role = Set(role);
            }
            if let Some(flag) = input.active {
                member.active = Set(flag);
            }
            member.updated_at = Set(now);
            let membership = member.update(&*write).await?;
            Member {
                operator,
                membership,
            }
        }
        None => {
            let operator = operator::ActiveModel {
                id: NotSet,
                login: Set(input.login.unwrap_or_default().trim().to_owned()),
                display_name: Set(input.display_name.unwrap_or_default().trim().to_owned()),
                email: Set(input.email.apply(None)),
                time_zone: Set(input
                    .time_zone
                    .map_or_else(|| "UTC".to_owned(), |z| z.trim().to_owned())),
                password_hash: Set(password_hash.unwrap_or_default()),
                token_generation: NotSet,
                locale: Set(locale.unwrap_or_else(|| locale::DEFAULT_LOCALE.to_owned())),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(write.unscoped())
            .await?;
            let membership = company::insert(
                &*write,
                membership::ActiveModel {
                    id: NotSet,
                    company_id: NotSet,
                    operator_id: Set(operator.id),
                    role: Set(input.role.unwrap_or(Role::Operator)),
                    active: Set(input.active.unwrap_or(true)),
                    token_generation: NotSet,
                    created_at: Set(now),
                    updated_at: Set(now),
                },
            )
            .await?;
            Member {
                operator,
                membership,
            }
        }
    };
    write.person_changed();
    write.commit().await?;
    Ok(saved)
}

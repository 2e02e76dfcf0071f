//! Signing in and being signed in: passwords checked on a bounded set of hashing workers
//! ([`passwords`]), failed sign-ins limited per login and per client address ([`limiter`]),
//! bearer tokens ([`tokens`]) renewed with refresh tokens ([`sessions`]), and the operator a
//! token names.

mod limiter;
pub mod passwords;
pub mod sessions;
mod tokens;

use std::net::IpAddr;
use std::sync::LazyLock;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

pub use limiter::SignInLimits;
pub use passwords::Passwords;
pub use sessions::{Logout, Session};
pub use tokens::{Issued, TokenKeys, Verified, token_secret};

use super::companies;
use super::company::CompanyDb;
use super::members::{self, Member};
use super::snapshot::{Snapshot, Snapshots};
use super::{ServiceError, ServiceResult, Store};
use crate::domain::limits::check_text;
use crate::domain::{Field, FieldPath, FieldViolation, RuleCode};
use crate::entity::operator;

/// Compared against when the login is unknown, so that the answer takes as long either way.
static DECOY_HASH: LazyLock<String> =
    LazyLock::new(|| passwords::hash_now("decoy password").unwrap_or_default());

/// A sign-in as a client asks for it.
#[derive(Debug, Clone, Copy)]
pub struct SignIn<'a> {
    /// The login.
    pub login: &'a str,
    /// The password.
    pub password: &'a str,
    /// Where the request came from, when known.
    pub address: Option<IpAddr>,
    /// The code of the company to work for; none: the operator's first by code.
    pub company_code: Option<&'a str>,
}

/// Refuses a login or password the database could not even look up (a NUL).
fn check_credentials(attempt: &SignIn<'_>) -> ServiceResult<()> {
    let mut problems = Vec::new();
    for (field, what, value) in [
        (Field::Login, "login", attempt.login),
        (Field::Password, "password", attempt.password),
        (
            Field::CompanyCode,
            "company code",
            attempt.company_code.unwrap_or_default(),
        ),
    ] {
        if let Err(violation) = check_text(what, value, usize::MAX) {
            problems.push(FieldViolation::at(field, violation));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Rules(problems))
    }
}

/// The refusal of a sign-in or refresh that did not check out.
fn invalid_credentials() -> ServiceError {
    ServiceError::Rules(vec![FieldViolation::new(
        FieldPath::whole(),
        RuleCode::InvalidCredentials,
        "wrong login or password",
    )])
}

/// The membership a sign-in works in: of the company with `code`, else the first active one by
/// company code; none when the person is not an active member of it.
async fn membership_for(
    db: &DatabaseConnection,
    operator: operator::Model,
    code: Option<&str>,
) -> ServiceResult<Option<Member>> {
    let memberships = companies::memberships_of(db, operator.id).await?;
    let chosen = match code.map(str::trim) {
        Some(code) => memberships
            .into_iter()
            .find(|(company, _)| company.code == code),
        None => memberships.into_iter().next(),
    };
    Ok(chosen.map(|(_, membership)| Member {
        operator,
        membership,
    }))
}

/// Checks a login and password and starts a session in a company; an unknown login, an
/// inactive operator, a company the operator does not actively belong to and a wrong password
/// all give the same `INVALID_CREDENTIALS`. A login or address that failed
/// too often is refused with [`ServiceError::RateLimited`] before any password is checked.
pub async fn login(
    store: &Store,
    keys: &TokenKeys,
    limits: &SignInLimits,
    attempt: SignIn<'_>,
) -> ServiceResult<Session> {
    check_credentials(&attempt)?;
    let login = attempt.login.trim();
    let admitted = limits
        .admit(Some(login), attempt.address)
        .map_err(ServiceError::RateLimited)?;
    let found = operator::Entity::find()
        .filter(operator::Column::Login.eq(login))
        .one(&store.db)
        .await?;
    let stored_hash = found
        .as_ref()
        .map_or_else(|| DECOY_HASH.clone(), |op| op.password_hash.clone());
    let matches = store
        .passwords
        .verify(attempt.password, &stored_hash)
        .await?;
    let member = match found {
        Some(operator) if matches => {
            membership_for(&store.db, operator, attempt.company_code).await?
        }
        _ => None,
    };
    match member {
        Some(member) => {
            admitted.succeeded();
            sessions::start(store, keys, member).await
        }
        None => {
            admitted.failed();
            Err(invalid_credentials())
        }
    }
}

/// Starts a session of the operator in another company they are an active member of; any
/// other company is `NOT_FOUND`, as an unknown one is.
pub async fn switch_company(
    store: &Store,
    keys: &TokenKeys,
    operator: &operator::Model,
    company_id: i64,
) -> ServiceResult<Session> {
    let scoped = CompanyDb::borrowing(&store.db, company_id);
    let member = members::member(&scoped, operator.id)
        .await?
        .filter(Member::active)
        .ok_or_else(|| {
            ServiceError::Rules(vec![FieldViolation::new(
                Field::Company,
                RuleCode::NotFound,
                "no such company",
            )])
        })?;
    sessions::start(store, keys, member).await
}

/// Renews a session with its refresh token (see [`sessions::refresh`]); one that does not
/// check out is `INVALID_CREDENTIALS` and counts as a failed sign-in of the client's address.
pub async fn refresh(
    store: &Store,
    keys: &TokenKeys,
    limits: &SignInLimits,
    refresh_token: &str,
    address: Option<IpAddr>,
) -> ServiceResult<Session> {
    let admitted = limits
        .admit(None, address)
        .map_err(ServiceError::RateLimited)?;
    match sessions::refresh(store, keys, refresh_token).await? {
        Ok(session) => Ok(session),
        Err(refusal) => {
            if refusal == sessions::Refusal::Reused {
                tracing::warn!(
                    ?address,
                    "a used refresh token was presented: its family is revoked"
                );
            }
            admitted.failed();
            Err(invalid_credentials())
        }
    }
}

/// Ends a session or every session of an operator (see [`sessions::logout`]); asking for
/// neither is `INVALID_INPUT`.
pub async fn logout(store: &Store, request: Logout<'_>) -> ServiceResult<u64> {
    if request.refresh_token.is_none() && !request.everywhere {
        return Err(ServiceError::Rules(vec![FieldViolation::new(
            FieldPath::whole(),
            RuleCode::InvalidInput,
            "give the refreshToken of the session to end, or everywhere: true",
        )]));
    }
    sessions::logout(store, request).await
}

/// The active member a bearer token names, in the company it is for: a look-up in the
/// company's snapshot (no statement while it is kept).
pub async fn authenticate(
    snapshots: &Snapshots,
    db: &DatabaseConnection,
    keys: &TokenKeys,
    token: &str,
) -> ServiceResult<Member> {
    let verified = keys
        .verify_session(token)
        .ok_or(ServiceError::Unauthenticated)?;
    let snapshot = snapshots.get(db, verified.company_id).await?;
    member_of(&snapshot, &verified)
}

/// The active member a checked token names, in `snapshot` (of the token's company); refused
/// when the membership ended or the token's generation is past.
pub fn member_of(snapshot: &Snapshot, verified: &Verified) -> ServiceResult<Member> {
    if snapshot.company_id() != verified.company_id {
        return Err(ServiceError::Unauthenticated);
    }
    snapshot
        .member(verified.operator_id)
        .filter(|member| {
            member.active()
                && member.operator.token_generation == verified.generation
                && member.membership.token_generation == verified.company_generation
        })
        .cloned()
        .ok_or(ServiceError::Unauthenticated)
}

/// A token for the operator with this login, in the company with this code or their first
/// (for `contactflow token LOGIN [--company CODE]`).
pub async fn token_for_login(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    login: &str,
    company_code: Option<&str>,
) -> ServiceResult<String> {
    let operator = operator::Entity::find()
        .filter(operator::Column::Login.eq(login))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::BadInput(format!("no operator has the login {login:?}")))?;
    let member = membership_for(db, operator, company_code)
        .await?
        .ok_or_else(|| {
            ServiceError::BadInput(match company_code {
                Some(code) => {
                    format!("operator {login:?} is not an active member of company {code:?}")
                }
                None => format!("operator {login:?} is not an active member of any company"),
            })
        })?;
    Ok(sessions::bearer_token(keys, &member)?.token)
}

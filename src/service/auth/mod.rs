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
}

/// Refuses a login or password the database could not even look up (a NUL).
fn check_credentials(attempt: &SignIn<'_>) -> ServiceResult<()> {
    let mut problems = Vec::new();
    for (field, what, value) in [
        (Field::Login, "login", attempt.login),
        (Field::Password, "password", attempt.password),
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

/// Checks a login and password and starts a session; an unknown login, an inactive operator
/// and a wrong password all give the same `INVALID_CREDENTIALS`. A login or address that failed
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
    match found {
        Some(operator) if matches && operator.active => {
            admitted.succeeded();
            sessions::start(store, keys, operator).await
        }
        _ => {
            admitted.failed();
            Err(invalid_credentials())
        }
    }
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

/// The active operator a bearer token names.
pub async fn authenticate(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    token: &str,
) -> ServiceResult<operator::Model> {
    let verified = keys
        .verify_session(token)
        .ok_or(ServiceError::Unauthenticated)?;
    operator::Entity::find_by_id(verified.operator_id)
        .one(db)
        .await?
        .filter(|operator| operator.active && operator.token_generation == verified.generation)
        .ok_or(ServiceError::Unauthenticated)
}

/// A token for the operator with this login (for `contactflow token LOGIN`).
pub async fn token_for_login(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    login: &str,
) -> ServiceResult<String> {
    let operator = operator::Entity::find()
        .filter(operator::Column::Login.eq(login))
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::BadInput(format!("no operator has the login {login:?}")))?;
    if !operator.active {
        return Err(ServiceError::BadInput(format!(
            "operator {login:?} is inactive"
        )));
    }
    Ok(keys.issue(operator.id, operator.token_generation)?.token)
}

//! Signing in and being signed in: passwords checked on a bounded set of hashing workers
//! ([`passwords`]), failed sign-ins limited per login and per client address ([`limiter`]),
//! bearer tokens ([`tokens`]), and the operator a token names.

mod limiter;
pub mod passwords;
mod tokens;

use std::net::IpAddr;
use std::sync::LazyLock;

use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};

pub use limiter::SignInLimits;
pub use passwords::Passwords;
pub use tokens::{TokenKeys, token_secret};

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

/// Checks a login and password; an unknown login, an inactive operator and a wrong password
/// all give the same `INVALID_CREDENTIALS`. A login or address that failed too often is
/// refused with [`ServiceError::RateLimited`] before any password is checked.
pub async fn login(
    store: &Store,
    keys: &TokenKeys,
    limits: &SignInLimits,
    attempt: SignIn<'_>,
) -> ServiceResult<(String, operator::Model)> {
    check_credentials(&attempt)?;
    let login = attempt.login.trim();
    let admitted = limits
        .admit(login, attempt.address)
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
            Ok((keys.issue(operator.id)?, operator))
        }
        _ => {
            admitted.failed();
            Err(ServiceError::Rules(vec![FieldViolation::new(
                FieldPath::whole(),
                RuleCode::InvalidCredentials,
                "wrong login or password",
            )]))
        }
    }
}

/// The active operator a bearer token names.
pub async fn authenticate(
    db: &DatabaseConnection,
    keys: &TokenKeys,
    token: &str,
) -> ServiceResult<operator::Model> {
    let operator_id = keys.verify(token).ok_or(ServiceError::Unauthenticated)?;
    operator::Entity::find_by_id(operator_id)
        .one(db)
        .await?
        .filter(|operator| operator.active)
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
    keys.issue(operator.id)
}

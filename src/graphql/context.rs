//! What every resolver can reach: the shared application state, the request's credentials and
//! its data loader; and the signed-in caller, resolved once per request.

use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::DataLoader;
use sea_orm::DatabaseConnection;
use tokio::sync::OnceCell;

use super::errors::{ApiResult, to_graphql};
use super::loaders::Loaders;
use crate::domain::Role;
use crate::entity::operator;
use crate::reminders::ReminderEngine;
use crate::service::auth::{self, TokenKeys};
use crate::service::{ServiceError, ServiceResult};

/// Shared by every request: the database and the token keys.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Signs and checks bearer tokens.
    pub keys: TokenKeys,
    /// Schedules reminders and announces them to subscribers.
    pub reminders: Arc<ReminderEngine>,
}

/// The credentials a request came with; the caller is looked up once, on first need.
#[derive(Default)]
pub struct RequestAuth {
    token: Option<String>,
    caller: OnceCell<Option<operator::Model>>,
}

impl RequestAuth {
    /// Credentials from a bearer token (or none).
    pub fn new(token: Option<String>) -> Self {
        Self {
            token,
            caller: OnceCell::new(),
        }
    }
}

/// The signed-in operator and role.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The operator's row.
    pub operator: operator::Model,
    /// The operator's role.
    pub role: Role,
}

/// The application state.
pub fn state<'a>(ctx: &Context<'a>) -> &'a AppState {
    ctx.data_unchecked::<AppState>()
}

/// The database.
pub fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    &state(ctx).db
}

/// The request's data loader.
pub fn loader<'a>(ctx: &Context<'a>) -> &'a DataLoader<Loaders> {
    ctx.data_unchecked::<DataLoader<Loaders>>()
}

async fn resolve(ctx: &Context<'_>) -> ServiceResult<Caller> {
    let app = state(ctx);
    let Some(auth) = ctx.data_opt::<RequestAuth>() else {
        return Err(ServiceError::Unauthenticated);
    };
    let operator = auth
        .caller
        .get_or_try_init(|| async {
            match &auth.token {
                None => Ok(None),
                Some(token) => match auth::authenticate(&app.db, &app.keys, token).await {
                    Ok(operator) => Ok(Some(operator)),
                    Err(ServiceError::Unauthenticated) => Ok(None),
                    Err(other) => Err(other),
                },
            }
        })
        .await?
        .clone()
        .ok_or(ServiceError::Unauthenticated)?;
    let role = crate::service::catalog::operator_role(&operator)?;
    Ok(Caller { operator, role })
}

/// The signed-in caller, or an `UNAUTHENTICATED` error.
pub async fn caller(ctx: &Context<'_>) -> async_graphql::Result<Caller> {
    resolve(ctx).await.api()
}

/// The signed-in caller if they are an ADMIN, else `FORBIDDEN`.
pub async fn admin(ctx: &Context<'_>) -> async_graphql::Result<Caller> {
    let caller = caller(ctx).await?;
    if caller.role.may_configure() {
        Ok(caller)
    } else {
        Err(to_graphql(&ServiceError::Forbidden(
            "only an ADMIN may change the configuration".to_owned(),
        )))
    }
}

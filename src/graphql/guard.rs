//! Who may resolve what, in one place. Every root type (`Query`, each part of `Mutation`,
//! `Subscription`) declares [`SignedIn`] as the guard of all its fields, so a field is refused
//! with `UNAUTHENTICATED` unless a valid token came with the request — a new field included.
//! The few fields anyone may call say [`Public`]. Resolvers then read the caller with
//! [`signed_in`], resolved once per request.

use async_graphql::{Context, Guard, Result};

use super::context::{RequestAuth, state};
use super::errors::{ApiResult, to_graphql};
use crate::domain::Role;
use crate::entity::{membership, operator};
use crate::service::members::Member;
use crate::service::writes::Actor;
use crate::service::{ServiceError, auth};

/// The signed-in operator, in the company their token is for.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The operator's row.
    pub operator: operator::Model,
    /// Their membership of the token's company.
    pub membership: membership::Model,
}

impl Caller {
    /// The operator's role in the token's company.
    pub fn role(&self) -> Role {
        self.membership.role
    }

    /// The company the token is for.
    pub fn company_id(&self) -> i64 {
        self.membership.company_id
    }

    /// The caller as their company knows them.
    pub fn member(&self) -> Member {
        Member {
            operator: self.operator.clone(),
            membership: self.membership.clone(),
        }
    }

    /// The caller as the writer of a use case.
    pub fn actor(&self) -> Actor {
        Actor {
            operator_id: self.operator.id,
            role: self.membership.role,
            company_id: self.membership.company_id,
        }
    }
}

/// Resolves the request's caller, once; `None` without a valid token.
async fn resolve<'a>(ctx: &Context<'a>) -> Result<Option<&'a Caller>> {
    let Some(credentials) = ctx.data_opt::<RequestAuth>() else {
        return Ok(None);
    };
    let app = state(ctx);
    let caller = credentials
        .caller
        .get_or_try_init(|| async {
            let Some(token) = &credentials.token else {
                return Ok(None);
            };
            match auth::authenticate(app.db(), &app.keys, token).await {
                Ok(Member {
                    operator,
                    membership,
                }) => Ok(Some(Caller {
                    operator,
                    membership,
                })),
                Err(ServiceError::Unauthenticated) => Ok(None),
                Err(other) => Err(other),
            }
        })
        .await
        .api()?;
    Ok(caller.as_ref())
}

/// The guard of every root field: a valid token came with the request.
pub struct SignedIn;

impl Guard for SignedIn {
    async fn check(&self, ctx: &Context<'_>) -> Result<()> {
        match resolve(ctx).await? {
            Some(_) => Ok(()),
            None => Err(to_graphql(&ServiceError::Unauthenticated)),
        }
    }
}

/// The guard of the root fields anyone may call (signing in).
pub struct Public;

impl Guard for Public {
    async fn check(&self, _: &Context<'_>) -> Result<()> {
        Ok(())
    }
}

/// The caller when the request carried a valid token, for the fields anyone may call.
pub async fn maybe_signed_in<'a>(ctx: &Context<'a>) -> Result<Option<&'a Caller>> {
    resolve(ctx).await
}

/// The signed-in caller, as the root field's [`SignedIn`] guard resolved it.
pub fn signed_in<'a>(ctx: &Context<'a>) -> Result<&'a Caller> {
    ctx.data_opt::<RequestAuth>()
        .and_then(|credentials| credentials.caller.get())
        .and_then(Option::as_ref)
        .ok_or_else(|| to_graphql(&ServiceError::Unauthenticated))
}

//! Who may resolve what, in one place. Every root type (`Query`, each part of `Mutation`,
//! `Subscription`) declares [`SignedIn`] as the guard of all its fields, so a field is refused
//! with `UNAUTHENTICATED` unless a valid token came with the request — a new field included.
//! The few fields anyone may call say [`Public`]. Resolvers then read the caller with
//! [`signed_in`], resolved once per request.

use async_graphql::{Context, ContextBase, Guard, Result};

use super::context::{RequestAuth, state};
use super::errors::{ApiResult, to_graphql};
use super::sharing::Sharing;
use crate::service::members::Member;
use crate::service::{ServiceError, auth};

/// The signed-in operator, as the company their token is for knows them.
pub type Caller = Member;

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
            let Some(verified) = app.keys.verify_session(token) else {
                return Ok(None);
            };
            // The request's own snapshot when it reads for the token's company (it always
            // does: its reads were set up from the same token).
            let snapshot = match super::context::snapshot(ctx).await {
                Ok(snapshot) if snapshot.company_id() == verified.company_id => Ok(snapshot),
                _ => app.store.snapshots.get(app.db(), verified.company_id).await,
            };
            match snapshot.and_then(|snapshot| auth::member_of(&snapshot, &verified)) {
                Ok(member) => Ok(Some(member)),
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
    watched(ctx);
    resolve(ctx).await
}

/// The signed-in caller, as the root field's [`SignedIn`] guard resolved it. An answer that
/// asks is the caller's own: a subscriber shares it with nobody else.
pub fn signed_in<'a>(ctx: &Context<'a>) -> Result<&'a Caller> {
    watched(ctx);
    known(ctx).ok_or_else(|| to_graphql(&ServiceError::Unauthenticated))
}

/// The caller the guard resolved, without making the answer the caller's own: for what only
/// tells answers apart ([`crate::graphql::sharing`]).
pub(super) fn known<'a, T>(ctx: &ContextBase<'a, T>) -> Option<&'a Caller> {
    ctx.data_opt::<RequestAuth>()
        .and_then(|credentials| credentials.caller.get())
        .and_then(Option::as_ref)
}

/// Notes that the answer being made looks at the caller.
fn watched(ctx: &Context<'_>) {
    if let Some(sharing) = ctx.data_opt::<std::sync::Arc<Sharing>>() {
        sharing.caller_used();
    }
}

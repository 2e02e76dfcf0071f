//! Signing in.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

use crate::graphql::context::state;
use crate::graphql::errors::{UserError, user_errors};
use crate::graphql::types::config::Operator;
use crate::service::auth;

/// Sign-in mutations.
#[derive(Default)]
pub struct AuthMutation;

/// A login and password.
#[derive(InputObject)]
pub struct LoginInput {
    /// The operator's login.
    pub login: String,
    /// The operator's password.
    #[graphql(secret)]
    pub password: String,
}

/// The answer to `login`.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// A bearer token for `Authorization: Bearer <token>` (or the WebSocket `connection_init` payload).
    pub token: Option<String>,
    /// The signed-in operator.
    pub operator: Option<Operator>,
    /// Why sign-in failed (`INVALID_CREDENTIALS`).
    pub user_errors: Vec<UserError>,
}

#[Object]
impl AuthMutation {
    /// Signs in with a login and password; needs no token.
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<LoginPayload> {
        let app = state(ctx);
        let outcome =
            user_errors(auth::login(&app.db, &app.keys, &input.login, &input.password).await)?;
        Ok(match outcome {
            Ok((token, operator)) => LoginPayload {
                token: Some(token),
                operator: Some(Operator(operator)),
                user_errors: vec![],
            },
            Err(errors) => LoginPayload {
                token: None,
                operator: None,
                user_errors: errors,
            },
        })
    }
}

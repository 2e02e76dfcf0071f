//! Signing in.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};

use crate::graphql::context::{client_address, state};
use crate::graphql::errors::{UserError, answer, payloads, usual_names};
use crate::graphql::guard::Public;
use crate::graphql::types::config::Operator;
use crate::service::auth::{self, SignIn};

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
#[derive(SimpleObject, Default)]
pub struct LoginPayload {
    /// A bearer token for `Authorization: Bearer <token>` (or the WebSocket `connection_init` payload).
    pub token: Option<String>,
    /// The signed-in operator.
    pub operator: Option<Operator>,
    /// Why sign-in failed (`INVALID_CREDENTIALS`).
    pub user_errors: Vec<UserError>,
}

payloads!(LoginPayload);

#[Object(guard = "crate::graphql::guard::SignedIn")]
impl AuthMutation {
    /// Signs in with a login and password; needs no token.
    #[graphql(guard = "Public")]
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<LoginPayload> {
        let app = state(ctx);
        let attempt = SignIn {
            login: &input.login,
            password: &input.password,
            address: client_address(ctx),
        };
        let outcome = auth::login(&app.store, &app.keys, &app.sign_ins, attempt).await;
        answer(outcome, usual_names, |(token, operator)| LoginPayload {
            token: Some(token),
            operator: Some(Operator(operator)),
            user_errors: vec![],
        })
    }
}

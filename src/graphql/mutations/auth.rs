//! Signing in, renewing a session with a refresh token, and signing out.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use crate::graphql::context::{client_address, state};
use crate::graphql::errors::{UserError, answer, payloads, usual_names};
use crate::graphql::guard::{self, Public, maybe_signed_in};
use crate::graphql::ids::{self, kind};
use crate::graphql::scalars::{DateTime, int};
use crate::graphql::types::config::Operator;
use crate::service::auth::{self, Logout, Session, SignIn};

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
    /// The code of the company to work for (its `Company.code`); absent: the operator's first
    /// company by code. One the operator is not an active member of: `INVALID_CREDENTIALS`.
    pub company_code: Option<String>,
}

/// The company to switch to.
#[derive(InputObject)]
pub struct SwitchCompanyInput {
    /// The company's global id (one of `companies`).
    pub company_id: ID,
}

/// The answer to `login` and `refreshToken`.
#[derive(SimpleObject, Default)]
pub struct LoginPayload {
    /// A bearer token for `Authorization: Bearer <token>` (or the WebSocket `connection_init` payload).
    pub token: Option<String>,
    /// When `token` expires (`CONTACTFLOW_TOKEN_TTL_SECONDS` after it was issued).
    pub expires_at: Option<DateTime>,
    /// Exchanges, once, for a new `token` with `refreshToken` (opaque; present whenever `token`
    /// is). Keep it where the platform keeps secrets (the keychain, the keystore).
    pub refresh_token: Option<String>,
    /// The signed-in operator.
    pub operator: Option<Operator>,
    /// Why sign-in failed (`INVALID_CREDENTIALS`).
    pub user_errors: Vec<UserError>,
}

/// A refresh token to exchange.
#[derive(InputObject)]
pub struct RefreshTokenInput {
    /// The refresh token of the last `login` or `refreshToken`.
    #[graphql(secret)]
    pub refresh_token: String,
}

/// What to sign out of.
#[derive(InputObject)]
pub struct LogoutInput {
    /// The refresh token of the session to end (this device's).
    #[graphql(secret)]
    pub refresh_token: Option<String>,
    /// true: end every session of the operator, on every device: every refresh token and every
    /// bearer token issued so far stop working and open WebSockets close with 4403.
    #[graphql(default_with = "Some(false)")]
    pub everywhere: Option<bool>,
}

/// The answer to `logout`.
#[derive(SimpleObject, Default)]
pub struct LogoutPayload {
    /// How many refresh tokens stopped working.
    pub revoked: i32,
    /// Why nothing was signed out (`INVALID_INPUT`: neither a refresh token nor everywhere).
    pub user_errors: Vec<UserError>,
}

payloads!(LoginPayload, LogoutPayload);

fn signed_in(session: Session) -> LoginPayload {
    LoginPayload {
        token: Some(session.token),
        operator: Some(Operator(session.member)),
        user_errors: vec![],
        refresh_token: Some(session.refresh_token),
        expires_at: Some(session.expires_at.into()),
    }
}

/// Sign-in mutations.
#[Object(guard = "crate::graphql::guard::SignedIn")]
impl AuthMutation {
    /// Signs in with a login and password; needs no token.
    #[graphql(guard = "Public")]
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: LoginInput,
    ) -> Result<LoginPayload> {
        let app = state(ctx);
        let attempt = SignIn {
            login: &input.login,
            password: &input.password,
            address: client_address(ctx),
            company_code: input.company_code.as_deref(),
        };
        let outcome = auth::login(&app.store, &app.keys, &app.sign_ins, attempt).await;
        answer(outcome, usual_names, signed_in)
    }

    /// Needs no bearer token: exchanges a refresh token for a new token and a new refresh token.
    /// The one sent stops working; sent again, it ends its whole session (every token descended
    /// from the same sign-in) and answers `INVALID_CREDENTIALS`, as an unknown, expired or revoked
    /// one does, or one of a deactivated operator.
    #[graphql(guard = "Public")]
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: RefreshTokenInput,
    ) -> Result<LoginPayload> {
        let app = state(ctx);
        let outcome = auth::refresh(
            &app.store,
            &app.keys,
            &app.sign_ins,
            &input.refresh_token,
            client_address(ctx),
        )
        .await;
        answer(outcome, usual_names, signed_in)
    }

    /// A token (and refresh token) for another company the caller belongs to; the caller's
    /// current session goes on. A company the caller is not an active member of: `NOT_FOUND`.
    async fn switch_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: SwitchCompanyInput,
    ) -> Result<LoginPayload> {
        let app = state(ctx);
        let who = guard::signed_in(ctx)?;
        let company = ids::filter_value(&input.company_id, kind::COMPANY);
        let outcome = auth::switch_company(&app.store, &app.keys, &who.operator, company).await;
        answer(outcome, usual_names, signed_in)
    }

    /// Revokes the given refresh token, or with everywhere: true every refresh token and every
    /// token of the caller (the bearer token's operator, else the refresh token's).
    #[graphql(guard = "Public")]
    async fn logout(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: LogoutInput,
    ) -> Result<LogoutPayload> {
        let caller = maybe_signed_in(ctx).await?.cloned();
        let request = Logout {
            caller: caller.as_ref(),
            refresh_token: input.refresh_token.as_deref(),
            everywhere: input.everywhere.unwrap_or(false),
        };
        let outcome = auth::logout(&state(ctx).store, request).await;
        answer(outcome, usual_names, |revoked| LogoutPayload {
            revoked: int(revoked),
            user_errors: vec![],
        })
    }
}

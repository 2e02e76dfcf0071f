//! Sessions that outlive a bearer token: each sign-in starts a family of refresh tokens. A
//! refresh token is random, kept only as its SHA-256, and used once: `refresh` exchanges it for
//! a new bearer token and the family's next refresh token. A used one presented again (stolen,
//! or replayed) revokes the whole family. `logout` ends a family, or with `everywhere` every
//! family and every bearer token of the operator (their generation is raised).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::tokens::{Issued, TokenKeys};
use crate::entity::{membership, operator, refresh_token};
use crate::service::company::{self, InCompany};
use crate::service::digest::sha256_hex;
use crate::service::members::{self, Member};
use crate::service::writes::Write;
use crate::service::{ServiceError, ServiceResult, Store, clock};

/// Longest refresh token looked up; anything longer is not one of ours.
const REFRESH_TOKEN_MAX: usize = 200;

/// A signed-in session as a client receives it.
#[derive(Debug, Clone)]
pub struct Session {
    /// The bearer token.
    pub token: String,
    /// When the bearer token expires.
    pub expires_at: DateTime<Utc>,
    /// The refresh token that renews it, once.
    pub refresh_token: String,
    /// Who is signed in, as the company the session works for knows them.
    pub member: Member,
}

/// Why a refresh token does not renew a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown, expired, revoked, or its operator is no longer an active member of its company.
    NotValid,
    /// It was used already: its family is revoked.
    Reused,
}

fn hash(token: &str) -> String {
    sha256_hex(token)
}

fn random(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buffer);
    URL_SAFE_NO_PAD.encode(buffer)
}

/// Stores a new refresh token of `family` for the member; the token itself.
async fn add_refresh_token(
    db: &impl ConnectionTrait,
    keys: &TokenKeys,
    member: &Member,
    family: String,
    now: DateTime<Utc>,
) -> ServiceResult<String> {
    let token = random(32);
    let ttl = chrono::Duration::from_std(keys.refresh_ttl())
        .map_err(|_| ServiceError::Internal("refresh token lifetime out of range".to_owned()))?;
    refresh_token::ActiveModel {
        id: NotSet,
        company_id: Set(member.membership.company_id),
        operator_id: Set(member.operator.id),
        family: Set(family),
        token_hash: Set(hash(&token)),
        created_at: Set(now),
        expires_at: Set(now + ttl),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// A bearer token for a member, in their company and the current generations of their tokens
/// (theirs, and theirs for that company).
pub(super) fn bearer_token(keys: &TokenKeys, member: &Member) -> ServiceResult<Issued> {
    let generations = (
        member.operator.token_generation,
        member.membership.token_generation,
    );
    keys.issue_for(
        member.operator.id,
        generations,
        member.membership.company_id,
    )
}

/// The session of a member whose refresh token was just stored.
fn session(keys: &TokenKeys, member: Member, refresh_token: String) -> ServiceResult<Session> {
    let issued = bearer_token(keys, &member)?;
    Ok(Session {
        token: issued.token,
        expires_at: issued.expires_at,
        refresh_token,
        member,
    })
}

/// Starts a session for a member who just signed in (or switched company): a bearer token
/// for their company and a new family.
pub async fn start(store: &Store, keys: &TokenKeys, member: Member) -> ServiceResult<Session> {
    let write = Write::begin(store, member.membership.company_id).await?;
    let refresh_token = add_refresh_token(&*write, keys, &member, random(16), clock::now()).await?;
    write.commit().await?;
    session(keys, member, refresh_token)
}

/// Revokes the live (neither used nor revoked) tokens that `which` selects; how many there were.
async fn revoke_live(
    db: &impl ConnectionTrait,
    which: sea_orm::sea_query::SimpleExpr,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    let revoked = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now))
        .filter(which)
        .filter(refresh_token::Column::RevokedAt.is_null())
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(revoked.rows_affected)
}

/// Revokes the live tokens of a family; how many there were.
async fn revoke_family(
    db: &impl ConnectionTrait,
    family: &str,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    revoke_live(db, refresh_token::Column::Family.eq(family), now).await
}

/// The member a refresh token may still renew a session for, or why not.
async fn live_owner(
    db: &impl InCompany,
    row: &refresh_token::Model,
    now: DateTime<Utc>,
) -> ServiceResult<Result<Member, Refusal>> {
    if row.used_at.is_some() {
        return Ok(Err(Refusal::Reused));
    }
    if row.revoked_at.is_some() || row.expires_at <= now {
        return Ok(Err(Refusal::NotValid));
    }
    let owner = members::member(db, row.operator_id)
        .await?
        .filter(Member::active);
    Ok(owner.ok_or(Refusal::NotValid))
}

/// The stored row of a refresh token as a client sent it.
async fn find(
    db: &impl ConnectionTrait,
    token: &str,
) -> ServiceResult<Option<refresh_token::Model>> {
    if token.is_empty() || token.len() > REFRESH_TOKEN_MAX {
        return Ok(None);
    }
    Ok(refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash(token)))
        .one(db)
        .await?)
}

/// Exchanges a refresh token for a new bearer token and the family's next refresh token. Two
/// uses of one token, even at once, are a reuse: the family is revoked and both refused.
pub async fn refresh(
    store: &Store,
    keys: &TokenKeys,
    token: &str,
) -> ServiceResult<Result<Session, Refusal>> {
    // The company is the refresh token's: known once its row is read.
    let mut write = Write::begin(store, 0).await?;
    let Some(row) = find(&*write, token).await? else {
        return Ok(Err(Refusal::NotValid));
    };
    write.switch_to(row.company_id).await?;
    let now = clock::now();
    let owner = match live_owner(&*write, &row, now).await? {
        Ok(owner) => owner,
        Err(Refusal::Reused) => {
            revoke_family(&*write, &row.family, now).await?;
            write.commit().await?;
            return Ok(Err(Refusal::Reused));
        }
        Err(refusal) => return Ok(Err(refusal)),
    };
    let claimed = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(row.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(&*write)
        .await?;
    if claimed.rows_affected != 1 {
        revoke_family(&*write, &row.family, now).await?;
        write.commit().await?;
        return Ok(Err(Refusal::Reused));
    }
    let refresh_token = add_refresh_token(&*write, keys, &owner, row.family, now).await?;
    write.commit().await?;
    session(keys, owner, refresh_token).map(Ok)
}

/// Ends the sessions of an operator in the write's company (their membership is being
/// deactivated), and nowhere else: its live refresh tokens are revoked, the generation of their
/// bearer tokens for it raised (so that reactivation does not bring them back) and their open
/// sockets told to close.
pub async fn end_company_sessions(
    write: &mut Write<'_>,
    operator_id: i64,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    let which = refresh_token::Column::OperatorId
        .eq(operator_id)
        .and(refresh_token::Column::CompanyId.eq(write.company_id()));
    let revoked = revoke_live(&**write, which, now).await?;
    company::update_many::<membership::Entity>(&**write)
        .col_expr(
            membership::Column::TokenGeneration,
            Expr::col(membership::Column::TokenGeneration).add(1),
        )
        .filter(membership::Column::OperatorId.eq(operator_id))
        .exec(&**write)
        .await?;
    write.operator_revoked(operator_id);
    write.configuration_changed();
    Ok(revoked)
}

/// Ends every session of an operator, in every company, inside `write`: their live refresh tokens are revoked,
/// the generation of their bearer tokens raised (every earlier one is refused) and their open
/// sockets told to close. How many refresh tokens stopped working.
pub async fn end_every_session(
    write: &mut Write<'_>,
    operator_id: i64,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    let which = refresh_token::Column::OperatorId.eq(operator_id);
    let revoked = revoke_live(&**write, which, now).await?;
    operator::Entity::update_many()
        .col_expr(
            operator::Column::TokenGeneration,
            Expr::col(operator::Column::TokenGeneration).add(1),
        )
        .filter(operator::Column::Id.eq(operator_id))
        .exec(&**write)
        .await?;
    write.operator_revoked(operator_id);
    write.person_changed();
    Ok(revoked)
}

/// What a logout asks for.
#[derive(Debug, Clone, Copy)]
pub struct Logout<'a> {
    /// The operator of the request's bearer token, when it carried a valid one.
    pub caller: Option<&'a Member>,
    /// The refresh token whose session ends.
    pub refresh_token: Option<&'a str>,
    /// Whether every session and bearer token of the operator ends.
    pub everywhere: bool,
}

/// Ends the session of a refresh token, or every session of an operator; how many refresh
/// tokens stopped working. With `everywhere`, the operator is the caller, else the owner of the
/// given refresh token; their bearer tokens stop working and their sockets close.
pub async fn logout(store: &Store, request: Logout<'_>) -> ServiceResult<u64> {
    let company = request
        .caller
        .map_or(0, |caller| caller.membership.company_id);
    let mut write = Write::begin(store, company).await?;
    let now = clock::now();
    let mut revoked = 0;
    let mut owner = request.caller.map(|caller| caller.operator.id);
    if let Some(token) = request.refresh_token
        && let Some(row) = find(&*write, token).await?
    {
        if row.revoked_at.is_none() && row.used_at.is_none() && row.expires_at > now {
            owner = owner.or(Some(row.operator_id));
        }
        revoked += revoke_family(&*write, &row.family, now).await?;
    }
    if request.everywhere {
        let Some(operator_id) = owner else {
            return Err(ServiceError::Unauthenticated);
        };
        revoked += end_every_session(&mut write, operator_id, now).await?;
    }
    write.commit().await?;
    Ok(revoked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_tokens_are_random_and_kept_as_hashes() {
        let (one, two) = (random(32), random(32));
        assert_ne!(one, two);
        assert_eq!(one.len(), 43);
        assert_eq!(hash(&one).len(), 64);
        assert_ne!(hash(&one), hash(&two));
        assert_eq!(hash(&one), hash(&one.clone()));
    }
}

//! Bearer tokens: HS256 with required `sub` and `exp`, signed with the token secret (configured,
//! or generated once and kept in the `settings` table). A token carries the generation of its
//! operator's tokens (`gen`): raising it (`logout(everywhere: true)`) refuses every earlier one.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sea_orm::{ActiveValue::Set, DatabaseConnection, EntityTrait};
use serde::{Deserialize, Serialize};

use crate::entity::setting;
use crate::service::{ServiceError, ServiceResult, clock};

const SECRET_SETTING: &str = "jwt_secret";

/// Signs and checks bearer tokens; one algorithm (HS256), `sub` and `exp` required.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: Arc<EncodingKey>,
    decoding: Arc<DecodingKey>,
    validation: Arc<Validation>,
    ttl: Duration,
    refresh_ttl: Duration,
}

/// How long a refresh token lasts unless told otherwise.
pub const REFRESH_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    iat: i64,
    /// The generation of the operator's tokens it was issued in (absent: the first).
    #[serde(default, skip_serializing_if = "is_zero")]
    #[serde(rename = "gen")]
    generation: i32,
    /// The company it works for (absent in tokens made before companies: refused).
    #[serde(default)]
    cid: i64,
    /// The generation of the operator's tokens for that company (raised when the membership
    /// is deactivated; absent: the first).
    #[serde(default, skip_serializing_if = "is_zero")]
    mgen: i32,
}

fn is_zero(value: &i32) -> bool {
    *value == 0
}

/// What a genuine, unexpired token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    /// The operator it was issued to.
    pub operator_id: i64,
    /// The generation of the operator's tokens it belongs to.
    pub generation: i32,
    /// The company it works for.
    pub company_id: i64,
    /// The generation of the operator's tokens for that company.
    pub company_generation: i32,
}

/// A token just issued and when it expires.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The bearer token.
    pub token: String,
    /// When it stops working.
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

impl TokenKeys {
    /// Keys from a secret; tokens live for `ttl`.
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["sub", "exp"]);
        validation.leeway = 5;
        Self {
            encoding: Arc::new(EncodingKey::from_secret(secret)),
            decoding: Arc::new(DecodingKey::from_secret(secret)),
            validation: Arc::new(validation),
            ttl,
            refresh_ttl: REFRESH_TTL,
        }
    }

    /// The same keys, with refresh tokens lasting `ttl`.
    pub fn refreshing_for(mut self, ttl: Duration) -> Self {
        self.refresh_ttl = ttl;
        self
    }

    /// How long a refresh token lasts.
    pub fn refresh_ttl(&self) -> Duration {
        self.refresh_ttl
    }

    /// A token for an operator working for a company, in the given generation of their tokens.
    pub fn issue(
        &self,
        operator_id: i64,
        generation: i32,
        company_id: i64,
    ) -> ServiceResult<Issued> {
        self.issue_for(operator_id, (generation, 0), company_id)
    }

    /// A token for an operator working for a company, in the given generations of their tokens
    /// (theirs, and theirs for that company).
    pub fn issue_for(
        &self,
        operator_id: i64,
        (generation, company_generation): (i32, i32),
        company_id: i64,
    ) -> ServiceResult<Issued> {
        let now = clock::now().timestamp();
        let exp = now + i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let claims = Claims {
            sub: operator_id.to_string(),
            iat: now,
            exp,
            generation,
            cid: company_id,
            mgen: company_generation,
        };
        let token =
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
                .map_err(|error| ServiceError::Internal(format!("cannot sign token: {error}")))?;
        let expires_at = chrono::DateTime::from_timestamp(exp, 0)
            .ok_or_else(|| ServiceError::Internal("token expiry out of range".to_owned()))?;
        Ok(Issued { token, expires_at })
    }

    /// When a genuine token expires.
    pub fn expiry(&self, token: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .and_then(|data| chrono::DateTime::from_timestamp(data.claims.exp, 0))
    }

    /// The operator id a token names, if it is genuine and unexpired.
    pub fn verify(&self, token: &str) -> Option<i64> {
        self.verify_session(token)
            .map(|verified| verified.operator_id)
    }

    /// What a genuine, unexpired token says.
    pub fn verify_session(&self, token: &str) -> Option<Verified> {
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).ok()?;
        if data.claims.cid <= 0 {
            return None;
        }
        Some(Verified {
            operator_id: data.claims.sub.parse().ok()?,
            generation: data.claims.generation,
            company_id: data.claims.cid,
            company_generation: data.claims.mgen,
        })
    }
}

/// The token secret: the configured one, else the one kept in the database (generated and
/// stored on first use; concurrent first starts agree on one value).
pub async fn token_secret(
    db: &DatabaseConnection,
    configured: Option<&str>,
) -> ServiceResult<Vec<u8>> {
    if let Some(secret) = configured {
        return Ok(secret.as_bytes().to_vec());
    }
    let mut bytes = [0u8; 48];
    OsRng.fill_bytes(&mut bytes);
    let candidate = setting::ActiveModel {
        key: Set(SECRET_SETTING.to_owned()),
        value: Set(URL_SAFE_NO_PAD.encode(bytes)),
    };
    setting::Entity::insert(candidate)
        .on_conflict_do_nothing_on([setting::Column::Key])
        .exec(db)
        .await?;
    let stored = setting::Entity::find_by_id(SECRET_SETTING.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::Internal("token secret vanished".to_owned()))?;
    Ok(stored.value.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(
            b"a test secret that is long enough!!",
            Duration::from_secs(600),
        )
    }

    #[test]
    fn a_token_names_its_operator() {
        let token = keys().issue(42, 3, 7).unwrap().token;
        assert_eq!(keys().verify(&token), Some(42));
        assert_eq!(
            keys().verify_session(&token),
            Some(Verified {
                operator_id: 42,
                generation: 3,
                company_id: 7,
                company_generation: 0,
            })
        );
    }

    #[test]
    fn a_token_made_before_companies_is_refused() {
        let claims = Claims {
            sub: "42".into(),
            iat: 0,
            exp: clock::now().timestamp() + 60,
            generation: 0,
            cid: 0,
            mgen: 0,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys().encoding)
            .unwrap();
        assert_eq!(keys().verify(&token), None);
    }

    #[test]
    fn a_token_signed_with_another_secret_is_refused() {
        let other = TokenKeys::new(
            b"another secret, also long enough!!",
            Duration::from_secs(600),
        );
        assert_eq!(keys().verify(&other.issue(42, 0, 1).unwrap().token), None);
    }

    #[test]
    fn an_expired_token_is_refused() {
        let claims = Claims {
            sub: "42".into(),
            iat: 0,
            exp: clock::now().timestamp() - 60,
            generation: 0,
            cid: 1,
            mgen: 0,
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &keys().encoding)
            .unwrap();
        assert_eq!(keys().verify(&token), None);
    }

    #[test]
    fn a_token_without_exp_is_refused() {
        #[derive(Serialize)]
        struct NoExpiry {
            sub: String,
        }
        let token = jsonwebtoken::encode(
            &Header::new(Algorithm::HS256),
            &NoExpiry { sub: "42".into() },
            &keys().encoding,
        )
        .unwrap();
        assert_eq!(keys().verify(&token), None);
    }
}

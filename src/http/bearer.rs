//! The bearer token of a request, from an HTTP `Authorization` header or a WebSocket
//! `connection_init` payload, and what a stream that lives on (a WebSocket, a Server-Sent
//! Events stream) checks of it: whose it is and until when, and whether it still works.

use std::time::Duration;

use tokio::time::Instant;

use crate::graphql::AppState;
use crate::service::{ServiceError, ServiceResult, auth, clock};

/// Whom a stream's token names and when the token runs out.
#[derive(Debug, Clone, Copy)]
pub struct StreamCaller {
    /// The signed-in operator.
    pub operator: i64,
    /// When the token expires, on the runtime's clock.
    pub expires: Option<Instant>,
}

/// Checks a stream's token: the operator it names (active) and when it expires.
pub async fn stream_caller(app: &AppState, token: &str) -> ServiceResult<StreamCaller> {
    let signed_in = auth::authenticate(&app.store.snapshots, app.db(), &app.keys, token).await?;
    let expires = app.keys.expiry(token).map(|expiry| {
        let left = (expiry - clock::now()).to_std().unwrap_or(Duration::ZERO);
        Instant::now() + left
    });
    Ok(StreamCaller {
        operator: signed_in.operator.id,
        expires,
    })
}

/// After missing revocations: whether the token no longer names an active operator (a
/// database that cannot answer ends nothing).
pub async fn access_ended(app: &AppState, token: &str) -> bool {
    matches!(
        auth::authenticate(&app.store.snapshots, app.db(), &app.keys, token).await,
        Err(ServiceError::Unauthenticated)
    )
}

/// The token in an `Authorization` value (`Bearer <token>`). A value that is not a bearer token
/// is kept whole, so it fails verification like any bad token; an empty one is no token.
pub fn bearer_token(value: &str) -> Option<String> {
    let value = value.trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => value,
    };
    (!token.is_empty()).then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn a_bearer_token_is_read_from_any_spelling_of_the_scheme() {
        assert_eq!(bearer_token("Bearer abc").as_deref(), Some("abc"));
        assert_eq!(bearer_token("  bearer   abc ").as_deref(), Some("abc"));
        assert_eq!(bearer_token("Basic xyz").as_deref(), Some("Basic xyz"));
        assert_eq!(bearer_token("   "), None);
    }
}

//! The HTTP surface: the GraphQL-over-HTTP handler at `/graphql`, health checks, and the
//! router that ties them together.

mod graphql;
mod health;
mod media;
mod websocket;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tower_http::trace::TraceLayer;

use crate::graphql::{AppState, ContactflowSchema};

/// The token in an `Authorization` value (`Bearer <token>`), from an HTTP header or a WebSocket
/// `connection_init` payload. A value that is not a bearer token is kept whole, so it fails
/// verification like any bad token; an empty one is no token.
pub(crate) fn bearer_token(value: &str) -> Option<String> {
    let value = value.trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => value,
    };
    (!token.is_empty()).then(|| token.to_owned())
}

/// Whether a response is a request error: it failed before execution (parse, validation,
/// variables), so it has errors without a path and no data.
pub(crate) fn failed_before_execution(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty())
}

/// Largest request body accepted at `/graphql`.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What the handlers share.
#[derive(Clone)]
pub struct HttpState {
    /// The executable schema.
    pub schema: ContactflowSchema,
    /// Database and token keys.
    pub app: AppState,
    /// Origins that may open a WebSocket (`*`: any).
    pub allowed_origins: std::sync::Arc<Vec<String>>,
    /// Cancelled when the server shuts down: open sockets close.
    pub shutdown: tokio_util::sync::CancellationToken,
}

/// The application's routes.
pub fn router(state: HttpState) -> Router {
    Router::new()
        .route(
            "/graphql",
            get(graphql::get_request).post(graphql::post_request),
        )
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
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

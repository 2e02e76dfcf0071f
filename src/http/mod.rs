//! The HTTP surface: the GraphQL-over-HTTP handler at `/graphql`, GraphiQL, health checks,
//! metrics, and the router that ties them together.

#[cfg(feature = "bench")]
mod baseline;
pub mod gate;
mod graphiql;
mod graphql;
mod health;
mod lru;
mod media;
pub mod metrics;
pub mod request_id;
mod websocket;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tower_http::trace::TraceLayer;

pub use gate::{DocumentLimits, Gate};
pub use graphql::PersistedQueries;
pub use metrics::Metrics;

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

/// How the HTTP surface behaves, from the settings.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Largest request body accepted (413 above).
    pub max_body_bytes: usize,
    /// Longest a query or mutation may run before it is answered with `TIMEOUT`.
    pub request_timeout: Duration,
    /// Origins that may open a WebSocket (`*`: any).
    pub allowed_origins: Vec<String>,
    /// Whether GraphiQL is served at `/graphiql` (and a browser opening `/graphql` is sent there).
    pub graphiql: bool,
    /// Whether the server was started with `--demo`: GraphiQL then names the demo operators.
    pub demo: bool,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            allowed_origins: vec!["*".to_owned()],
            graphiql: true,
            demo: false,
        }
    }
}

/// What the handlers share.
#[derive(Clone)]
pub struct HttpState {
    /// The executable schema.
    pub schema: ContactflowSchema,
    /// Database and token keys.
    pub app: AppState,
    /// Settings of the HTTP surface.
    pub options: Arc<HttpOptions>,
    /// Checks and caches documents before they run.
    pub gate: Arc<Gate>,
    /// Documents known by their hash.
    pub persisted: Arc<PersistedQueries>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Cancelled when the server shuts down: open sockets close.
    pub shutdown: tokio_util::sync::CancellationToken,
}

/// The application's routes.
pub fn router(state: HttpState) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
        let id = request
            .headers()
            .get(request_id::HEADER)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default();
        tracing::info_span!("request", method = %request.method(), uri = %request.uri().path(), request_id = %id)
    });
    let router = if state.options.graphiql {
        graphiql::routes()
    } else {
        Router::new()
    };
    #[cfg(feature = "bench")]
    let router = router.merge(baseline::routes());
    router
        .route(
            "/graphql",
            get(graphql::get_request).post(graphql::post_request),
        )
        .route("/health/live", get(health::live))
        .route("/health/ready", get(health::ready))
        .route("/metrics", get(metrics::serve))
        .layer(DefaultBodyLimit::max(state.options.max_body_bytes))
        .layer(trace)
        .layer(axum::middleware::from_fn(request_id::assign))
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

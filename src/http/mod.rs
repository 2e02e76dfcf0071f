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

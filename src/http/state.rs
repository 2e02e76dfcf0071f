//! What the HTTP handlers share, and how the HTTP surface behaves (from the settings).

use std::sync::Arc;

use super::monitoring::metrics::Metrics;
use super::operation::Operations;
use crate::graphql::AppState;

/// How the HTTP surface behaves, from the settings.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Largest request body accepted (413 above).
    pub max_body_bytes: usize,
    /// Origins that may open a WebSocket (`*`: any).
    pub allowed_origins: Vec<String>,
    /// Whether GraphiQL is served at `/graphiql` (and a browser opening `/graphql` is sent there).
    pub graphiql: bool,
    /// Whether the reference app is served at `/app`.
    pub app: bool,
    /// Whether the server was started with `--demo`: GraphiQL then names the demo operators.
    pub demo: bool,
    /// Most operations one WebSocket carries at once.
    pub max_subscriptions_per_socket: usize,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024,
            allowed_origins: vec!["*".to_owned()],
            graphiql: true,
            app: true,
            demo: false,
            max_subscriptions_per_socket: 100,
        }
    }
}

/// What the handlers share.
#[derive(Clone)]
pub struct HttpState {
    /// The pipeline every GraphQL operation goes through.
    pub operations: Arc<Operations>,
    /// Database, token keys, reminder engine.
    pub app: AppState,
    /// Settings of the HTTP surface.
    pub options: Arc<HttpOptions>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Cancelled when the server shuts down: open sockets close.
    pub shutdown: tokio_util::sync::CancellationToken,
}

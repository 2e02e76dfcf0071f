//! The HTTP surface: GraphQL over HTTP ([`endpoint`]) and over WebSocket ([`websocket`]), both
//! feeding one operation pipeline ([`operation`]); GraphiQL, health checks and metrics
//! ([`monitoring`]); the reference app at `/app`; the router that ties them together
//! ([`router`]).

mod app;
#[cfg(feature = "bench")]
mod baseline;
mod bearer;
mod browsers;
mod bundle;
mod endpoint;
mod graphiql;
pub mod listener;
mod media;
pub mod monitoring;
pub mod operation;
mod refusal;
pub mod request_id;
mod router;
mod sse;
mod state;
mod websocket;

pub use app::DOCUMENTS as APP_DOCUMENTS;
pub use listener::{ConnectionLimits, serve};
pub use monitoring::metrics::Metrics;
pub use operation::gate::{DocumentLimits, Gate};
pub use operation::{Manifest, Operations, PersistedQueries};
pub use router::router;
pub use state::{HttpOptions, HttpState};

//! Watching the server: liveness (the process answers), readiness (the database answers) and
//! Prometheus metrics ([`metrics`]).

pub mod metrics;

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::state::HttpState;

/// `/health/live`, `/health/ready` and `/metrics`.
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/health/live", get(live))
        .route("/health/ready", get(ready))
        .route("/metrics", get(serve_metrics))
}

/// `/health/live`: the process is up.
async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// How long readiness waits for the database before it answers 503.
const READY_WITHIN: Duration = Duration::from_secs(2);

/// `/health/ready`: the database answers within two seconds; 503 otherwise.
async fn ready(State(state): State<HttpState>) -> (StatusCode, Json<Value>) {
    let pinged = tokio::time::timeout(READY_WITHIN, state.app.db().ping()).await;
    match pinged {
        Ok(Ok(())) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": "ok" })),
        ),
        outcome => {
            let error = match outcome {
                Ok(Err(error)) => error.to_string(),
                _ => format!("no answer within {} s", READY_WITHIN.as_secs()),
            };
            tracing::warn!(%error, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
        }
    }
}

/// `GET /metrics`, in Prometheus' text format.
async fn serve_metrics(State(state): State<HttpState>) -> impl IntoResponse {
    let pushed = metrics::Pushed {
        reminders_delivered: state.app.reminders.delivered(),
        events_delivered: state.app.events.delivered(),
        event_subscribers: state.app.events.subscribers(),
    };
    let pools = (state.app.db(), state.operations.queries_db());
    let text = state.metrics.render(pools, pushed);
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        text,
    )
}

//! Liveness (the process answers) and readiness (the database answers).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use super::HttpState;

/// `/health/live`: the process is up.
pub async fn live() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

/// `/health/ready`: the database answers; 503 otherwise.
pub async fn ready(State(state): State<HttpState>) -> (StatusCode, Json<Value>) {
    match state.app.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ok", "database": "ok" })),
        ),
        Err(error) => {
            tracing::warn!(%error, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "database": "unreachable" })),
            )
        }
    }
}

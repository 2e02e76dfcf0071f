//! Baselines for the load benchmark, built only with the `bench` feature: a plain axum JSON
//! endpoint, and hand-written axum + sqlx endpoints that run the same SQL as the GraphQL
//! queries they are compared with (token check and caller lookup included) and answer JSON of
//! the same shape. They show what the GraphQL layer costs on top of the bare stack.

use axum::Json;
use axum::routing::get;
use serde_json::{Value, json};

use super::state::HttpState;

mod reads;
mod save;

/// The baseline routes.
pub fn routes() -> axum::Router<HttpState> {
    axum::Router::new()
        .route("/baseline/json", get(plain_json))
        .route("/baseline/contact/{id}", get(reads::contact))
        .route("/baseline/contacts", get(reads::contacts))
        .route("/baseline/save", axum::routing::post(save::save))
}

async fn plain_json() -> Json<Value> {
    Json(json!({ "data": { "__typename": "Query" } }))
}

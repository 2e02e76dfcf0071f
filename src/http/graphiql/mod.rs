//! GraphiQL at `/graphiql`: the page and its bundle, all served by this binary so the explorer
//! works with no internet access. `CONTACTFLOW_GRAPHIQL=false` leaves these routes out.

mod assets;
mod examples;
mod page;

use axum::Router;
use axum::extract::State;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::json;

use super::state::HttpState;
use crate::service::clock;

/// The GraphiQL routes.
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/graphiql", get(serve_page))
        .route(
            "/graphiql/",
            get(|| async { Redirect::permanent("../graphiql") }),
        )
        .route("/graphiql/assets/{version}/{file}", get(assets::serve))
}

/// `GET /graphiql`: the page, with example variables taken from the default workflow. If the
/// database cannot be read, the page still opens, with empty ids in the examples.
async fn serve_page(State(state): State<HttpState>) -> Response {
    let example = examples::default_example(state.app.db())
        .await
        .inspect_err(|error| tracing::warn!(%error, "GraphiQL examples: configuration unreadable"))
        .ok()
        .flatten();
    let config = json!({
        "graphqlPath": "graphql",
        "demo": state.options.demo,
        "examples": page::examples(example.as_ref(), clock::now()),
    });
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
            (CONTENT_SECURITY_POLICY, page::CONTENT_SECURITY_POLICY),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (REFERRER_POLICY, "no-referrer"),
        ],
        page::render(&assets::base(), &config),
    )
        .into_response()
}

//! The application's routes. `GET /graphql` is a WebSocket upgrade when it asks for one, else
//! a query over HTTP.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::UPGRADE;
use axum::response::Response;
use axum::routing::get;
use tower_http::trace::TraceLayer;

use super::state::HttpState;
use super::{endpoint, graphiql, monitoring, request_id, websocket};

/// `GET /graphql`: the WebSocket session, or GraphQL over HTTP.
async fn get_graphql(State(state): State<HttpState>, request: Request) -> Response {
    let wants_websocket = request
        .headers()
        .get(UPGRADE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.eq_ignore_ascii_case("websocket"));
    if wants_websocket {
        websocket::upgrade(state, request.into_parts().0).await
    } else {
        endpoint::get_request(state, request).await
    }
}

/// The application's routes.
pub fn router(state: HttpState) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request| {
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
    let router = router.merge(super::baseline::routes());
    router
        .route(
            "/graphql",
            get(get_graphql)
                .post(endpoint::post_request)
                .fallback(endpoint::other_method),
        )
        .merge(monitoring::routes())
        .layer(DefaultBodyLimit::max(state.options.max_body_bytes))
        .layer(trace)
        .layer(axum::middleware::from_fn(request_id::assign))
        .with_state(state)
}

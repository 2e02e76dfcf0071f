//! The application's routes. `GET /graphql` is a WebSocket upgrade when it asks for one, else
//! a query over HTTP.

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::header::UPGRADE;
use axum::response::Response;
use axum::routing::get;
use tower::{ServiceExt, service_fn};
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::trace::TraceLayer;

use super::browsers::Browsers;

use super::state::HttpState;
use super::{app, endpoint, graphiql, media, monitoring, request_id, websocket};

/// Answers smaller than this go uncompressed (compressing them saves less than it costs).
const COMPRESS_ABOVE_BYTES: u64 = 1024;

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
    let router = if state.options.app {
        router.merge(app::routes())
    } else {
        router
    };
    #[cfg(feature = "bench")]
    let router = router.merge(super::baseline::routes());
    let browsers = std::sync::Arc::new(Browsers::new(&state.options.allowed_origins));
    let graphql = get(get_graphql)
        .post(endpoint::post_request)
        .fallback(endpoint::other_method)
        .layer(axum::middleware::from_fn(move |request, next| {
            browsers.clone().apply(request, next)
        }));
    let compress = SizeAbove::new(COMPRESS_ABOVE_BYTES)
        .and(NotForContentType::GRPC)
        .and(NotForContentType::IMAGES)
        .and(NotForContentType::SSE);
    let plain = router
        .route("/graphql", graphql)
        .merge(monitoring::routes())
        .layer(DefaultBodyLimit::max(state.options.max_body_bytes))
        .with_state(state.clone());
    let compressed = plain
        .clone()
        .layer(CompressionLayer::new().compress_when(compress));
    // An event stream is never compressed, and goes around the compression layer: its body
    // (a brotli encoder's state inline, some 6 KiB) would otherwise stay allocated for as long
    // as the stream stays open.
    let either = service_fn(move |request: Request| {
        let routes = if media::wants_event_stream(request.headers()) {
            plain.clone()
        } else {
            compressed.clone()
        };
        routes.oneshot(request)
    });
    Router::new()
        .fallback_service(either)
        .layer(trace)
        .layer(axum::middleware::from_fn(request_id::assign))
}

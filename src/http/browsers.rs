//! What browsers meet at `/graphql`: the origin allow-list (`CONTACTFLOW_ALLOWED_ORIGINS`),
//! answered with CORS (tower-http's `CorsLayer`) for pages served on another origin and applied
//! alike to WebSocket upgrades; and the caching headers of every answer.

use std::time::Duration;

use axum::extract::Request;
use axum::http::header::{
    ACCEPT, ACCESS_CONTROL_REQUEST_METHOD, AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, HOST,
    ORIGIN, VARY,
};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tower::{Layer, ServiceExt};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::refusal::refuse_coded;
use super::request_id;
use crate::graphql::errors::codes;

/// How long a browser may keep a preflight's answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(600);

/// Whether a request's `Origin` may use the API: no header (not a browser), an allowed one, or
/// the server's own (a page it served, such as GraphiQL, whose `Origin` names the `Host` asked
/// for).
pub fn origin_allowed(allowed: &[String], origin: Option<&str>, host: Option<&str>) -> bool {
    let Some(origin) = origin.map(|o| o.trim_end_matches('/')) else {
        return true;
    };
    let own = origin
        .split_once("://")
        .zip(host)
        .is_some_and(|((_, authority), host)| authority.eq_ignore_ascii_case(host.trim()));
    own || listed(allowed, origin)
}

/// Whether an origin is on the list (`*` lists every one).
fn listed(allowed: &[String], origin: &str) -> bool {
    let origin = origin.trim_end_matches('/');
    allowed
        .iter()
        .any(|entry| entry == "*" || entry.trim_end_matches('/').eq_ignore_ascii_case(origin))
}

/// The origin allow-list and the CORS answers it gives.
pub struct Browsers {
    allowed: Vec<String>,
    cors: CorsLayer,
}

impl Browsers {
    /// The rules for these allowed origins (`*`: any).
    pub fn new(allowed: &[String]) -> Self {
        let allow_origin = if allowed.iter().any(|entry| entry == "*") {
            AllowOrigin::any()
        } else {
            let list = allowed.to_vec();
            AllowOrigin::predicate(move |origin, _| {
                origin.to_str().is_ok_and(|origin| listed(&list, origin))
            })
        };
        let request_id = HeaderName::from_static(request_id::HEADER);
        let cors = CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([AUTHORIZATION, CONTENT_TYPE, request_id.clone()])
            .expose_headers([request_id])
            .max_age(PREFLIGHT_MAX_AGE);
        Self {
            allowed: allowed.to_vec(),
            cors,
        }
    }

    /// Whether a request with these headers comes from an origin that may use the API.
    fn admits(&self, headers: &axum::http::HeaderMap) -> bool {
        let text = |name| {
            headers
                .get(name)
                .and_then(|value: &HeaderValue| value.to_str().ok())
        };
        origin_allowed(&self.allowed, text(ORIGIN), text(HOST))
    }

    /// Middleware of `/graphql`: refuses an origin outside the list (403, no CORS headers),
    /// answers a preflight (204), adds CORS headers to the answers of cross-origin requests and
    /// the caching headers to every answer.
    pub async fn apply(self: std::sync::Arc<Self>, request: Request, next: Next) -> Response {
        let headers = request.headers();
        if !self.admits(headers) {
            return refuse_coded(
                StatusCode::FORBIDDEN,
                codes::FORBIDDEN,
                "this origin may not use the API: add it to CONTACTFLOW_ALLOWED_ORIGINS",
            );
        }
        let is_get = request.method() == Method::GET;
        let cross_origin = headers.contains_key(ORIGIN);
        let preflight = request.method() == Method::OPTIONS
            && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD);
        let mut response = if cross_origin && (preflight || request.method() != Method::OPTIONS) {
            match self.cors.layer(next).oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            }
        } else {
            next.run(request).await
        };
        if preflight && response.status() == StatusCode::OK {
            *response.status_mut() = StatusCode::NO_CONTENT;
        }
        if response.status() != StatusCode::SWITCHING_PROTOCOLS {
            cache_headers(&mut response, is_get);
        }
        response
    }
}

/// Answers of `/graphql` name the caller's data: never kept by shared caches nor stored. A GET
/// answer also varies with the media type and encoding the client accepts.
fn cache_headers(response: &mut Response, is_get: bool) {
    let headers = response.headers_mut();
    if !headers.contains_key(CACHE_CONTROL) {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("private, no-store"));
    }
    if is_get {
        for name in [ACCEPT.as_str(), "accept-encoding"] {
            let present = headers.get_all(VARY).iter().any(|value| {
                value.to_str().is_ok_and(|value| {
                    value
                        .split(',')
                        .any(|part| part.trim().eq_ignore_ascii_case(name))
                })
            });
            if !present {
                headers.append(VARY, HeaderValue::from_static(name));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_without_an_origin_or_from_an_allowed_one_are_accepted() {
        let any = vec!["*".to_owned()];
        let listed = vec!["https://crm.example.com".to_owned()];
        let host = Some("api.example.com");
        assert!(origin_allowed(&any, Some("https://evil.example"), host));
        assert!(origin_allowed(&listed, None, host));
        assert!(origin_allowed(
            &listed,
            Some("https://CRM.example.com/"),
            host
        ));
        assert!(!origin_allowed(&listed, Some("https://evil.example"), host));
        assert!(!origin_allowed(&listed, Some("https://evil.example"), None));
    }

    #[test]
    fn the_servers_own_pages_are_accepted_whatever_the_list() {
        let listed = vec!["https://crm.example.com".to_owned()];
        let own = Some("https://api.example.com");
        assert!(origin_allowed(&listed, own, Some("api.example.com")));
        assert!(origin_allowed(
            &listed,
            Some("http://127.0.0.1:8080"),
            Some("127.0.0.1:8080")
        ));
        assert!(!origin_allowed(
            &listed,
            Some("http://127.0.0.1:8081"),
            Some("127.0.0.1:8080")
        ));
        assert!(!origin_allowed(
            &listed,
            Some("https://api.example.com.evil"),
            Some("api.example.com")
        ));
    }

    #[test]
    fn a_get_answer_varies_with_accept_and_encoding_once() {
        let mut response = Response::new(axum::body::Body::empty());
        response
            .headers_mut()
            .append(VARY, HeaderValue::from_static("origin, Accept-Encoding"));
        cache_headers(&mut response, true);
        let vary: Vec<_> = response.headers().get_all(VARY).iter().collect();
        assert_eq!(vary, ["origin, Accept-Encoding", "accept"]);
        assert_eq!(response.headers()[CACHE_CONTROL], "private, no-store");
    }

    #[test]
    fn a_cache_control_set_by_the_handler_is_kept() {
        let mut response = Response::new(axum::body::Body::empty());
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        cache_headers(&mut response, false);
        assert_eq!(response.headers()[CACHE_CONTROL], "no-cache");
        assert!(response.headers().get(VARY).is_none());
    }
}

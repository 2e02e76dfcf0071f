//! Request ids: every HTTP request gets one (a client's `x-request-id` is kept when it is
//! short and plain), it is echoed in the response, carried by the request's log span and shown
//! in internal errors, so a client's report leads to the server's log line.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

/// The header that carries the id.
pub const HEADER: &str = "x-request-id";

/// A request's id, kept in the request's extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

static NEXT: AtomicU64 = AtomicU64::new(1);

/// A new id: this process's start time and a counter, unique per instance and start.
fn generate() -> String {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let prefix = PREFIX.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |since| since.as_nanos());
        format!("{:08x}", (nanos as u64) ^ u64::from(std::process::id()))
    });
    format!("{prefix}-{:x}", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// A client's id, when it is usable: 1–64 letters, digits, `-`, `_` or `.`.
fn usable(value: &HeaderValue) -> Option<String> {
    let text = value.to_str().ok()?;
    let plain = !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'));
    plain.then(|| text.to_owned())
}

/// Gives the request its id and echoes it in the response.
pub async fn assign(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(HEADER)
        .and_then(usable)
        .unwrap_or_else(generate);
    let value = HeaderValue::from_str(&id).ok();
    if let Some(value) = &value {
        request.headers_mut().insert(HEADER, value.clone());
    }
    request.extensions_mut().insert(RequestId(id));
    let mut response = next.run(request).await;
    if let Some(value) = value {
        response.headers_mut().insert(HEADER, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_client_ids_are_kept_and_others_replaced() {
        assert_eq!(
            usable(&HeaderValue::from_static("abc-123_x.y")).as_deref(),
            Some("abc-123_x.y")
        );
        assert_eq!(usable(&HeaderValue::from_static("a b")), None);
        assert_eq!(
            usable(&HeaderValue::from_str(&"a".repeat(65)).unwrap()),
            None
        );
        assert_ne!(generate(), generate());
    }
}

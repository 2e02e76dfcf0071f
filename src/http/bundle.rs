//! The bundles built from `web/` and embedded at compile time (GraphiQL, the reference app):
//! each file served under a versioned path so browsers keep it for good, precompressed with
//! brotli and gzip.

use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::http::media::weighted;

/// One file of a bundle.
pub struct Asset {
    /// The file name, as the page and the script refer to it.
    pub name: &'static str,
    /// The bytes.
    pub raw: &'static [u8],
    /// The bytes, gzip-compressed.
    pub gzip: &'static [u8],
    /// The bytes, brotli-compressed.
    pub brotli: &'static [u8],
}

fn content_type(name: &str) -> &'static str {
    if name.ends_with(".css") {
        "text/css; charset=utf-8"
    } else {
        "text/javascript; charset=utf-8"
    }
}

/// The encoding to send: brotli, then gzip, when the client accepts it (`q=0` refuses).
fn encoding(headers: &HeaderMap) -> Option<&'static str> {
    let accepted = weighted(headers, ACCEPT_ENCODING);
    let accepts = |name: &str| {
        accepted
            .iter()
            .any(|(coding, quality)| (coding == name || coding == "*") && *quality > 0.0)
            && !accepted
                .iter()
                .any(|(coding, quality)| coding == name && *quality <= 0.0)
    };
    ["br", "gzip"].into_iter().find(|name| accepts(name))
}

/// A file of the bundle of `version` (`current`) by name, or 404 — for another version's,
/// which a page from before an upgrade may still ask for, too.
pub fn serve(
    files: &'static [Asset],
    current: &str,
    (version, name): (String, String),
    headers: &HeaderMap,
) -> Response {
    let Some(asset) = files
        .iter()
        .find(|asset| asset.name == name)
        .filter(|_| version == current)
    else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let common = [
        (CONTENT_TYPE, content_type(asset.name)),
        (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (VARY, "accept-encoding"),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    match encoding(headers) {
        Some("br") => (common, [(CONTENT_ENCODING, "br")], asset.brotli).into_response(),
        Some(_) => (common, [(CONTENT_ENCODING, "gzip")], asset.gzip).into_response(),
        None => (common, asset.raw).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn brotli_is_preferred_then_gzip_and_a_zero_quality_refuses() {
        assert_eq!(encoding(&with("gzip, deflate, br")), Some("br"));
        assert_eq!(encoding(&with("gzip")), Some("gzip"));
        assert_eq!(encoding(&with("br;q=0, gzip;q=0.5")), Some("gzip"));
        assert_eq!(encoding(&with("*")), Some("br"));
        assert_eq!(encoding(&with("*, br;q=0")), Some("gzip"));
        assert_eq!(encoding(&with("identity")), None);
        assert_eq!(encoding(&HeaderMap::new()), None);
    }
}

//! The GraphiQL bundle built from `web/graphiql` and embedded at compile time, served under a
//! versioned path so browsers keep it for good, precompressed with brotli and gzip.

use axum::extract::Path;
use axum::http::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, VARY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::http::media::weighted;

/// One file of the bundle.
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

include!(concat!(env!("OUT_DIR"), "/graphiql/assets.rs"));

/// The path prefix of the bundle's files, relative to `/graphiql`.
pub fn base() -> String {
    format!("graphiql/assets/{VERSION}")
}

/// A file of the bundle by name.
pub fn find(name: &str) -> Option<&'static Asset> {
    FILES.iter().find(|asset| asset.name == name)
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

/// `GET /graphiql/assets/{version}/{file}`: a file of this build's bundle; 404 for another
/// version's, which a page from before an upgrade may still ask for.
pub async fn serve(Path((version, name)): Path<(String, String)>, headers: HeaderMap) -> Response {
    let Some(asset) = find(&name).filter(|_| version == VERSION) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let common = [
        (CONTENT_TYPE, content_type(asset.name)),
        (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        (VARY, "accept-encoding"),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    match encoding(&headers) {
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

    #[test]
    fn the_bundle_holds_the_script_its_stylesheet_and_the_three_editor_workers() {
        for name in [
            "graphiql.js",
            "graphiql.css",
            "editor.worker.js",
            "json.worker.js",
            "graphql.worker.js",
        ] {
            let asset = find(name).unwrap_or_else(|| panic!("{name} is bundled"));
            assert!(!asset.raw.is_empty() && asset.gzip.len() < asset.raw.len());
            assert!(asset.brotli.len() < asset.raw.len());
        }
        assert_eq!(VERSION.len(), 16);
    }
}

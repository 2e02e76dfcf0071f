//! The GraphiQL bundle built from `web/graphiql` and embedded at compile time.

use axum::extract::Path;
use axum::http::HeaderMap;
use axum::response::Response;

use crate::http::bundle::{self, Asset};

include!(concat!(env!("OUT_DIR"), "/graphiql/assets.rs"));

/// The path prefix of the bundle's files, relative to `/graphiql`.
pub fn base() -> String {
    format!("graphiql/assets/{VERSION}")
}

/// `GET /graphiql/assets/{version}/{file}`: a file of this build's bundle.
pub async fn serve(Path(file): Path<(String, String)>, headers: HeaderMap) -> Response {
    bundle::serve(FILES, VERSION, file, &headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_holds_the_script_its_stylesheet_and_the_three_editor_workers() {
        for name in [
            "graphiql.js",
            "graphiql.css",
            "editor.worker.js",
            "json.worker.js",
            "graphql.worker.js",
        ] {
            let asset = FILES
                .iter()
                .find(|asset| asset.name == name)
                .unwrap_or_else(|| panic!("{name} is bundled"));
            assert!(!asset.raw.is_empty() && asset.gzip.len() < asset.raw.len());
            assert!(asset.brotli.len() < asset.raw.len());
        }
        assert_eq!(VERSION.len(), 16);
    }
}

//! The reference single-page app at `/app` (`web/app`: React, Apollo Client, graphql-ws),
//! bundled at build time and served by this binary like GraphiQL, so it works with no internet
//! access. Every operation it sends is a persisted document: [`DOCUMENTS`], the manifest its
//! build wrote, is trusted while the app is served. `CONTACTFLOW_APP=false` leaves these routes
//! (and its documents) out.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::json;

use super::bundle::{self, Asset};
use super::state::HttpState;

include!(concat!(env!("OUT_DIR"), "/app/assets.rs"));

/// The app's operations, `{ "<sha256>": "<document>" }`, as GraphQL Code Generator wrote them.
pub const DOCUMENTS: &str = include_str!(concat!(env!("OUT_DIR"), "/app/persisted-documents.json"));

/// Everything from this server, WebSockets to it; inline style attributes (React's `style`).
const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'; object-src 'none'";

/// The app's routes.
pub fn routes() -> Router<HttpState> {
    Router::new()
        .route("/app", get(serve_page))
        .route("/app/", get(|| async { Redirect::permanent("../app") }))
        .route("/app/assets/{version}/{file}", get(serve_asset))
}

/// `GET /app/assets/{version}/{file}`: a file of this build's bundle.
async fn serve_asset(Path(file): Path<(String, String)>, headers: HeaderMap) -> Response {
    bundle::serve(FILES, VERSION, file, &headers)
}

/// The page: a shell that loads the bundle, with the configuration the script reads.
fn page(demo: bool) -> String {
    let config = json!({ "endpoint": "graphql", "demo": demo })
        .to_string()
        .replace("</", "<\\/");
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>contactflow</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app/assets/{VERSION}/app.css">
</head>
<body>
<div id="app"></div>
<script id="contactflow-config" type="application/json">{config}</script>
<script type="module" src="app/assets/{VERSION}/app.js"></script>
</body>
</html>
"#
    )
}

/// `GET /app`.
async fn serve_page(State(state): State<HttpState>) -> Response {
    (
        [
            (CONTENT_TYPE, "text/html; charset=utf-8"),
            (CACHE_CONTROL, "no-cache"),
            (CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE),
            (X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (REFERRER_POLICY, "no-referrer"),
        ],
        page(state.options.demo),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_holds_the_script_and_its_stylesheet_and_the_manifest_parses() {
        for name in ["app.js", "app.css"] {
            let asset = FILES
                .iter()
                .find(|asset| asset.name == name)
                .unwrap_or_else(|| panic!("{name} is bundled"));
            assert!(!asset.raw.is_empty() && asset.brotli.len() < asset.raw.len());
        }
        let manifest = crate::http::Manifest::parse(DOCUMENTS).unwrap();
        assert!(
            manifest.len() >= 10,
            "every operation of the app is trusted"
        );
        let page = page(true);
        assert!(page.contains(&format!("app/assets/{VERSION}/app.js")));
        assert!(page.contains(r#"{"endpoint":"graphql","demo":true}"#));
    }
}

//! GraphiQL at `/graphiql`: the page, its embedded bundle, the redirect from `/graphql`, the
//! setting that turns it off, and the whole explorer driven in headless Chromium.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, LOCATION};

use crate::clients::node_test;
use crate::support::tools::{repo, require};
use crate::support::{Backend, TestServer, settings_for};

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

fn no_redirects() -> reqwest::Client {
    crate::support::http_builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The bundle's path as the page names it (`graphiql/assets/<version>`).
fn assets_path(page: &str) -> String {
    let start = page
        .find("src=\"graphiql/assets/")
        .expect("the page loads the bundle")
        + "src=\"".len();
    let end = start + page[start..].find("/graphiql.js").expect("the script");
    page[start..end].to_owned()
}

#[tokio::test]
async fn the_page_is_served_with_a_strict_policy_and_the_demo_examples() {
    let server = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    let response = server
        .http()
        .get(format!("{}/graphiql", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    let policy = headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("default-src 'self'") && policy.contains("script-src 'self';"));
    let page = response.text().await.unwrap();
    let config_start = page.find(r#"id="contactflow-config">"#).unwrap() + 24;
    let config_end = config_start + page[config_start..].find("</script>").unwrap();
    let config: serde_json::Value = serde_json::from_str(&page[config_start..config_end]).unwrap();
    assert_eq!(config["demo"], true);
    assert_eq!(config["graphqlPath"], "graphql");

    // The example variables name real stages and activity types of the demo workflow.
    let token = server.login("maria").await;
    let ids = crate::support::DemoIds::read(&server, &token).await;
    let examples = &config["examples"];
    assert_eq!(
        examples["contactsByStage"]["stageIds"],
        serde_json::json!([ids.stage("START"), ids.stage("QUALIFICATION")])
    );
    let input = &examples["saveContact"]["input"];
    assert_eq!(input["activity"]["activityTypeId"], ids.kind("CALL"));
    assert!(
        ids.types
            .values()
            .any(|id| *id == input["pendingActivity"]["activityTypeId"])
    );
    assert_eq!(
        examples["moveStage"]["input"]["toStageId"],
        ids.stage("QUALIFICATION")
    );
    server.finish().await;
}

#[tokio::test]
async fn the_bundle_is_served_compressed_cached_for_good_and_only_for_this_version() {
    let server = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    let page = server
        .http()
        .get(format!("{}/graphiql", server.base))
        .send()
        .await
        .unwrap();
    let assets = assets_path(&page.text().await.unwrap());
    let url = |file: &str| format!("{}/{assets}/{file}", server.base);
    let client = no_redirects();
    let plain = client
        .get(url("graphiql.js"))
        .header(ACCEPT_ENCODING, "identity")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), StatusCode::OK, "{}", url("graphiql.js"));
    assert_eq!(
        plain.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(
        plain.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    let size = plain.bytes().await.unwrap().len();
    for (accept, encoding) in [("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let response = client
            .get(url("graphiql.js"))
            .header(ACCEPT_ENCODING, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[CONTENT_ENCODING], encoding);
        assert!(response.bytes().await.unwrap().len() < size / 2);
    }
    for file in [
        "graphiql.css",
        "editor.worker.js",
        "json.worker.js",
        "graphql.worker.js",
    ] {
        let response = client.get(url(file)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{file}");
    }
    for missing in [
        format!(
            "{}/graphiql/assets/0000000000000000/graphiql.js",
            server.base
        ),
        url("nothing.js"),
    ] {
        let response = client.get(&missing).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
    }
    server.finish().await;
}

#[tokio::test]
async fn a_browser_opening_graphql_is_sent_to_graphiql_and_a_client_is_not() {
    let server = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    let client = no_redirects();
    let endpoint = format!("{}/graphql", server.base);
    let browser = client
        .get(&endpoint)
        .header(ACCEPT, BROWSER_ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(browser.status(), StatusCode::SEE_OTHER);
    assert_eq!(browser.headers()[LOCATION], "graphiql");

    let with_query = client
        .get(format!("{endpoint}?query=%7B__typename%7D"))
        .header(ACCEPT, BROWSER_ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(with_query.status(), StatusCode::OK);
    assert!(
        with_query
            .text()
            .await
            .unwrap()
            .contains("\"__typename\":\"Query\"")
    );

    let json_client = client
        .get(&endpoint)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(json_client.status(), StatusCode::BAD_REQUEST);

    let slash = client
        .get(format!("{}/graphiql/", server.base))
        .send()
        .await
        .unwrap();
    assert!(slash.status().is_redirection());
    assert_eq!(slash.headers()[LOCATION], "../graphiql");
    server.finish().await;
}

#[tokio::test]
async fn graphiql_can_be_switched_off() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("off.db").display());
    let mut settings = settings_for(&url);
    settings.graphiql = false;
    let server = TestServer::start_on_with(settings, true).await;
    let client = no_redirects();
    let page = client
        .get(format!("{}/graphiql", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let browser = client
        .get(format!("{}/graphql", server.base))
        .header(ACCEPT, BROWSER_ACCEPT)
        .send()
        .await
        .unwrap();
    assert_eq!(
        browser.status(),
        StatusCode::BAD_REQUEST,
        "no redirect to a missing page"
    );
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standard_introspection_query_of_graphql_js_passes_the_default_limits() {
    if !require("node", "the introspection query of graphql-js") {
        return;
    }
    let dir = crate::support::tools::npm_ci("tests/node");
    let script = "import { getIntrospectionQuery } from 'graphql'; \
        console.log(JSON.stringify([getIntrospectionQuery(), \
        getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true, \
        directiveIsRepeatable: true, specifiedByUrl: true, oneOf: true })]))";
    let output = crate::support::tools::run_checked(
        std::process::Command::new("node")
            .args(["--input-type=module", "-e", script])
            .current_dir(dir),
        "node getIntrospectionQuery",
    );
    let queries: Vec<String> = serde_json::from_slice(&output.stdout).unwrap();
    let server = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    for query in queries {
        let response = server.post(None, &query, serde_json::json!({})).await;
        assert!(response.get("errors").is_none(), "{response}");
        assert_eq!(response["data"]["__schema"]["queryType"]["name"], "Query");
    }
    server.finish().await;
}

/// GraphiQL in headless Chromium over a server on `backend`, screenshots in `target/browser/NAME`.
async fn graphiql_in_headless_chromium(backend: Backend, name: &str) {
    if !require("node", "the GraphiQL browser test") {
        return;
    }
    let Some(chromium) = crate::support::tools::chromium("the GraphiQL browser test") else {
        return;
    };
    let Some(server) = TestServer::start(backend).await else {
        return;
    };
    let screenshots = repo("target/browser").join(name);
    let env = [
        ("CONTACTFLOW_CHROMIUM", chromium.display().to_string()),
        (
            "CONTACTFLOW_SCREENSHOT_DIR",
            screenshots.display().to_string(),
        ),
    ];
    node_test(&server, "graphiql.test.mjs", &env).await;
    for shot in ["graphiql-query.png", "graphiql-subscription.png"] {
        let size = std::fs::metadata(screenshots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(size > 10_000, "{shot} was saved ({size} bytes)");
    }
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_in_headless_chromium_signs_in_and_runs_a_query_and_a_subscription() {
    graphiql_in_headless_chromium(Backend::Sqlite, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_in_headless_chromium_on_postgresql() {
    graphiql_in_headless_chromium(Backend::Postgres, "postgres").await;
}

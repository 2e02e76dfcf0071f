//! The reference app at `/app` (`web/app`): served by the binary with its bundle, trusted for
//! its own documents, type-checked against the committed schema, and driven through the
//! seed's flow in headless Chromium (`tests/node/app.test.mjs`) on both databases, with the
//! server running only persisted documents.

use std::process::Command;

use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use serde_json::json;

use crate::clients::node_test;
use crate::support::tools::{npm_ci, repo, require, run_checked};
use crate::support::{Backend, DemoIds, TestServer, contact_in, had_discovery_call, settings_for};

/// The seed's flow in the app, in headless Chromium, screenshots in `target/browser/app/NAME`.
async fn the_seeds_flow_in_a_browser(backend: Backend, name: &str) {
    if !require("node", "the app's browser test") {
        return;
    }
    let Some(chromium) = crate::support::tools::chromium("the app's browser test") else {
        return;
    };
    // The test picks its contact on one instance; the browser uses another, over the same
    // database, that runs only persisted documents.
    let Some(setup) = TestServer::start(backend).await else {
        return;
    };
    let alice = setup.login("alice").await;
    let ids = DemoIds::read(&setup, &alice).await;
    let contact = contact_in(&setup, &alice, &ids, "QUALIFICATION", |c| {
        !had_discovery_call(c)
    })
    .await;
    let mut settings = settings_for(&setup.database_url);
    settings.only_persisted_documents = true;
    let server = TestServer::start_on_with(settings, false).await;
    let screenshots = repo("target/browser/app").join(name);
    let env = [
        ("CONTACTFLOW_CHROMIUM", chromium.display().to_string()),
        (
            "CONTACTFLOW_SCREENSHOT_DIR",
            screenshots.display().to_string(),
        ),
        (
            "CONTACTFLOW_CONTACT_NAME",
            contact["name"].as_str().unwrap().to_owned(),
        ),
        (
            "CONTACTFLOW_DISCOVERY_CALL",
            ids.kind("DISCOVERY_CALL").to_owned(),
        ),
        ("CONTACTFLOW_EMAIL", ids.kind("EMAIL").to_owned()),
    ];
    node_test(&server, "app.test.mjs", &env).await;
    for shot in ["1-board.png", "4-log.png", "6-reminder.png"] {
        let size = std::fs::metadata(screenshots.join(shot))
            .map(|m| m.len())
            .unwrap_or(0);
        assert!(size > 10_000, "{shot} was saved ({size} bytes)");
    }
    server.finish().await;
    setup.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_takes_alice_through_the_seeds_flow_and_maria_sees_it_live_sqlite() {
    the_seeds_flow_in_a_browser(Backend::Sqlite, "sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_takes_alice_through_the_seeds_flow_and_maria_sees_it_live_postgres() {
    the_seeds_flow_in_a_browser(Backend::Postgres, "postgres").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_build_runs_from_another_origin_and_renews_its_session_when_the_token_expires() {
    if !require("node", "the app's cross-origin test") {
        return;
    }
    let Some(chromium) = crate::support::tools::chromium("the app's cross-origin test") else {
        return;
    };
    let seconds = 3;
    let server = TestServer::start_adjusted(Backend::Sqlite, true, |settings| {
        settings.token_ttl = std::time::Duration::from_secs(seconds);
    })
    .await
    .expect("sqlite");
    let env = [
        ("CONTACTFLOW_CHROMIUM", chromium.display().to_string()),
        ("CONTACTFLOW_TOKEN_SECONDS", seconds.to_string()),
    ];
    node_test(&server, "app-origin.test.mjs", &env).await;
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_is_served_with_its_bundle_and_only_its_own_documents_are_trusted() {
    let server = TestServer::start_adjusted(Backend::Sqlite, true, |settings| {
        settings.only_persisted_documents = true;
    })
    .await
    .expect("sqlite");
    let http = crate::support::http();
    let page = http
        .get(format!("{}/app", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()[CONTENT_TYPE], "text/html; charset=utf-8");
    let policy = page.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(policy.contains("script-src 'self'") && policy.contains("connect-src 'self'"));
    let html = page.text().await.unwrap();
    let script = html
        .split('"')
        .find(|part| part.starts_with("app/assets/") && part.ends_with("/app.js"))
        .expect("the page loads the bundle")
        .to_owned();
    let bundle = http
        .get(format!("{}/{script}", server.base))
        .header("accept-encoding", "br")
        .send()
        .await
        .unwrap();
    assert_eq!(bundle.status(), StatusCode::OK);
    assert!(
        bundle.headers()[CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let stale = script.replacen("app/assets/", "app/assets/0000", 1);
    let missing = http
        .get(format!("{}/{stale}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // The app's sign-in runs by its hash; a document of no manifest is refused.
    let manifest: serde_json::Value =
        serde_json::from_str(contactflow::http::APP_DOCUMENTS).unwrap();
    let (id, _) = manifest
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, document)| document.as_str().unwrap().starts_with("mutation SignIn"))
        .expect("the app signs in");
    let hash = id.trim_start_matches("sha256:");
    let signed_in = server
        .post_body(json!({
            "extensions": { "persistedQuery": { "version": 1, "sha256Hash": hash } },
            "variables": { "input": { "login": "maria", "password": "demo" } }
        }))
        .await;
    assert!(
        signed_in["data"]["login"]["token"].is_string(),
        "{signed_in}"
    );
    let refused = server.post(None, "{ __typename }", json!({})).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_app_turned_off_it_is_not_served_and_its_documents_are_not_trusted() {
    let server = TestServer::start_adjusted(Backend::Sqlite, true, |settings| {
        settings.app = false;
    })
    .await
    .expect("sqlite");
    let page = crate::support::http()
        .get(format!("{}/app", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    let manifest: serde_json::Value =
        serde_json::from_str(contactflow::http::APP_DOCUMENTS).unwrap();
    let id = manifest.as_object().unwrap().keys().next().unwrap().clone();
    let unknown = server
        .post_body(json!({ "documentId": id, "variables": {} }))
        .await;
    assert_eq!(
        unknown["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    server.finish().await;
}

#[test]
fn the_apps_typescript_checks_against_the_committed_schema() {
    if !require("node", "the app's type check") {
        return;
    }
    let dir = npm_ci("web/app");
    run_checked(
        Command::new("npm")
            .args(["run", "--silent", "typecheck"])
            .current_dir(dir),
        "npm run typecheck (web/app)",
    );
}

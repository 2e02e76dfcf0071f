//! Real client packages against the real server: the `graphql-ws` npm package (what single-page
//! apps use for subscriptions), installed from npm by this test when missing.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use crate::support::{Backend, DemoIds, TestServer};

fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_ws_client_package_receives_reminders() {
    if !node_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the Node client tests: install Node.js"
        );
        let _ = writeln!(
            std::io::stderr(),
            "note: Node.js is not installed: the graphql-ws client test was skipped"
        );
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node");
    if !dir.join("node_modules/graphql-ws").exists() {
        let installed = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .output()
            .expect("npm runs");
        assert!(
            installed.status.success(),
            "npm ci failed: {}",
            String::from_utf8_lossy(&installed.stderr)
        );
    }
    let server = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    let token = server.login("alice").await;
    let ids = DemoIds::read(&server, &token).await;
    let output = tokio::process::Command::new("node")
        .args(["--test", "--test-reporter=spec"])
        .current_dir(&dir)
        .env("CONTACTFLOW_HTTP_URL", format!("{}/graphql", server.base))
        .env(
            "CONTACTFLOW_WS_URL",
            format!("{}/graphql", server.base.replacen("http", "ws", 1)),
        )
        .env("CONTACTFLOW_TOKEN", &token)
        .env("CONTACTFLOW_CALL_TYPE", ids.kind("CALL"))
        .output()
        .await
        .expect("node runs");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        output.status.success(),
        "the Node client tests failed:\n{report}"
    );
    server.finish().await;
}

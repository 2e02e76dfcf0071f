//! Real client tools against the real server: the `graphql-ws` npm package (what single-page
//! apps use for subscriptions), the `graphql-http` audit suite of the GraphQL-over-HTTP spec,
//! and schemathesis fuzzing the committed `schema.graphql`. Each installs its packages (npm,
//! PyPI, pinned) when missing; under CI none may be skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::tools::{npm_ci, report, require, run_checked};
use crate::support::{Backend, DemoIds, TestServer};

/// Runs one `node --test` file of `tests/node` against `server` with the given extra
/// environment.
pub async fn node_test(server: &TestServer, file: &str, env: &[(&str, String)]) {
    let mut command = tokio::process::Command::new("node");
    command
        .args(["--test", "--test-reporter=spec", file])
        .current_dir(npm_ci("tests/node"))
        .env("CONTACTFLOW_BASE_URL", &server.base)
        .env("CONTACTFLOW_HTTP_URL", format!("{}/graphql", server.base))
        .env(
            "CONTACTFLOW_WS_URL",
            format!("{}/graphql", server.base.replacen("http", "ws", 1)),
        );
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().await.expect("node runs");
    assert!(
        output.status.success(),
        "{file} failed:\n{}",
        report(&output)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_ws_client_package_receives_reminders() {
    if !require("node", "the graphql-ws client test") {
        return;
    }
    let server = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    let token = server.login("alice").await;
    let ids = DemoIds::read(&server, &token).await;
    let env = [
        ("CONTACTFLOW_TOKEN", token.clone()),
        ("CONTACTFLOW_CALL_TYPE", ids.kind("CALL").to_owned()),
    ];
    node_test(&server, "reminders.test.mjs", &env).await;
    server.finish().await;
}

/// Both subscriptions through the `graphql-sse` client package (distinct connections mode),
/// on both databases.
async fn the_graphql_sse_client_package_receives_events_and_reminders(backend: Backend) {
    if !require("node", "the graphql-sse client test") {
        return;
    }
    let Some(server) = TestServer::start(backend).await else {
        return;
    };
    let token = server.login("alice").await;
    let ids = DemoIds::read(&server, &token).await;
    let env = [
        ("CONTACTFLOW_TOKEN", token.clone()),
        ("CONTACTFLOW_CALL_TYPE", ids.kind("CALL").to_owned()),
    ];
    node_test(&server, "sse.test.mjs", &env).await;
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_sse_client_package_receives_events_and_reminders_on_sqlite() {
    the_graphql_sse_client_package_receives_events_and_reminders(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_sse_client_package_receives_events_and_reminders_on_postgres() {
    the_graphql_sse_client_package_receives_events_and_reminders(Backend::Postgres).await;
}

/// Apollo Client 4's normalised cache over the example operations, on both databases.
async fn apollo_client_merges_a_move_into_its_cache(backend: Backend) {
    if !require("node", "the Apollo Client test") {
        return;
    }
    let Some(server) = TestServer::start(backend).await else {
        return;
    };
    let token = server.login("maria").await;
    let ids = DemoIds::read(&server, &token).await;
    let env = [
        ("CONTACTFLOW_TOKEN", token.clone()),
        (
            "CONTACTFLOW_OPERATIONS_DIR",
            crate::support::tools::repo("examples/operations")
                .display()
                .to_string(),
        ),
        ("CONTACTFLOW_START_STAGE", ids.stage("START").to_owned()),
        (
            "CONTACTFLOW_NEXT_STAGE",
            ids.stage("QUALIFICATION").to_owned(),
        ),
        // Apollo Client warns (cache data lost) only in its development build.
        ("NODE_OPTIONS", "--conditions=development".to_owned()),
    ];
    node_test(&server, "apollo.test.mjs", &env).await;
    server.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apollo_client_merges_a_move_into_its_cache_on_sqlite() {
    apollo_client_merges_a_move_into_its_cache(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apollo_client_merges_a_move_into_its_cache_on_postgres() {
    apollo_client_merges_a_move_into_its_cache(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_graphql_http_audit_passes_every_audit() {
    if !require("node", "the graphql-http audit") {
        return;
    }
    let server = TestServer::start(Backend::Sqlite).await.expect("sqlite");
    node_test(&server, "audit.test.mjs", &[]).await;
    server.finish().await;
}

/// A virtual environment under `target/` with the pinned schemathesis.
fn schemathesis() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("target/fuzz-venv");
    let program = venv.join("bin/schemathesis");
    if !program.exists() {
        run_checked(
            Command::new("python3").args(["-m", "venv"]).arg(&venv),
            "python3 -m venv",
        );
        run_checked(
            Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(root.join("tests/fuzz/requirements.txt")),
            "pip install schemathesis",
        );
    }
    program
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schemathesis_finds_no_server_error_in_a_bounded_run() {
    if !require("python3", "the schemathesis run") {
        return;
    }
    let program = schemathesis();
    // The fuzzer signs in with made-up logins hundreds of times from one address: let it, so
    // that every answer it gets speaks of its input rather than of the sign-in limits.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("fuzz.db").display());
    let mut settings = crate::support::settings_for(&url);
    settings.limits.sign_in_failures_per_login = 100_000;
    settings.limits.sign_in_failures_per_address = 100_000;
    let server = TestServer::start_on_with(settings, true).await;
    let token = server.login("admin").await;
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql");
    let workdir = tempfile::tempdir().unwrap();
    let run = tokio::process::Command::new(program)
        .arg("run")
        .arg(&schema)
        .args(["--url", &format!("{}/graphql", server.base)])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", "not_a_server_error"])
        // logout(everywhere: true) ends the fuzzer's own token: every later case would only
        // meet UNAUTHENTICATED. The sessions tests drive it.
        .args(["--exclude-name", "Mutation.logout"])
        .args(["--max-examples", "25", "--max-time", "45", "--seed", "7"])
        .current_dir(workdir.path())
        .env("NO_COLOR", "1")
        .output();
    let output = tokio::time::timeout(Duration::from_secs(240), run)
        .await
        .expect("schemathesis ends within its bound")
        .expect("schemathesis runs");
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "schemathesis found failures:\n{report}"
    );
    let metrics = server.metrics().await;
    assert!(
        !metrics.contains("outcome=\"internal_error\""),
        "no fuzzed request may fail inside the server:\n{metrics}"
    );
    assert!(
        metrics.contains("contactflow_operations_total"),
        "the run sent operations"
    );
    server.finish().await;
}

//! The command line as an operator meets it: schema, token, settings, and serving the demo.

use std::process::Command;
use std::time::Duration;

use serde_json::json;

use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::support::binary::{Served, contactflow};
use crate::support::socket::{close_code, next, send};
use crate::support::{TestServer, on_both_databases};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_requests_closes_sockets_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut served = Served::start(contactflow(), &["--demo"], dir.path(), false).await;
    let base = served.base.clone();
    let client = crate::support::http();
    let login = json!({ "query": "mutation { login(input: {login: \"alice\", password: \"demo\"}) { token } }" });
    let answer: serde_json::Value = client
        .post(format!("{base}/graphql"))
        .json(&login)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = answer["data"]["login"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let mut request = format!("{}/graphql", base.replacen("http", "ws", 1))
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let mut socket = tokio_tungstenite::connect_async(request)
        .await
        .expect("upgrade")
        .0;
    send(&mut socket, json!({ "type": "connection_init", "payload": { "authorization": format!("Bearer {token}") } })).await;
    assert_eq!(
        next(&mut socket, Duration::from_secs(2)).await.unwrap()["type"],
        "connection_ack"
    );
    // A sign-in hashes a password: it is still running when the signal arrives.
    let in_flight = tokio::spawn({
        let (client, base, login) = (client.clone(), base.clone(), login.clone());
        async move {
            client
                .post(format!("{base}/graphql"))
                .json(&login)
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(5)).await;
    let signalled = Command::new("kill")
        .args(["-TERM", &served.child.id().to_string()])
        .status()
        .unwrap();
    assert!(signalled.success());
    let answered: serde_json::Value = in_flight
        .await
        .unwrap()
        .expect("the in-flight request is answered")
        .json()
        .await
        .unwrap();
    assert!(answered["data"]["login"]["token"].is_string(), "{answered}");
    assert_eq!(
        close_code(&mut socket, Duration::from_secs(5)).await,
        Some(1001)
    );
    let mut exited = None;
    for _ in 0..100 {
        if let Some(status) = served.child.try_wait().unwrap() {
            exited = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        exited.is_some_and(|status| status.success()),
        "exits 0 after SIGTERM: {exited:?}"
    );
}

#[test]
fn the_schema_command_prints_the_committed_schema() {
    let output = contactflow().arg("schema").output().expect("runs");
    assert!(output.status.success());
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql is committed");
    assert!(
        String::from_utf8_lossy(&output.stdout) == committed,
        "schema.graphql differs from `contactflow schema`: run `cargo run -- schema > schema.graphql`"
    );
}

#[test]
fn a_bad_setting_stops_the_program_and_names_the_setting() {
    let cases = [
        ("CONTACTFLOW_ADDR", "not-an-address"),
        ("CONTACTFLOW_DATABASE_URL", "mysql://localhost/crm"),
        ("CONTACTFLOW_JWT_SECRET", "too-short"),
        ("CONTACTFLOW_DB_MAX_CONNECTIONS", "zero"),
        ("CONTACTFLOW_LOG_FORMAT", "xml"),
    ];
    for (variable, value) in cases {
        let output = contactflow()
            .arg("migrate")
            .env(variable, value)
            .output()
            .expect("runs");
        assert!(
            !output.status.success(),
            "{variable}={value} must stop the program"
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(variable), "{variable}: {stderr}");
    }
}

async fn the_token_command_prints_a_token_that_signs_in(server: &TestServer) {
    let output = contactflow()
        .args(["token", "maria", "--database-url", &server.database_url])
        .output()
        .expect("runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let token = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let me = server.data(&token, "{ me { login } }", json!({})).await;
    assert_eq!(me["me"]["login"], "maria");
    let unknown = contactflow()
        .args(["token", "nobody", "--database-url", &server.database_url])
        .output()
        .expect("runs");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("nobody"));
    let token_for = |login: &str, company: &str| {
        contactflow()
            .args([
                "token",
                login,
                "--company",
                company,
                "--database-url",
                &server.database_url,
            ])
            .output()
            .expect("runs")
    };
    let globex = token_for("bob", "GLOBEX");
    assert!(
        globex.status.success(),
        "{}",
        String::from_utf8_lossy(&globex.stderr)
    );
    let token = String::from_utf8(globex.stdout).unwrap().trim().to_owned();
    let seen = server.data(&token, "{ company { code } }", json!({})).await;
    assert_eq!(seen["company"]["code"], "GLOBEX");
    let foreign = token_for("carla", "ACME");
    assert!(!foreign.status.success());
    let said = String::from_utf8_lossy(&foreign.stderr);
    assert!(said.contains("carla") && said.contains("ACME"), "{said}");
}

#[test]
fn commands_that_read_never_create_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let token = contactflow()
        .args(["token", "alice"])
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert!(!token.status.success());
    let stderr = String::from_utf8_lossy(&token.stderr);
    assert!(
        stderr.contains("contactflow.db") && stderr.contains("contactflow migrate"),
        "says which database it looked for and how to create it: {stderr}"
    );
    let schema = contactflow()
        .arg("schema")
        .current_dir(dir.path())
        .output()
        .expect("runs");
    assert!(schema.status.success());
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert!(left.is_empty(), "nothing was created: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_command_refuses_a_database_that_was_never_migrated() {
    for backend in [
        crate::support::Backend::Sqlite,
        crate::support::Backend::Postgres,
    ] {
        let Some(database) = crate::support::TestDatabase::fresh(backend).await else {
            continue;
        };
        if backend == crate::support::Backend::Sqlite {
            // An empty file, as another program might leave.
            let path = database
                .url
                .trim_start_matches("sqlite://")
                .trim_end_matches("?mode=rwc");
            std::fs::write(path, b"").unwrap();
        }
        let output = contactflow()
            .args(["token", "alice", "--database-url", &database.url])
            .output()
            .expect("runs");
        assert!(!output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("migration") && stderr.contains("contactflow migrate"),
            "{backend:?}: {stderr}"
        );
        use sea_orm::{ConnectionTrait, Database};
        let db = Database::connect(database.url.as_str()).await.unwrap();
        let tables = if backend == crate::support::Backend::Sqlite {
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'"
        } else {
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'"
        };
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                tables,
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            row.try_get_by_index::<i64>(0).unwrap(),
            0,
            "{backend:?}: no table was created"
        );
    }
}

/// Whether the database holds planner statistics for the activities table.
async fn planner_statistics_exist(database_url: &str) -> bool {
    use sea_orm::{ConnectionTrait, Database, Statement};
    let db = Database::connect(database_url)
        .await
        .expect("database reachable");
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Postgres => {
            "SELECT COUNT(*) FROM pg_stats WHERE tablename = 'activities'"
        }
        _ => "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'activities'",
    };
    let row = db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .ok()
        .flatten();
    row.and_then(|row| row.try_get_by_index::<i64>(0).ok())
        .is_some_and(|count| count > 0)
}

async fn seed_contacts_writes_legal_histories_that_the_api_reads(server: &TestServer) {
    let output = contactflow()
        .args([
            "seed",
            "--contacts",
            "30",
            "--database-url",
            &server.database_url,
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("seeded 30 contacts: "), "{stdout}");
    assert!(
        stdout.contains("rows/s"),
        "the summary gives rows, seconds and rows/s: {stdout}"
    );
    assert!(
        planner_statistics_exist(&server.database_url).await,
        "the seed leaves the planner statistics of what it loaded"
    );
    let token = server.login("maria").await;
    let query = "{ contacts(first: 100, filter: { search: \"Load test contact\" }) { totalCount edges { node {
        stage { code } activities { totalCount } lastActivity { id }
        pendingActivities { dueAt reminderStartsAt reminderEndsAt }
        stageLog(first: 20) { totalCount edges { node { from { code } to { code } } } }
    } } } }";
    let data = server.data(&token, query, json!({})).await;
    assert_eq!(data["contacts"]["totalCount"], 30);
    for contact in crate::support::nodes(&data["contacts"]) {
        let log: Vec<_> = crate::support::nodes(&contact["stageLog"])
            .into_iter()
            .rev()
            .collect();
        assert!(log.len() >= 3, "at least three log rows: {contact}");
        assert!(
            log[0]["from"].is_null() && log[0]["to"]["code"] == "START",
            "{contact}"
        );
        for pair in log.windows(2) {
            assert_eq!(
                pair[1]["from"]["code"], pair[0]["to"]["code"],
                "a chain: {contact}"
            );
        }
        assert_eq!(log.last().unwrap()["to"]["code"], contact["stage"]["code"]);
        assert_eq!(contact["activities"]["totalCount"], 5, "{contact}");
        let pending = contact["pendingActivities"].as_array().unwrap();
        assert_eq!(pending.len(), 1, "{contact}");
        assert!(
            pending[0]["reminderStartsAt"].is_string() && pending[0]["reminderEndsAt"].is_string()
        );
    }
    let stages: std::collections::HashSet<_> = crate::support::nodes(&data["contacts"])
        .iter()
        .map(|c| c["stage"]["code"].as_str().unwrap().to_owned())
        .collect();
    assert!(stages.len() >= 5, "spread over stages: {stages:?}");
    let saved = server
        .data(&token, "mutation { saveContact(input: { name: \"After the seed\" }) { contact { id } userErrors { code } } }", json!({}))
        .await;
    assert_eq!(
        saved["saveContact"]["userErrors"],
        json!([]),
        "new ids follow the seeded ones"
    );
}

on_both_databases!(
    seed_contacts_writes_legal_histories_that_the_api_reads,
    the_token_command_prints_a_token_that_signs_in
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_answers_a_signed_in_query_from_an_empty_directory() {
    let dir = tempfile::tempdir().unwrap();
    let served = Served::start(contactflow(), &["--demo"], dir.path(), false).await;
    let base = served.base.clone();
    let client = crate::support::http();
    let outcome = async {
        let login = json!({ "query": "mutation { login(input: {login: \"alice\", password: \"demo\"}) { token } }" });
        let answer: serde_json::Value = client.post(format!("{base}/graphql")).json(&login).send().await.unwrap().json().await.unwrap();
        let token = answer["data"]["login"]["token"].as_str().expect("token").to_owned();
        let query = json!({ "query": "{ contacts { totalCount } }" });
        let answer: serde_json::Value = client.post(format!("{base}/graphql")).bearer_auth(token).json(&query).send().await.unwrap().json().await.unwrap();
        assert_eq!(answer["data"]["contacts"]["totalCount"], 36);
        assert!(dir.path().join("contactflow.db").exists(), "the default database is contactflow.db in the working directory");
    }
    .await;
    drop(served);
    outcome
}

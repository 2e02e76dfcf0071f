//! The test harness: a real server on a random port over a fresh database (SQLite always,
//! PostgreSQL when `CONTACTFLOW_TEST_POSTGRES_URL` is set), and a small GraphQL client.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use contactflow::app::{Server, start};
use contactflow::config::{Cli, Settings};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests create their databases on, if configured.
pub fn postgres_base_url() -> Option<String> {
    static NOTICE: Once = Once::new();
    let url = std::env::var("CONTACTFLOW_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty());
    if url.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the PostgreSQL half: set CONTACTFLOW_TEST_POSTGRES_URL"
        );
        NOTICE.call_once(|| {
            // Written straight to stderr so the test harness does not swallow it.
            let _ = writeln!(
                std::io::stderr(),
                "note: CONTACTFLOW_TEST_POSTGRES_URL is not set: the PostgreSQL half of the suite was skipped"
            );
        });
    }
    url
}

/// A running server over its own fresh database.
pub struct TestServer {
    pub base: String,
    pub database_url: String,
    server: Option<Server>,
    client: reqwest::Client,
    _dir: Option<tempfile::TempDir>,
    pg_cleanup: Option<(String, String)>,
}

static DATABASES: AtomicUsize = AtomicUsize::new(0);

fn with_database(base_url: &str, name: &str) -> String {
    let (without_query, query) = base_url
        .split_once('?')
        .map_or((base_url, None), |(a, b)| (a, Some(b)));
    let prefix = without_query
        .rsplit_once('/')
        .map_or(without_query, |(prefix, _)| prefix);
    match query {
        Some(query) => format!("{prefix}/{name}?{query}"),
        None => format!("{prefix}/{name}"),
    }
}

/// Creates a fresh PostgreSQL database; its URL and name.
pub async fn fresh_postgres(base_url: &str) -> (String, String) {
    let name = format!(
        "cf_test_{}_{}_{}",
        std::process::id(),
        DATABASES.fetch_add(1, Ordering::SeqCst),
        chrono::Utc::now().timestamp_micros() % 1_000_000
    );
    let admin = Database::connect(base_url)
        .await
        .expect("PostgreSQL reachable at CONTACTFLOW_TEST_POSTGRES_URL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create test database");
    admin.close().await.ok();
    (with_database(base_url, &name), name)
}

/// Settings for a server on a random port over `database_url`.
pub fn settings_for(database_url: &str) -> Settings {
    Settings::from_args(&args_for(database_url)).expect("test settings")
}

/// The raw settings of a test server on `database_url`, to adjust before checking them.
pub fn args_for(database_url: &str) -> contactflow::config::SettingsArgs {
    let mut args = Cli::parse_from(["contactflow", "serve"]).settings;
    args.database_url = database_url.to_owned();
    args.addr = "127.0.0.1:0".to_owned();
    args.jwt_secret = None;
    args.log = "warn".to_owned();
    args.db_max_connections = "8".to_owned();
    args
}

impl TestServer {
    /// Starts a server with the demo data on a fresh database of the given backend; `None`
    /// when that backend is not configured.
    pub async fn start(backend: Backend) -> Option<Self> {
        Self::start_with(backend, true).await
    }

    /// Starts a server on a fresh database, with or without the demo data.
    pub async fn start_with(backend: Backend, demo: bool) -> Option<Self> {
        let (database_url, dir, pg_cleanup) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path: PathBuf = dir.path().join("contactflow.db");
                (
                    format!("sqlite://{}?mode=rwc", path.display()),
                    Some(dir),
                    None,
                )
            }
            Backend::Postgres => {
                let base = postgres_base_url()?;
                let (url, name) = fresh_postgres(&base).await;
                (url, None, Some((base, name)))
            }
        };
        let server = start(settings_for(&database_url), demo)
            .await
            .expect("server starts");
        Some(Self {
            base: format!("http://{}", server.addr),
            database_url,
            server: Some(server),
            client: reqwest::Client::new(),
            _dir: dir,
            pg_cleanup,
        })
    }

    /// The HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.client
    }

    /// `POST /graphql` with a JSON body; the parsed response.
    pub async fn post(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.base))
            .header("content-type", "application/json")
            .header("accept", "application/graphql-response+json")
            .body(json!({ "query": query, "variables": variables }).to_string());
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let response = request.send().await.expect("request sent");
        let text = response.text().await.expect("body");
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"))
    }

    /// The text of `GET /metrics`.
    pub async fn metrics(&self) -> String {
        let response = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .expect("metrics answered");
        response.text().await.expect("metrics body")
    }

    /// Runs a query that must succeed and returns its `data`.
    pub async fn data(&self, token: &str, query: &str, variables: Value) -> Value {
        let response = self.post(Some(token), query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}"
        );
        response["data"].clone()
    }

    /// Signs in with the demo password and returns the token.
    pub async fn login(&self, login: &str) -> String {
        let response = self
            .post(
                None,
                "mutation($l: String!, $p: String!) { login(input: {login: $l, password: $p}) { token userErrors { code } } }",
                json!({ "l": login, "p": "demo" }),
            )
            .await;
        response["data"]["login"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("login failed: {response}"))
            .to_owned()
    }

    /// Starts another server over the same database as this one (another instance).
    pub async fn start_on(database_url: &str, demo: bool) -> Self {
        Self::start_on_with(settings_for(database_url), demo).await
    }

    /// Starts another server over the database its settings name.
    pub async fn start_on_with(settings: Settings, demo: bool) -> Self {
        let database_url = match &settings.database {
            contactflow::config::DatabaseUrl::Sqlite(path) => {
                format!("sqlite://{}?mode=rwc", path.display())
            }
            contactflow::config::DatabaseUrl::Postgres(url) => url.clone(),
        };
        let server = start(settings, demo).await.expect("server starts");
        Self {
            base: format!("http://{}", server.addr),
            database_url,
            server: Some(server),
            client: reqwest::Client::new(),
            _dir: None,
            pg_cleanup: None,
        }
    }

    /// Stops the server and starts a new one over the same database (a restart).
    pub async fn restart(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("server stops");
        }
        let server = start(settings_for(&self.database_url), false)
            .await
            .expect("server restarts");
        self.base = format!("http://{}", server.addr);
        self.server = Some(server);
    }

    /// Removes a PostgreSQL database made by [`fresh_postgres`].
    pub async fn drop_postgres(base: &str, name: &str) {
        if let Ok(admin) = Database::connect(base).await {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
            let _ = admin.close().await;
        }
    }

    /// Everything a write could change, counted straight from the database: row counts of
    /// every table, the sum of contact versions, and open pending activities and to-dos.
    pub async fn snapshot(&self) -> Vec<(String, i64)> {
        let db = Database::connect(self.database_url.as_str())
            .await
            .expect("database reachable");
        let mut figures = Vec::new();
        let queries = [
            "SELECT COUNT(*) FROM contacts",
            "SELECT COALESCE(SUM(version), 0) FROM contacts",
            "SELECT COUNT(*) FROM activities",
            "SELECT COUNT(*) FROM pending_activities",
            "SELECT COUNT(*) FROM pending_activities WHERE status = 'OPEN'",
            "SELECT COUNT(*) FROM todos",
            "SELECT COUNT(*) FROM todos WHERE status = 'OPEN'",
            "SELECT COUNT(*) FROM stage_changes",
            "SELECT COUNT(*) FROM idempotency_records",
            "SELECT COUNT(*) FROM reminder_states",
            "SELECT COUNT(*) FROM operators",
            "SELECT COUNT(*) FROM activity_types",
            "SELECT COUNT(*) FROM workflows",
            "SELECT COUNT(*) FROM stages",
            "SELECT COUNT(*) FROM stage_activity_rules",
            "SELECT COUNT(*) FROM transitions",
        ];
        for sql in queries {
            let statement =
                sea_orm::Statement::from_string(db.get_database_backend(), sql.to_owned());
            let row = db
                .query_one_raw(statement)
                .await
                .expect("query")
                .expect("row");
            let value: i64 = row.try_get_by_index(0).expect("a number");
            figures.push((sql.to_owned(), value));
        }
        db.close().await.ok();
        figures
    }

    /// Stops the server and removes its database.
    pub async fn finish(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("server stops");
        }
        if let Some((base, name)) = self.pg_cleanup.take() {
            Self::drop_postgres(&base, &name).await;
        }
    }
}

/// Defines each named `async fn(&TestServer)` of the calling module as two tests: on SQLite,
/// and on PostgreSQL when configured.
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let backend = $crate::support::Backend::Sqlite;
                    if let Some(server) = $crate::support::TestServer::start(backend).await {
                        let run = tokio::time::timeout(std::time::Duration::from_secs(180), super::$name(&server));
                        run.await.expect("the test finishes within 3 minutes");
                        server.finish().await;
                    }
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let backend = $crate::support::Backend::Postgres;
                    if let Some(server) = $crate::support::TestServer::start(backend).await {
                        let run = tokio::time::timeout(std::time::Duration::from_secs(180), super::$name(&server));
                        run.await.expect("the test finishes within 3 minutes");
                        server.finish().await;
                    }
                }
            )+
        }
    };
}

pub(crate) use on_both_databases;

/// The nodes of a connection's edges.
pub fn nodes(connection: &Value) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"].clone())
        .collect()
}

/// The `extensions.code` of each top-level error.
pub fn error_codes(response: &Value) -> Vec<String> {
    response["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e["extensions"]["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The demo data's ids, by code and login.
pub struct DemoIds {
    pub stages: std::collections::HashMap<String, String>,
    pub types: std::collections::HashMap<String, String>,
    pub operators: std::collections::HashMap<String, String>,
}

impl DemoIds {
    /// Reads them through the API.
    pub async fn read(server: &TestServer, token: &str) -> Self {
        let data = server
            .data(token, "{ workflows { id stages { id code } } activityTypes(includeInactive: true) { id code } operators { id login } }", json!({}))
            .await;
        let pairs = |list: &Value, key: &str| {
            list.as_array()
                .unwrap()
                .iter()
                .map(|item| {
                    (
                        item[key].as_str().unwrap().to_owned(),
                        item["id"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        };
        Self {
            stages: pairs(&data["workflows"][0]["stages"], "code"),
            types: pairs(&data["activityTypes"], "code"),
            operators: pairs(&data["operators"], "login"),
        }
    }

    pub fn stage(&self, code: &str) -> &str {
        &self.stages[code]
    }

    pub fn kind(&self, code: &str) -> &str {
        &self.types[code]
    }

    pub fn operator(&self, login: &str) -> &str {
        &self.operators[login]
    }
}

/// The `userErrors` of a payload as (code, field path) pairs.
pub fn user_errors(payload: &Value) -> Vec<(String, String)> {
    payload["userErrors"]
        .as_array()
        .expect("userErrors")
        .iter()
        .map(|e| {
            let field = e["field"]
                .as_array()
                .map(|parts| {
                    parts
                        .iter()
                        .map(|p| p.as_str().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            (e["code"].as_str().unwrap().to_owned(), field)
        })
        .collect()
}

/// The contact selection tests read after a write.
pub const CONTACT_FIELDS: &str = "id version name email phone owner { login } stage { code } stageEnteredAt updatedAt
    stageLog(first: 100) { totalCount edges { node { from { code } to { code } operator { login } note changedAt } } }
    activities(first: 100) { totalCount edges { node { type { code } stage { code } operator { login } performedAt description } } }
    pendingActivities { id type { code } status assignee { login } todo { id status } }";

/// The first contact in a stage, with [`CONTACT_FIELDS`].
pub async fn contact_in(
    server: &TestServer,
    token: &str,
    ids: &DemoIds,
    stage: &str,
    pick: impl Fn(&Value) -> bool,
) -> Value {
    let query = format!(
        "query($s: ID!) {{ contacts(first: 100, filter: {{stageIds: [$s]}}, orderBy: {{field: CREATED_AT, direction: ASC}}) {{ edges {{ node {{ {CONTACT_FIELDS} }} }} }} }}"
    );
    let data = server
        .data(token, &query, json!({ "s": ids.stage(stage) }))
        .await;
    nodes(&data["contacts"])
        .into_iter()
        .find(|c| pick(c))
        .unwrap_or_else(|| panic!("a demo contact in {stage}"))
}

/// Reads one contact with [`CONTACT_FIELDS`].
pub async fn read_contact(server: &TestServer, token: &str, id: &Value) -> Value {
    let query = format!("query($id: ID!) {{ contact(id: $id) {{ {CONTACT_FIELDS} }} }}");
    server.data(token, &query, json!({ "id": id })).await["contact"].clone()
}

/// Whether a contact recorded a discovery call in its current stage.
pub fn had_discovery_call(contact: &Value) -> bool {
    nodes(&contact["activities"])
        .iter()
        .any(|a| a["type"]["code"] == "DISCOVERY_CALL" && a["stage"] == contact["stage"])
}

//! The server under test: the real server on a random port over its own fresh database, or
//! another instance over a database it shares.

use contactflow::app::{Server, start};
use contactflow::config::{DatabaseUrl, Settings};

use super::databases::{Backend, TestDatabase};

/// Settings for a server on a random port over `database_url`, every other one its default.
pub fn settings_for(database_url: &str) -> Settings {
    let mut settings = Settings::from_env();
    settings.database = DatabaseUrl::parse(database_url).expect("a database URL");
    settings.addr = ([127, 0, 0, 1], 0).into();
    settings.jwt_secret = None;
    settings.log = "warn".to_owned();
    settings.db_max_connections = 8;
    settings
}

/// A running server; its database (when it owns one) is removed when it is dropped.
pub struct TestServer {
    pub base: String,
    pub database_url: String,
    server: Option<Server>,
    pub(super) client: reqwest::Client,
    _database: Option<TestDatabase>,
}

impl TestServer {
    /// Starts a server with the demo data on a fresh database of the given backend; `None`
    /// when that backend is not configured.
    pub async fn start(backend: Backend) -> Option<Self> {
        Self::start_with(backend, true).await
    }

    /// Starts a server on a fresh database, with or without the demo data.
    pub async fn start_with(backend: Backend, demo: bool) -> Option<Self> {
        Self::start_adjusted(backend, demo, |_| {}).await
    }

    /// Starts a server on a fresh database with settings adjusted by `adjust`.
    pub async fn start_adjusted(
        backend: Backend,
        demo: bool,
        adjust: impl FnOnce(&mut Settings),
    ) -> Option<Self> {
        let database = TestDatabase::fresh(backend).await?;
        let mut settings = settings_for(&database.url);
        adjust(&mut settings);
        let mut server = Self::start_on_with(settings, demo).await;
        server._database = Some(database);
        Some(server)
    }

    /// Starts a server over a database the test prepared (kept until the server is dropped).
    pub async fn start_on_database(database: TestDatabase, demo: bool) -> Self {
        let mut server = Self::start_on_with(settings_for(&database.url), demo).await;
        server._database = Some(database);
        server
    }

    /// Starts another server over the same database as this one (another instance).
    pub async fn start_on(database_url: &str, demo: bool) -> Self {
        Self::start_on_with(settings_for(database_url), demo).await
    }

    /// Starts another server over the database its settings name.
    pub async fn start_on_with(settings: Settings, demo: bool) -> Self {
        let database_url = match &settings.database {
            DatabaseUrl::Sqlite(path) => format!("sqlite://{}?mode=rwc", path.display()),
            DatabaseUrl::Postgres(url) => url.clone(),
        };
        let server = start(settings, demo).await.expect("server starts");
        Self {
            base: format!("http://{}", server.addr),
            database_url,
            server: Some(server),
            client: crate::support::http(),
            _database: None,
        }
    }

    /// The HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.client
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

    /// Stops the server; its database goes with it.
    pub async fn finish(mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await.expect("server stops");
        }
    }
}

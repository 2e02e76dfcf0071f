//! The databases tests run on: a fresh SQLite file in a temporary folder, or a fresh database on
//! the PostgreSQL server `CONTACTFLOW_TEST_POSTGRES_URL` names. Each is removed when its test
//! ends, whether the test passed or panicked.

use std::io::Write;
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{ConnectionTrait, Database};

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

/// Where a test database lives, to remove it afterwards.
enum Place {
    Sqlite(
        #[expect(dead_code, reason = "held so the folder lives as long as the database")]
        tempfile::TempDir,
    ),
    Postgres {
        server: String,
        name: String,
    },
}

/// A fresh database of one test; removed when dropped.
pub struct TestDatabase {
    /// Its connection URL.
    pub url: String,
    place: Place,
}

impl TestDatabase {
    /// A fresh database of the given backend; `None` when that backend is not configured.
    pub async fn fresh(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("contactflow.db");
                Some(Self {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    place: Place::Sqlite(dir),
                })
            }
            Backend::Postgres => {
                let server = postgres_base_url()?;
                let name = format!(
                    "cf_test_{}_{}_{}",
                    std::process::id(),
                    DATABASES.fetch_add(1, Ordering::SeqCst),
                    chrono::Utc::now().timestamp_micros() % 1_000_000
                );
                let admin = Database::connect(server.as_str())
                    .await
                    .expect("PostgreSQL reachable at CONTACTFLOW_TEST_POSTGRES_URL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                Some(Self {
                    url: with_database(&server, &name),
                    place: Place::Postgres { server, name },
                })
            }
        }
    }
}

/// Drops a PostgreSQL database, closing whatever still holds connections to it.
async fn drop_postgres(server: &str, name: &str) {
    if let Ok(admin) = Database::connect(server).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await;
        let _ = admin.close().await;
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Place::Postgres { server, name } = &self.place else {
            return;
        };
        let (server, name) = (server.clone(), name.clone());
        // A runtime of its own, on a thread of its own: the test's runtime may be gone, or
        // unwinding from a panic.
        let dropping = std::thread::spawn(move || {
            if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                runtime.block_on(drop_postgres(&server, &name));
            }
        });
        let _ = dropping.join();
    }
}

//! Opening the database: SQLite tuned for concurrent writers, PostgreSQL with timeouts, and
//! migrations guarded so that instances starting together do not race.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement,
};

use crate::config::{DatabaseUrl, Settings};

/// How long an SQLite writer waits for the write lock before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Key of the PostgreSQL advisory lock held while migrating and seeding.
const SCHEMA_LOCK_KEY: i64 = 0x0063_6f6e_7461_6374;

/// `sql` with PostgreSQL's numbered placeholders (`$1`, `$2`…) for its `?`, for a statement
/// written once for both databases (it must hold no `?` inside a literal).
pub fn numbered(sql: &str) -> String {
    let mut numbered = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            numbered.push('$');
            numbered.push_str(&n.to_string());
        } else {
            numbered.push(c);
        }
    }
    numbered
}

/// Whether an error says the database cannot be reached now (down, restarting, the pool
/// unable to connect), as opposed to a statement it refused. Such a request may be retried.
pub fn unreachable(error: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error;
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(sqlx)) | DbErr::Query(RuntimeErr::SqlxError(sqlx)) => {
            match sqlx.as_ref() {
                Error::Io(_) | Error::PoolTimedOut | Error::PoolClosed | Error::WorkerCrashed => {
                    true
                }
                // Class 08: connection exceptions; 57P01–57P03: the server shutting down or
                // starting up.
                Error::Database(database) => database
                    .code()
                    .is_some_and(|code| code.starts_with("08") || code.starts_with("57P")),
                _ => false,
            }
        }
        _ => false,
    }
}

/// Where the configured database is, for a person: the SQLite file, or the PostgreSQL URL
/// without its password.
pub fn describe(settings: &Settings) -> String {
    match &settings.database {
        DatabaseUrl::Sqlite(path) => format!("the SQLite file {}", path.display()),
        DatabaseUrl::Postgres(url) => {
            let shown = match (url.find("://"), url.rfind('@')) {
                (Some(scheme), Some(at)) if at > scheme => {
                    let credentials = &url[scheme + 3..at];
                    match credentials.split_once(':') {
                        Some((user, _)) => {
                            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
                        }
                        None => url.clone(),
                    }
                }
                _ => url.clone(),
            };
            format!("the PostgreSQL database {shown}")
        }
    }
}

/// Why a command that only reads finds no database to read.
#[derive(Debug, thiserror::Error)]
pub enum NotReady {
    /// There is no database there (a SQLite file that does not exist).
    #[error(
        "no database: looked for {0} (CONTACTFLOW_DATABASE_URL). Create it with `contactflow migrate`, or start the server once (`contactflow serve --demo` loads the demo data)"
    )]
    Missing(String),
    /// The database is behind the schema this build needs.
    #[error(
        "{0} lacks {1} migration(s): run `contactflow migrate` (or start the server once) first"
    )]
    Behind(String, usize),
    /// It could not be reached.
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Connects to a database that exists and is migrated, for the commands that only read: never
/// creates one.
pub async fn connect_existing(settings: &Settings) -> Result<DatabaseConnection, NotReady> {
    if let DatabaseUrl::Sqlite(path) = &settings.database
        && !path.exists()
    {
        return Err(NotReady::Missing(describe(settings)));
    }
    let db = connect_with_pool(settings, 1).await?;
    // Read, never install: the migrator's own check would create its table.
    let manager = migration::SchemaManager::new(&db);
    let applied: Vec<String> = if manager.has_table("seaql_migrations").await? {
        let rows = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT version FROM seaql_migrations",
            ))
            .await?;
        rows.iter()
            .filter_map(|row| row.try_get_by_index::<String>(0).ok())
            .collect()
    } else {
        Vec::new()
    };
    let pending = Migrator::migrations()
        .iter()
        .filter(|step| !applied.iter().any(|version| version == step.name()))
        .count();
    if pending > 0 {
        return Err(NotReady::Behind(describe(settings), pending));
    }
    Ok(db)
}

/// The PostgreSQL role the server works as: it owns no table, so row-level security applies to
/// it (created by the migrations, which run as the connecting user).
pub const SERVING_ROLE: &str = "contactflow_app";

/// Connects to the configured database as its owner (migrating, seeding).
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    connect_as(settings, settings.db_max_connections, None).await
}

/// Connects to the configured database as the server works with it: on PostgreSQL every
/// connection takes [`SERVING_ROLE`], so each sees only the rows of the company its
/// transaction is set to.
pub async fn connect_serving(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    connect_as(settings, settings.db_max_connections, Some(SERVING_ROLE)).await
}

/// Connections of the event feeds' own pool on PostgreSQL.
pub const EVENT_FEED_CONNECTIONS: u32 = 2;
/// Connections of the webhook deliveries' own pool on PostgreSQL.
pub const WEBHOOK_CONNECTIONS: u32 = 2;

/// A pool of its own for one kind of work beside the writes' (queries, event feeds, webhook
/// deliveries). On PostgreSQL `connections` of their own, as the serving role: behind the
/// writes' pool, which busy writers keep full, every statement of the feeds and deliveries
/// would wait in the writers' queue (an event's subscribers, and each delivery's record, with
/// them), and queries would crowd the database past its cores. SQLite's reads already go
/// beside its one writer, and its writes through that writer: there the one pool is shared.
pub async fn connect_background(
    settings: &Settings,
    requests: &DatabaseConnection,
    connections: u32,
) -> Result<DatabaseConnection, DbErr> {
    match settings.database {
        DatabaseUrl::Postgres(_) => connect_as(settings, connections, Some(SERVING_ROLE)).await,
        DatabaseUrl::Sqlite(_) => Ok(requests.clone()),
    }
}

/// The connections queries read on (PostgreSQL): as set, or two per core of this machine, at
/// least 4.
pub fn query_connections(settings: &Settings) -> u32 {
    if settings.db_query_connections > 0 {
        return settings.db_query_connections;
    }
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    u32::try_from(2 * cores).unwrap_or(u32::MAX).max(4)
}

async fn connect_with_pool(settings: &Settings, pool: u32) -> Result<DatabaseConnection, DbErr> {
    connect_as(settings, pool, None).await
}

async fn connect_as(
    settings: &Settings,
    pool: u32,
    role: Option<&'static str>,
) -> Result<DatabaseConnection, DbErr> {
    let mut options = match &settings.database {
        DatabaseUrl::Sqlite(path) => {
            let mut options = ConnectOptions::new(format!("sqlite://{}?mode=rwc", path.display()));
            let path = path.clone();
            options.map_sqlx_sqlite_opts(move |sqlite| {
                sqlite
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(SQLITE_BUSY_TIMEOUT)
                    .foreign_keys(true)
            });
            options
        }
        DatabaseUrl::Postgres(url) => {
            let mut options = ConnectOptions::new(url.clone());
            let statement_timeout = settings.db_statement_timeout.as_millis().to_string();
            options.map_sqlx_postgres_opts(move |pg| {
                let pg = pg.options([
                    ("statement_timeout", statement_timeout.as_str()),
                    ("idle_in_transaction_session_timeout", "60000"),
                ]);
                match role {
                    Some(role) => pg.options([("role", role)]),
                    None => pg,
                }
            });
            options
        }
    };
    options
        .max_connections(pool)
        .min_connections(1)
        .acquire_timeout(settings.db_acquire_timeout)
        .sqlx_logging(false);
    Database::connect(options).await
}

/// Applies every pending migration, then runs `then` (demo seeding, say) on the same
/// connection. On PostgreSQL both run under an advisory lock, so several instances may start
/// at once and only the first migrates and seeds.
pub async fn prepare<T, E, F>(settings: &Settings, then: F) -> Result<T, E>
where
    F: AsyncFnOnce(&DatabaseConnection) -> Result<T, E>,
    E: From<DbErr>,
{
    let db = connect_with_pool(settings, 1).await?;
    let locked = db.get_database_backend() == DbBackend::Postgres;
    if locked {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_lock($1)",
            [SCHEMA_LOCK_KEY.into()],
        ))
        .await?;
    }
    let outcome = match Migrator::up(&db, None).await {
        Ok(()) => then(&db).await,
        Err(error) => Err(error.into()),
    };
    if locked {
        db.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_unlock($1)",
            [SCHEMA_LOCK_KEY.into()],
        ))
        .await?;
    }
    db.close().await?;
    outcome
}

mod writes;

pub use writes::{Writer, begin_write};

tokio::task_local! {
    /// Set while work of the server's own runs (the webhook dispatcher), which no request
    /// waits for.
    static BACKGROUND: ();
}

/// Runs `work` as the server's own background work: its statements are counted apart from
/// the requests' (`/metrics`), so that a request's cost is what the request itself ran.
pub async fn in_background<F: std::future::Future>(work: F) -> F::Output {
    BACKGROUND.scope((), work).await
}

/// Whether the current task runs background work.
pub fn is_background() -> bool {
    BACKGROUND.try_with(|_| ()).is_ok()
}

#[cfg(test)]
mod pool_tests {
    use crate::config::{self, Invocation};

    fn settings(args: &[&str]) -> crate::config::Settings {
        let args = ["contactflow"].iter().chain(args).chain(&["schema"]);
        match config::parse(args) {
            Invocation::Run(cli) => cli.settings,
            _ => panic!("the settings parse"),
        }
    }

    #[test]
    fn queries_read_on_the_connections_set_or_two_per_core_and_at_least_four() {
        assert_eq!(
            super::query_connections(&settings(&["--db-query-connections", "3"])),
            3
        );
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let default = super::query_connections(&settings(&[]));
        assert_eq!(default, u32::try_from(2 * cores).unwrap().max(4));
        assert!(default >= 4);
    }
}

#[cfg(test)]
mod placeholder_tests {
    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            super::numbered("a = ? AND b IN (?, ?)"),
            "a = $1 AND b IN ($2, $3)"
        );
    }
}

//! Every setting of the server, declared once: its flag, its environment variable, its
//! default and the parser that checks it.

use std::net::SocketAddr;
use std::time::Duration;

use clap::{ArgAction, Args};

use super::limits::LimitSettings;
use super::values::{self, DatabaseUrl, LogFormat, Origins, Secret};

/// Checked settings, shared by every command.
#[derive(Debug, Clone, Args)]
pub struct Settings {
    /// Database: a SQLite file (`sqlite://PATH?mode=rwc`, `sqlite:PATH` or a plain path) or `postgres://…`.
    #[arg(
        long = "database-url",
        env = "CONTACTFLOW_DATABASE_URL",
        default_value = "contactflow.db",
        global = true,
        value_parser = DatabaseUrl::parse
    )]
    pub database: DatabaseUrl,
    /// The application's own company filter, on every statement; no flag or variable turns it
    /// off: only the test that shows row-level security alone isolates the companies does.
    #[arg(skip = true)]
    pub company_filter: bool,
    /// Address to listen on.
    #[arg(
        long,
        env = "CONTACTFLOW_ADDR",
        default_value = "127.0.0.1:8080",
        global = true,
        value_parser = values::address
    )]
    pub addr: SocketAddr,
    /// Secret that signs bearer tokens (at least 32 characters); default: generated once and kept in the database.
    #[arg(
        long,
        env = "CONTACTFLOW_JWT_SECRET",
        hide_env_values = true,
        global = true,
        value_parser = Secret::parse
    )]
    pub jwt_secret: Option<Secret>,
    /// Lifetime of a bearer token, in seconds (renewed with a refresh token).
    #[arg(
        long = "token-ttl-seconds",
        env = "CONTACTFLOW_TOKEN_TTL_SECONDS",
        default_value = "900",
        global = true,
        value_parser = values::seconds(60)
    )]
    pub token_ttl: Duration,
    /// Lifetime of a refresh token, in seconds; each use gives a new one.
    #[arg(
        long = "refresh-token-ttl-seconds",
        env = "CONTACTFLOW_REFRESH_TOKEN_TTL_SECONDS",
        default_value = "2592000",
        global = true,
        value_parser = values::seconds(60)
    )]
    pub refresh_token_ttl: Duration,
    /// Largest number of pooled database connections.
    #[arg(
        long,
        env = "CONTACTFLOW_DB_MAX_CONNECTIONS",
        default_value = "10",
        global = true,
        value_parser = values::at_least::<u32>(1)
    )]
    pub db_max_connections: u32,
    /// On PostgreSQL, the connections queries read on, a pool of their own; `0`: two per core
    /// of this machine, at least 4. Mutations, subscriptions and background work keep
    /// `db_max_connections`. More queries on the database at once than it has cores only
    /// lengthen the tail: with 32 clients on two cores a page of 100's p99 was 3.3 × its median
    /// on 16 connections, 1.4 × on 4. SQLite reads in process: there it is not used.
    #[arg(
        long,
        env = "CONTACTFLOW_DB_QUERY_CONNECTIONS",
        default_value = "0",
        global = true,
        value_parser = values::at_least::<u32>(0)
    )]
    pub db_query_connections: u32,
    /// PostgreSQL `statement_timeout`, in milliseconds.
    #[arg(
        long = "db-statement-timeout-ms",
        env = "CONTACTFLOW_DB_STATEMENT_TIMEOUT_MS",
        default_value = "30000",
        global = true,
        value_parser = values::millis(1)
    )]
    pub db_statement_timeout: Duration,
    /// Longest a request waits for a database connection, in milliseconds; past it (the
    /// database down, say) it answers `SERVICE_UNAVAILABLE`.
    #[arg(
        long = "db-acquire-timeout-ms",
        env = "CONTACTFLOW_DB_ACQUIRE_TIMEOUT_MS",
        default_value = "3000",
        global = true,
        value_parser = values::millis(1)
    )]
    pub db_acquire_timeout: Duration,
    /// Log filter (tracing `EnvFilter` syntax), for example `info` or `contactflow=debug`.
    #[arg(
        long,
        env = "CONTACTFLOW_LOG",
        default_value = "info",
        global = true,
        value_parser = values::log_filter
    )]
    pub log: String,
    /// Log format: `text` or `json`.
    #[arg(
        long,
        env = "CONTACTFLOW_LOG_FORMAT",
        default_value = "text",
        global = true,
        value_parser = LogFormat::parse
    )]
    pub log_format: LogFormat,
    /// Origins whose pages may call `/graphql` (CORS) and open a WebSocket, comma-separated; `*`
    /// allows every origin.
    #[arg(
        long,
        env = "CONTACTFLOW_ALLOWED_ORIGINS",
        default_value = "*",
        global = true,
        value_parser = Origins::parse
    )]
    pub allowed_origins: Origins,
    /// A manifest of trusted documents (`{ "<sha256 or id>": "<document>" }`, as GraphQL Code
    /// Generator's client preset and Relay's `--persist` write it), loaded at start.
    #[arg(long, env = "CONTACTFLOW_PERSISTED_DOCUMENTS", global = true)]
    pub persisted_documents: Option<std::path::PathBuf>,
    /// Whether only the manifest's documents run (`true` or `false`): any other is refused
    /// with `PERSISTED_QUERY_NOT_FOUND`.
    #[arg(
        long,
        env = "CONTACTFLOW_ONLY_PERSISTED_DOCUMENTS",
        default_value = "false",
        global = true,
        action = ArgAction::Set,
        value_parser = values::flag
    )]
    pub only_persisted_documents: bool,
    /// Whether introspection queries are answered (`true` or `false`).
    #[arg(
        long,
        env = "CONTACTFLOW_INTROSPECTION",
        default_value = "true",
        global = true,
        action = ArgAction::Set,
        value_parser = values::flag
    )]
    pub introspection: bool,
    /// Whether validation errors suggest similar names (`true` or `false`).
    #[arg(
        long,
        env = "CONTACTFLOW_SUGGESTIONS",
        default_value = "true",
        global = true,
        action = ArgAction::Set,
        value_parser = values::flag
    )]
    pub suggestions: bool,
    /// Whether webhooks may target private, loopback and link-local addresses (`true` or
    /// `false`): for receivers on the same network; off, such URLs are refused.
    #[arg(
        long,
        env = "CONTACTFLOW_WEBHOOK_ALLOW_PRIVATE",
        default_value = "false",
        global = true,
        action = ArgAction::Set,
        value_parser = values::flag
    )]
    pub webhook_allow_private: bool,
    /// How long a webhook receiver has to answer a delivery, in milliseconds.
    #[arg(
        long = "webhook-timeout-ms",
        env = "CONTACTFLOW_WEBHOOK_TIMEOUT_MS",
        default_value = "10000",
        global = true,
        value_parser = values::millis(1)
    )]
    pub webhook_timeout: std::time::Duration,
    /// The wait before a failed delivery's first retry, in milliseconds (each further retry
    /// waits twice as long, up to an hour).
    #[arg(
        long = "webhook-first-retry-ms",
        env = "CONTACTFLOW_WEBHOOK_FIRST_RETRY_MS",
        default_value = "10000",
        global = true,
        value_parser = values::millis(1)
    )]
    pub webhook_first_retry: std::time::Duration,
    /// Whether GraphiQL is served at `/graphiql` (`true` or `false`).
    #[arg(
        long,
        env = "CONTACTFLOW_GRAPHIQL",
        default_value = "true",
        global = true,
        action = ArgAction::Set,
        value_parser = values::flag
    )]
    pub graphiql: bool,
    /// Whether the reference app is served at `/app` (`true` or `false`); its documents are
    /// trusted while it is.
    #[arg(
        long,
        env = "CONTACTFLOW_APP",
        default_value = "true",
        global = true,
        action = ArgAction::Set,
        value_parser = values::flag
    )]
    pub app: bool,
    /// Bounds on requests and documents.
    #[command(flatten)]
    pub limits: LimitSettings,
}

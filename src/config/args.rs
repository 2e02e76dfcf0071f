//! The raw settings as flags and environment variables, with their defaults.

use clap::Args;

/// Raw settings as given; [`Settings::from_args`] checks them.
#[derive(Debug, Clone, Args)]
pub struct SettingsArgs {
    /// Database: a SQLite file (`sqlite://PATH?mode=rwc`, `sqlite:PATH` or a plain path) or `postgres://…`.
    #[arg(
        long,
        env = "CONTACTFLOW_DATABASE_URL",
        default_value = "contactflow.db",
        global = true
    )]
    pub database_url: String,
    /// Address to listen on.
    #[arg(
        long,
        env = "CONTACTFLOW_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub addr: String,
    /// Secret that signs bearer tokens (at least 32 characters); default: generated once and kept in the database.
    #[arg(
        long,
        env = "CONTACTFLOW_JWT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub jwt_secret: Option<String>,
    /// Lifetime of a bearer token, in seconds.
    #[arg(
        long,
        env = "CONTACTFLOW_TOKEN_TTL_SECONDS",
        default_value = "43200",
        global = true
    )]
    pub token_ttl_seconds: String,
    /// Largest number of pooled database connections.
    #[arg(
        long,
        env = "CONTACTFLOW_DB_MAX_CONNECTIONS",
        default_value = "10",
        global = true
    )]
    pub db_max_connections: String,
    /// PostgreSQL `statement_timeout`, in milliseconds.
    #[arg(
        long,
        env = "CONTACTFLOW_DB_STATEMENT_TIMEOUT_MS",
        default_value = "30000",
        global = true
    )]
    pub db_statement_timeout_ms: String,
    /// Log filter (tracing `EnvFilter` syntax), for example `info` or `contactflow=debug`.
    #[arg(long, env = "CONTACTFLOW_LOG", default_value = "info", global = true)]
    pub log: String,
    /// Log format: `text` or `json`.
    #[arg(
        long,
        env = "CONTACTFLOW_LOG_FORMAT",
        default_value = "text",
        global = true
    )]
    pub log_format: String,
    /// Origins that may open a WebSocket, comma-separated; `*` allows every origin.
    #[arg(
        long,
        env = "CONTACTFLOW_ALLOWED_ORIGINS",
        default_value = "*",
        global = true
    )]
    pub allowed_origins: String,
    /// Whether introspection queries are answered (`true` or `false`).
    #[arg(
        long,
        env = "CONTACTFLOW_INTROSPECTION",
        default_value = "true",
        global = true
    )]
    pub introspection: String,
    /// Whether validation errors suggest similar names (`true` or `false`).
    #[arg(
        long,
        env = "CONTACTFLOW_SUGGESTIONS",
        default_value = "true",
        global = true
    )]
    pub suggestions: String,
    /// Whether GraphiQL is served at `/graphiql` (`true` or `false`).
    #[arg(
        long,
        env = "CONTACTFLOW_GRAPHIQL",
        default_value = "true",
        global = true
    )]
    pub graphiql: String,
    /// Largest request body at `/graphql`, in bytes (413 above).
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_BODY_BYTES",
        default_value = "65536",
        global = true
    )]
    pub max_body_bytes: String,
    /// Longest a query or mutation may run, in milliseconds (then `TIMEOUT`).
    #[arg(
        long,
        env = "CONTACTFLOW_REQUEST_TIMEOUT_MS",
        default_value = "30000",
        global = true
    )]
    pub request_timeout_ms: String,
    /// Deepest nesting of fields in a document.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_DEPTH",
        default_value = "12",
        global = true
    )]
    pub max_depth: String,
    /// Largest complexity of a document (a list field costs `first × its selection`).
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_COMPLEXITY",
        default_value = "10000",
        global = true
    )]
    pub max_complexity: String,
    /// Most aliased fields in a document, counted through fragments.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_ALIASES",
        default_value = "100",
        global = true
    )]
    pub max_aliases: String,
    /// Most directives in a document, counted through fragments.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_DIRECTIVES",
        default_value = "50",
        global = true
    )]
    pub max_directives: String,
    /// Most lexical tokens in a document.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_TOKENS",
        default_value = "10000",
        global = true
    )]
    pub max_tokens: String,
    /// Most selections a document may expand to once its fragments are spread.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_SELECTIONS",
        default_value = "2000",
        global = true
    )]
    pub max_selections: String,
    /// Documents whose parse and checks are cached (least recently used forgotten first).
    #[arg(
        long,
        env = "CONTACTFLOW_DOCUMENT_CACHE_SIZE",
        default_value = "512",
        global = true
    )]
    pub document_cache_size: String,
    /// Persisted queries kept by hash (0 turns automatic persisted queries off).
    #[arg(
        long,
        env = "CONTACTFLOW_PERSISTED_QUERIES",
        default_value = "1000",
        global = true
    )]
    pub persisted_queries: String,
}

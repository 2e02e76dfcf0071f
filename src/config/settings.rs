//! Checked settings: each raw setting parsed and bounded, with errors that name it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::SettingsArgs;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Checked settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where the data lives.
    pub database: DatabaseUrl,
    /// Address to listen on.
    pub addr: SocketAddr,
    /// Configured token secret, if any.
    pub jwt_secret: Option<String>,
    /// Lifetime of issued tokens.
    pub token_ttl: Duration,
    /// Pool size.
    pub db_max_connections: u32,
    /// PostgreSQL statement timeout.
    pub db_statement_timeout: Duration,
    /// Log filter.
    pub log: String,
    /// Log format.
    pub log_format: LogFormat,
    /// Whether introspection is answered.
    pub introspection: bool,
    /// Origins that may open a WebSocket (`*`: any).
    pub allowed_origins: Vec<String>,
    /// Whether validation errors suggest similar names.
    pub suggestions: bool,
    /// Whether GraphiQL is served at `/graphiql`.
    pub graphiql: bool,
    /// Bounds on requests and documents.
    pub limits: LimitSettings,
}

/// Bounds on requests and documents, each its own setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitSettings {
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
    /// Longest a query or mutation may run.
    pub request_timeout: Duration,
    /// Deepest nesting of fields.
    pub max_depth: usize,
    /// Largest complexity.
    pub max_complexity: usize,
    /// Most aliases.
    pub max_aliases: usize,
    /// Most directives.
    pub max_directives: usize,
    /// Most lexical tokens.
    pub max_tokens: usize,
    /// Most selections after fragment expansion.
    pub max_selections: usize,
    /// Cached documents.
    pub document_cache_size: usize,
    /// Persisted queries kept.
    pub persisted_queries: usize,
}

impl LimitSettings {
    fn from_args(args: &SettingsArgs) -> Result<Self, ConfigError> {
        let size = |text: &str, variable, flag, min| number::<usize>(text, variable, flag, min);
        Ok(Self {
            max_body_bytes: size(
                &args.max_body_bytes,
                "CONTACTFLOW_MAX_BODY_BYTES",
                "max-body-bytes",
                1024,
            )?,
            request_timeout: Duration::from_millis(number::<u64>(
                &args.request_timeout_ms,
                "CONTACTFLOW_REQUEST_TIMEOUT_MS",
                "request-timeout-ms",
                1,
            )?),
            max_depth: size(&args.max_depth, "CONTACTFLOW_MAX_DEPTH", "max-depth", 1)?,
            max_complexity: size(
                &args.max_complexity,
                "CONTACTFLOW_MAX_COMPLEXITY",
                "max-complexity",
                1,
            )?,
            max_aliases: size(
                &args.max_aliases,
                "CONTACTFLOW_MAX_ALIASES",
                "max-aliases",
                0,
            )?,
            max_directives: size(
                &args.max_directives,
                "CONTACTFLOW_MAX_DIRECTIVES",
                "max-directives",
                0,
            )?,
            max_tokens: size(&args.max_tokens, "CONTACTFLOW_MAX_TOKENS", "max-tokens", 1)?,
            max_selections: size(
                &args.max_selections,
                "CONTACTFLOW_MAX_SELECTIONS",
                "max-selections",
                1,
            )?,
            document_cache_size: size(
                &args.document_cache_size,
                "CONTACTFLOW_DOCUMENT_CACHE_SIZE",
                "document-cache-size",
                0,
            )?,
            persisted_queries: size(
                &args.persisted_queries,
                "CONTACTFLOW_PERSISTED_QUERIES",
                "persisted-queries",
                0,
            )?,
        })
    }
}

/// A setting that cannot be used; the message names it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {variable} (--{flag}): {problem}")]
pub struct ConfigError {
    /// The environment variable.
    pub variable: &'static str,
    /// The flag.
    pub flag: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

fn invalid(variable: &'static str, flag: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        flag,
        problem: problem.into(),
    }
}

fn number<T>(
    text: &str,
    variable: &'static str,
    flag: &'static str,
    min: T,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    match text.trim().parse::<T>() {
        Ok(value) if value >= min => Ok(value),
        _ => Err(invalid(
            variable,
            flag,
            format!("{text:?} is not a whole number of at least {min}"),
        )),
    }
}

impl Settings {
    /// Checks raw settings.
    pub fn from_args(args: &SettingsArgs) -> Result<Self, ConfigError> {
        let database = DatabaseUrl::parse(&args.database_url)
            .map_err(|problem| invalid("CONTACTFLOW_DATABASE_URL", "database-url", problem))?;
        let addr = args.addr.trim().parse().map_err(|_| {
            invalid(
                "CONTACTFLOW_ADDR",
                "addr",
                format!("{:?} is not an address like 127.0.0.1:8080", args.addr),
            )
        })?;
        let jwt_secret = match &args.jwt_secret {
            Some(secret) if secret.chars().count() < 32 => {
                return Err(invalid(
                    "CONTACTFLOW_JWT_SECRET",
                    "jwt-secret",
                    "must be at least 32 characters long",
                ));
            }
            other => other.clone(),
        };
        let ttl = number::<u64>(
            &args.token_ttl_seconds,
            "CONTACTFLOW_TOKEN_TTL_SECONDS",
            "token-ttl-seconds",
            60,
        )?;
        let pool = number::<u32>(
            &args.db_max_connections,
            "CONTACTFLOW_DB_MAX_CONNECTIONS",
            "db-max-connections",
            1,
        )?;
        let statement_timeout = number::<u64>(
            &args.db_statement_timeout_ms,
            "CONTACTFLOW_DB_STATEMENT_TIMEOUT_MS",
            "db-statement-timeout-ms",
            1,
        )?;
        let log_format = match args.log_format.trim() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(invalid(
                    "CONTACTFLOW_LOG_FORMAT",
                    "log-format",
                    format!("{other:?} is neither text nor json"),
                ));
            }
        };
        tracing_subscriber::EnvFilter::try_new(&args.log)
            .map_err(|error| invalid("CONTACTFLOW_LOG", "log", error.to_string()))?;
        Ok(Self {
            database,
            addr,
            jwt_secret,
            token_ttl: Duration::from_secs(ttl),
            db_max_connections: pool,
            db_statement_timeout: Duration::from_millis(statement_timeout),
            log: args.log.clone(),
            log_format,
            allowed_origins: parse_origins(&args.allowed_origins)?,
            introspection: flag(
                &args.introspection,
                "CONTACTFLOW_INTROSPECTION",
                "introspection",
            )?,
            suggestions: flag(&args.suggestions, "CONTACTFLOW_SUGGESTIONS", "suggestions")?,
            graphiql: flag(&args.graphiql, "CONTACTFLOW_GRAPHIQL", "graphiql")?,
            limits: LimitSettings::from_args(args)?,
        })
    }
}

fn parse_origins(text: &str) -> Result<Vec<String>, ConfigError> {
    let origins: Vec<String> = text
        .split(',')
        .map(|origin| origin.trim().trim_end_matches('/').to_owned())
        .filter(|origin| !origin.is_empty())
        .collect();
    let malformed = origins
        .iter()
        .find(|o| *o != "*" && !(o.starts_with("http://") || o.starts_with("https://")));
    match malformed {
        Some(origin) => Err(invalid(
            "CONTACTFLOW_ALLOWED_ORIGINS",
            "allowed-origins",
            format!("{origin:?} is not an origin like https://crm.example.com (or *)"),
        )),
        None if origins.is_empty() => Err(invalid(
            "CONTACTFLOW_ALLOWED_ORIGINS",
            "allowed-origins",
            "name at least one origin, or *",
        )),
        None => Ok(origins),
    }
}

fn flag(text: &str, variable: &'static str, name: &'static str) -> Result<bool, ConfigError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(invalid(variable, name, "expected true or false")),
    }
}

impl DatabaseUrl {
    /// Reads a database setting: `postgres://…`/`postgresql://…`, `sqlite://PATH[?…]`,
    /// `sqlite:PATH` or a plain file path.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Self::Postgres(text.to_owned()));
        }
        let path = if let Some(rest) = text.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = text.strip_prefix("sqlite:") {
            rest
        } else if let Some((scheme, _)) = text.split_once("://") {
            return Err(format!(
                "unsupported database {scheme:?}: use a SQLite file or postgres://"
            ));
        } else {
            text
        };
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() {
            return Err("no SQLite file named".to_owned());
        }
        if path == ":memory:" {
            return Err(
                "an in-memory SQLite database would vanish with its connections; name a file"
                    .to_owned(),
            );
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Cli;
    use clap::Parser;

    fn args() -> SettingsArgs {
        Cli::parse_from(["contactflow", "schema"]).settings
    }

    #[test]
    fn every_spelling_of_a_sqlite_file_names_the_same_file() {
        for text in [
            "sqlite://data/cf.db?mode=rwc",
            "sqlite:data/cf.db",
            "data/cf.db",
        ] {
            assert_eq!(
                DatabaseUrl::parse(text),
                Ok(DatabaseUrl::Sqlite("data/cf.db".into()))
            );
        }
    }

    #[test]
    fn postgres_urls_are_kept_whole() {
        let url = "postgres://postgres@127.0.0.1:5432/cf";
        assert_eq!(
            DatabaseUrl::parse(url),
            Ok(DatabaseUrl::Postgres(url.into()))
        );
    }

    #[test]
    fn a_foreign_database_scheme_is_refused_by_name() {
        let mut raw = args();
        raw.database_url = "mysql://localhost/cf".into();
        let message = Settings::from_args(&raw).unwrap_err().to_string();
        assert!(message.contains("CONTACTFLOW_DATABASE_URL"), "{message}");
    }

    #[test]
    fn a_bad_address_names_its_setting() {
        let mut raw = args();
        raw.addr = "localhost".into();
        let message = Settings::from_args(&raw).unwrap_err().to_string();
        assert!(
            message.contains("CONTACTFLOW_ADDR") && message.contains("--addr"),
            "{message}"
        );
    }

    #[test]
    fn a_short_jwt_secret_is_refused() {
        let mut raw = args();
        raw.jwt_secret = Some("short".into());
        assert_eq!(
            Settings::from_args(&raw).unwrap_err().variable,
            "CONTACTFLOW_JWT_SECRET"
        );
    }

    #[test]
    fn defaults_are_usable() {
        let settings = Settings::from_args(&args()).unwrap();
        assert_eq!(settings.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(
            settings.database,
            DatabaseUrl::Sqlite("contactflow.db".into())
        );
        assert!(settings.introspection);
        assert!(settings.suggestions);
        assert!(settings.graphiql);
        assert_eq!(settings.limits.max_body_bytes, 64 * 1024);
        assert_eq!(settings.limits.max_depth, 12);
        assert_eq!(settings.limits.max_complexity, 10_000);
    }

    #[test]
    fn a_limit_that_is_not_a_number_names_its_setting() {
        let mut raw = args();
        raw.max_selections = "lots".into();
        let error = Settings::from_args(&raw).unwrap_err();
        assert_eq!(error.variable, "CONTACTFLOW_MAX_SELECTIONS");
        raw = args();
        raw.suggestions = "maybe".into();
        assert_eq!(
            Settings::from_args(&raw).unwrap_err().variable,
            "CONTACTFLOW_SUGGESTIONS"
        );
    }
}

//! The value types of settings and the parsers that check them: each bad value is refused with
//! a sentence saying what is wrong; [`super::ConfigError`] adds which setting it was.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where the data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL connection URL.
    Postgres(String),
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

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// Reads `text` or `json`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.trim() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("{other:?} is neither text nor json")),
        }
    }
}

/// The secret that signs tokens; never shown, not even in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Fewest characters a secret may have.
    pub const MIN_CHARS: usize = 32;

    /// Reads a secret of at least [`Secret::MIN_CHARS`] characters.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text.chars().count() < Self::MIN_CHARS {
            return Err(format!(
                "must be at least {} characters long",
                Self::MIN_CHARS
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The secret itself, for the one place that signs with it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Origins that may call from a browser: `*` (any) or `http(s)://host[:port]` entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origins(pub Vec<String>);

impl Origins {
    /// Reads a comma-separated list.
    pub fn parse(text: &str) -> Result<Self, String> {
        let origins: Vec<String> = text
            .split(',')
            .map(|origin| origin.trim().trim_end_matches('/').to_owned())
            .filter(|origin| !origin.is_empty())
            .collect();
        let malformed = origins
            .iter()
            .find(|o| *o != "*" && !(o.starts_with("http://") || o.starts_with("https://")));
        match malformed {
            Some(origin) => Err(format!(
                "{origin:?} is not an origin like https://crm.example.com (or *)"
            )),
            None if origins.is_empty() => Err("name at least one origin, or *".to_owned()),
            None => Ok(Self(origins)),
        }
    }
}

/// Reads an address like `127.0.0.1:8080`.
pub fn address(text: &str) -> Result<SocketAddr, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("{text:?} is not an address like 127.0.0.1:8080"))
}

/// Reads `true` or `false` (also `1`/`0`, `yes`/`no`, `on`/`off`).
pub fn flag(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("{text:?} is neither true nor false")),
    }
}

/// Reads a log filter in tracing's `EnvFilter` syntax.
pub fn log_filter(text: &str) -> Result<String, String> {
    tracing_subscriber::EnvFilter::try_new(text)
        .map(|_| text.to_owned())
        .map_err(|error| error.to_string())
}

fn whole_number(text: &str, min: u64) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(value) if value >= min => Ok(value),
        _ => Err(format!("{text:?} is not a whole number of at least {min}")),
    }
}

/// A parser of whole numbers of at least `min`, as `T`.
pub fn at_least<T>(min: u64) -> impl Fn(&str) -> Result<T, String> + Clone + Send + Sync + 'static
where
    T: TryFrom<u64>,
{
    move |text| {
        whole_number(text, min)?
            .try_into()
            .map_err(|_| format!("{text:?} is too large"))
    }
}

/// A parser of a duration given in whole seconds, at least `min`.
pub fn seconds(min: u64) -> impl Fn(&str) -> Result<Duration, String> + Clone + Send + Sync {
    move |text| whole_number(text, min).map(Duration::from_secs)
}

/// A parser of a duration given in whole milliseconds, at least `min`.
pub fn millis(min: u64) -> impl Fn(&str) -> Result<Duration, String> + Clone + Send + Sync {
    move |text| whole_number(text, min).map(Duration::from_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(DatabaseUrl::parse("sqlite::memory:").is_err());
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
    fn a_secret_is_never_shown() {
        let secret = Secret::parse("a secret that is long enough to sign!").unwrap();
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
        assert!(Secret::parse("short").is_err());
    }

    #[test]
    fn origins_are_urls_or_the_wildcard() {
        assert_eq!(
            Origins::parse("https://a.example/, http://b.example:5173"),
            Ok(Origins(vec![
                "https://a.example".into(),
                "http://b.example:5173".into()
            ]))
        );
        assert!(Origins::parse("crm.example.com").is_err());
        assert!(Origins::parse(" , ").is_err());
    }

    #[test]
    fn numbers_are_bounded_below() {
        assert_eq!(at_least::<usize>(1)("12"), Ok(12));
        assert!(at_least::<usize>(1)("0").is_err());
        assert!(at_least::<u32>(1)("99999999999").is_err());
        assert_eq!(millis(1)("250"), Ok(Duration::from_millis(250)));
        assert!(seconds(60)("59").is_err());
        assert_eq!(flag(" Off "), Ok(false));
        assert!(flag("maybe").is_err());
    }
}

//! The bounds on requests and documents, each its own setting.

use std::time::Duration;

use clap::Args;

use super::values::{at_least, millis};

/// Bounds on requests and documents.
#[derive(Debug, Clone, PartialEq, Eq, Args)]
pub struct LimitSettings {
    /// Largest request body at `/graphql`, in bytes (413 above).
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_BODY_BYTES",
        default_value = "65536",
        global = true,
        value_parser = at_least::<usize>(1024)
    )]
    pub max_body_bytes: usize,
    /// Longest a query or mutation may run, in milliseconds (then `TIMEOUT`).
    #[arg(
        long = "request-timeout-ms",
        env = "CONTACTFLOW_REQUEST_TIMEOUT_MS",
        default_value = "30000",
        global = true,
        value_parser = millis(1)
    )]
    pub request_timeout: Duration,
    /// Deepest nesting of fields in a document.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_DEPTH",
        default_value = "12",
        global = true,
        value_parser = at_least::<usize>(1)
    )]
    pub max_depth: usize,
    /// Largest complexity of a document (a list field costs `first × its selection`).
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_COMPLEXITY",
        default_value = "10000",
        global = true,
        value_parser = at_least::<usize>(1)
    )]
    pub max_complexity: usize,
    /// Most aliased fields in a document, counted through fragments.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_ALIASES",
        default_value = "100",
        global = true,
        value_parser = at_least::<usize>(0)
    )]
    pub max_aliases: usize,
    /// Most directives in a document, counted through fragments.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_DIRECTIVES",
        default_value = "50",
        global = true,
        value_parser = at_least::<usize>(0)
    )]
    pub max_directives: usize,
    /// Most lexical tokens in a document.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_TOKENS",
        default_value = "10000",
        global = true,
        value_parser = at_least::<usize>(1)
    )]
    pub max_tokens: usize,
    /// Most selections a document may expand to once its fragments are spread.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_SELECTIONS",
        default_value = "2000",
        global = true,
        value_parser = at_least::<usize>(1)
    )]
    pub max_selections: usize,
    /// Documents whose parse and checks are cached (least recently used forgotten first).
    #[arg(
        long,
        env = "CONTACTFLOW_DOCUMENT_CACHE_SIZE",
        default_value = "512",
        global = true,
        value_parser = at_least::<usize>(0)
    )]
    pub document_cache_size: usize,
    /// Most operations (subscriptions) one WebSocket carries at once.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_SUBSCRIPTIONS_PER_SOCKET",
        default_value = "100",
        global = true,
        value_parser = at_least::<usize>(1)
    )]
    pub max_subscriptions_per_socket: usize,
    /// Longest a client may take to send a request's headers, in milliseconds.
    #[arg(
        long = "header-read-timeout-ms",
        env = "CONTACTFLOW_HEADER_READ_TIMEOUT_MS",
        default_value = "10000",
        global = true,
        value_parser = millis(1)
    )]
    pub header_read_timeout: Duration,
    /// Most connections open at once; later ones wait until one closes.
    #[arg(
        long,
        env = "CONTACTFLOW_MAX_CONNECTIONS",
        default_value = "10000",
        global = true,
        value_parser = at_least::<usize>(1)
    )]
    pub max_connections: usize,
    /// Failed sign-ins for one login within 15 minutes before its sign-ins are refused.
    #[arg(
        long,
        env = "CONTACTFLOW_SIGN_IN_FAILURES_PER_LOGIN",
        default_value = "5",
        global = true,
        value_parser = at_least::<usize>(1)
    )]
    pub sign_in_failures_per_login: usize,
    /// Failed sign-ins from one client address within a minute before its sign-ins are refused.
    #[arg(
        long,
        env = "CONTACTFLOW_SIGN_IN_FAILURES_PER_ADDRESS",
        default_value = "30",
        global = true,
        value_parser = at_least::<usize>(1)
    )]
    pub sign_in_failures_per_address: usize,
    /// Persisted queries kept by hash (0 turns automatic persisted queries off).
    #[arg(
        long,
        env = "CONTACTFLOW_PERSISTED_QUERIES",
        default_value = "1000",
        global = true,
        value_parser = at_least::<usize>(0)
    )]
    pub persisted_queries: usize,
}

//! Every `extensions.code` a top-level error may carry (API.md, "Transport"), each declared
//! once; the HTTP and WebSocket layers use these constants too.

/// No valid token.
pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
/// The caller's role may not do this.
pub const FORBIDDEN: &str = "FORBIDDEN";
/// A malformed request, argument, id, date or cursor.
pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
/// The document does not parse.
pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
/// The document does not fit the schema.
pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
/// The document asks for more than the limits allow.
pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
/// A persisted query's hash is unknown: send the document with it.
pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
/// Too many failed sign-ins: `extensions.retryAfterSeconds` says when to try again.
pub const RATE_LIMITED: &str = "RATE_LIMITED";
/// The request took longer than allowed.
pub const TIMEOUT: &str = "TIMEOUT";
/// The database cannot be reached now: retry after `Retry-After` seconds.
pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
/// Something failed inside the server.
pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";

/// Every code above: an error carrying any other is answered as [`INTERNAL_SERVER_ERROR`].
pub const ALL: [&str; 11] = [
    UNAUTHENTICATED,
    FORBIDDEN,
    BAD_USER_INPUT,
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    QUERY_TOO_COMPLEX,
    PERSISTED_QUERY_NOT_FOUND,
    RATE_LIMITED,
    TIMEOUT,
    SERVICE_UNAVAILABLE,
    INTERNAL_SERVER_ERROR,
];

/// Whether `code` is one of the codes a top-level error may carry.
pub fn known(code: &str) -> bool {
    ALL.contains(&code)
}

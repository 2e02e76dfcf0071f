//! The bearer token of a request, from an HTTP `Authorization` header or a WebSocket
//! `connection_init` payload.

/// The token in an `Authorization` value (`Bearer <token>`). A value that is not a bearer token
/// is kept whole, so it fails verification like any bad token; an empty one is no token.
pub fn bearer_token(value: &str) -> Option<String> {
    let value = value.trim();
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => value,
    };
    (!token.is_empty()).then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn a_bearer_token_is_read_from_any_spelling_of_the_scheme() {
        assert_eq!(bearer_token("Bearer abc").as_deref(), Some("abc"));
        assert_eq!(bearer_token("  bearer   abc ").as_deref(), Some("abc"));
        assert_eq!(bearer_token("Basic xyz").as_deref(), Some("Basic xyz"));
        assert_eq!(bearer_token("   "), None);
    }
}

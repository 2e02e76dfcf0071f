//! A lexical scan that counts a document's tokens and how deeply its brackets nest, in one
//! linear pass and without building anything, so oversized documents are refused before the
//! parser (which recurses) ever sees them.

/// What the scan found, or where it stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// The whole document was read.
    Measured {
        /// Lexical tokens (names, numbers, strings, punctuators).
        tokens: usize,
        /// Deepest nesting of `{`, `[` and `(`.
        nesting: usize,
    },
    /// More tokens than allowed; the scan stopped there.
    TooManyTokens,
    /// Brackets nest deeper than allowed; the scan stopped there.
    TooDeep,
}

/// Scans `text`, stopping as soon as a bound is passed.
pub fn scan(text: &str, max_tokens: usize, max_nesting: usize) -> Scan {
    let bytes = text.as_bytes();
    let (mut at, mut tokens, mut nesting, mut deepest) = (0, 0usize, 0usize, 0usize);
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                at += 1;
                continue;
            }
            b'#' => {
                at = skip_comment(bytes, at);
                continue;
            }
            b'"' => at = skip_string(bytes, at),
            b'{' | b'[' | b'(' => {
                nesting += 1;
                deepest = deepest.max(nesting);
                if nesting > max_nesting {
                    return Scan::TooDeep;
                }
                at += 1;
            }
            b'}' | b']' | b')' => {
                nesting = nesting.saturating_sub(1);
                at += 1;
            }
            b'.' if bytes[at..].starts_with(b"...") => at += 3,
            _ if is_word(byte) => {
                while at < bytes.len() && is_word(bytes[at]) {
                    at += 1;
                }
            }
            _ => at += 1,
        }
        tokens += 1;
        if tokens > max_tokens {
            return Scan::TooManyTokens;
        }
    }
    Scan::Measured {
        tokens,
        nesting: deepest,
    }
}

/// Names and numbers (with their signs, points and exponents) are one token each.
fn is_word(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'+' | b'.')
}

fn skip_comment(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&byte| byte == b'\n' || byte == b'\r')
        .map_or(bytes.len(), |offset| from + offset)
}

/// The index after the string that starts at `from` (a `"…"` or a `"""…"""` block string); an
/// unterminated string runs to the end, where the parser will report it.
fn skip_string(bytes: &[u8], from: usize) -> usize {
    if bytes[from..].starts_with(b"\"\"\"") {
        let mut at = from + 3;
        while at < bytes.len() {
            if bytes[at..].starts_with(b"\\\"\"\"") {
                at += 4;
            } else if bytes[at..].starts_with(b"\"\"\"") {
                return at + 3;
            } else {
                at += 1;
            }
        }
        return bytes.len();
    }
    let mut at = from + 1;
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            b'\n' | b'\r' => return at,
            _ => at += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measure(text: &str) -> Scan {
        scan(text, usize::MAX, usize::MAX)
    }

    #[test]
    fn names_punctuators_and_strings_are_one_token_each() {
        assert_eq!(
            measure(r#"query Q($a: Int!) { contacts(first: 10, search: "a, b { c") { id } }"#),
            Scan::Measured {
                tokens: 23,
                nesting: 2
            }
        );
    }

    #[test]
    fn comments_commas_and_block_strings_do_not_count_their_insides() {
        let text = "# { { { a b c\n{ a(s: \"\"\"x { \\\"\"\" y\"\"\"), b ...F }";
        assert_eq!(
            measure(text),
            Scan::Measured {
                tokens: 11,
                nesting: 2
            }
        );
    }

    #[test]
    fn the_scan_stops_at_the_first_bound_passed() {
        assert_eq!(scan("{ a b c d }", 3, 10), Scan::TooManyTokens);
        assert_eq!(scan(&"{a".repeat(30_000), usize::MAX, 64), Scan::TooDeep);
        assert_eq!(
            scan("[[[]]]", 100, 3),
            Scan::Measured {
                tokens: 6,
                nesting: 3
            }
        );
    }

    #[test]
    fn an_unterminated_string_ends_the_scan_without_panicking() {
        assert!(matches!(measure("{ a(s: \"abc"), Scan::Measured { .. }));
        assert!(matches!(measure("{ a(s: \"\"\"abc"), Scan::Measured { .. }));
        assert!(matches!(measure("\"\\"), Scan::Measured { .. }));
    }
}

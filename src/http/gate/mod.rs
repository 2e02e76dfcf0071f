//! The document gate: every document, over HTTP or WebSocket, is measured and refused here
//! before async-graphql validates or runs it. The checks are linear in the document's size:
//! a lexical scan (tokens, bracket nesting) before parsing, then a memoised measure of what
//! the fragments expand to (selections, aliases, directives, depth). Verdicts are cached by
//! document text, so a repeated operation skips parsing and these checks.

mod expansion;
mod tokens;

use std::sync::{Arc, Mutex};

use async_graphql::Pos;
use async_graphql::parser::types::ExecutableDocument;

pub use expansion::{Expansion, measure};

use super::lru::Lru;

/// Brackets may nest at most this deep: the parser's own recursion limit.
pub const MAX_NESTING: usize = 64;

/// Documents longer than this are checked every time rather than cached, which bounds the
/// cache's memory.
const CACHEABLE_BYTES: usize = 16 * 1024;

/// Bounds on a single document, each with a setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocumentLimits {
    /// Lexical tokens.
    pub max_tokens: usize,
    /// Nesting of fields.
    pub max_depth: usize,
    /// Aliased fields, counted through fragments.
    pub max_aliases: usize,
    /// Directives, counted through fragments.
    pub max_directives: usize,
    /// Selections once every fragment is expanded.
    pub max_selections: usize,
    /// Documents whose verdicts are cached.
    pub cache_entries: usize,
}

impl Default for DocumentLimits {
    fn default() -> Self {
        Self {
            max_tokens: 10_000,
            max_depth: 12,
            max_aliases: 100,
            max_directives: 50,
            max_selections: 2_000,
            cache_entries: 512,
        }
    }
}

/// Why a document was refused, as a client sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `GRAPHQL_PARSE_FAILED` or `QUERY_TOO_COMPLEX`.
    pub code: &'static str,
    /// What is wrong, in words.
    pub message: String,
    /// Where in the document (parse errors).
    pub locations: Vec<Pos>,
}

impl Refusal {
    fn too_complex(message: String) -> Self {
        Self {
            code: "QUERY_TOO_COMPLEX",
            message,
            locations: Vec::new(),
        }
    }
}

type Verdict = Arc<Result<ExecutableDocument, Refusal>>;

/// Checks documents against the limits and remembers the verdicts.
pub struct Gate {
    limits: DocumentLimits,
    verdicts: Mutex<Lru<Box<str>, Verdict>>,
}

impl Gate {
    /// A gate with these limits and an empty cache.
    pub fn new(limits: DocumentLimits) -> Self {
        Self {
            limits,
            verdicts: Mutex::new(Lru::new(limits.cache_entries)),
        }
    }

    /// The limits it applies.
    pub fn limits(&self) -> &DocumentLimits {
        &self.limits
    }

    /// The parsed document, or why it is refused.
    pub fn admit(&self, query: &str) -> Result<ExecutableDocument, Refusal> {
        let cached = self
            .verdicts
            .lock()
            .ok()
            .and_then(|mut cache| cache.get(query));
        if let Some(verdict) = cached {
            return (*verdict).clone();
        }
        let verdict = Arc::new(self.inspect(query));
        if query.len() <= CACHEABLE_BYTES
            && let Ok(mut cache) = self.verdicts.lock()
        {
            cache.insert(query.into(), verdict.clone());
        }
        (*verdict).clone()
    }

    /// Scans, parses and measures a document.
    pub fn inspect(&self, query: &str) -> Result<ExecutableDocument, Refusal> {
        let limits = &self.limits;
        match tokens::scan(query, limits.max_tokens, MAX_NESTING) {
            tokens::Scan::TooManyTokens => {
                return Err(Refusal::too_complex(format!(
                    "the document has more than {} tokens",
                    limits.max_tokens
                )));
            }
            tokens::Scan::TooDeep => {
                return Err(Refusal::too_complex(format!(
                    "the document nests brackets more than {MAX_NESTING} deep"
                )));
            }
            tokens::Scan::Measured { .. } => {}
        }
        let document = async_graphql::parser::parse_query(query).map_err(|error| Refusal {
            code: "GRAPHQL_PARSE_FAILED",
            locations: error.positions().collect(),
            message: error.to_string(),
        })?;
        let size = measure(&document);
        let over = [
            (size.depth, limits.max_depth, "nests fields", "deep"),
            (
                size.selections,
                limits.max_selections,
                "expands to",
                "selections",
            ),
            (size.aliases, limits.max_aliases, "has", "aliases"),
            (size.directives, limits.max_directives, "has", "directives"),
        ];
        for (found, limit, verb, what) in over {
            if found > limit as u64 {
                return Err(Refusal::too_complex(format!(
                    "the document {verb} more than {limit} {what}"
                )));
            }
        }
        Ok(document)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> Gate {
        Gate::new(DocumentLimits::default())
    }

    fn refusal(query: &str) -> Refusal {
        gate().admit(query).unwrap_err()
    }

    #[test]
    fn an_ordinary_document_is_admitted_and_cached() {
        let gate = gate();
        let query = "query Page { contacts(first: 100) { edges { node { id name } } } }";
        assert!(gate.admit(query).is_ok());
        assert!(gate.admit(query).is_ok());
        assert_eq!(gate.verdicts.lock().unwrap().len(), 1);
    }

    #[test]
    fn a_syntax_error_keeps_its_location() {
        let refused = refusal("{ contacts {");
        assert_eq!(refused.code, "GRAPHQL_PARSE_FAILED");
        assert_eq!(refused.locations.len(), 1);
    }

    #[test]
    fn each_limit_refuses_with_its_own_message() {
        let deep = format!("{}{}", "{a".repeat(13), "}".repeat(13));
        assert!(refusal(&deep).message.contains("12 deep"));
        let aliases: String = (0..101).map(|n| format!("a{n}: __typename ")).collect();
        assert!(
            refusal(&format!("{{{aliases}}}"))
                .message
                .contains("aliases")
        );
        let directives = "__typename @skip(if: false) ".repeat(51);
        assert!(
            refusal(&format!("{{{directives}}}"))
                .message
                .contains("directives")
        );
        let wide = "__typename ".repeat(2_001);
        assert!(
            refusal(&format!("{{{wide}}}"))
                .message
                .contains("selections")
        );
        let long = "a ".repeat(10_001);
        assert!(refusal(&format!("{{{long}}}")).message.contains("tokens"));
        let nested = format!("{{ a(x: {}1{}) }}", "[".repeat(70), "]".repeat(70));
        assert_eq!(refusal(&nested).code, "QUERY_TOO_COMPLEX");
    }

    #[test]
    fn a_fragment_bomb_is_refused_by_its_expanded_size() {
        let mut query = String::from("{ ...F0 }");
        for level in 0..8 {
            let spreads = format!("...F{} ", level + 1).repeat(10);
            query.push_str(&format!(" fragment F{level} on Query {{ {spreads} }}"));
        }
        query.push_str(" fragment F8 on Query { __typename }");
        assert!(refusal(&query).message.contains("2000 selections"));
    }
}

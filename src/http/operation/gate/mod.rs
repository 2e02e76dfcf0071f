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
use crate::graphql::errors::codes;

/// Brackets may nest at most this deep: the parser's own recursion limit.
pub const MAX_NESTING: usize = 64;

/// Introspection may select `__schema`/`__type` at most this often in one document…
pub const MAX_INTROSPECTION_ROOTS: u64 = 3;
/// …and nest its list fields at most this deep (the standard introspection query nests
/// `types { fields { args } }`: three), because each level multiplies the answer.
pub const MAX_INTROSPECTION_LISTS: u64 = 3;

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
    /// Whether `__schema` and `__type` may be asked for.
    pub introspection: bool,
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
            introspection: true,
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
            code: codes::QUERY_TOO_COMPLEX,
            message,
            locations: Vec::new(),
        }
    }
}

/// A document's verdict: the parsed document (shared by every request that sends the same
/// text), or why it is refused.
pub type Verdict = Result<Arc<ExecutableDocument>, Refusal>;

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
    pub fn admit(&self, query: &str) -> Verdict {
        let cached = self
            .verdicts
            .lock()
            .ok()
            .and_then(|mut cache| cache.get(query));
        if let Some(verdict) = cached {
            return verdict;
        }
        let verdict = self.inspect(query).map(Arc::new);
        if query.len() <= CACHEABLE_BYTES
            && let Ok(mut cache) = self.verdicts.lock()
        {
            cache.insert(query.into(), verdict.clone());
        }
        verdict
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
            code: codes::GRAPHQL_PARSE_FAILED,
            locations: error.positions().collect(),
            message: error.to_string(),
        })?;
        let size = measure(&document);
        let invalid = |message: &str| {
            Err(Refusal {
                code: codes::GRAPHQL_VALIDATION_FAILED,
                message: message.into(),
                locations: Vec::new(),
            })
        };
        if size.cycle {
            return invalid("a fragment spreads itself, directly or through other fragments");
        }
        if !limits.introspection && size.introspection_roots > 0 {
            return invalid("introspection is turned off on this server");
        }
        let over = [
            (size.depth, limits.max_depth as u64, "nests fields", "deep"),
            (
                size.selections,
                limits.max_selections as u64,
                "expands to",
                "selections",
            ),
            (size.aliases, limits.max_aliases as u64, "has", "aliases"),
            (
                size.directives,
                limits.max_directives as u64,
                "has",
                "directives",
            ),
            (
                size.introspection_roots,
                MAX_INTROSPECTION_ROOTS,
                "selects __schema or __type",
                "times",
            ),
            (
                size.introspection_lists,
                MAX_INTROSPECTION_LISTS,
                "nests introspection lists",
                "deep",
            ),
        ];
        for (found, limit, verb, what) in over {
            if found > limit {
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
    fn the_standard_introspection_query_is_admitted_and_a_multiplying_one_is_not() {
        let standard = "query IntrospectionQuery { __schema { queryType { name } types { ...FullType } directives { name args { ...InputValue } } } } fragment FullType on __Type { kind name fields(includeDeprecated: true) { name args { ...InputValue } type { ...TypeRef } } inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name } possibleTypes { ...TypeRef } } fragment InputValue on __InputValue { name type { ...TypeRef } defaultValue } fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } }";
        assert!(gate().admit(standard).is_ok());
        let multiplying =
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
        assert!(refusal(multiplying).message.contains("introspection lists"));
        let repeated = "{ a: __schema { queryType { name } } b: __schema { queryType { name } } c: __type(name: \"Query\") { name } d: __type(name: \"Query\") { name } }";
        assert!(refusal(repeated).message.contains("__schema or __type"));
    }

    #[test]
    fn no_field_of_the_schema_shares_a_name_with_an_introspection_list() {
        let sdl = crate::graphql::sdl();
        for line in sdl.lines().map(str::trim) {
            for name in expansion::INTROSPECTION_LISTS {
                let field =
                    line.starts_with(&format!("{name}:")) || line.starts_with(&format!("{name}("));
                assert!(
                    !field,
                    "the schema's field {name} would count as introspection"
                );
            }
        }
    }

    #[test]
    fn a_fragment_cycle_is_refused_before_anything_walks_it() {
        let query = "{ ...A } fragment A on Query { ...B ...B ...B ...B } fragment B on Query { ...A ...A ...A ...A }";
        assert_eq!(refusal(query).code, "GRAPHQL_VALIDATION_FAILED");
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

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
mod tests;

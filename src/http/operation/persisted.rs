//! Automatic persisted queries (Apollo's `persistedQuery` extension): a client sends the
//! sha256 of its document; when the server does not know it yet the client sends the document
//! with its hash once, and the server keeps it in a bounded cache.

use std::sync::Mutex;

use crate::service::digest::sha256_hex;
use serde_json::Value;

use super::lru::Lru;

/// Documents longer than this are answered but not kept, which bounds the cache's memory.
const KEPT_BYTES: usize = 16 * 1024;

/// What the `persistedQuery` extension asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Lookup {
    /// No extension: the request carries its document.
    NotPersisted,
    /// The document to run.
    Found(String),
    /// The hash is unknown: the client should send the document with it.
    NotFound,
    /// The extension is malformed, or the hash does not match the document sent.
    Invalid(&'static str),
}

/// Documents by their sha256, least recently used forgotten first.
pub struct PersistedQueries {
    documents: Mutex<Lru<String, std::sync::Arc<str>>>,
}

impl PersistedQueries {
    /// A store of up to `capacity` documents (0 turns persisted queries off: every hash is
    /// unknown and nothing is kept).
    pub fn new(capacity: usize) -> Self {
        Self {
            documents: Mutex::new(Lru::new(capacity)),
        }
    }

    /// Resolves a request's document from its `query` and its `persistedQuery` extension.
    pub fn resolve(&self, query: Option<&str>, persisted: Option<&Value>) -> Lookup {
        let Some(persisted) = persisted else {
            return Lookup::NotPersisted;
        };
        if persisted.get("version").and_then(Value::as_i64) != Some(1) {
            return Lookup::Invalid("persistedQuery needs \"version\": 1");
        }
        let Some(hash) = persisted
            .get("sha256Hash")
            .and_then(Value::as_str)
            .filter(|hash| hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        else {
            return Lookup::Invalid("persistedQuery needs a \"sha256Hash\" of 64 hex digits");
        };
        let hash = hash.to_ascii_lowercase();
        let mut documents = self
            .documents
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match query {
            Some(query) if sha256_hex(query) != hash => {
                Lookup::Invalid("the sha256Hash does not match the query")
            }
            Some(query) => {
                if query.len() <= KEPT_BYTES {
                    documents.insert(hash, query.into());
                }
                Lookup::Found(query.to_owned())
            }
            None => documents
                .get(&hash)
                .map_or(Lookup::NotFound, |query| Lookup::Found(query.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn extension(hash: &str) -> Value {
        json!({ "version": 1, "sha256Hash": hash })
    }

    #[test]
    fn a_hash_is_unknown_until_its_document_is_sent_once() {
        let store = PersistedQueries::new(10);
        let query = "{ __typename }";
        let hash = sha256_hex(query);
        assert_eq!(
            store.resolve(None, Some(&extension(&hash))),
            Lookup::NotFound
        );
        assert_eq!(
            store.resolve(Some(query), Some(&extension(&hash))),
            Lookup::Found(query.into())
        );
        assert_eq!(
            store.resolve(None, Some(&extension(&hash.to_ascii_uppercase()))),
            Lookup::Found(query.into())
        );
    }

    #[test]
    fn a_document_that_does_not_match_its_hash_is_refused() {
        let store = PersistedQueries::new(10);
        let other = sha256_hex("{ other }");
        assert!(matches!(
            store.resolve(Some("{ __typename }"), Some(&extension(&other))),
            Lookup::Invalid(_)
        ));
        assert_eq!(
            store.resolve(None, Some(&extension(&other))),
            Lookup::NotFound
        );
    }

    #[test]
    fn a_malformed_extension_is_refused_and_none_is_ignored() {
        let store = PersistedQueries::new(10);
        let bad = json!({ "version": 2, "sha256Hash": "ab" });
        assert!(matches!(
            store.resolve(None, Some(&bad)),
            Lookup::Invalid(_)
        ));
        assert_eq!(store.resolve(Some("{ a }"), None), Lookup::NotPersisted);
        assert_eq!(
            sha256_hex("{ __typename }").len(),
            64,
            "hex of a 32-byte digest"
        );
    }
}

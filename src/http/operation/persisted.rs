//! Persisted documents. Trusted documents: a manifest loaded at start
//! (`CONTACTFLOW_PERSISTED_DOCUMENTS`, the `{ "<id>": "<document>" }` map GraphQL Code
//! Generator's client preset and Relay's `--persist` write), named by a request's
//! `persistedQuery.sha256Hash` or its `documentId` (Relay's `doc_id`); with
//! `CONTACTFLOW_ONLY_PERSISTED_DOCUMENTS` nothing else runs. And automatic persisted queries
//! (Apollo's `persistedQuery` extension): a client sends the sha256 of its document; when the
//! server does not know it yet the client sends the document with its hash once, and the server
//! keeps it in a bounded cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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
    /// Only trusted documents run, and this is not one.
    NotTrusted,
    /// The extension is malformed, or the hash does not match the document sent.
    Invalid(&'static str),
}

/// Whether `text` is a sha256 in hex (64 hex digits, either case).
fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The trusted documents of a manifest, by id.
#[derive(Debug, Default, Clone)]
pub struct Manifest {
    documents: HashMap<String, Arc<str>>,
}

impl Manifest {
    /// Reads a manifest: a JSON object of ids to documents. Every document must parse, and an id
    /// of 64 hex digits must be its document's sha256.
    pub fn parse(text: &str) -> Result<Self, String> {
        let map: HashMap<String, Value> =
            serde_json::from_str(text).map_err(|error| format!("not a JSON object: {error}"))?;
        let mut documents = HashMap::with_capacity(map.len());
        for (id, document) in map {
            let Value::String(document) = document else {
                return Err(format!("{id:?}: the document is not a string"));
            };
            if let Err(error) = async_graphql::parser::parse_query(&document) {
                return Err(format!("{id:?}: the document does not parse: {error}"));
            }
            let key = Self::key(&id);
            if is_sha256_hex(&key) && sha256_hex(&document) != key {
                return Err(format!("{id:?}: the id is not the document's sha256"));
            }
            documents.insert(key, document.into());
        }
        Ok(Self { documents })
    }

    /// The documents of both (this one's where an id names two).
    pub fn with(mut self, other: Self) -> Self {
        for (id, document) in other.documents {
            self.documents.entry(id).or_insert(document);
        }
        self
    }

    /// How many documents it holds.
    pub fn len(&self) -> usize {
        self.documents.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    /// The key an id is kept under: a sha256 as plain lowercase hex (`sha256:<hex>`, the
    /// GraphQL over HTTP persisted documents form, and `<hex>`, Apollo's, name the same
    /// document), any other id as it is.
    fn key(id: &str) -> String {
        let hex = id.strip_prefix("sha256:").unwrap_or(id);
        if is_sha256_hex(hex) {
            hex.to_ascii_lowercase()
        } else {
            id.to_owned()
        }
    }

    fn get(&self, id: &str) -> Option<&Arc<str>> {
        self.documents.get(&Self::key(id))
    }
}

/// Trusted documents, and documents by their sha256 least recently used forgotten first.
pub struct PersistedQueries {
    documents: Mutex<Lru<String, std::sync::Arc<str>>>,
    trusted: Manifest,
    only_trusted: bool,
}

impl PersistedQueries {
    /// A store of up to `capacity` documents (0 turns persisted queries off: every hash is
    /// unknown and nothing is kept), and no trusted documents.
    pub fn new(capacity: usize) -> Self {
        Self {
            documents: Mutex::new(Lru::new(capacity)),
            trusted: Manifest::default(),
            only_trusted: false,
        }
    }

    /// The same, trusting the documents of `manifest`; with `only`, no other document runs.
    pub fn trusting(mut self, manifest: Manifest, only: bool) -> Self {
        self.trusted = manifest;
        self.only_trusted = only;
        self
    }

    /// Resolves a request's document from its `query`, its `persistedQuery` extension and its
    /// `documentId` (Relay's `doc_id`).
    pub fn resolve(
        &self,
        query: Option<&str>,
        persisted: Option<&Value>,
        document_id: Option<&str>,
    ) -> Lookup {
        if let Some(id) = document_id {
            return self.trusted.get(id).map_or(Lookup::NotFound, |document| {
                Lookup::Found(document.to_string())
            });
        }
        let Some(persisted) = persisted else {
            return if self.only_trusted {
                Lookup::NotTrusted
            } else {
                Lookup::NotPersisted
            };
        };
        if persisted.get("version").and_then(Value::as_i64) != Some(1) {
            return Lookup::Invalid("persistedQuery needs \"version\": 1");
        }
        let Some(hash) = persisted
            .get("sha256Hash")
            .and_then(Value::as_str)
            .filter(|hash| is_sha256_hex(hash))
        else {
            return Lookup::Invalid("persistedQuery needs a \"sha256Hash\" of 64 hex digits");
        };
        let hash = hash.to_ascii_lowercase();
        if let Some(document) = self.trusted.get(&hash) {
            return Lookup::Found(document.to_string());
        }
        if self.only_trusted {
            return Lookup::NotTrusted;
        }
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
            store.resolve(None, Some(&extension(&hash)), None),
            Lookup::NotFound
        );
        assert_eq!(
            store.resolve(Some(query), Some(&extension(&hash)), None),
            Lookup::Found(query.into())
        );
        assert_eq!(
            store.resolve(None, Some(&extension(&hash.to_ascii_uppercase())), None),
            Lookup::Found(query.into())
        );
    }

    #[test]
    fn a_document_that_does_not_match_its_hash_is_refused() {
        let store = PersistedQueries::new(10);
        let other = sha256_hex("{ other }");
        assert!(matches!(
            store.resolve(Some("{ __typename }"), Some(&extension(&other)), None),
            Lookup::Invalid(_)
        ));
        assert_eq!(
            store.resolve(None, Some(&extension(&other)), None),
            Lookup::NotFound
        );
    }

    #[test]
    fn a_malformed_extension_is_refused_and_none_is_ignored() {
        let store = PersistedQueries::new(10);
        let bad = json!({ "version": 2, "sha256Hash": "ab" });
        assert!(matches!(
            store.resolve(None, Some(&bad), None),
            Lookup::Invalid(_)
        ));
        assert_eq!(
            store.resolve(Some("{ a }"), None, None),
            Lookup::NotPersisted
        );
        assert_eq!(
            sha256_hex("{ __typename }").len(),
            64,
            "hex of a 32-byte digest"
        );
    }

    #[test]
    fn trusted_documents_run_by_hash_or_id_and_only_they_when_told() {
        let query = "query Me { me { id } }";
        let hash = sha256_hex(query);
        let manifest = Manifest::parse(
            &json!({ format!("sha256:{hash}"): query, "relay-7": "{ __typename }" }).to_string(),
        )
        .unwrap();
        assert_eq!(manifest.len(), 2);
        let store = PersistedQueries::new(10).trusting(manifest, true);
        assert_eq!(
            store.resolve(None, Some(&extension(&hash)), None),
            Lookup::Found(query.into())
        );
        assert_eq!(
            store.resolve(None, None, Some(&format!("sha256:{hash}"))),
            Lookup::Found(query.into())
        );
        assert_eq!(
            store.resolve(None, None, Some("relay-7")),
            Lookup::Found("{ __typename }".into())
        );
        assert_eq!(store.resolve(None, None, Some("relay-8")), Lookup::NotFound);
        // Neither a document sent as it is nor one registered with its hash runs.
        assert_eq!(store.resolve(Some("{ a }"), None, None), Lookup::NotTrusted);
        let other = "{ b }";
        assert_eq!(
            store.resolve(Some(other), Some(&extension(&sha256_hex(other))), None),
            Lookup::NotTrusted
        );
    }

    #[test]
    fn a_manifest_that_lies_or_does_not_parse_is_refused() {
        let wrong_hash = json!({ sha256_hex("{ a }"): "{ b }" }).to_string();
        assert!(Manifest::parse(&wrong_hash).unwrap_err().contains("sha256"));
        let broken = json!({ "x": "query {" }).to_string();
        assert!(Manifest::parse(&broken).unwrap_err().contains("parse"));
        assert!(Manifest::parse("[]").is_err());
        assert!(Manifest::parse(&json!({ "x": 1 }).to_string()).is_err());
    }
}

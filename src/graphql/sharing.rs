//! Subscribers of `contactEvents` that ask the same share one answer per event. An event is
//! handed to every subscriber of its company at once; the first to render it with a document
//! executes it, and keeps the answer (as JSON) on the event; the others, asking the same
//! document with the same variables in the same languages, send that text. An execution that
//! looked at the caller ([`super::guard::signed_in`]: their rights, their own companies) is
//! kept for that caller only, so sharing never shows anyone what another may see.

use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::Name;
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection};

use crate::events::Making;

/// What happened to one event's answer for one subscriber.
pub enum Shared {
    /// Another subscriber's answer applies: send this JSON text as it is.
    Kept(Arc<str>),
    /// Executed for this subscriber: finish it with the answer, for the others.
    Made {
        /// The claim on the event's answer.
        making: Making,
        /// Whether the answer depends on who the caller is.
        used_caller: bool,
    },
}

/// One subscription's part in sharing: what it asks, and per event whether it used the caller.
pub struct Sharing {
    document: u64,
    used_caller: AtomicBool,
    /// "Now" for the event being answered.
    at: Mutex<chrono::DateTime<chrono::Utc>>,
    outcome: Mutex<Option<Shared>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Sharing {
    /// The sharing of a subscription to `contactEvents`; none for any other operation.
    /// `document` is its parsed text, `request` what the client sent with it.
    pub fn of(
        document: &ExecutableDocument,
        request: &async_graphql::Request,
        languages: &[String],
    ) -> Option<Arc<Self>> {
        let operation = match request.operation_name.as_deref() {
            Some(name) => {
                document
                    .operations
                    .iter()
                    .find(|(n, _)| *n == Some(&Name::new(name)))?
                    .1
            }
            None => document.operations.iter().next()?.1,
        };
        if operation.node.ty != OperationType::Subscription {
            return None;
        }
        let field =
            operation
                .node
                .selection_set
                .node
                .items
                .iter()
                .find_map(|item| match &item.node {
                    Selection::Field(field) if field.node.name.node == "contactEvents" => {
                        Some(field)
                    }
                    _ => None,
                })?;
        // The cursor to resume from differs from subscriber to subscriber but changes no
        // event's answer: a variable used only there is left out of what is compared.
        let resume_variable = field
            .node
            .get_argument("after")
            .and_then(|value| value.node.to_string().strip_prefix('$').map(str::to_owned))
            .filter(|name| mentions(&request.query, name) == 2);
        let mut hasher = std::hash::DefaultHasher::new();
        request.query.hash(&mut hasher);
        request.operation_name.hash(&mut hasher);
        for (name, value) in request.variables.iter() {
            if resume_variable.as_deref() != Some(name.as_str()) {
                name.as_str().hash(&mut hasher);
                value.to_string().hash(&mut hasher);
            }
        }
        languages.hash(&mut hasher);
        Some(Arc::new(Self {
            document: hasher.finish(),
            used_caller: AtomicBool::new(false),
            at: Mutex::new(crate::service::clock::now()),
            outcome: Mutex::new(None),
        }))
    }

    /// What the operation asks, as a number to compare.
    pub(super) fn document(&self) -> u64 {
        self.document
    }

    /// An event's answer begins: nothing used yet, and "now" is now.
    pub(super) fn begin(&self) {
        self.used_caller.store(false, Ordering::Relaxed);
        *lock(&self.at) = crate::service::clock::now();
        *lock(&self.outcome) = None;
    }

    /// The answer being made depends on who the caller is.
    pub(super) fn caller_used(&self) {
        self.used_caller.store(true, Ordering::Relaxed);
    }

    /// Whether the answer being made depends on who the caller is.
    pub(super) fn used_caller(&self) -> bool {
        self.used_caller.load(Ordering::Relaxed)
    }

    /// "Now" for the event being answered.
    pub(super) fn at(&self) -> chrono::DateTime<chrono::Utc> {
        *lock(&self.at)
    }

    pub(super) fn settle(&self, shared: Shared) {
        *lock(&self.outcome) = Some(shared);
    }

    /// What happened to the last event's answer.
    pub fn take(&self) -> Option<Shared> {
        lock(&self.outcome).take()
    }
}

/// How often `$name` stands in `query` as a whole variable.
fn mentions(query: &str, name: &str) -> usize {
    let needle = format!("${name}");
    query
        .match_indices(&needle)
        .filter(|(at, _)| {
            !query[at + needle.len()..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sharing(query: &str, variables: serde_json::Value) -> Option<u64> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables));
        Sharing::of(&document, &request, &["it".into()]).map(|s| s.document())
    }

    #[test]
    fn subscribers_share_unless_they_ask_differently_and_the_resume_cursor_does_not_count() {
        let q = "subscription($a: String) { contactEvents(after: $a) { cursor } }";
        let one = sharing(q, serde_json::json!({ "a": "ev1.1.1" }));
        assert!(one.is_some());
        assert_eq!(one, sharing(q, serde_json::json!({ "a": "ev1.2.2" })));
        let other = "subscription($a: String) { contactEvents(after: $a) { cursor kind } }";
        assert_ne!(one, sharing(other, serde_json::json!({ "a": "ev1.1.1" })));
        // The same variable used below too: it counts.
        let used = "subscription($a: String) { contactEvents(after: $a) { contact { name @include(if: $a) } } }";
        let used_one = sharing(used, serde_json::json!({ "a": "x" }));
        assert_ne!(used_one, sharing(used, serde_json::json!({ "a": "y" })));
        let w = "subscription($w: ID) { contactEvents(workflowId: $w) { cursor } }";
        assert_ne!(
            sharing(w, serde_json::json!({ "w": "1" })),
            sharing(w, serde_json::json!({ "w": "2" }))
        );
        assert_eq!(
            sharing("subscription { reminders { kind } }", serde_json::json!({})),
            None
        );
        assert_eq!(sharing("{ me { id } }", serde_json::json!({})), None);
    }

    #[test]
    fn a_variable_is_told_from_another_that_starts_alike() {
        assert_eq!(mentions("($a: X, $ab: Y) { f(x: $a, y: $ab) }", "a"), 2);
    }
}

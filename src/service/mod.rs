//! Use cases: load what a rule needs, ask `domain`, read or write in one transaction.
//! Errors are typed ([`ServiceError`]) and mapped to API codes once, in `graphql`; a broken
//! rule names the part of the request it concerns in the domain's words ([`FieldViolation`]).

pub mod auth;
pub mod catalog;
pub mod clock;
pub mod contacts;
pub mod lookup;
pub mod pagination;
pub mod reminders;
pub mod work_items;
pub mod writes;

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbBackend, DbErr, Statement};

pub use crate::domain::violation::FieldViolation;

/// Why a use case did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// No valid bearer token came with the request (or its operator is inactive).
    #[error("authentication required")]
    Unauthenticated,
    /// The caller's role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The request itself is malformed (bad cursor, page size out of range …).
    #[error("{0}")]
    BadInput(String),
    /// Rules refused the input; each violation points at the part of the request it concerns.
    #[error("the input breaks {} rule(s)", .0.len())]
    Rules(Vec<FieldViolation>),
    /// The database failed; logged, never shown to clients.
    #[error("database error: {0}")]
    Database(#[from] DbErr),
    /// Something that should not happen did; logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// What a write tells the reminder engine: the pending activities whose reminders it may have
/// changed (scheduled, completed, cancelled, dismissed, snoozed).
pub trait ReminderChanges: Send + Sync {
    /// Statements to run inside the write's transaction just before it commits (on
    /// PostgreSQL, the `NOTIFY` that tells the other instances), so they are announced if and
    /// only if the write commits.
    fn in_transaction(&self, backend: DbBackend, pending_ids: &[i64]) -> Vec<Statement>;
    /// The write committed: settle them in this instance.
    fn committed(&self, pending_ids: &[i64]);
}

/// What the write use cases work with: the database, and who hears of what they change.
#[derive(Clone)]
pub struct Store {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Told of every pending activity a write changes.
    pub reminders: Arc<dyn ReminderChanges>,
}

impl Store {
    /// A store over `db` whose writes tell `reminders`.
    pub fn new(db: DatabaseConnection, reminders: Arc<dyn ReminderChanges>) -> Self {
        Self { db, reminders }
    }
}

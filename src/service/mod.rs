//! Use cases: load what a rule needs, ask `domain`, read or write in one transaction.
//! Errors are typed ([`ServiceError`]) and mapped to API codes once, in `graphql`; a broken
//! rule names the part of the request it concerns in the domain's words ([`FieldViolation`]).

pub mod auth;
pub mod catalog;
pub mod clock;
pub mod companies;
pub mod company;
pub mod contacts;
pub mod digest;
pub mod events;
pub mod localized;
pub mod lookup;
pub mod members;
pub mod pagination;
pub mod pipeline;
pub mod reminders;
pub mod snapshot;
pub mod webhooks;
pub mod work_items;
pub mod writes;

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DbErr};

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
    /// Too many failed sign-ins: try again after this long (no password was checked).
    #[error("too many failed sign-ins")]
    RateLimited(std::time::Duration),
    /// Rules refused the input; each violation points at the part of the request it concerns.
    #[error("the input breaks {} rule(s)", .0.len())]
    Rules(Vec<FieldViolation>),
    /// The database cannot be reached now; the client may retry.
    #[error("the database is unavailable")]
    Unavailable,
    /// The database failed; logged, never shown to clients.
    #[error("database error: {0}")]
    Database(DbErr),
    /// Something that should not happen did; logged, never shown to clients.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbErr> for ServiceError {
    fn from(error: DbErr) -> Self {
        if crate::db::unreachable(&error) {
            tracing::warn!(%error, "the database is unreachable");
            Self::Unavailable
        } else {
            Self::Database(error)
        }
    }
}

/// Result of a use case.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// What a write changed that others must hear of: the pending activities whose reminders it
/// may have changed (scheduled, completed, cancelled, dismissed, snoozed), and the operators
/// who lost their access (deactivated), whose open sockets must close.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Pending activities whose reminders may have changed.
    pub reminders: Vec<i64>,
    /// Of those, the ones whose reminder the write knows whole (a pending activity it just
    /// created, with no snooze or dismissal yet): this instance settles them without reading
    /// them back. Other instances hear of their ids only.
    pub known: Vec<reminders::Reminder>,
    /// Operators whose sessions must end.
    pub revoked_operators: Vec<i64>,
    /// Companies whose configuration or members changed: their snapshots are stale.
    pub configuration: Configuration,
    /// Companies the write added contact events to.
    pub events: Vec<i64>,
}

/// Whose configuration or members a write changed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Configuration {
    /// Nobody's.
    #[default]
    Unchanged,
    /// These companies'.
    Of(Vec<i64>),
    /// Possibly any company's (a person changed, who may belong to several).
    Everyone,
}

impl Configuration {
    /// Adds a company whose configuration changed.
    pub fn add(&mut self, company_id: i64) {
        match self {
            Self::Unchanged => *self = Self::Of(vec![company_id]),
            Self::Of(ids) if !ids.contains(&company_id) => ids.push(company_id),
            _ => {}
        }
    }

    /// Forgets the snapshots it names.
    pub fn forget_in(&self, snapshots: &snapshot::Snapshots) {
        match self {
            Self::Unchanged => {}
            Self::Of(ids) => ids.iter().for_each(|&id| snapshots.forget(id)),
            Self::Everyone => snapshots.forget_all(),
        }
    }
}

impl Changes {
    /// Whether there is nothing to tell.
    pub fn is_empty(&self) -> bool {
        self.reminders.is_empty()
            && self.revoked_operators.is_empty()
            && self.configuration == Configuration::Unchanged
            && self.events.is_empty()
    }
}

/// Who hears of what writes change (the reminder engine, which tells the other instances).
pub trait Announcements: Send + Sync {
    /// The write committed: act on its changes in this instance and tell the others.
    fn committed(&self, changes: &Changes);
}

/// What the write use cases work with: the database, who hears of what they change, and the
/// workers that hash passwords.
#[derive(Clone)]
pub struct Store {
    /// The database pool.
    pub db: DatabaseConnection,
    /// Told of what every write changes.
    pub announcements: Arc<dyn Announcements>,
    /// Hashes and checks passwords, a few at a time.
    pub passwords: Arc<auth::Passwords>,
    /// Each company's configuration and members, kept in memory.
    pub snapshots: Arc<snapshot::Snapshots>,
    /// Whether writes get the application's company filter (always, but in one test).
    pub company_filter: bool,
}

impl Store {
    /// A store over `db` whose writes tell `announcements` and forget the `snapshots` they make
    /// stale, with a password worker per core.
    pub fn new(
        db: DatabaseConnection,
        announcements: Arc<dyn Announcements>,
        snapshots: Arc<snapshot::Snapshots>,
    ) -> Self {
        Self {
            db,
            announcements,
            passwords: Arc::new(auth::Passwords::per_core()),
            snapshots,
            company_filter: true,
        }
    }
}

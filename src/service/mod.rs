//! Use cases: load what a rule needs, ask `domain`, read or write in one transaction.
//! Errors are typed ([`ServiceError`]) and mapped to API codes once, in `graphql`.

pub mod auth;
pub mod catalog;
pub mod clock;
pub mod contacts;
pub mod demo;
pub mod explorer;
pub mod lookup;
pub mod pagination;
pub mod work_items;
pub mod writes;

use sea_orm::DbErr;

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
    /// Rules refused the input; each violation points at the input it concerns.
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

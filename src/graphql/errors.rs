//! Errors as clients see them: top-level errors with `extensions.code`, and `UserError`s in
//! mutation payloads. Every service error is mapped here, once; internal errors are logged and
//! shown as a generic message.

use async_graphql::{Enum, ErrorExtensions, SimpleObject};

use crate::domain::RuleCode;
use crate::service::{FieldViolation, ServiceError};

/// The `extensions.code` of a top-level error.
pub mod code {
    /// No valid token.
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    /// The caller's role may not do this.
    pub const FORBIDDEN: &str = "FORBIDDEN";
    /// A malformed argument.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// Something failed inside the server.
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
}

/// A top-level error with a code.
pub fn coded(message: impl Into<String>, code: &'static str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, extensions| extensions.set("code", code))
}

/// Maps a service error to a top-level GraphQL error.
pub fn to_graphql(error: &ServiceError) -> async_graphql::Error {
    match error {
        ServiceError::Unauthenticated => coded(
            "authentication required: send a valid bearer token",
            code::UNAUTHENTICATED,
        ),
        ServiceError::Forbidden(message) => coded(message.clone(), code::FORBIDDEN),
        ServiceError::BadInput(message) => coded(message.clone(), code::BAD_USER_INPUT),
        ServiceError::Rules(violations) => {
            let message = violations.first().map_or_else(
                || "invalid input".to_owned(),
                |v| v.violation.message.clone(),
            );
            coded(message, code::BAD_USER_INPUT)
        }
        ServiceError::Database(_) | ServiceError::Internal(_) => {
            tracing::error!(error = %error, "internal error while answering a request");
            coded("internal server error", code::INTERNAL_SERVER_ERROR)
        }
    }
}

/// Resolver results from service results, with the error mapped.
pub trait ApiResult<T> {
    /// The same result with a GraphQL error.
    fn api(self) -> async_graphql::Result<T>;
}

impl<T> ApiResult<T> for Result<T, ServiceError> {
    fn api(self) -> async_graphql::Result<T> {
        self.map_err(|error| to_graphql(&error))
    }
}

/// Why a mutation refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[allow(clippy::upper_case_acronyms)]
pub enum UserErrorCode {
    /// The input is malformed or incomplete.
    InvalidInput,
    /// A string is longer than its limit.
    TooLong,
    /// A referenced record does not exist.
    NotFound,
    /// The caller's role may not do this.
    Forbidden,
    /// `expectedVersion` differs from the stored version: reload and retry.
    StaleVersion,
    /// This idempotency key was used with a different input.
    IdempotencyKeyReused,
    /// Wrong login or password.
    InvalidCredentials,
    /// No transition leads from the contact's stage to the target stage.
    IllegalTransition,
    /// The transition is reserved to other roles.
    TransitionForbidden,
    /// A mandatory activity of the stage being left was not recorded.
    MandatoryActivityMissing,
    /// The stage does not list this activity type.
    ActivityTypeNotAllowedInStage,
    /// The activity type is inactive.
    ActivityTypeInactive,
    /// The reminder window ends before it starts.
    ReminderEndBeforeStart,
    /// Only one end of the reminder window was given.
    ReminderWindowIncomplete,
    /// The assignee is not an active operator.
    AssigneeInactive,
    /// The pending activity is already done or cancelled.
    PendingNotOpen,
}

impl From<RuleCode> for UserErrorCode {
    fn from(code: RuleCode) -> Self {
        match code {
            RuleCode::InvalidInput => Self::InvalidInput,
            RuleCode::TooLong => Self::TooLong,
            RuleCode::NotFound => Self::NotFound,
            RuleCode::Forbidden => Self::Forbidden,
            RuleCode::StaleVersion => Self::StaleVersion,
            RuleCode::IdempotencyKeyReused => Self::IdempotencyKeyReused,
            RuleCode::InvalidCredentials => Self::InvalidCredentials,
            RuleCode::IllegalTransition => Self::IllegalTransition,
            RuleCode::TransitionForbidden => Self::TransitionForbidden,
            RuleCode::MandatoryActivityMissing => Self::MandatoryActivityMissing,
            RuleCode::ActivityTypeNotAllowedInStage => Self::ActivityTypeNotAllowedInStage,
            RuleCode::ActivityTypeInactive => Self::ActivityTypeInactive,
            RuleCode::ReminderEndBeforeStart => Self::ReminderEndBeforeStart,
            RuleCode::ReminderWindowIncomplete => Self::ReminderWindowIncomplete,
            RuleCode::AssigneeInactive => Self::AssigneeInactive,
            RuleCode::PendingNotOpen => Self::PendingNotOpen,
        }
    }
}

/// A problem with a mutation's input; nothing was written.
#[derive(Debug, Clone, SimpleObject)]
pub struct UserError {
    /// Path of the offending input field, for example `["input", "pendingActivity", "reminderEndsAt"]`.
    pub field: Option<Vec<String>>,
    /// What is wrong, for a person.
    pub message: String,
    /// What is wrong, for a program.
    pub code: UserErrorCode,
}

impl From<&FieldViolation> for UserError {
    fn from(violation: &FieldViolation) -> Self {
        Self {
            field: (!violation.field.is_empty()).then(|| violation.field.clone()),
            message: violation.violation.message.clone(),
            code: violation.violation.code.into(),
        }
    }
}

/// Splits a mutation's outcome: rule violations become `userErrors`, anything else a
/// top-level error.
pub fn user_errors<T>(
    result: Result<T, ServiceError>,
) -> async_graphql::Result<Result<T, Vec<UserError>>> {
    match result {
        Ok(value) => Ok(Ok(value)),
        Err(ServiceError::Rules(violations)) => {
            Ok(Err(violations.iter().map(UserError::from).collect()))
        }
        Err(other) => Err(to_graphql(&other)),
    }
}

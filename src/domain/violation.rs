//! A broken rule: the code a client can act on and a sentence a person can read.

use std::fmt;

use super::field::FieldPath;

/// Why a rule refused a request. Mirrors API.md's `UserErrorCode` one to one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum RuleCode {
    /// The input is malformed or incomplete.
    InvalidInput,
    /// A string is longer than its limit.
    TooLong,
    /// A referenced record does not exist (or is not visible to the caller).
    NotFound,
    /// The caller's role may not do this.
    Forbidden,
    /// `expectedVersion` differs from the stored version.
    StaleVersion,
    /// An idempotency key was reused with a different input.
    IdempotencyKeyReused,
    /// Wrong login or password.
    InvalidCredentials,
    /// No transition of the workflow leads from the current stage to the target.
    IllegalTransition,
    /// The transition exists but not for the caller's role.
    TransitionForbidden,
    /// A mandatory activity of the stage being left was not recorded.
    MandatoryActivityMissing,
    /// The stage does not list this activity type.
    ActivityTypeNotAllowedInStage,
    /// The activity type is switched off.
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

/// A rule violation: what went wrong, in the domain's words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Violation {
    /// The machine-readable reason.
    pub code: RuleCode,
    /// A sentence for a person.
    pub message: String,
}

impl Violation {
    /// A violation with the given code and message.
    pub fn new(code: RuleCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A violation tied to the part of the request it concerns.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldViolation {
    /// Where in the request; empty when it concerns the request as a whole.
    pub field: FieldPath,
    /// What broke.
    pub violation: Violation,
}

impl FieldViolation {
    /// A violation of the part of the request at `path`.
    pub fn at(path: impl Into<FieldPath>, violation: Violation) -> Self {
        Self {
            field: path.into(),
            violation,
        }
    }

    /// A violation of the part at `path`, with its code and message.
    pub fn new(path: impl Into<FieldPath>, code: RuleCode, message: impl Into<String>) -> Self {
        Self::at(path, Violation::new(code, message))
    }
}

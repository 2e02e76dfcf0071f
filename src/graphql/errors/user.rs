//! `UserError`s in mutation payloads: a broken rule's code, its message, and the path of the
//! input field it concerns, rendered here — once for every mutation — from the domain's
//! [`FieldPath`] into the names of the mutation's input (`["input", "pendingActivity",
//! "reminderEndsAt"]`).

use async_graphql::{Enum, SimpleObject};

use crate::domain::{Field, FieldPath, RuleCode};
use crate::service::FieldViolation;

/// Why a mutation refused its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "RuleCode")]
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

/// How one mutation names the fields of its input where they differ from the usual names:
/// only the top level differs (`moveContactToStage` names its contact `contactId`).
pub type InputNames = fn(Field) -> Option<&'static str>;

/// The usual names: those of `saveContact`, the ADMIN inputs and the nested inputs.
pub fn usual_names(_: Field) -> Option<&'static str> {
    None
}

/// The input field's name for a part of the request.
fn usual_name(field: Field) -> String {
    let name = match field {
        Field::Index(index) => return index.to_string(),
        Field::Record => "id",
        Field::Version => "expectedVersion",
        Field::IdempotencyKey => "idempotencyKey",
        Field::Workflow => "workflowId",
        Field::TargetStage => "toStageId",
        Field::Owner => "ownerId",
        Field::Name => "name",
        Field::Email => "email",
        Field::Phone => "phone",
        Field::Note => "note",
        Field::Description => "description",
        Field::Activity => "activity",
        Field::Pending => "pendingActivity",
        Field::ActivityType => "activityTypeId",
        Field::Assignee => "assigneeId",
        Field::ReminderStart => "reminderStartsAt",
        Field::ReminderEnd => "reminderEndsAt",
        Field::SnoozeUntil => "until",
        Field::Code => "code",
        Field::Color => "color",
        Field::Login => "login",
        Field::CompanyCode => "companyCode",
        Field::Company => "companyId",
        Field::DisplayName => "displayName",
        Field::Role => "role",
        Field::Password => "password",
        Field::TimeZone => "timeZone",
        Field::Locale => "locale",
        Field::LocalizedNames => "localizedNames",
        Field::Stages => "stages",
        Field::ActivityRules => "activityRules",
        Field::NextActivityType => "nextActivityTypeId",
        Field::Transitions => "transitions",
        Field::FromStage => "fromStageCode",
        Field::ToStage => "toStageCode",
        Field::StaleAfterDays => "staleAfterDays",
        Field::Contacts => "contactIds",
        Field::Url => "url",
        Field::Events => "events",
        Field::Secret => "secret",
    };
    name.to_owned()
}

/// The input path of a part of the request, as a mutation with these names shows it.
pub fn input_path(path: &FieldPath, names: InputNames) -> Vec<String> {
    let mut rendered = vec!["input".to_owned()];
    for (depth, field) in path.fields().iter().enumerate() {
        let top = if depth == 0 { names(*field) } else { None };
        rendered.push(top.map_or_else(|| usual_name(*field), str::to_owned));
    }
    rendered
}

impl UserError {
    /// A violation as a mutation with these input names reports it.
    pub fn of(violation: &FieldViolation, names: InputNames) -> Self {
        Self {
            field: Some(input_path(&violation.field, names)),
            message: violation.violation.message.clone(),
            code: violation.violation.code.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn move_names(field: Field) -> Option<&'static str> {
        (field == Field::Record).then_some("contactId")
    }

    #[test]
    fn paths_are_rendered_in_the_inputs_names() {
        let path = FieldPath::of(&[Field::Pending, Field::ReminderEnd]);
        assert_eq!(
            input_path(&path, usual_names),
            ["input", "pendingActivity", "reminderEndsAt"]
        );
        let nested = FieldPath::of(&[Field::Stages, Field::Index(1), Field::Record]);
        assert_eq!(
            input_path(&nested, move_names),
            ["input", "stages", "1", "id"]
        );
        assert_eq!(
            input_path(&Field::Record.into(), move_names),
            ["input", "contactId"]
        );
        assert_eq!(input_path(&FieldPath::whole(), usual_names), ["input"]);
    }

    #[test]
    fn every_rule_code_has_its_user_error_code() {
        assert_eq!(
            UserErrorCode::from(RuleCode::MandatoryActivityMissing),
            UserErrorCode::MandatoryActivityMissing
        );
        assert_eq!(
            RuleCode::from(UserErrorCode::PendingNotOpen),
            RuleCode::PendingNotOpen
        );
    }
}

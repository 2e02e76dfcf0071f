//! Rules 2, 3, 5 and 12 applied to one save: what a save of a contact form writes, or every
//! reason it is refused. The same plan serves `saveContact`, `moveContactToStage` and the
//! `next` pending activity of a completion.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::activity_types::{ActivityTypeInfo, check_allowed_in_stage};
use super::field::{Field, FieldPath};
use super::limits::{EMAIL_MAX, NAME_MAX, PHONE_MAX, TEXT_MAX, check_text};
use super::reminder::{ReminderWindow, reminder_window};
use super::role::Role;
use super::stage_move::{StageMove, plan_stage_move};
use super::violation::{FieldViolation, RuleCode};
use super::workflow::WorkflowRules;

/// The contact's own fields as sent (`None`: not sent).
#[derive(Debug, Clone, Default)]
pub struct ContactFields<'a> {
    /// The name; required on create.
    pub name: Option<&'a str>,
    /// The e-mail address.
    pub email: Option<&'a str>,
    /// The phone number.
    pub phone: Option<&'a str>,
}

/// A pending activity to schedule, as the rules see it.
#[derive(Debug, Clone)]
pub struct PendingRequest<'a> {
    /// Its type (looked up by the caller of the rules).
    pub activity_type: &'a ActivityTypeInfo,
    /// Its description.
    pub description: Option<&'a str>,
    /// Start of the reminder window.
    pub reminder_starts_at: Option<DateTime<Utc>>,
    /// End of the reminder window.
    pub reminder_ends_at: Option<DateTime<Utc>>,
    /// Whether the assignee is an active operator.
    pub assignee_active: bool,
}

/// Everything one save asks for.
#[derive(Debug, Clone)]
pub struct SaveRequest<'a> {
    /// The contact's workflow.
    pub workflow: &'a WorkflowRules,
    /// The stage the contact is in before the save (the initial stage on create).
    pub current_stage: i64,
    /// The caller's role.
    pub role: Role,
    /// Activity types recorded in the current stage since the contact entered it.
    pub recorded_since_entry: &'a HashSet<i64>,
    /// Whether this save creates the contact.
    pub creating: bool,
    /// The contact's fields.
    pub fields: ContactFields<'a>,
    /// A done activity to record, with its description.
    pub activity: Option<(&'a ActivityTypeInfo, Option<&'a str>)>,
    /// A stage to move to.
    pub to_stage: Option<i64>,
    /// A note on the stage change.
    pub note: Option<&'a str>,
    /// A pending activity to schedule.
    pub pending: Option<PendingRequest<'a>>,
}

/// What a permitted save writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavePlan {
    /// The stage a done activity is recorded in (the stage being left, if the save moves).
    pub activity_stage: i64,
    /// The stage move, if any (none when `to_stage` is the current stage).
    pub stage_move: Option<StageMove>,
    /// The stage the contact is in after the save.
    pub stage_after: i64,
    /// The pending activity's reminder window.
    pub reminder: Option<ReminderWindow>,
}

fn check_texts(request: &SaveRequest<'_>, problems: &mut Vec<FieldViolation>) {
    let mut check = |path: FieldPath, what: &str, value: Option<&str>, max: usize| {
        if let Some(error) = value.and_then(|v| check_text(what, v, max).err()) {
            problems.push(FieldViolation::at(path, error));
        }
    };
    check(Field::Name.into(), "name", request.fields.name, NAME_MAX);
    check(
        Field::Email.into(),
        "email",
        request.fields.email,
        EMAIL_MAX,
    );
    check(
        Field::Phone.into(),
        "phone",
        request.fields.phone,
        PHONE_MAX,
    );
    check(Field::Note.into(), "note", request.note, TEXT_MAX);
    check(
        [Field::Activity, Field::Description].into(),
        "description",
        request.activity.and_then(|a| a.1),
        TEXT_MAX,
    );
    check(
        [Field::Pending, Field::Description].into(),
        "description",
        request.pending.as_ref().and_then(|p| p.description),
        TEXT_MAX,
    );
    match request.fields.name.map(str::trim) {
        Some("") => problems.push(FieldViolation::new(
            Field::Name,
            RuleCode::InvalidInput,
            "the name may not be blank",
        )),
        None if request.creating => problems.push(FieldViolation::new(
            Field::Name,
            RuleCode::InvalidInput,
            "a new contact needs a name",
        )),
        _ => {}
    }
}

/// Checks a save and returns what it writes, or every violation found (all independent
/// problems are reported together).
pub fn plan_save(request: &SaveRequest<'_>) -> Result<SavePlan, Vec<FieldViolation>> {
    let mut problems = Vec::new();
    check_texts(request, &mut problems);
    let mut recorded = request.recorded_since_entry.clone();
    if let Some((activity_type, _)) = request.activity {
        match check_allowed_in_stage(request.workflow, request.current_stage, activity_type) {
            Ok(()) => {
                recorded.insert(activity_type.id);
            }
            Err(error) => problems.push(FieldViolation::at(
                [Field::Activity, Field::ActivityType],
                error,
            )),
        }
    }
    let mut stage_move = None;
    let mut stage_after = request.current_stage;
    if let Some(to) = request.to_stage.filter(|to| *to != request.current_stage) {
        match plan_stage_move(
            request.workflow,
            request.current_stage,
            to,
            request.role,
            &recorded,
        ) {
            Ok(planned) => {
                stage_move = Some(planned);
                stage_after = to;
            }
            Err(errors) => problems.extend(
                errors
                    .into_iter()
                    .map(|e| FieldViolation::at(Field::TargetStage, e)),
            ),
        }
    }
    let mut reminder = None;
    if let Some(pending) = &request.pending {
        if let Err(error) =
            check_allowed_in_stage(request.workflow, stage_after, pending.activity_type)
        {
            problems.push(FieldViolation::at(
                [Field::Pending, Field::ActivityType],
                error,
            ));
        }
        if !pending.assignee_active {
            problems.push(FieldViolation::new(
                [Field::Pending, Field::Assignee],
                RuleCode::AssigneeInactive,
                "the assignee is not an active operator",
            ));
        }
        match reminder_window(pending.reminder_starts_at, pending.reminder_ends_at) {
            Ok(window) => reminder = window,
            Err(error) => {
                let end = if error.code == RuleCode::ReminderWindowIncomplete
                    && pending.reminder_starts_at.is_none()
                {
                    Field::ReminderStart
                } else {
                    Field::ReminderEnd
                };
                problems.push(FieldViolation::at([Field::Pending, end], error));
            }
        }
    }
    if problems.is_empty() {
        Ok(SavePlan {
            activity_stage: request.current_stage,
            stage_move,
            stage_after,
            reminder,
        })
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests;

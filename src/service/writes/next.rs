//! Rule 7's `next`: the pending activity a completion schedules — the one the client gave, or
//! the one the stage's rule for the completed type names — checked like any other.

use super::Actor;
use super::rows::PendingRow;
use super::save_contact::NewPending;
use crate::domain::save::{ContactFields, PendingRequest, SaveRequest, plan_save};
use crate::domain::{Field, FieldViolation, RuleCode};
use crate::entity::{activity_type, contact, pending_activity};
use crate::service::company::{self, InCompany};
use crate::service::members;
use crate::service::{ServiceError, ServiceResult, catalog};

/// The next pending activity as asked for, before it is checked.
struct Wanted {
    type_id: i64,
    description: Option<String>,
    due_at: Option<chrono::DateTime<chrono::Utc>>,
    assignee_id: i64,
    starts: Option<chrono::DateTime<chrono::Utc>>,
    ends: Option<chrono::DateTime<chrono::Utc>>,
    create_todo: bool,
}

/// The next pending activity to schedule after `pending` is completed; `None` when none is
/// given and the stage names none.
pub(super) async fn next_row(
    db: &impl InCompany,
    actor: Actor,
    contact: &contact::Model,
    pending: &pending_activity::Model,
    next: Option<&NewPending>,
) -> ServiceResult<Option<PendingRow>> {
    let rules = catalog::workflow_rules(db, contact.workflow_id).await?;
    let wanted = match next {
        Some(n) => Wanted {
            type_id: n.activity_type_id,
            description: n.description.clone(),
            due_at: n.due_at,
            assignee_id: n.assignee_id.unwrap_or(actor.operator_id),
            starts: n.reminder_starts_at,
            ends: n.reminder_ends_at,
            create_todo: n.create_todo,
        },
        None => {
            let rule = rules
                .stage(contact.stage_id)
                .and_then(|s| s.rule_for(pending.activity_type_id));
            match rule.and_then(|r| r.next_activity_type_id.map(|t| (t, r.create_todo_for_next))) {
                Some((type_id, create_todo)) => Wanted {
                    type_id,
                    description: None,
                    due_at: None,
                    assignee_id: pending.assignee_id,
                    starts: None,
                    ends: None,
                    create_todo,
                },
                None => return Ok(None),
            }
        }
    };
    let next_type = company::find_by_id::<activity_type::Entity>(db, wanted.type_id)
        .one(db)
        .await?;
    let assignee = members::member(db, wanted.assignee_id).await?;
    let mut problems = Vec::new();
    if next_type.is_none() {
        let path = [Field::Pending, Field::ActivityType];
        problems.push(FieldViolation::new(
            path,
            RuleCode::NotFound,
            "no such activity type",
        ));
    }
    if assignee.is_none() {
        let path = [Field::Pending, Field::Assignee];
        problems.push(FieldViolation::new(
            path,
            RuleCode::NotFound,
            "no such operator",
        ));
    }
    let (Some(next_type), Some(assignee)) = (next_type, assignee) else {
        return Err(ServiceError::Rules(problems));
    };
    let info = catalog::type_info(&next_type);
    let recorded = Default::default();
    let request = SaveRequest {
        workflow: &rules,
        current_stage: contact.stage_id,
        role: actor.role,
        recorded_since_entry: &recorded,
        creating: false,
        fields: ContactFields::default(),
        activity: None,
        to_stage: None,
        note: None,
        pending: Some(PendingRequest {
            activity_type: &info,
            description: wanted.description.as_deref(),
            reminder_starts_at: wanted.starts,
            reminder_ends_at: wanted.ends,
            assignee_active: assignee.active(),
        }),
    };
    let plan = plan_save(&request).map_err(ServiceError::Rules)?;
    Ok(Some(PendingRow {
        activity_type: next_type,
        description: wanted.description,
        due_at: wanted.due_at,
        assignee,
        reminder: plan.reminder,
        create_todo: wanted.create_todo,
    }))
}

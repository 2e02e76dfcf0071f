//! What a save names, looked up: the contact (its version checked, from the database) or the
//! workflow a new one enters, and the activity types, operators and stage the input refers to
//! (from the company's snapshot, read before the transaction). An id that names nothing is
//! collected as a `NOT_FOUND` violation, so every problem is reported at once.

use super::SaveContact;
use crate::domain::{Field, FieldPath, FieldViolation, RuleCode};
use crate::entity::{activity_type, contact, workflow};
use crate::service::ServiceResult;
use crate::service::company::{self, InCompany};
use crate::service::members::Member;
use crate::service::snapshot::Snapshot;
use crate::service::writes::{Actor, Patch, refuse};

/// The records a save refers to, and the violations found while looking them up.
pub(super) struct References {
    /// The done activity's type.
    pub activity_type: Option<activity_type::Model>,
    /// The pending activity's type.
    pub pending_type: Option<activity_type::Model>,
    /// The pending activity's assignee.
    pub assignee: Option<Member>,
    /// Ids that name nothing, inactive owners, moves to the current stage.
    pub problems: Vec<FieldViolation>,
}

fn not_found(problems: &mut Vec<FieldViolation>, path: impl Into<FieldPath>, what: &str) {
    problems.push(FieldViolation::new(
        path,
        RuleCode::NotFound,
        format!("no such {what}"),
    ));
}

/// Picks the contact (existing, or the workflow a new one goes into) and checks the version.
pub(super) async fn target(
    db: &impl InCompany,
    snapshot: &Snapshot,
    input: &SaveContact,
) -> ServiceResult<(Option<contact::Model>, workflow::Model)> {
    let existing = match input.id {
        Some(id) => {
            let found = company::find_by_id::<contact::Entity>(db, id)
                .one(db)
                .await?
                .ok_or_else(|| refuse(Field::Record, RuleCode::NotFound, "no such contact"))?;
            let Some(expected) = input.expected_version else {
                return Err(refuse(
                    Field::Version,
                    RuleCode::InvalidInput,
                    "expectedVersion is required when saving an existing contact",
                ));
            };
            if expected != found.version {
                return Err(refuse(
                    Field::Version,
                    RuleCode::StaleVersion,
                    format!(
                        "the contact is at version {}, not {expected}: reload it and try again",
                        found.version
                    ),
                ));
            }
            if input.workflow_id.is_some_and(|w| w != found.workflow_id) {
                return Err(refuse(
                    Field::Workflow,
                    RuleCode::InvalidInput,
                    "a contact cannot change workflow",
                ));
            }
            Some(found)
        }
        None => None,
    };
    let workflow_id = existing
        .as_ref()
        .map(|c| c.workflow_id)
        .or(input.workflow_id);
    let workflow = match workflow_id {
        Some(id) => snapshot
            .workflow(id)
            .cloned()
            .ok_or_else(|| refuse(Field::Workflow, RuleCode::NotFound, "no such workflow"))?,
        None => snapshot.default_workflow().cloned().ok_or_else(|| {
            refuse(
                Field::Workflow,
                RuleCode::InvalidInput,
                "there is no default workflow: name one",
            )
        })?,
    };
    Ok((existing, workflow))
}

/// Looks up the activity types, operators and stage the input names.
pub(super) fn references(
    snapshot: &Snapshot,
    actor: Actor,
    input: &SaveContact,
    current_stage: i64,
) -> ServiceResult<References> {
    let mut problems = Vec::new();
    let activity_type = match &input.activity {
        Some(a) => {
            let found = snapshot.activity_type(a.activity_type_id).cloned();
            if found.is_none() {
                let path = [Field::Activity, Field::ActivityType];
                not_found(&mut problems, path, "activity type");
            }
            found
        }
        None => None,
    };
    let (pending_type, assignee) = match &input.pending {
        Some(p) => {
            let found = snapshot.activity_type(p.activity_type_id).cloned();
            if found.is_none() {
                let path = [Field::Pending, Field::ActivityType];
                not_found(&mut problems, path, "activity type");
            }
            let assignee_id = p.assignee_id.unwrap_or(actor.operator_id);
            let assignee = snapshot.member(assignee_id).cloned();
            if assignee.is_none() {
                not_found(&mut problems, [Field::Pending, Field::Assignee], "operator");
            }
            (found, assignee)
        }
        None => (None, None),
    };
    if let Patch::Set(owner_id) = input.owner_id {
        match snapshot.member(owner_id) {
            None => not_found(&mut problems, Field::Owner, "operator"),
            Some(owner) if !owner.active() => problems.push(FieldViolation::new(
                Field::Owner,
                RuleCode::AssigneeInactive,
                "the owner is not an active operator",
            )),
            Some(_) => {}
        }
    }
    if let Some(to) = input.to_stage_id {
        if snapshot.stage(to).is_none() {
            not_found(&mut problems, Field::TargetStage, "stage");
        } else if input.must_move && to == current_stage {
            problems.push(FieldViolation::new(
                Field::TargetStage,
                RuleCode::IllegalTransition,
                "the contact is already in that stage",
            ));
        }
    }
    Ok(References {
        activity_type,
        pending_type,
        assignee,
        problems,
    })
}

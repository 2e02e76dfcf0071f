//! One save inside its transaction: the rules asked (`domain::save`), then the contact, the
//! activity, the stage change and the pending activity with its to-do written.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::NotSet, ActiveValue::Set};

use super::lookup::{References, references, target};
use super::{SaveContact, SavedContact};
use crate::domain::event::{ContactEventKind, SaveOutcome, events_of_save};
use crate::domain::save::{ContactFields, PendingRequest, SavePlan, SaveRequest, plan_save};
use crate::domain::{Field, RuleCode, StageChangeVia};
use crate::entity::{contact, stage_change, workflow};
use crate::service::company::{self, InCompany, Inserts, Key, Slot};
use crate::service::members::Member;
use crate::service::snapshot::Snapshot;
use crate::service::writes::events::{EventRow, add_events};
use crate::service::writes::rows::{
    ActivityRow, PendingRow, StageStep, add_activity, add_pending, add_stage_change,
};
use crate::service::writes::{Actor, Patch, bump_version, refuse};
use crate::service::{ServiceError, ServiceResult, catalog, contacts};

/// Applies one save inside the write `db`; on any violation nothing has been written.
pub(super) async fn apply(
    db: &impl InCompany,
    snapshot: &Snapshot,
    actor: Actor,
    input: &SaveContact,
    now: DateTime<Utc>,
) -> ServiceResult<SavedContact> {
    let (existing, workflow) = target(db, snapshot, input).await?;
    let rules = snapshot
        .workflow_rules(workflow.id)
        .ok_or_else(|| ServiceError::Internal(format!("workflow {} has no rules", workflow.id)))?;
    let current_stage = match &existing {
        Some(contact) => contact.stage_id,
        None => rules.initial_stage().map(|s| s.id).ok_or_else(|| {
            refuse(
                Field::Workflow,
                RuleCode::InvalidInput,
                "the workflow has no stages",
            )
        })?,
    };
    let recorded = match &existing {
        Some(contact) => contacts::recorded_since_entry(db, contact).await?,
        None => Default::default(),
    };
    let found = references(snapshot, actor, input, current_stage)?;
    let References {
        activity_type,
        pending_type,
        assignee,
        mut problems,
    } = found;
    let activity_info = activity_type.as_ref().map(catalog::type_info);
    let pending_info = pending_type.as_ref().map(catalog::type_info);
    let target_refused = problems
        .iter()
        .any(|p| p.field.fields().last() == Some(&Field::TargetStage));
    let request = SaveRequest {
        workflow: &rules,
        current_stage,
        role: actor.role,
        recorded_since_entry: &recorded,
        creating: existing.is_none(),
        fields: ContactFields {
            name: input.name.as_deref(),
            email: input.email.as_set().map(String::as_str),
            phone: input.phone.as_set().map(String::as_str),
        },
        activity: activity_info.as_ref().map(|t| {
            let description = input
                .activity
                .as_ref()
                .and_then(|a| a.description.as_deref());
            (t, description)
        }),
        to_stage: input.to_stage_id.filter(|_| !target_refused),
        note: input.note.as_deref(),
        pending: match (&input.pending, &pending_info) {
            (Some(p), Some(t)) => Some(PendingRequest {
                activity_type: t,
                description: p.description.as_deref(),
                reminder_starts_at: p.reminder_starts_at,
                reminder_ends_at: p.reminder_ends_at,
                assignee_active: assignee.as_ref().is_none_or(Member::active),
            }),
            _ => None,
        },
    };
    let plan = match plan_save(&request) {
        Ok(plan) if problems.is_empty() => plan,
        Ok(_) => return Err(ServiceError::Rules(problems)),
        Err(mut violations) => {
            problems.append(&mut violations);
            return Err(ServiceError::Rules(problems));
        }
    };
    let mut rows = Inserts::default();
    // A contact created and moved in one save left its first stage the moment it entered it.
    let entered = existing.as_ref().map_or(now, |c| c.stage_entered_at);
    let fields_changed = existing
        .as_ref()
        .is_some_and(|contact| changes_fields(contact, input));
    let workflow_id = workflow.id;
    let written = write_contact(
        db,
        &mut rows,
        actor,
        input,
        (existing, &workflow),
        &plan,
        now,
    )
    .await?;
    let contact_key = match &written {
        Written::Updated(contact) => Key::Known(contact.id),
        Written::Created { contact, .. } => contact.key(),
    };
    let activity = match (&input.activity, activity_type) {
        (Some(a), Some(t)) => {
            let done = ActivityRow {
                activity_type_id: t.id,
                stage_id: plan.activity_stage,
                operator_id: actor.operator_id,
                description: a.description.clone(),
            };
            Some(add_activity(&mut rows, db, contact_key, done, now))
        }
        _ => None,
    };
    let stage_move = plan.stage_move.map(|planned| {
        let step = StageStep {
            from: Some((planned.from_stage_id, entered)),
            to: planned.to_stage_id,
            operator_id: actor.operator_id,
            note: input.note.clone(),
            via: if input.must_move {
                StageChangeVia::Move
            } else {
                StageChangeVia::Save
            },
        };
        add_stage_change(&mut rows, db, contact_key, step, now)
    });
    let name = match (&input.name, &written) {
        (Some(name), _) => name.trim(),
        (None, Written::Updated(contact)) => contact.name.as_str(),
        (None, Written::Created { .. }) => "",
    };
    let pending = match (&input.pending, pending_type, assignee) {
        (Some(p), Some(t), Some(assignee)) => {
            let row = PendingRow {
                activity_type: t,
                description: p.description.clone(),
                due_at: p.due_at,
                assignee,
                reminder: plan.reminder,
                create_todo: p.create_todo,
            };
            Some(add_pending(
                &mut rows,
                db,
                (contact_key, name),
                row,
                actor.operator_id,
                now,
            ))
        }
        _ => None,
    };
    let outcome = SaveOutcome {
        created: matches!(written, Written::Created { .. }),
        fields_changed,
        activity: activity.is_some(),
        stage_moved: stage_move.is_some(),
        pending: pending.is_some(),
    };
    let events = events_of_save(outcome).into_iter().map(|kind| {
        let mut event = EventRow::of(kind, contact_key, workflow_id, actor.operator_id);
        match kind {
            ContactEventKind::Created => {
                if let Written::Created { entry, .. } = &written {
                    event.stage_change = Some(entry.key());
                }
            }
            ContactEventKind::ActivityRecorded => event.activity = activity.map(Slot::key),
            ContactEventKind::StageChanged => event.stage_change = stage_move.map(Slot::key),
            ContactEventKind::PendingScheduled => {
                event.pending = pending.map(|(pending, _)| pending.key());
            }
            ContactEventKind::Updated | ContactEventKind::PendingClosed => {}
        }
        event
    });
    add_events(&mut rows, db, events.collect::<Vec<_>>(), now);
    let mut inserted = rows.run(db).await?;
    // A contact just created is as its INSERT wrote it; an updated one is read back.
    let (contact, entry) = match written {
        Written::Created { contact, entry } => (inserted.take(contact), Some(inserted.take(entry))),
        Written::Updated(contact) => {
            let contact = company::find_by_id::<contact::Entity>(db, contact.id)
                .one(db)
                .await?
                .ok_or_else(|| ServiceError::Internal("saved contact vanished".into()))?;
            (contact, None)
        }
    };
    let (pending, todo) = match pending {
        Some((pending, todo)) => (
            Some(inserted.take(pending)),
            todo.map(|todo| inserted.take(todo)),
        ),
        None => (None, None),
    };
    Ok(SavedContact {
        contact,
        activity: activity.map(|slot| inserted.take(slot)),
        pending,
        todo,
        stage_change: stage_move.map(|slot| inserted.take(slot)).or(entry),
    })
}

/// The contact of a save: updated already, or to be created with the other rows.
enum Written {
    /// The contact as it was before its update.
    Updated(contact::Model),
    /// The new contact and its entry into the initial stage.
    Created {
        contact: Slot<contact::Model>,
        entry: Slot<stage_change::Model>,
    },
}

/// Adds the contact (with its entry into the initial stage) to `rows`, or updates its fields
/// and stage and bumps its version.
async fn write_contact(
    db: &impl InCompany,
    rows: &mut Inserts,
    actor: Actor,
    input: &SaveContact,
    (existing, workflow): (Option<contact::Model>, &workflow::Model),
    plan: &SavePlan,
    now: DateTime<Utc>,
) -> ServiceResult<Written> {
    let Some(contact) = existing else {
        let created = rows.add(
            db,
            contact::ActiveModel {
                id: NotSet,
                company_id: NotSet,
                version: Set(1),
                name: Set(input.name.clone().unwrap_or_default().trim().to_owned()),
                email: Set(input.email.clone().apply(None)),
                phone: Set(input.phone.clone().apply(None)),
                owner_id: Set(input.owner_id.clone().apply(None)),
                workflow_id: Set(workflow.id),
                stage_id: Set(plan.stage_after),
                stage_entered_at: Set(now),
                created_at: Set(now),
                updated_at: Set(now),
            },
            &[],
        );
        let step = StageStep {
            from: None,
            to: plan.activity_stage,
            operator_id: actor.operator_id,
            note: None,
            via: StageChangeVia::Create,
        };
        let entry = add_stage_change(rows, db, created.key(), step, now);
        return Ok(Written::Created {
            contact: created,
            entry,
        });
    };
    let mut changes: Vec<(contact::Column, Expr)> = Vec::new();
    if let Some(name) = &input.name {
        changes.push((contact::Column::Name, Expr::val(name.trim())));
    }
    for (column, patch) in [
        (contact::Column::Email, &input.email),
        (contact::Column::Phone, &input.phone),
    ] {
        if *patch != Patch::Keep {
            changes.push((column, Expr::val(patch.clone().apply(None))));
        }
    }
    if input.owner_id != Patch::Keep {
        let owner = input.owner_id.clone().apply(None);
        changes.push((contact::Column::OwnerId, Expr::val(owner)));
    }
    if plan.stage_move.is_some() {
        changes.push((contact::Column::StageId, Expr::val(plan.stage_after)));
        changes.push((contact::Column::StageEnteredAt, Expr::val(now)));
    }
    bump_version(db, contact.id, input.expected_version, now, changes).await?;
    Ok(Written::Updated(contact))
}

/// Whether the save changes any of the contact's own fields (one sent with the value it already
/// has changes nothing).
fn changes_fields(contact: &contact::Model, input: &SaveContact) -> bool {
    let differs = |patch: &Patch<String>, current: &Option<String>| {
        *patch != Patch::Keep && patch.clone().apply(None) != *current
    };
    input
        .name
        .as_ref()
        .is_some_and(|name| name.trim() != contact.name)
        || differs(&input.email, &contact.email)
        || differs(&input.phone, &contact.phone)
        || (input.owner_id != Patch::Keep && input.owner_id.clone().apply(None) != contact.owner_id)
}

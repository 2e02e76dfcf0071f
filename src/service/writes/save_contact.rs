//! `saveContact` and `moveContactToStage`: the contact form saved in one transaction —
//! contact fields, the activity just done, a stage move and the next pending activity.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    QueryFilter,
};
use serde::{Deserialize, Serialize};

use super::idempotency;
use super::rows::{PendingRow, insert_activity, insert_pending, insert_stage_change};
use super::{Actor, Patch, bump_version, refuse};
use crate::domain::activity_types::ActivityTypeInfo;
use crate::domain::save::{ContactFields, PendingRequest, SaveRequest, plan_save};
use crate::domain::{FieldViolation, RuleCode, Violation};
use crate::entity::{
    activity, activity_type, contact, operator, pending_activity, stage, stage_change, todo,
    workflow,
};
use crate::service::{ServiceError, ServiceResult, catalog, clock, contacts};

/// A done activity to record.
#[derive(Debug, Clone, Serialize)]
pub struct NewActivity {
    /// Its type.
    pub activity_type_id: i64,
    /// What was done.
    pub description: Option<String>,
}

/// A pending activity to schedule.
#[derive(Debug, Clone, Serialize)]
pub struct NewPending {
    /// Its type.
    pub activity_type_id: i64,
    /// What is to be done.
    pub description: Option<String>,
    /// Deadline.
    pub due_at: Option<DateTime<Utc>>,
    /// Who must do it; default: the caller.
    pub assignee_id: Option<i64>,
    /// Start of the reminder window.
    pub reminder_starts_at: Option<DateTime<Utc>>,
    /// End of the reminder window.
    pub reminder_ends_at: Option<DateTime<Utc>>,
    /// Put a to-do on the assignee's list.
    pub create_todo: bool,
}

/// A save of the contact form. Ids that name nothing are negative.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SaveContact {
    /// The contact; none: create.
    pub id: Option<i64>,
    /// Required with `id`.
    pub expected_version: Option<i32>,
    /// Makes retries safe.
    #[serde(skip)]
    pub idempotency_key: Option<String>,
    /// Name; required on create.
    pub name: Option<String>,
    /// E-mail address.
    pub email: Patch<String>,
    /// Phone number.
    pub phone: Patch<String>,
    /// Owner.
    pub owner_id: Patch<i64>,
    /// Workflow (create only; default: the default workflow).
    pub workflow_id: Option<i64>,
    /// A stage to move to in the same save.
    pub to_stage_id: Option<i64>,
    /// A note on the stage change.
    pub note: Option<String>,
    /// The activity just done.
    pub activity: Option<NewActivity>,
    /// The next pending activity.
    pub pending: Option<NewPending>,
    /// `moveContactToStage`: the save must move the contact.
    #[serde(skip)]
    pub must_move: bool,
}

/// What a save wrote.
#[derive(Debug, Clone)]
pub struct SavedContact {
    /// The contact after the save.
    pub contact: contact::Model,
    /// The recorded activity.
    pub activity: Option<activity::Model>,
    /// The scheduled pending activity.
    pub pending: Option<pending_activity::Model>,
    /// Its to-do.
    pub todo: Option<todo::Model>,
    /// The stage change.
    pub stage_change: Option<stage_change::Model>,
}

/// The ids of what a save wrote, as kept for idempotent retries.
#[derive(Debug, Serialize, Deserialize)]
struct SavedIds {
    contact: i64,
    activity: Option<i64>,
    pending: Option<i64>,
    todo: Option<i64>,
    stage_change: Option<i64>,
}

const OPERATION: &str = "saveContact";

/// Saves the contact form: every rule applied, one transaction, all or nothing.
pub async fn save_contact(
    db: &DatabaseConnection,
    actor: Actor,
    input: SaveContact,
) -> ServiceResult<SavedContact> {
    let fingerprint = idempotency::fingerprint(&input);
    // A concurrent first use of the same key makes our record's insert fail: retry once, and
    // the retry answers from the winner's record.
    for attempt in 0..2 {
        let (txn, _writer) = crate::db::begin_write(db).await?;
        if let Some(saved) =
            replay(&txn, actor, input.idempotency_key.as_deref(), &fingerprint).await?
        {
            txn.commit().await?;
            return Ok(saved);
        }
        let saved = apply(&txn, actor, &input, clock::now()).await?;
        if let Some(key) = &input.idempotency_key {
            let ids = SavedIds {
                contact: saved.contact.id,
                activity: saved.activity.as_ref().map(|a| a.id),
                pending: saved.pending.as_ref().map(|p| p.id),
                todo: saved.todo.as_ref().map(|t| t.id),
                stage_change: saved.stage_change.as_ref().map(|c| c.id),
            };
            let response =
                serde_json::to_string(&ids).map_err(|e| ServiceError::Internal(e.to_string()))?;
            let remembered = idempotency::remember(
                &txn,
                actor.operator_id,
                OPERATION,
                key,
                &fingerprint,
                response,
                clock::now(),
            )
            .await;
            if let Err(error) = remembered {
                txn.rollback().await?;
                if attempt == 0 {
                    continue;
                }
                return Err(error);
            }
        }
        txn.commit().await?;
        return Ok(saved);
    }
    Err(ServiceError::Internal(
        "idempotent save did not settle".to_owned(),
    ))
}

/// The first answer to a keyed save, when this key was used before with the same input.
async fn replay(
    txn: &DatabaseTransaction,
    actor: Actor,
    key: Option<&str>,
    fingerprint: &str,
) -> ServiceResult<Option<SavedContact>> {
    let Some(key) = key else {
        return Ok(None);
    };
    let Some(record) = idempotency::find(txn, actor.operator_id, OPERATION, key).await? else {
        return Ok(None);
    };
    if record.fingerprint != fingerprint {
        return Err(refuse(
            &["input", "idempotencyKey"],
            RuleCode::IdempotencyKeyReused,
            "this idempotency key was used with a different input",
        ));
    }
    let ids: SavedIds = serde_json::from_str(&record.response)
        .map_err(|e| ServiceError::Internal(e.to_string()))?;
    Ok(Some(reload(txn, &ids).await?))
}

async fn reload(db: &DatabaseTransaction, ids: &SavedIds) -> ServiceResult<SavedContact> {
    let missing = || ServiceError::Internal("a remembered save points at missing rows".to_owned());
    Ok(SavedContact {
        contact: contact::Entity::find_by_id(ids.contact)
            .one(db)
            .await?
            .ok_or_else(missing)?,
        activity: match ids.activity {
            Some(id) => activity::Entity::find_by_id(id).one(db).await?,
            None => None,
        },
        pending: match ids.pending {
            Some(id) => pending_activity::Entity::find_by_id(id).one(db).await?,
            None => None,
        },
        todo: match ids.todo {
            Some(id) => todo::Entity::find_by_id(id).one(db).await?,
            None => None,
        },
        stage_change: match ids.stage_change {
            Some(id) => stage_change::Entity::find_by_id(id).one(db).await?,
            None => None,
        },
    })
}

fn info(row: &activity_type::Model) -> ActivityTypeInfo {
    ActivityTypeInfo {
        id: row.id,
        code: row.code.clone(),
        active: row.active,
    }
}

fn not_found(problems: &mut Vec<FieldViolation>, path: &[&str], what: &str) {
    problems.push(FieldViolation::at(
        path,
        Violation::new(RuleCode::NotFound, format!("no such {what}")),
    ));
}

/// Picks the contact (existing, or the workflow a new one goes into) and checks the version.
async fn target(
    db: &impl ConnectionTrait,
    input: &SaveContact,
) -> ServiceResult<(Option<contact::Model>, workflow::Model)> {
    let existing = match input.id {
        Some(id) => {
            let found = contact::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| refuse(&["input", "id"], RuleCode::NotFound, "no such contact"))?;
            let Some(expected) = input.expected_version else {
                return Err(refuse(
                    &["input", "expectedVersion"],
                    RuleCode::InvalidInput,
                    "expectedVersion is required when saving an existing contact",
                ));
            };
            if expected != found.version {
                return Err(refuse(
                    &["input", "expectedVersion"],
                    RuleCode::StaleVersion,
                    format!(
                        "the contact is at version {}, not {expected}: reload it and try again",
                        found.version
                    ),
                ));
            }
            if input.workflow_id.is_some_and(|w| w != found.workflow_id) {
                return Err(refuse(
                    &["input", "workflowId"],
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
        Some(id) => workflow::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| {
                refuse(
                    &["input", "workflowId"],
                    RuleCode::NotFound,
                    "no such workflow",
                )
            })?,
        None => workflow::Entity::find()
            .filter(workflow::Column::IsDefault.eq(true))
            .one(db)
            .await?
            .ok_or_else(|| {
                refuse(
                    &["input", "workflowId"],
                    RuleCode::InvalidInput,
                    "there is no default workflow: name one",
                )
            })?,
    };
    Ok((existing, workflow))
}

async fn operator_row(
    db: &impl ConnectionTrait,
    id: i64,
) -> ServiceResult<Option<operator::Model>> {
    Ok(operator::Entity::find_by_id(id).one(db).await?)
}

/// Applies one save inside `txn`; on any violation nothing has been written.
pub(crate) async fn apply(
    txn: &DatabaseTransaction,
    actor: Actor,
    input: &SaveContact,
    now: DateTime<Utc>,
) -> ServiceResult<SavedContact> {
    let (existing, workflow) = target(txn, input).await?;
    let rules = catalog::workflow_rules(txn, workflow.id).await?;
    let current_stage = match &existing {
        Some(contact) => contact.stage_id,
        None => rules.initial_stage().map(|s| s.id).ok_or_else(|| {
            refuse(
                &["input", "workflowId"],
                RuleCode::InvalidInput,
                "the workflow has no stages",
            )
        })?,
    };
    let recorded = match &existing {
        Some(contact) => contacts::recorded_since_entry(txn, contact).await?,
        None => Default::default(),
    };
    let mut problems = Vec::new();
    let activity_type = match &input.activity {
        Some(a) => {
            let found = activity_type::Entity::find_by_id(a.activity_type_id)
                .one(txn)
                .await?;
            if found.is_none() {
                not_found(
                    &mut problems,
                    &["input", "activity", "activityTypeId"],
                    "activity type",
                );
            }
            found
        }
        None => None,
    };
    let (pending_type, assignee) = match &input.pending {
        Some(p) => {
            let found = activity_type::Entity::find_by_id(p.activity_type_id)
                .one(txn)
                .await?;
            if found.is_none() {
                not_found(
                    &mut problems,
                    &["input", "pendingActivity", "activityTypeId"],
                    "activity type",
                );
            }
            let assignee = operator_row(txn, p.assignee_id.unwrap_or(actor.operator_id)).await?;
            if assignee.is_none() {
                not_found(
                    &mut problems,
                    &["input", "pendingActivity", "assigneeId"],
                    "operator",
                );
            }
            (found, assignee)
        }
        None => (None, None),
    };
    if let Patch::Set(owner_id) = input.owner_id {
        match operator_row(txn, owner_id).await? {
            None => not_found(&mut problems, &["input", "ownerId"], "operator"),
            Some(owner) if !owner.active => problems.push(FieldViolation::at(
                &["input", "ownerId"],
                Violation::new(
                    RuleCode::AssigneeInactive,
                    "the owner is not an active operator",
                ),
            )),
            Some(_) => {}
        }
    }
    if let Some(to) = input.to_stage_id {
        if stage::Entity::find_by_id(to).one(txn).await?.is_none() {
            not_found(&mut problems, &["input", "toStageId"], "stage");
        } else if input.must_move && to == current_stage {
            problems.push(FieldViolation::at(
                &["input", "toStageId"],
                Violation::new(
                    RuleCode::IllegalTransition,
                    "the contact is already in that stage",
                ),
            ));
        }
    }
    let activity_info = activity_type.as_ref().map(info);
    let pending_info = pending_type.as_ref().map(info);
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
            (
                t,
                input
                    .activity
                    .as_ref()
                    .and_then(|a| a.description.as_deref()),
            )
        }),
        to_stage: input.to_stage_id.filter(|_| {
            problems
                .iter()
                .all(|p| p.field.last().map(String::as_str) != Some("toStageId"))
        }),
        note: input.note.as_deref(),
        pending: match (&input.pending, &pending_info) {
            (Some(p), Some(t)) => Some(PendingRequest {
                activity_type: t,
                description: p.description.as_deref(),
                reminder_starts_at: p.reminder_starts_at,
                reminder_ends_at: p.reminder_ends_at,
                assignee_active: assignee.as_ref().is_none_or(|a| a.active),
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
    let mut stage_change = None;
    let contact = match existing {
        None => {
            let created = contact::ActiveModel {
                id: NotSet,
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
            }
            .insert(txn)
            .await?;
            let entry = insert_stage_change(
                txn,
                created.id,
                None,
                current_stage,
                actor.operator_id,
                None,
                now,
            )
            .await?;
            stage_change = Some(entry);
            created
        }
        Some(contact) => {
            let mut changes: Vec<(contact::Column, Expr)> = Vec::new();
            if let Some(name) = &input.name {
                changes.push((contact::Column::Name, Expr::val(name.trim())));
            }
            if input.email != Patch::Keep {
                changes.push((
                    contact::Column::Email,
                    Expr::val(input.email.clone().apply(None)),
                ));
            }
            if input.phone != Patch::Keep {
                changes.push((
                    contact::Column::Phone,
                    Expr::val(input.phone.clone().apply(None)),
                ));
            }
            if input.owner_id != Patch::Keep {
                changes.push((
                    contact::Column::OwnerId,
                    Expr::val(input.owner_id.clone().apply(None)),
                ));
            }
            if plan.stage_move.is_some() {
                changes.push((contact::Column::StageId, Expr::val(plan.stage_after)));
                changes.push((contact::Column::StageEnteredAt, Expr::val(now)));
            }
            bump_version(txn, contact.id, input.expected_version, now, changes).await?;
            contact
        }
    };
    let activity = match (&input.activity, activity_type) {
        (Some(a), Some(t)) => Some(
            insert_activity(
                txn,
                contact.id,
                t.id,
                plan.activity_stage,
                actor.operator_id,
                a.description.clone(),
                now,
            )
            .await?,
        ),
        _ => None,
    };
    if let Some(planned) = plan.stage_move {
        let logged = insert_stage_change(
            txn,
            contact.id,
            Some(planned.from_stage_id),
            planned.to_stage_id,
            actor.operator_id,
            input.note.clone(),
            now,
        )
        .await?;
        stage_change = Some(logged);
    }
    let contact = contact::Entity::find_by_id(contact.id)
        .one(txn)
        .await?
        .ok_or_else(|| ServiceError::Internal("saved contact vanished".into()))?;
    let (pending, todo) = match (&input.pending, pending_type, assignee) {
        (Some(p), Some(t), Some(assignee)) => {
            let row = PendingRow {
                activity_type: t,
                description: p.description.clone(),
                due_at: p.due_at,
                assignee,
                reminder: plan.reminder,
                create_todo: p.create_todo,
            };
            let (pending, todo) =
                insert_pending(txn, &contact, row, actor.operator_id, now).await?;
            (Some(pending), todo)
        }
        _ => (None, None),
    };
    Ok(SavedContact {
        contact,
        activity,
        pending,
        todo,
        stage_change,
    })
}

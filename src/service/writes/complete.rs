//! Rules 6 and 7: completing and cancelling pending activities, completing to-dos — each side
//! kept in step with the other, the contact's version bumped once, all in one transaction.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter,
};

use super::rows::{PendingRow, close_todos_of, insert_activity, insert_pending};
use super::save_contact::NewPending;
use super::{Actor, bump_version, refuse};
use crate::domain::activity_types::ActivityTypeInfo;
use crate::domain::limits::{TEXT_MAX, check_length};
use crate::domain::save::{ContactFields, PendingRequest, SaveRequest, plan_save};
use crate::domain::{FieldViolation, RuleCode};
use crate::entity::{activity, activity_type, contact, operator, pending_activity, todo};
use crate::service::work_items::{CANCELLED, DONE, OPEN};
use crate::service::{ServiceError, ServiceResult, catalog, clock};

/// What completing a pending activity wrote.
#[derive(Debug, Clone)]
pub struct Completed {
    /// The recorded activity.
    pub activity: activity::Model,
    /// The closed pending activity.
    pub pending: pending_activity::Model,
    /// The next pending activity, given or from the stage's defaults.
    pub next: Option<pending_activity::Model>,
    /// The to-do of the closed pending activity, if any.
    pub todo: Option<todo::Model>,
}

async fn open_pending(
    db: &impl ConnectionTrait,
    id: i64,
    path: &[&str],
) -> ServiceResult<pending_activity::Model> {
    let pending = pending_activity::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| refuse(path, RuleCode::NotFound, "no such pending activity"))?;
    if pending.status != OPEN {
        return Err(refuse(
            path,
            RuleCode::PendingNotOpen,
            format!(
                "the pending activity is already {}",
                pending.status.to_lowercase()
            ),
        ));
    }
    Ok(pending)
}

async fn contact_of(
    db: &impl ConnectionTrait,
    pending: &pending_activity::Model,
) -> ServiceResult<contact::Model> {
    contact::Entity::find_by_id(pending.contact_id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::Internal("pending activity without contact".into()))
}

fn type_info(row: &activity_type::Model) -> ActivityTypeInfo {
    ActivityTypeInfo {
        id: row.id,
        code: row.code.clone(),
        active: row.active,
    }
}

/// The next pending activity to schedule: the one given, or the stage rule's default.
async fn next_row(
    txn: &DatabaseTransaction,
    actor: Actor,
    contact: &contact::Model,
    pending: &pending_activity::Model,
    next: Option<&NewPending>,
) -> ServiceResult<Option<PendingRow>> {
    let rules = catalog::workflow_rules(txn, contact.workflow_id).await?;
    let (type_id, description, due_at, assignee_id, starts, ends, create_todo) = match next {
        Some(n) => (
            n.activity_type_id,
            n.description.clone(),
            n.due_at,
            n.assignee_id.unwrap_or(actor.operator_id),
            n.reminder_starts_at,
            n.reminder_ends_at,
            n.create_todo,
        ),
        None => {
            let rule = rules
                .stage(contact.stage_id)
                .and_then(|s| s.rule_for(pending.activity_type_id));
            match rule.and_then(|r| r.next_activity_type_id.map(|t| (t, r.create_todo_for_next))) {
                Some((type_id, todo)) => {
                    (type_id, None, None, pending.assignee_id, None, None, todo)
                }
                None => return Ok(None),
            }
        }
    };
    let next_type = activity_type::Entity::find_by_id(type_id).one(txn).await?;
    let assignee = operator::Entity::find_by_id(assignee_id).one(txn).await?;
    let mut problems = Vec::new();
    if next_type.is_none() {
        problems.push(FieldViolation::at(
            &["input", "next", "activityTypeId"],
            crate::domain::Violation::new(RuleCode::NotFound, "no such activity type"),
        ));
    }
    if assignee.is_none() {
        problems.push(FieldViolation::at(
            &["input", "next", "assigneeId"],
            crate::domain::Violation::new(RuleCode::NotFound, "no such operator"),
        ));
    }
    let (Some(next_type), Some(assignee)) = (next_type, assignee) else {
        return Err(ServiceError::Rules(problems));
    };
    let info = type_info(&next_type);
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
            description: description.as_deref(),
            reminder_starts_at: starts,
            reminder_ends_at: ends,
            assignee_active: assignee.active,
        }),
    };
    let plan = plan_save(&request).map_err(|violations| {
        // The save-form paths name `pendingActivity`; here the input is `next`.
        ServiceError::Rules(
            violations
                .into_iter()
                .map(|mut v| {
                    if v.field.get(1).map(String::as_str) == Some("pendingActivity") {
                        v.field[1] = "next".to_owned();
                    }
                    v
                })
                .collect(),
        )
    })?;
    Ok(Some(PendingRow {
        activity_type: next_type,
        description,
        due_at,
        assignee,
        reminder: plan.reminder,
        create_todo,
    }))
}

/// Records the done activity of an open pending activity, closes it and its to-do, and
/// schedules the next one, inside `txn`.
async fn complete_in(
    txn: &DatabaseTransaction,
    actor: Actor,
    pending: pending_activity::Model,
    description: Option<String>,
    next: Option<&NewPending>,
    now: DateTime<Utc>,
) -> ServiceResult<Completed> {
    if let Some(error) = description
        .as_deref()
        .and_then(|d| check_length("description", d, TEXT_MAX).err())
    {
        return Err(ServiceError::Rules(vec![FieldViolation::at(
            &["input", "description"],
            error,
        )]));
    }
    let contact = contact_of(txn, &pending).await?;
    let next = next_row(txn, actor, &contact, &pending, next).await?;
    bump_version(txn, contact.id, None, now, vec![]).await?;
    let description = description.or_else(|| pending.description.clone());
    let activity = insert_activity(
        txn,
        contact.id,
        pending.activity_type_id,
        contact.stage_id,
        actor.operator_id,
        description,
        now,
    )
    .await?;
    pending_activity::Entity::update_many()
        .col_expr(pending_activity::Column::Status, Expr::val(DONE))
        .col_expr(pending_activity::Column::CompletedAt, Expr::val(now))
        .col_expr(
            pending_activity::Column::CompletedActivityId,
            Expr::val(activity.id),
        )
        .col_expr(pending_activity::Column::UpdatedAt, Expr::val(now))
        .filter(pending_activity::Column::Id.eq(pending.id))
        .exec(txn)
        .await?;
    close_todos_of(txn, pending.id, DONE, now).await?;
    let next = match next {
        Some(row) => Some(
            insert_pending(txn, &contact, row, actor.operator_id, now)
                .await?
                .0,
        ),
        None => None,
    };
    let pending = pending_activity::Entity::find_by_id(pending.id)
        .one(txn)
        .await?
        .ok_or_else(|| ServiceError::Internal("pending vanished".into()))?;
    let todo = todo::Entity::find()
        .filter(todo::Column::PendingActivityId.eq(pending.id))
        .one(txn)
        .await?;
    Ok(Completed {
        activity,
        pending,
        next,
        todo,
    })
}

/// `completePendingActivity`.
pub async fn complete_pending(
    db: &DatabaseConnection,
    actor: Actor,
    pending_id: i64,
    description: Option<String>,
    next: Option<NewPending>,
) -> ServiceResult<Completed> {
    let (txn, _writer) = crate::db::begin_write(db).await?;
    let pending = open_pending(&txn, pending_id, &["input", "pendingActivityId"]).await?;
    let completed = complete_in(
        &txn,
        actor,
        pending,
        description,
        next.as_ref(),
        clock::now(),
    )
    .await?;
    txn.commit().await?;
    Ok(completed)
}

/// `cancelPendingActivity`: the pending activity and its to-do end CANCELLED.
pub async fn cancel_pending(
    db: &DatabaseConnection,
    actor: Actor,
    pending_id: i64,
) -> ServiceResult<pending_activity::Model> {
    let _ = actor;
    let now = clock::now();
    let (txn, _writer) = crate::db::begin_write(db).await?;
    let pending = open_pending(&txn, pending_id, &["input", "pendingActivityId"]).await?;
    bump_version(&txn, pending.contact_id, None, now, vec![]).await?;
    pending_activity::Entity::update_many()
        .col_expr(pending_activity::Column::Status, Expr::val(CANCELLED))
        .col_expr(pending_activity::Column::CompletedAt, Expr::val(now))
        .col_expr(pending_activity::Column::UpdatedAt, Expr::val(now))
        .filter(pending_activity::Column::Id.eq(pending.id))
        .exec(&txn)
        .await?;
    close_todos_of(&txn, pending.id, CANCELLED, now).await?;
    let pending = pending_activity::Entity::find_by_id(pending.id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::Internal("pending vanished".into()))?;
    txn.commit().await?;
    Ok(pending)
}

/// `completeTodo`: only its operator (or an ADMIN); a to-do of a pending activity completes
/// that pending activity exactly as `completePendingActivity` without `next`.
pub async fn complete_todo(
    db: &DatabaseConnection,
    actor: Actor,
    todo_id: i64,
) -> ServiceResult<(todo::Model, Option<Completed>)> {
    let now = clock::now();
    let (txn, _writer) = crate::db::begin_write(db).await?;
    let path = ["input", "todoId"];
    let found = todo::Entity::find_by_id(todo_id)
        .one(&txn)
        .await?
        .ok_or_else(|| refuse(&path, RuleCode::NotFound, "no such to-do"))?;
    if found.operator_id != actor.operator_id && !actor.role.may_configure() {
        return Err(refuse(
            &path,
            RuleCode::Forbidden,
            "only the to-do's operator (or an ADMIN) may complete it",
        ));
    }
    if found.status != OPEN {
        return Err(refuse(
            &path,
            RuleCode::PendingNotOpen,
            format!("the to-do is already {}", found.status.to_lowercase()),
        ));
    }
    let pending = match found.pending_activity_id {
        Some(pending_id) => {
            let pending = open_pending(&txn, pending_id, &path).await?;
            Some(complete_in(&txn, actor, pending, None, None, now).await?)
        }
        None => {
            todo::Entity::update_many()
                .col_expr(todo::Column::Status, Expr::val(DONE))
                .col_expr(todo::Column::CompletedAt, Expr::val(now))
                .col_expr(todo::Column::UpdatedAt, Expr::val(now))
                .filter(todo::Column::Id.eq(found.id))
                .exec(&txn)
                .await?;
            None
        }
    };
    let todo = todo::Entity::find_by_id(found.id)
        .one(&txn)
        .await?
        .ok_or_else(|| ServiceError::Internal("to-do vanished".into()))?;
    txn.commit().await?;
    Ok((todo, pending))
}

//! Rules 6 and 7: completing and cancelling pending activities, completing to-dos — each side
//! kept in step with the other, the contact's version bumped once, all in one transaction.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, QueryFilter};

use super::events::{EventRow, add_events};
use super::next::next_row;
use super::rows::{ActivityRow, add_activity, add_pending, close_todos_of};
use super::save_contact::NewPending;
use super::{Actor, Write, bump_version, refuse};
use crate::domain::event::ContactEventKind;
use crate::domain::limits::{TEXT_MAX, check_text};
use crate::domain::rights::{PendingParties, may_close_pending, may_complete_todo};
use crate::domain::{Field, FieldViolation, RuleCode, WorkStatus};
use crate::entity::{activity, contact, pending_activity, todo};
use crate::service::company::{self, InCompany, Inserts, Key};
use crate::service::{ServiceError, ServiceResult, Store, clock};

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

/// Refuses a caller who may not complete or cancel the pending activity of `contact`.
fn check_may_close(
    actor: Actor,
    pending: &pending_activity::Model,
    contact: &contact::Model,
    at: Field,
) -> ServiceResult<()> {
    let parties = PendingParties {
        assignee: pending.assignee_id,
        creator: pending.created_by_id,
        owner: contact.owner_id,
    };
    if may_close_pending(actor.operator_id, actor.role, parties) {
        Ok(())
    } else {
        Err(refuse(
            at,
            RuleCode::Forbidden,
            "only its assignee, its creator, the contact's owner, a MANAGER or an ADMIN may \
             complete or cancel a pending activity",
        ))
    }
}

/// The open pending activity `id`; `at` names it in the request.
async fn open_pending(
    db: &impl InCompany,
    id: i64,
    at: Field,
) -> ServiceResult<pending_activity::Model> {
    let pending = company::find_by_id::<pending_activity::Entity>(db, id)
        .one(db)
        .await?
        .ok_or_else(|| refuse(at, RuleCode::NotFound, "no such pending activity"))?;
    if !pending.status.is_open() {
        let status = pending.status.as_str().to_lowercase();
        return Err(refuse(
            at,
            RuleCode::PendingNotOpen,
            format!("the pending activity is already {status}"),
        ));
    }
    Ok(pending)
}

async fn contact_of(
    db: &impl InCompany,
    pending: &pending_activity::Model,
) -> ServiceResult<contact::Model> {
    company::find_by_id::<contact::Entity>(db, pending.contact_id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::Internal("pending activity without contact".into()))
}

/// Sets a pending activity's status (DONE or CANCELLED), and its to-dos' with it.
async fn close_pending(
    db: &impl InCompany,
    pending_id: i64,
    status: WorkStatus,
    activity_id: Option<i64>,
    now: DateTime<Utc>,
) -> ServiceResult<pending_activity::Model> {
    let mut update = company::update_many::<pending_activity::Entity>(db)
        .col_expr(pending_activity::Column::Status, Expr::val(status))
        .col_expr(pending_activity::Column::CompletedAt, Expr::val(now))
        .col_expr(pending_activity::Column::UpdatedAt, Expr::val(now));
    if let Some(activity_id) = activity_id {
        update = update.col_expr(
            pending_activity::Column::CompletedActivityId,
            Expr::val(activity_id),
        );
    }
    update
        .filter(pending_activity::Column::Id.eq(pending_id))
        .exec(db)
        .await?;
    close_todos_of(db, pending_id, status, now).await?;
    company::find_by_id::<pending_activity::Entity>(db, pending_id)
        .one(db)
        .await?
        .ok_or_else(|| ServiceError::Internal("pending vanished".into()))
}

/// Records the done activity of an open pending activity, closes it and its to-do, and
/// schedules the next one, inside `write`.
async fn complete_in(
    write: &mut Write<'_>,
    actor: Actor,
    (pending, contact): (pending_activity::Model, contact::Model),
    description: Option<String>,
    next: Option<&NewPending>,
    now: DateTime<Utc>,
) -> ServiceResult<Completed> {
    if let Some(error) = description
        .as_deref()
        .and_then(|d| check_text("description", d, TEXT_MAX).err())
    {
        return Err(ServiceError::Rules(vec![FieldViolation::at(
            Field::Description,
            error,
        )]));
    }
    let db = &**write;
    let next = next_row(db, actor, &contact, &pending, next).await?;
    bump_version(db, contact.id, None, now, vec![]).await?;
    let description = description.or_else(|| pending.description.clone());
    let mut rows = Inserts::default();
    let contact_key = Key::Known(contact.id);
    let done = ActivityRow {
        activity_type_id: pending.activity_type_id,
        stage_id: contact.stage_id,
        operator_id: actor.operator_id,
        description,
    };
    let activity = add_activity(&mut rows, db, contact_key, done, now);
    let next = next.map(|row| {
        let whose = (contact_key, contact.name.as_str());
        add_pending(&mut rows, db, whose, row, actor.operator_id, now).0
    });
    let event = |kind| EventRow::of(kind, contact_key, contact.workflow_id, actor.operator_id);
    let mut events = vec![
        EventRow {
            activity: Some(activity.key()),
            ..event(ContactEventKind::ActivityRecorded)
        },
        EventRow {
            pending: Some(Key::Known(pending.id)),
            activity: Some(activity.key()),
            ..event(ContactEventKind::PendingClosed)
        },
    ];
    if let Some(next) = next {
        events.push(EventRow {
            pending: Some(next.key()),
            ..event(ContactEventKind::PendingScheduled)
        });
    }
    add_events(&mut rows, db, events, now);
    let mut inserted = rows.run(db).await?;
    let activity = inserted.take(activity);
    let next = next.map(|slot| inserted.take(slot));
    let pending = close_pending(db, pending.id, WorkStatus::Done, Some(activity.id), now).await?;
    let todo = company::find::<todo::Entity>(db)
        .filter(todo::Column::PendingActivityId.eq(pending.id))
        .one(db)
        .await?;
    write.reminder_changed(pending.id);
    write.events_written();
    if let Some(next) = &next {
        write.reminder_changed(next.id);
    }
    Ok(Completed {
        activity,
        pending,
        next,
        todo,
    })
}

/// `completePendingActivity`.
pub async fn complete_pending(
    store: &Store,
    actor: Actor,
    pending_id: i64,
    description: Option<String>,
    next: Option<NewPending>,
) -> ServiceResult<Completed> {
    let mut write = Write::begin(store, actor.company_id).await?;
    let pending = open_pending(&*write, pending_id, Field::Record).await?;
    let contact = contact_of(&*write, &pending).await?;
    check_may_close(actor, &pending, &contact, Field::Record)?;
    let now = clock::now();
    let work = (pending, contact);
    let completed = complete_in(&mut write, actor, work, description, next.as_ref(), now).await?;
    write.commit().await?;
    Ok(completed)
}

/// `cancelPendingActivity`: the pending activity and its to-do end CANCELLED.
pub async fn cancel_pending(
    store: &Store,
    actor: Actor,
    pending_id: i64,
) -> ServiceResult<pending_activity::Model> {
    let now = clock::now();
    let mut write = Write::begin(store, actor.company_id).await?;
    let pending = open_pending(&*write, pending_id, Field::Record).await?;
    let contact = contact_of(&*write, &pending).await?;
    check_may_close(actor, &pending, &contact, Field::Record)?;
    bump_version(&*write, pending.contact_id, None, now, vec![]).await?;
    let pending = close_pending(&*write, pending.id, WorkStatus::Cancelled, None, now).await?;
    let mut rows = Inserts::default();
    let closed = EventRow {
        pending: Some(Key::Known(pending.id)),
        ..EventRow::of(
            ContactEventKind::PendingClosed,
            Key::Known(contact.id),
            contact.workflow_id,
            actor.operator_id,
        )
    };
    add_events(&mut rows, &*write, [closed], now);
    rows.run(&*write).await?;
    write.reminder_changed(pending.id);
    write.events_written();
    write.commit().await?;
    Ok(pending)
}

/// `completeTodo`: only its operator (or an ADMIN); a to-do of a pending activity completes
/// that pending activity exactly as `completePendingActivity` without `next`.
pub async fn complete_todo(
    store: &Store,
    actor: Actor,
    todo_id: i64,
) -> ServiceResult<(todo::Model, Option<Completed>)> {
    let now = clock::now();
    let mut write = Write::begin(store, actor.company_id).await?;
    let found = company::find_by_id::<todo::Entity>(&*write, todo_id)
        .one(&*write)
        .await?
        .ok_or_else(|| refuse(Field::Record, RuleCode::NotFound, "no such to-do"))?;
    if !may_complete_todo(actor.operator_id, actor.role, found.operator_id) {
        return Err(refuse(
            Field::Record,
            RuleCode::Forbidden,
            "only the to-do's operator (or an ADMIN) may complete it",
        ));
    }
    if !found.status.is_open() {
        let status = found.status.as_str().to_lowercase();
        return Err(refuse(
            Field::Record,
            RuleCode::PendingNotOpen,
            format!("the to-do is already {status}"),
        ));
    }
    let completed = match found.pending_activity_id {
        Some(pending_id) => {
            let pending = open_pending(&*write, pending_id, Field::Record).await?;
            let contact = contact_of(&*write, &pending).await?;
            let work = (pending, contact);
            Some(complete_in(&mut write, actor, work, None, None, now).await?)
        }
        None => {
            company::update_many::<todo::Entity>(&*write)
                .col_expr(todo::Column::Status, Expr::val(WorkStatus::Done))
                .col_expr(todo::Column::CompletedAt, Expr::val(now))
                .col_expr(todo::Column::UpdatedAt, Expr::val(now))
                .filter(todo::Column::Id.eq(found.id))
                .exec(&*write)
                .await?;
            None
        }
    };
    let todo = company::find_by_id::<todo::Entity>(&*write, found.id)
        .one(&*write)
        .await?
        .ok_or_else(|| ServiceError::Internal("to-do vanished".into()))?;
    write.commit().await?;
    Ok((todo, completed))
}

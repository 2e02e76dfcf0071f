//! Reading the work around contacts: done activities, pending activities, to-dos, the stage log
//! and reminders.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Select,
};

use super::ServiceResult;
use super::pagination::{Counter, Ordering, Page, PageRequest, SortValue, fetch_page};
use crate::domain::reminder::{ReminderFacts, ReminderState, ReminderWindow, reminder_state};
use crate::entity::{
    activity, pending_activity, reminder_state as reminder_row, stage_change, todo,
};

/// Status of an open pending activity or to-do.
pub const OPEN: &str = "OPEN";
/// Status of a done pending activity or to-do.
pub const DONE: &str = "DONE";
/// Status of a cancelled pending activity or to-do.
pub const CANCELLED: &str = "CANCELLED";

/// Sorts rows with no deadline after every dated row.
fn far_future() -> DateTime<Utc> {
    // 9999-12-31T00:00:00Z
    DateTime::from_timestamp(253_402_214_400, 0).unwrap_or_default()
}

fn newest_first<M>(
    name: &str,
    key: Expr,
    id: Expr,
    key_of: fn(&M) -> (SortValue, i64),
) -> Ordering<M> {
    Ordering {
        name: name.to_owned(),
        key,
        id,
        descending: true,
        key_of,
    }
}

/// A contact's done activities, newest first.
pub async fn activities_of_contact(
    db: &DatabaseConnection,
    contact_id: i64,
    page: &PageRequest,
) -> ServiceResult<(Page<activity::Model>, Counter)> {
    let select = activity::Entity::find().filter(activity::Column::ContactId.eq(contact_id));
    let ordering = newest_first(
        "activities:performedAt",
        Expr::col((activity::Entity, activity::Column::PerformedAt)),
        Expr::col((activity::Entity, activity::Column::Id)),
        |a: &activity::Model| (SortValue::Time(a.performed_at), a.id),
    );
    Ok((
        fetch_page(db, select.clone(), &ordering, page).await?,
        Counter::new(db, select),
    ))
}

/// A contact's stage log, newest first.
pub async fn stage_log(
    db: &DatabaseConnection,
    contact_id: i64,
    page: &PageRequest,
) -> ServiceResult<(Page<stage_change::Model>, Counter)> {
    let select =
        stage_change::Entity::find().filter(stage_change::Column::ContactId.eq(contact_id));
    let ordering = newest_first(
        "stageLog:changedAt",
        Expr::col((stage_change::Entity, stage_change::Column::ChangedAt)),
        Expr::col((stage_change::Entity, stage_change::Column::Id)),
        |c: &stage_change::Model| (SortValue::Time(c.changed_at), c.id),
    );
    Ok((
        fetch_page(db, select.clone(), &ordering, page).await?,
        Counter::new(db, select),
    ))
}

/// A contact's pending activities with one of these statuses, soonest deadline first (those
/// without a deadline last).
pub async fn pending_of_contact(
    db: &impl ConnectionTrait,
    contact_id: i64,
    statuses: &[&str],
) -> ServiceResult<Vec<pending_activity::Model>> {
    let mut grouped = pending_of_contacts(db, &[contact_id], statuses).await?;
    Ok(grouped.remove(&contact_id).unwrap_or_default())
}

/// The pending activities of many contacts with one of these statuses, in one statement; each
/// contact's list ordered as [`pending_of_contact`] orders it.
pub async fn pending_of_contacts(
    db: &impl ConnectionTrait,
    contact_ids: &[i64],
    statuses: &[&str],
) -> ServiceResult<HashMap<i64, Vec<pending_activity::Model>>> {
    let rows = pending_activity::Entity::find()
        .filter(pending_activity::Column::ContactId.is_in(contact_ids.iter().copied()))
        .filter(pending_activity::Column::Status.is_in(statuses.iter().copied()))
        .order_by_asc(Expr::expr(Func::coalesce([
            Expr::col(pending_activity::Column::DueAt),
            Expr::val(far_future()),
        ])))
        .order_by_asc(pending_activity::Column::Id)
        .all(db)
        .await?;
    let mut grouped: HashMap<i64, Vec<pending_activity::Model>> = HashMap::new();
    for row in rows {
        grouped.entry(row.contact_id).or_default().push(row);
    }
    Ok(grouped)
}

/// The newest done activity of each of these contacts (by when it was done), in one
/// statement that walks the `(contact_id, performed_at, id)` index once per contact.
pub async fn last_activities(
    db: &impl ConnectionTrait,
    contact_ids: &[i64],
) -> ServiceResult<HashMap<i64, activity::Model>> {
    let newest = Expr::cust(
        "activities.id = (SELECT newest.id FROM activities AS newest \
         WHERE newest.contact_id = activities.contact_id \
         ORDER BY newest.performed_at DESC, newest.id DESC LIMIT 1)",
    );
    let rows = activity::Entity::find()
        .filter(activity::Column::ContactId.is_in(contact_ids.iter().copied()))
        .filter(newest)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|row| (row.contact_id, row)).collect())
}

/// Which pending activities a list shows.
#[derive(Debug, Clone, Default)]
pub struct PendingFilter {
    /// Assigned to this operator.
    pub assignee_id: Option<i64>,
    /// With one of these statuses.
    pub statuses: Vec<String>,
    /// Due strictly before this moment.
    pub due_before: Option<DateTime<Utc>>,
}

fn soonest_due<M>(
    name: &str,
    due: Expr,
    id: Expr,
    key_of: fn(&M) -> (SortValue, i64),
) -> Ordering<M> {
    Ordering {
        name: name.to_owned(),
        key: Expr::expr(Func::coalesce([due, Expr::val(far_future())])),
        id,
        descending: false,
        key_of,
    }
}

/// Pending activities, soonest deadline first (undated last).
pub async fn pending_activities(
    db: &DatabaseConnection,
    filter: &PendingFilter,
    page: &PageRequest,
) -> ServiceResult<(Page<pending_activity::Model>, Counter)> {
    let mut condition = Condition::all()
        .add(pending_activity::Column::Status.is_in(filter.statuses.iter().cloned()));
    if let Some(assignee_id) = filter.assignee_id {
        condition = condition.add(pending_activity::Column::AssigneeId.eq(assignee_id));
    }
    if let Some(before) = filter.due_before {
        condition = condition.add(pending_activity::Column::DueAt.lt(before));
    }
    let select = pending_activity::Entity::find().filter(condition);
    let ordering = soonest_due(
        "pendingActivities:dueAt",
        Expr::col((pending_activity::Entity, pending_activity::Column::DueAt)),
        Expr::col((pending_activity::Entity, pending_activity::Column::Id)),
        |p: &pending_activity::Model| (SortValue::Time(p.due_at.unwrap_or_else(far_future)), p.id),
    );
    Ok((
        fetch_page(db, select.clone(), &ordering, page).await?,
        Counter::new(db, select),
    ))
}

/// To-dos of one operator with one of `statuses`, soonest deadline first (undated last).
pub async fn todos(
    db: &DatabaseConnection,
    operator_id: i64,
    statuses: &[String],
    page: &PageRequest,
) -> ServiceResult<(Page<todo::Model>, Counter)> {
    let select: Select<todo::Entity> = todo::Entity::find()
        .filter(todo::Column::OperatorId.eq(operator_id))
        .filter(todo::Column::Status.is_in(statuses.iter().cloned()));
    let ordering = soonest_due(
        "todos:dueAt",
        Expr::col((todo::Entity, todo::Column::DueAt)),
        Expr::col((todo::Entity, todo::Column::Id)),
        |t: &todo::Model| (SortValue::Time(t.due_at.unwrap_or_else(far_future)), t.id),
    );
    Ok((
        fetch_page(db, select.clone(), &ordering, page).await?,
        Counter::new(db, select),
    ))
}

/// A reminder: a pending activity with a window, and what its assignee did with it.
#[derive(Debug, Clone)]
pub struct Reminder {
    /// The pending activity it reminds of.
    pub pending: pending_activity::Model,
    /// Its window.
    pub window: ReminderWindow,
    /// Snooze and dismissal.
    pub facts: ReminderFacts,
}

impl Reminder {
    /// The reminder of a pending activity, if it has a window.
    pub fn of(pending: pending_activity::Model, row: Option<&reminder_row::Model>) -> Option<Self> {
        let window = ReminderWindow {
            starts_at: pending.reminder_starts_at?,
            ends_at: pending.reminder_ends_at?,
        };
        let facts = ReminderFacts {
            pending_open: pending.status == OPEN,
            snoozed_until: row.and_then(|r| r.snoozed_until),
            dismissed_at: row.and_then(|r| r.dismissed_at),
        };
        Some(Self {
            pending,
            window,
            facts,
        })
    }

    /// Where it stands at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> ReminderState {
        reminder_state(self.window, self.facts, now)
    }
}

/// The reminder of one pending activity.
pub async fn reminder(
    db: &impl ConnectionTrait,
    pending_id: i64,
) -> ServiceResult<Option<Reminder>> {
    Ok(reminders_by_pending(db, &[pending_id])
        .await?
        .remove(&pending_id))
}

/// The operator's reminders showing at `now`, earliest first.
pub async fn active_reminders(
    db: &impl ConnectionTrait,
    assignee_id: i64,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Reminder>> {
    let candidates = pending_activity::Entity::find()
        .filter(pending_activity::Column::AssigneeId.eq(assignee_id))
        .filter(pending_activity::Column::Status.eq(OPEN))
        .filter(pending_activity::Column::ReminderStartsAt.lte(now))
        .filter(pending_activity::Column::ReminderEndsAt.gt(now))
        .order_by_asc(pending_activity::Column::ReminderStartsAt)
        .order_by_asc(pending_activity::Column::Id)
        .all(db)
        .await?;
    Ok(with_states(db, candidates)
        .await?
        .into_iter()
        .filter(|reminder| reminder.state(now) == ReminderState::Active)
        .collect())
}

/// Attaches snooze and dismissal rows to pending activities, keeping those with a window.
async fn with_states(
    db: &impl ConnectionTrait,
    pending: Vec<pending_activity::Model>,
) -> ServiceResult<Vec<Reminder>> {
    let ids: Vec<i64> = pending.iter().map(|p| p.id).collect();
    let mut rows = std::collections::HashMap::new();
    for chunk in ids.chunks(500) {
        let found = reminder_row::Entity::find()
            .filter(reminder_row::Column::PendingActivityId.is_in(chunk.iter().copied()))
            .all(db)
            .await?;
        rows.extend(found.into_iter().map(|row| (row.pending_activity_id, row)));
    }
    Ok(pending
        .into_iter()
        .filter_map(|p| {
            let row = rows.get(&p.id);
            Reminder::of(p, row)
        })
        .collect())
}

/// The reminders of these pending activities (any status), by pending activity id.
pub async fn reminders_by_pending(
    db: &impl ConnectionTrait,
    pending_ids: &[i64],
) -> ServiceResult<std::collections::HashMap<i64, Reminder>> {
    let pending = pending_activity::Entity::find()
        .filter(pending_activity::Column::Id.is_in(pending_ids.iter().copied()))
        .all(db)
        .await?;
    Ok(with_states(db, pending)
        .await?
        .into_iter()
        .map(|r| (r.pending.id, r))
        .collect())
}

/// The open reminders whose window overlaps `[from, to]`.
pub async fn reminders_overlapping(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ServiceResult<Vec<Reminder>> {
    let pending = pending_activity::Entity::find()
        .filter(pending_activity::Column::Status.eq(OPEN))
        .filter(pending_activity::Column::ReminderStartsAt.lte(to))
        .filter(pending_activity::Column::ReminderEndsAt.gt(from))
        .all(db)
        .await?;
    with_states(db, pending).await
}

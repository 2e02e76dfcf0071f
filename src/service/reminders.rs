//! Reminders as their assignee sees them: a pending activity's window, and what the assignee
//! did with it (snoozed, dismissed).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder};

use super::ServiceResult;
use super::companies;
use super::company::Reads;
use crate::domain::WorkStatus;
use crate::domain::reminder::{ReminderFacts, ReminderState, ReminderWindow, reminder_state};
use crate::domain::rights::may_see_reminder;
use crate::entity::{pending_activity, reminder_state as reminder_row};
use crate::service::company::{self, InCompany};

/// A reminder: a pending activity with a window, and what its assignee did with it.
#[derive(Debug, Clone, PartialEq, Eq)]
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
            pending_open: pending.status.is_open(),
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

/// The reminder of one pending activity, if `viewer` may see it (only its assignee does).
pub async fn visible_reminder(
    db: &impl InCompany,
    pending_id: i64,
    viewer: i64,
) -> ServiceResult<Option<Reminder>> {
    Ok(reminder(db, pending_id)
        .await?
        .filter(|reminder| may_see_reminder(viewer, reminder.pending.assignee_id)))
}

/// The reminder of one pending activity.
pub async fn reminder(db: &impl InCompany, pending_id: i64) -> ServiceResult<Option<Reminder>> {
    Ok(reminders_by_pending(db, &[pending_id])
        .await?
        .remove(&pending_id))
}

/// The operator's reminders showing at `now`, earliest first.
pub async fn active_reminders(
    db: &impl InCompany,
    assignee_id: i64,
    now: DateTime<Utc>,
) -> ServiceResult<Vec<Reminder>> {
    let candidates = company::find::<pending_activity::Entity>(db)
        .filter(pending_activity::Column::AssigneeId.eq(assignee_id))
        .filter(pending_activity::Column::Status.eq(WorkStatus::Open))
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
    db: &impl InCompany,
    pending: Vec<pending_activity::Model>,
) -> ServiceResult<Vec<Reminder>> {
    let ids: Vec<i64> = pending.iter().map(|p| p.id).collect();
    let mut rows = HashMap::new();
    for chunk in ids.chunks(500) {
        let found = company::find::<reminder_row::Entity>(db)
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
    db: &impl InCompany,
    pending_ids: &[i64],
) -> ServiceResult<HashMap<i64, Reminder>> {
    let pending = company::find::<pending_activity::Entity>(db)
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
    db: &impl InCompany,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ServiceResult<Vec<Reminder>> {
    let pending = company::find::<pending_activity::Entity>(db)
        .filter(pending_activity::Column::Status.eq(WorkStatus::Open))
        .filter(pending_activity::Column::ReminderStartsAt.lte(to))
        .filter(pending_activity::Column::ReminderEndsAt.gt(from))
        .all(db)
        .await?;
    with_states(db, pending).await
}

/// The reads of every company, one after the other (for the reminder engine, which serves
/// them all).
async fn every_company(db: &DatabaseConnection) -> ServiceResult<Vec<Reads>> {
    let ids = companies::all_ids(db).await?;
    Ok(ids
        .into_iter()
        .map(|company_id| Reads::per_statement(db.clone(), company_id))
        .collect())
}

/// The open reminders of every company whose window overlaps `[from, to]`: one read per
/// company.
pub async fn every_company_overlapping(
    db: &DatabaseConnection,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ServiceResult<Vec<Reminder>> {
    let mut found = Vec::new();
    for scoped in every_company(db).await? {
        found.extend(reminders_overlapping(&scoped, from, to).await?);
    }
    Ok(found)
}

/// The reminders of these pending activities in whichever company they are, by pending
/// activity id.
pub async fn every_company_by_pending(
    db: &DatabaseConnection,
    pending_ids: &[i64],
) -> ServiceResult<HashMap<i64, Reminder>> {
    let mut found = HashMap::new();
    for scoped in every_company(db).await? {
        found.extend(reminders_by_pending(&scoped, pending_ids).await?);
    }
    Ok(found)
}

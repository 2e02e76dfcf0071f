//! Rule 11 on the assignee's side: dismissing and snoozing a reminder. Only its assignee sees
//! it, so only its assignee may; the pending activity itself (and so the contact's version) is
//! not changed.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::EntityTrait;

use super::{Actor, Write, refuse};
use crate::domain::reminder::{check_open, check_snooze};
use crate::domain::rights::may_see_reminder;
use crate::domain::{Field, FieldViolation, RuleCode};
use crate::entity::reminder_state;
use crate::service::company;
use crate::service::reminders::{self, Reminder};
use crate::service::{ServiceError, ServiceResult, Store, clock};

/// What the assignee does with a reminder.
#[derive(Debug, Clone, Copy)]
pub enum ReminderAction {
    /// Stop showing it for good.
    Dismiss,
    /// Show it again at this moment.
    SnoozeUntil(DateTime<Utc>),
}

/// `dismissReminder` and `snoozeReminder`.
pub async fn act_on_reminder(
    store: &Store,
    actor: Actor,
    pending_id: i64,
    action: ReminderAction,
) -> ServiceResult<Reminder> {
    let now = clock::now();
    let mut write = Write::begin(store, actor.company_id).await?;
    // Another operator's reminder is as unknown to the caller as one that does not exist.
    let reminder = reminders::reminder(&*write, pending_id)
        .await?
        .filter(|reminder| may_see_reminder(actor.operator_id, reminder.pending.assignee_id))
        .ok_or_else(|| refuse(Field::Record, RuleCode::NotFound, "no such reminder"))?;
    let checked = match action {
        ReminderAction::Dismiss => {
            check_open(reminder.facts).map_err(|v| FieldViolation::at(Field::Record, v))
        }
        ReminderAction::SnoozeUntil(until) => check_snooze(reminder.facts, until, now)
            .map_err(|v| FieldViolation::at(Field::SnoozeUntil, v)),
    };
    checked.map_err(|violation| ServiceError::Rules(vec![violation]))?;
    let (snoozed_until, dismissed_at) = match action {
        ReminderAction::Dismiss => (reminder.facts.snoozed_until, Some(now)),
        ReminderAction::SnoozeUntil(until) => (Some(until), None),
    };
    let row = reminder_state::ActiveModel {
        id: NotSet,
        company_id: NotSet,
        pending_activity_id: Set(pending_id),
        snoozed_until: Set(snoozed_until),
        dismissed_at: Set(dismissed_at),
        updated_at: Set(now),
    };
    reminder_state::Entity::insert(company::placed(&*write, row))
        .on_conflict(
            company::conflict_on::<reminder_state::Entity>([
                reminder_state::Column::PendingActivityId,
            ])
            .update_columns([
                reminder_state::Column::SnoozedUntil,
                reminder_state::Column::DismissedAt,
                reminder_state::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec(&*write)
        .await?;
    let updated = reminders::reminder(&*write, pending_id)
        .await?
        .ok_or_else(|| ServiceError::Internal("reminder vanished".into()))?;
    write.reminder_changed(pending_id);
    write.commit().await?;
    Ok(updated)
}

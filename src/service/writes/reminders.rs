//! Rule 11 on the assignee's side: dismissing and snoozing a reminder. Only its assignee may;
//! the pending activity itself (and so the contact's version) is not changed.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, EntityTrait};

use super::{Actor, refuse};
use crate::domain::reminder::{check_open, check_snooze};
use crate::domain::{FieldViolation, RuleCode};
use crate::entity::reminder_state;
use crate::service::work_items::{self, Reminder};
use crate::service::{ServiceError, ServiceResult, clock};

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
    db: &DatabaseConnection,
    actor: Actor,
    pending_id: i64,
    action: ReminderAction,
) -> ServiceResult<Reminder> {
    let now = clock::now();
    let path = ["input", "reminderId"];
    let (txn, _writer) = crate::db::begin_write(db).await?;
    let reminder = work_items::reminder(&txn, pending_id)
        .await?
        .ok_or_else(|| refuse(&path, RuleCode::NotFound, "no such reminder"))?;
    if reminder.pending.assignee_id != actor.operator_id {
        return Err(refuse(
            &path,
            RuleCode::Forbidden,
            "only the reminder's assignee may dismiss or snooze it",
        ));
    }
    let checked = match action {
        ReminderAction::Dismiss => {
            check_open(reminder.facts).map_err(|v| FieldViolation::at(&path, v))
        }
        ReminderAction::SnoozeUntil(until) => check_snooze(reminder.facts, until, now)
            .map_err(|v| FieldViolation::at(&["input", "until"], v)),
    };
    checked.map_err(|violation| ServiceError::Rules(vec![violation]))?;
    let (snoozed_until, dismissed_at) = match action {
        ReminderAction::Dismiss => (reminder.facts.snoozed_until, Some(now)),
        ReminderAction::SnoozeUntil(until) => (Some(until), None),
    };
    let row = reminder_state::ActiveModel {
        id: NotSet,
        pending_activity_id: Set(pending_id),
        snoozed_until: Set(snoozed_until),
        dismissed_at: Set(dismissed_at),
        updated_at: Set(now),
    };
    reminder_state::Entity::insert(row)
        .on_conflict(
            OnConflict::column(reminder_state::Column::PendingActivityId)
                .update_columns([
                    reminder_state::Column::SnoozedUntil,
                    reminder_state::Column::DismissedAt,
                    reminder_state::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    let updated = work_items::reminder(&txn, pending_id)
        .await?
        .ok_or_else(|| ServiceError::Internal("reminder vanished".into()))?;
    txn.commit().await?;
    Ok(updated)
}

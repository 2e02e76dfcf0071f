//! `dismissReminder` and `snoozeReminder`: the assignee's answers to a reminder.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::inputs::{actor, number};
use crate::graphql::context::{caller, db, state};
use crate::graphql::errors::{UserError, user_errors};
use crate::graphql::ids::kind;
use crate::graphql::scalars::DateTime;
use crate::graphql::types::reminder::Reminder;
use crate::service::writes::reminders::{ReminderAction, act_on_reminder};

/// Stops a reminder from showing.
#[derive(Debug, Clone, InputObject)]
pub struct DismissReminderInput {
    /// The reminder (only its assignee may dismiss it).
    pub reminder_id: ID,
}

/// The answer to `dismissReminder`.
#[derive(SimpleObject, Default)]
pub struct DismissReminderPayload {
    /// The reminder, now DISMISSED.
    pub reminder: Option<Reminder>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

/// Puts a reminder off until later.
#[derive(Debug, Clone, InputObject)]
pub struct SnoozeReminderInput {
    /// The reminder (only its assignee may snooze it).
    pub reminder_id: ID,
    /// When it falls due again; must lie ahead.
    pub until: DateTime,
}

/// The answer to `snoozeReminder`.
#[derive(SimpleObject, Default)]
pub struct SnoozeReminderPayload {
    /// The reminder, now SNOOZED.
    pub reminder: Option<Reminder>,
    /// Why nothing was written.
    pub user_errors: Vec<UserError>,
}

/// Reminder mutations.
#[derive(Default)]
pub struct ReminderMutation;

#[Object]
impl ReminderMutation {
    /// Dismisses one of the caller's reminders for good.
    async fn dismiss_reminder(
        &self,
        ctx: &Context<'_>,
        input: DismissReminderInput,
    ) -> Result<DismissReminderPayload> {
        let who = caller(ctx).await?;
        let id = number(&input.reminder_id, kind::REMINDER);
        Ok(
            match user_errors(
                act_on_reminder(db(ctx), actor(&who), id, ReminderAction::Dismiss).await,
            )? {
                Ok(reminder) => {
                    state(ctx).reminders.changed([reminder.pending.id]);
                    DismissReminderPayload {
                        reminder: Some(Reminder(reminder)),
                        user_errors: vec![],
                    }
                }
                Err(user_errors) => DismissReminderPayload {
                    user_errors,
                    ..Default::default()
                },
            },
        )
    }

    /// Snoozes one of the caller's reminders: it falls due again at `until`.
    async fn snooze_reminder(
        &self,
        ctx: &Context<'_>,
        input: SnoozeReminderInput,
    ) -> Result<SnoozeReminderPayload> {
        let who = caller(ctx).await?;
        let id = number(&input.reminder_id, kind::REMINDER);
        Ok(
            match user_errors(
                act_on_reminder(
                    db(ctx),
                    actor(&who),
                    id,
                    ReminderAction::SnoozeUntil(input.until.0),
                )
                .await,
            )? {
                Ok(reminder) => {
                    state(ctx).reminders.changed([reminder.pending.id]);
                    SnoozeReminderPayload {
                        reminder: Some(Reminder(reminder)),
                        user_errors: vec![],
                    }
                }
                Err(user_errors) => SnoozeReminderPayload {
                    user_errors,
                    ..Default::default()
                },
            },
        )
    }
}

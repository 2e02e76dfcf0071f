//! `dismissReminder` and `snoozeReminder`: the assignee's answers to a reminder.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::inputs::number;
use crate::domain::Field;
use crate::graphql::context::store;
use crate::graphql::errors::{UserError, answer, payloads};
use crate::graphql::guard::{SignedIn, signed_in};
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

payloads!(DismissReminderPayload, SnoozeReminderPayload);

/// The reminder acted on is `reminderId`.
fn reminder_names(field: Field) -> Option<&'static str> {
    (field == Field::Record).then_some("reminderId")
}

/// Reminder mutations.
#[derive(Default)]
pub struct ReminderMutation;

/// Reminder mutations.
#[Object(guard = "SignedIn")]
impl ReminderMutation {
    /// Dismisses one of the caller's reminders for good.
    async fn dismiss_reminder(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: DismissReminderInput,
    ) -> Result<DismissReminderPayload> {
        let actor = signed_in(ctx)?.actor();
        let id = number(&input.reminder_id, kind::REMINDER);
        let outcome = act_on_reminder(store(ctx), actor, id, ReminderAction::Dismiss).await;
        answer(outcome, reminder_names, |reminder| DismissReminderPayload {
            reminder: Some(Reminder(reminder)),
            user_errors: vec![],
        })
    }

    /// Snoozes one of the caller's reminders: it falls due again at `until`.
    async fn snooze_reminder(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to do; each field is described on the input type.")]
        input: SnoozeReminderInput,
    ) -> Result<SnoozeReminderPayload> {
        let actor = signed_in(ctx)?.actor();
        let id = number(&input.reminder_id, kind::REMINDER);
        let action = ReminderAction::SnoozeUntil(input.until.0);
        let outcome = act_on_reminder(store(ctx), actor, id, action).await;
        answer(outcome, reminder_names, |reminder| SnoozeReminderPayload {
            reminder: Some(Reminder(reminder)),
            user_errors: vec![],
        })
    }
}

//! Reminders: a pending activity's window, as its assignee sees it.

use async_graphql::{Context, Enum, ID, Object, Result};

use super::config::Operator;
use super::contact::Contact;
use super::work::PendingActivity;
use crate::graphql::context::loader;
use crate::graphql::ids::{self, kind};
use crate::graphql::loaders::{ContactKey, OperatorKey, known, required};
use crate::graphql::scalars::DateTime;
use crate::service::{clock, reminders};

/// Where a reminder stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "crate::domain::reminder::ReminderState")]
pub enum ReminderState {
    /// The window has not opened yet.
    Scheduled,
    /// Showing now.
    Active,
    /// Put off by its assignee until `snoozedUntil`.
    Snoozed,
    /// Dismissed by its assignee.
    Dismissed,
    /// The window has closed.
    Expired,
    /// Its pending activity is done or cancelled.
    Closed,
}

/// A reminder of a pending activity, shown to its assignee during its window.
pub struct Reminder(pub reminders::Reminder);

/// A reminder of a pending activity, shown to its assignee during its window.
#[Object]
impl Reminder {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode(kind::REMINDER, self.0.pending.id)
    }
    /// The pending activity it reminds of.
    async fn pending_activity(&self) -> PendingActivity {
        PendingActivity(self.0.pending.clone())
    }
    /// The contact concerned.
    async fn contact(&self, ctx: &Context<'_>) -> Result<Contact> {
        Ok(Contact(
            required(loader(ctx), ContactKey(self.0.pending.contact_id)).await?,
        ))
    }
    /// Who receives it.
    async fn assignee(&self, ctx: &Context<'_>) -> Result<Operator> {
        Ok(Operator(
            known(ctx, OperatorKey(self.0.pending.assignee_id)).await?,
        ))
    }
    /// When it falls due.
    async fn starts_at(&self) -> DateTime {
        self.0.window.starts_at.into()
    }
    /// When it stops showing.
    async fn ends_at(&self) -> DateTime {
        self.0.window.ends_at.into()
    }
    /// The pending activity's deadline.
    async fn due_at(&self) -> Option<DateTime> {
        self.0.pending.due_at.map(DateTime)
    }
    /// Snoozed until then.
    async fn snoozed_until(&self) -> Option<DateTime> {
        self.0.facts.snoozed_until.map(DateTime)
    }
    /// When its assignee dismissed it.
    async fn dismissed_at(&self) -> Option<DateTime> {
        self.0.facts.dismissed_at.map(DateTime)
    }
    /// Where it stands now.
    async fn state(&self) -> ReminderState {
        self.0.state(clock::now()).into()
    }
}

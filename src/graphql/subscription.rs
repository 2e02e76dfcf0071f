//! The `Subscription` root: reminders pushed to their assignee, contact events to the company.
//! The feeds themselves (catch-up, de-duplication, resync) are the reminder engine's and the
//! event hub's; this only adapts them.

use async_graphql::{Context, Enum, ID, Result, SimpleObject, Subscription as SubscriptionRoot};
use futures_util::stream::{Stream, StreamExt};

use super::context::{db, state};
use super::errors::ApiResult;
use super::guard::{SignedIn, signed_in};
use super::ids::{self, kind};
use super::scalars::DateTime;
use super::types::event::SharedContactEvent;
use super::types::reminder::Reminder;
use crate::events;
use crate::reminders::{AnnouncementKind, ReminderFeedEvent};

/// What happened to a reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "AnnouncementKind")]
pub enum ReminderEventKind {
    /// It is showing: show it.
    Due,
    /// It stopped showing (dismissed, snoozed, completed, cancelled, reassigned or expired): hide it.
    Cleared,
}

/// One push of the `reminders` subscription.
#[derive(SimpleObject)]
pub struct ReminderEvent {
    /// Due or cleared.
    pub kind: ReminderEventKind,
    /// The reminder as it stands.
    pub reminder: Reminder,
    /// When it happened (server time).
    pub at: DateTime,
}

impl From<ReminderFeedEvent> for ReminderEvent {
    fn from(event: ReminderFeedEvent) -> Self {
        Self {
            kind: event.kind.into(),
            reminder: Reminder((*event.reminder).clone()),
            at: DateTime(event.at),
        }
    }
}

/// Pushes. Each resolver boxes the future that opens its feed: async-graphql keeps a
/// resolver's future inside the subscription's stream for as long as it is open, sized for
/// its largest step, and opening a feed (database reads) is much larger than following one.
#[derive(Default)]
pub struct Subscription;

/// Pushes to the signed-in operator, over WebSocket (`graphql-transport-ws`).
#[SubscriptionRoot(guard = "SignedIn")]
impl Subscription {
    /// The caller's reminders: first every one that is showing now, then each as it falls due
    /// (`DUE`) or stops showing (`CLEARED`). A subscriber that falls behind gets every showing
    /// reminder again as `DUE`.
    async fn reminders(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = ReminderEvent> + use<>> {
        let assignee = signed_in(ctx)?.operator.id;
        let feed = Box::pin(state(ctx).reminders.feed(db(ctx), assignee))
            .await
            .api()?;
        Ok(feed.map(ReminderEvent::from))
    }

    /// Every change of a contact in the caller's company, in commit order; with `after`, first
    /// every event since that cursor (events are kept 7 days: an older or malformed cursor is
    /// `BAD_USER_INPUT`). `workflowId`: only that workflow's contacts.
    async fn contact_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the events of this workflow's contacts; absent: every workflow.")]
        workflow_id: Option<ID>,
        #[graphql(
            desc = "The cursor of the last event received: first every event after it, then live."
        )]
        after: Option<String>,
    ) -> Result<impl Stream<Item = SharedContactEvent> + use<>> {
        signed_in(ctx)?;
        let wanted = events::Subscription {
            workflow_id: workflow_id.map(|id| ids::filter_value(&id, kind::WORKFLOW)),
        };
        let feed = Box::pin(
            state(ctx)
                .events
                .subscribe(db(ctx), wanted, after.as_deref()),
        )
        .await
        .api()?;
        Ok(feed.map(SharedContactEvent))
    }
}

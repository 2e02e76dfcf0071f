//! The `Subscription` root: reminders pushed to their assignee.

use std::collections::HashSet;

use async_graphql::{Context, Enum, Result, SimpleObject, Subscription as SubscriptionRoot};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::context::{caller, db, state};
use super::errors::ApiResult;
use super::scalars::DateTime;
use super::types::reminder::Reminder;
use crate::reminders::{Announcement, AnnouncementKind};
use crate::service::{clock, work_items};

/// What happened to a reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
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

fn due_now(reminders: Vec<work_items::Reminder>) -> Vec<ReminderEvent> {
    let now = clock::now();
    reminders
        .into_iter()
        .map(|reminder| ReminderEvent {
            kind: ReminderEventKind::Due,
            reminder: Reminder(reminder),
            at: DateTime(now),
        })
        .collect()
}

fn from_announcement(announcement: Announcement) -> ReminderEvent {
    let kind = match announcement.kind {
        AnnouncementKind::Due => ReminderEventKind::Due,
        AnnouncementKind::Cleared => ReminderEventKind::Cleared,
    };
    ReminderEvent {
        kind,
        reminder: Reminder((*announcement.reminder).clone()),
        at: DateTime(announcement.at),
    }
}

/// Pushes.
#[derive(Default)]
pub struct Subscription;

#[SubscriptionRoot]
impl Subscription {
    /// The caller's reminders: first every one that is showing now, then each as it falls due
    /// (`DUE`) or stops showing (`CLEARED`). A subscriber that falls behind gets every showing
    /// reminder again as `DUE`.
    async fn reminders(
        &self,
        ctx: &Context<'_>,
    ) -> Result<impl Stream<Item = ReminderEvent> + use<>> {
        let who = caller(ctx).await?;
        let assignee = who.operator.id;
        let db = db(ctx).clone();
        let engine = state(ctx).reminders.clone();
        // Listen before reading what shows now, so nothing falls between the two.
        let receiver = state(ctx).reminders.subscribe(assignee);
        let showing = work_items::active_reminders(&db, assignee, clock::now())
            .await
            .api()?;
        // A reminder falling due between `subscribe` and the read above is in both: the ids
        // already sent as DUE (and not cleared since) are not sent as DUE again.
        let sent: HashSet<i64> = showing.iter().map(|r| r.pending.id).collect();
        let later = stream::unfold(
            (receiver, db, sent),
            move |(mut receiver, db, mut sent)| async move {
                loop {
                    match receiver.recv().await {
                        Ok(announcement) => {
                            let id = announcement.reminder.pending.id;
                            let fresh = match announcement.kind {
                                AnnouncementKind::Due => sent.insert(id),
                                AnnouncementKind::Cleared => {
                                    sent.remove(&id);
                                    true
                                }
                            };
                            if fresh {
                                return Some((
                                    vec![from_announcement(announcement)],
                                    (receiver, db, sent),
                                ));
                            }
                        }
                        Err(RecvError::Lagged(_)) => {
                            if let Ok(showing) =
                                work_items::active_reminders(&db, assignee, clock::now()).await
                            {
                                let sent = showing.iter().map(|r| r.pending.id).collect();
                                return Some((due_now(showing), (receiver, db, sent)));
                            }
                        }
                        Err(RecvError::Closed) => return None,
                    }
                }
            },
        )
        .flat_map(stream::iter);
        Ok(stream::iter(due_now(showing))
            .chain(later)
            .inspect(move |event| {
                if event.kind == ReminderEventKind::Due {
                    engine.count_delivered(1);
                }
            }))
    }
}

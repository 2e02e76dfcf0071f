//! What one subscriber of an assignee's reminders receives: first every reminder showing now,
//! then each announcement — a reminder already sent as `DUE` (and not cleared since) is not
//! sent again, and a subscriber that fell behind gets every showing reminder again as `DUE`.

use std::collections::HashSet;
use std::sync::Arc;

use crate::service::company::{InCompany, Reads};
use chrono::{DateTime, Utc};
use futures_util::stream::{self, Stream, StreamExt};
use tokio::sync::broadcast::error::RecvError;

use super::{Announcement, AnnouncementKind, ReminderEngine};
use crate::service::reminders::{Reminder, active_reminders};
use crate::service::{ServiceResult, clock};

/// One event of a subscriber's feed.
#[derive(Debug, Clone)]
pub struct ReminderFeedEvent {
    /// Due or cleared.
    pub kind: AnnouncementKind,
    /// The reminder as it stands.
    pub reminder: Arc<Reminder>,
    /// When it happened (server time).
    pub at: DateTime<Utc>,
}

impl From<Announcement> for ReminderFeedEvent {
    fn from(announcement: Announcement) -> Self {
        Self {
            kind: announcement.kind,
            reminder: announcement.reminder,
            at: announcement.at,
        }
    }
}

fn due_now(reminders: Vec<Reminder>) -> Vec<ReminderFeedEvent> {
    let now = clock::now();
    reminders
        .into_iter()
        .map(|reminder| ReminderFeedEvent {
            kind: AnnouncementKind::Due,
            reminder: Arc::new(reminder),
            at: now,
        })
        .collect()
}

/// The ids of the reminders sent as showing.
fn ids_of(showing: &[Reminder]) -> HashSet<i64> {
    showing.iter().map(|r| r.pending.id).collect()
}

impl ReminderEngine {
    /// The feed of `assignee`'s reminders in the reads' company: those showing now, then each
    /// as it falls due or stops showing. Counts every `DUE` it hands out.
    pub async fn feed(
        self: &Arc<Self>,
        db: &Reads,
        assignee: i64,
    ) -> ServiceResult<impl Stream<Item = ReminderFeedEvent> + Send + use<>> {
        // Listen before reading what shows now, so nothing falls between the two.
        let receiver = self.subscribe(assignee);
        let showing = active_reminders(db, assignee, clock::now()).await?;
        // A reminder falling due between `subscribe` and the read above is in both: the ids
        // already sent as DUE (and not cleared since) are not sent as DUE again.
        let sent = ids_of(&showing);
        let db = db.clone();
        let later = stream::unfold(
            (receiver, db, sent),
            move |(mut receiver, db, mut sent)| async move {
                loop {
                    match receiver.recv().await {
                        // The assignee's reminders of their other companies are not this feed's.
                        Ok(announcement)
                            if announcement.reminder.pending.company_id != db.company_id() => {}
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
                                let events = vec![ReminderFeedEvent::from(announcement)];
                                return Some((events, (receiver, db, sent)));
                            }
                        }
                        Err(RecvError::Lagged(_)) => {
                            if let Ok(showing) = active_reminders(&db, assignee, clock::now()).await
                            {
                                let sent = ids_of(&showing);
                                return Some((due_now(showing), (receiver, db, sent)));
                            }
                        }
                        Err(RecvError::Closed) => return None,
                    }
                }
            },
        )
        .flat_map(stream::iter);
        let engine = Arc::clone(self);
        Ok(stream::iter(due_now(showing))
            .chain(later)
            .inspect(move |event| {
                if event.kind == AnnouncementKind::Due {
                    engine.count_delivered(1);
                }
            }))
    }
}

//! The engine's one task: a timer queue over the near horizon, refilled from the database, and
//! settling of every reminder a write reports as changed.

use std::collections::HashMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::time::{DelayQueue, delay_queue};

use super::{Announcement, AnnouncementKind, Change, ReminderEngine};
use crate::domain::reminder::{ReminderState, next_due_at};
use crate::service::clock;
use crate::service::reminders::{self, Reminder};

/// Reminders falling due within this horizon are kept in the timer queue.
const HORIZON: chrono::Duration = chrono::Duration::hours(1);
/// The queue is refilled from the database this often (well within the horizon).
const REFILL_EVERY: Duration = Duration::from_secs(15 * 60);
/// Ids settled per database round trip.
const BATCH: usize = 500;

struct Scheduler {
    db: DatabaseConnection,
    engine: Weak<ReminderEngine>,
    queue: DelayQueue<i64>,
    keys: HashMap<i64, delay_queue::Key>,
    /// Reminders announced as showing, by pending activity, with their assignee.
    showing: HashMap<i64, i64>,
}

/// Runs until the engine is dropped.
pub(super) async fn run(
    db: DatabaseConnection,
    engine: Weak<ReminderEngine>,
    mut changed: mpsc::UnboundedReceiver<Change>,
) {
    let mut scheduler = Scheduler {
        db,
        engine,
        queue: DelayQueue::new(),
        keys: HashMap::new(),
        showing: HashMap::new(),
    };
    scheduler.refill(false).await;
    let mut refill = tokio::time::interval_at(Instant::now() + REFILL_EVERY, REFILL_EVERY);
    loop {
        tokio::select! {
            Some(expired) = scheduler.queue.next(), if !scheduler.queue.is_empty() => {
                let mut ids = vec![expired.into_inner()];
                while ids.len() < BATCH {
                    match futures_util::FutureExt::now_or_never(scheduler.queue.next()) {
                        Some(Some(more)) => ids.push(more.into_inner()),
                        _ => break,
                    }
                }
                for id in &ids {
                    scheduler.keys.remove(id);
                }
                scheduler.settle(ids, true).await;
            }
            change = changed.recv() => match change {
                Some(Change::Ids(ids)) => scheduler.settle(ids, true).await,
                Some(Change::Known(known)) => {
                    let now = clock::now();
                    for reminder in known {
                        scheduler.settle_one(reminder.pending.id, Some(reminder), now, true);
                    }
                }
                Some(Change::Resync) => scheduler.refill(true).await,
                None => break,
            },
            _ = refill.tick() => scheduler.refill(true).await,
        }
        if scheduler.engine.strong_count() == 0 {
            break;
        }
    }
}

/// The timer instant of a moment, measured against the clock now (not against a `now` taken
/// before a slow query, which would make every timer late by the query's duration).
fn instant_of(moment: DateTime<Utc>) -> Instant {
    Instant::now() + (moment - Utc::now()).to_std().unwrap_or(Duration::ZERO)
}

impl Scheduler {
    /// Loads every reminder whose window overlaps the horizon and settles it. At start-up the
    /// ones already showing are only remembered: subscribers catch up on them when they subscribe.
    async fn refill(&mut self, announce: bool) {
        let now = clock::now();
        match reminders::every_company_overlapping(&self.db, now, now + HORIZON).await {
            Ok(reminders) => {
                for reminder in reminders {
                    self.settle_one(reminder.pending.id, Some(reminder), now, announce);
                }
            }
            Err(error) => {
                tracing::warn!(%error, "reminder refill failed; retrying at the next refill")
            }
        }
    }

    /// Reloads reminders by pending activity id and announces what changed.
    async fn settle(&mut self, ids: Vec<i64>, announce: bool) {
        for chunk in ids.chunks(BATCH) {
            match reminders::every_company_by_pending(&self.db, chunk).await {
                Ok(mut found) => {
                    let now = clock::now();
                    for id in chunk {
                        self.settle_one(*id, found.remove(id), now, announce);
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "reminder settle failed; the next refill repairs it")
                }
            }
        }
    }

    fn settle_one(
        &mut self,
        id: i64,
        reminder: Option<Reminder>,
        now: DateTime<Utc>,
        announce: bool,
    ) {
        if let Some(key) = self.keys.remove(&id) {
            self.queue.remove(&key);
        }
        let state = reminder.as_ref().map(|r| r.state(now));
        let assignee = reminder.as_ref().map(|r| r.pending.assignee_id);
        let shared = reminder.map(Arc::new);
        let previous = self.showing.get(&id).copied();
        if state == Some(ReminderState::Active) {
            let (Some(assignee), Some(reminder)) = (assignee, shared.clone()) else {
                return;
            };
            if let Some(old) = previous.filter(|old| *old != assignee) {
                self.announce(old, AnnouncementKind::Cleared, reminder.clone(), now);
            }
            if previous != Some(assignee) && announce {
                self.announce(assignee, AnnouncementKind::Due, reminder.clone(), now);
            }
            self.showing.insert(id, assignee);
            self.schedule(id, reminder.window.ends_at, now);
            return;
        }
        if let Some(old) = self.showing.remove(&id)
            && let Some(reminder) = shared.clone()
        {
            self.announce(old, AnnouncementKind::Cleared, reminder, now);
        }
        if let Some(reminder) = shared
            && let Some(due) = next_due_at(reminder.window, reminder.facts)
            && due <= now + HORIZON
        {
            self.schedule(id, due.max(now), now);
        }
    }

    fn schedule(&mut self, id: i64, at: DateTime<Utc>, now: DateTime<Utc>) {
        if at > now + HORIZON {
            return;
        }
        let key = self.queue.insert_at(id, instant_of(at));
        self.keys.insert(id, key);
    }

    fn announce(
        &self,
        assignee: i64,
        kind: AnnouncementKind,
        reminder: Arc<Reminder>,
        at: DateTime<Utc>,
    ) {
        if let Some(engine) = self.engine.upgrade() {
            engine.publish(assignee, Announcement { kind, reminder, at });
        }
    }
}

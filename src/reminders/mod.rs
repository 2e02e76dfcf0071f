//! The reminder engine. The database is the truth; memory only schedules: a timer queue holds
//! the reminders falling due (or ending) within the near horizon, refilled from the database,
//! and every change a write reports is settled at once. Each assignee's subscribers receive
//! `DUE` and `CLEARED` announcements through a small bounded channel; [`feed`] turns them
//! into what one subscriber receives. Writes report what they changed through
//! [`Announcements`], which the engine implements; it also tells every instance's sockets of the
//! operators who lost their access.

mod feed;
mod listener;
mod scheduler;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::{broadcast, mpsc};

pub use feed::ReminderFeedEvent;

use crate::events::EventHub;
use crate::service::reminders::Reminder;
use crate::service::snapshot::Snapshots;
use crate::service::{Announcements, Changes};

/// How many announcements an assignee's channel holds for a slow subscriber before it is told
/// to resync.
const CHANNEL_CAPACITY: usize = 64;

/// Revocations held for a slow session before it is told it lagged (and checks its operator).
const REVOCATIONS_CAPACITY: usize = 256;

/// What happened to a reminder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnnouncementKind {
    /// It started showing.
    Due,
    /// It stopped showing (dismissed, snoozed, completed, cancelled, reassigned or expired).
    Cleared,
}

/// One announcement to an assignee's subscribers.
#[derive(Debug, Clone)]
pub struct Announcement {
    /// Due or cleared.
    pub kind: AnnouncementKind,
    /// The reminder as it stands.
    pub reminder: Arc<Reminder>,
    /// When the engine saw it happen.
    pub at: DateTime<Utc>,
}

/// What the scheduler is told.
#[derive(Debug)]
enum Change {
    /// These pending activities may have changed.
    Ids(Vec<i64>),
    /// These reminders are as given (just created here).
    Known(Vec<Reminder>),
    /// Anything may have changed: reread the horizon.
    Resync,
}

/// The running engine, shared by the schema and the mutations that change reminders.
pub struct ReminderEngine {
    channels: Mutex<HashMap<i64, broadcast::Sender<Announcement>>>,
    changes: mpsc::UnboundedSender<Change>,
    /// Set on PostgreSQL: this instance's name, and where the notifications that tell the
    /// other instances of its changes queue.
    peers: Option<(String, mpsc::UnboundedSender<String>)>,
    /// `DUE` events handed to subscribers so far.
    delivered: AtomicU64,
    /// Operators whose sessions must end.
    revoked: broadcast::Sender<i64>,
    /// Each company's configuration and members, shared with the store: the listener forgets
    /// those another instance's writes make stale (a write here forgets them when it commits).
    pub snapshots: Arc<Snapshots>,
    /// The contact event feeds, woken by every write (here or on another instance) that adds
    /// events.
    events: Arc<EventHub>,
}

impl ReminderEngine {
    /// Starts the engine's scheduler in the background; `events` hears of every write that
    /// adds contact events, here or on another instance.
    pub fn start(db: DatabaseConnection, events: Arc<EventHub>) -> Arc<Self> {
        let (changes, changed) = mpsc::unbounded_channel();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        let instance = postgres.then(|| {
            let mut bytes = [0u8; 8];
            OsRng.fill_bytes(&mut bytes);
            bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
        });
        let peers = instance.clone().map(|instance| {
            let (notices, queue) = mpsc::unbounded_channel();
            tokio::spawn(listener::announce(db.clone(), queue));
            (instance, notices)
        });
        let engine = Arc::new(Self {
            channels: Mutex::new(HashMap::new()),
            changes,
            peers,
            delivered: AtomicU64::new(0),
            revoked: broadcast::channel(REVOCATIONS_CAPACITY).0,
            snapshots: Arc::default(),
            events,
        });
        if let Some(instance) = instance {
            let listening = listener::listen(db.clone(), Arc::downgrade(&engine), instance);
            tokio::spawn(listening);
        }
        tokio::spawn(scheduler::run(db, Arc::downgrade(&engine), changed));
        engine
    }

    /// Counts `DUE` events handed to a subscriber.
    fn count_delivered(&self, events: u64) {
        self.delivered.fetch_add(events, Ordering::Relaxed);
    }

    /// `DUE` events handed to subscribers since the start.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    /// Listens to one assignee's announcements.
    fn subscribe(&self, assignee_id: i64) -> broadcast::Receiver<Announcement> {
        let mut channels = self
            .channels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        channels
            .entry(assignee_id)
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe()
    }

    /// Hands an announcement to the assignee's subscribers, if any are listening.
    fn publish(&self, assignee_id: i64, announcement: Announcement) {
        let mut channels = self
            .channels
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(sender) = channels.get(&assignee_id) {
            if sender.receiver_count() == 0 {
                channels.remove(&assignee_id);
            } else {
                let _ = sender.send(announcement);
            }
        }
    }
}

impl ReminderEngine {
    /// Acts on changes, made here or announced by another instance: settles the reminders and
    /// tells the sessions of revoked operators to close.
    fn act_on(&self, changes: &Changes) {
        let unknown: Vec<i64> = changes
            .reminders
            .iter()
            .copied()
            .filter(|id| !changes.known.iter().any(|known| known.pending.id == *id))
            .collect();
        if !unknown.is_empty() {
            let _ = self.changes.send(Change::Ids(unknown));
        }
        if !changes.known.is_empty() {
            let _ = self.changes.send(Change::Known(changes.known.clone()));
        }
        for operator in &changes.revoked_operators {
            let _ = self.revoked.send(*operator);
        }
        self.events.wake(&changes.events);
    }

    /// Hears of every operator whose access ends (deactivated), on any instance, to close
    /// their sockets.
    pub fn revocations(&self) -> broadcast::Receiver<i64> {
        self.revoked.subscribe()
    }
}

impl Announcements for ReminderEngine {
    fn committed(&self, changes: &Changes) {
        self.act_on(changes);
        if let Some((instance, notices)) = &self.peers {
            for notice in listener::notices(instance, changes) {
                let _ = notices.send(notice);
            }
        }
    }
}

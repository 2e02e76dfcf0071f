//! Contact events pushed live. The outbox is the truth (`service::events`); memory only
//! fans out. Each company some subscriber follows has one [`feed`] on this instance: a task
//! that reads the company's settled events after its position, the rows they name with them,
//! and hands each to the company's subscribers through a bounded broadcast channel. A feed
//! reads when a write here commits events, when another instance's `NOTIFY` says it did, and
//! every second besides (a notification lost with the listening connection is caught up
//! then). What one subscriber receives — replay after a cursor, then live, with no gap and no
//! duplicate, and a resync from the outbox when it falls behind — is [`subscriber`]'s.
//! Events older than [`RETENTION`] are pruned here too.

mod answers;
mod feed;
mod subscriber;
pub mod webhooks;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sea_orm::DatabaseConnection;

pub use crate::service::events::{LoadedEvent, RETENTION};
pub use answers::{Claim, Making, Question, SharedEvent};
use feed::CompanyFeed;
pub use subscriber::Subscription;

/// How often old events are pruned.
const PRUNE_EVERY: Duration = Duration::from_secs(60 * 60);

/// The contact events of every company followed on this instance.
pub struct EventHub {
    db: DatabaseConnection,
    feeds: Mutex<HashMap<i64, Arc<CompanyFeed>>>,
    /// Events handed to subscribers so far.
    delivered: std::sync::atomic::AtomicU64,
    /// Subscribers tuned in now.
    subscribers: std::sync::atomic::AtomicUsize,
    /// Told of every company whose events changed, to deliver them to webhooks.
    webhooks: std::sync::OnceLock<Weak<webhooks::WebhookDispatcher>>,
}

impl EventHub {
    /// A hub over `db`, pruning old events in the background.
    pub fn start(db: DatabaseConnection) -> Arc<Self> {
        let hub = Arc::new(Self {
            db: db.clone(),
            feeds: Mutex::default(),
            delivered: Default::default(),
            subscribers: Default::default(),
            webhooks: std::sync::OnceLock::new(),
        });
        tokio::spawn(prune(db, Arc::downgrade(&hub)));
        hub
    }

    fn feeds(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<CompanyFeed>>> {
        self.feeds
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The company's webhooks changed here: the dispatcher looks at them now.
    pub fn webhooks_changed(&self, company_id: i64) {
        if let Some(dispatcher) = self.webhooks.get().and_then(Weak::upgrade) {
            dispatcher.webhooks_changed(company_id);
        }
    }

    /// Has `dispatcher` told of every company whose events change (and able to ask which
    /// companies a feed here numbers).
    pub fn deliver_to_webhooks(self: &Arc<Self>, dispatcher: &Arc<webhooks::WebhookDispatcher>) {
        let _ = self.webhooks.set(Arc::downgrade(dispatcher));
        dispatcher.numbered_by(Arc::downgrade(self));
    }

    /// Whether a feed here follows the company: it numbers the company's committed events as
    /// each commit wakes it, so nobody else here needs to.
    fn feeds_company(&self, company_id: i64) -> bool {
        self.feeds().contains_key(&company_id)
    }

    /// The company's events have changed (here or on another instance): its feed reads them,
    /// and the webhook dispatcher takes them up.
    pub fn wake(&self, companies: &[i64]) {
        if companies.is_empty() {
            return;
        }
        if let Some(dispatcher) = self.webhooks.get().and_then(Weak::upgrade) {
            dispatcher.wake(companies);
        }
        let feeds = self.feeds();
        for company in companies {
            if let Some(feed) = feeds.get(company) {
                feed.wake();
            }
        }
    }

    /// The company's feed, started when nobody followed the company yet; it runs as long as
    /// a handle to it lives.
    fn follow(self: &Arc<Self>, company_id: i64) -> feed::Following {
        let mut feeds = self.feeds();
        let feed = feeds
            .entry(company_id)
            .or_insert_with(|| {
                CompanyFeed::start(self.db.clone(), company_id, Arc::downgrade(self))
            })
            .clone();
        feed::Following::new(feed)
    }

    /// Forgets a feed nobody follows any more; false when someone started following it again.
    fn retire(&self, company_id: i64, feed: &Arc<CompanyFeed>) -> bool {
        let mut feeds = self.feeds();
        if feed.followers() > 0 {
            return false;
        }
        if feeds.get(&company_id).is_some_and(|f| Arc::ptr_eq(f, feed)) {
            feeds.remove(&company_id);
        }
        true
    }

    /// Counts events handed to subscribers.
    fn count_delivered(&self, events: u64) {
        self.delivered
            .fetch_add(events, std::sync::atomic::Ordering::Relaxed);
    }

    /// Events handed to subscribers since the start.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Subscribers tuned in now (a subscription counts once it is sure to miss nothing).
    pub fn subscribers(&self) -> usize {
        self.subscribers.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// Deletes every company's events older than the retention, now and then, until the hub stops.
async fn prune(db: DatabaseConnection, hub: Weak<EventHub>) {
    let mut every = tokio::time::interval(PRUNE_EVERY);
    loop {
        every.tick().await;
        if hub.strong_count() == 0 {
            return;
        }
        let before = crate::service::clock::now() - RETENTION;
        match crate::service::events::prune_every_company(&db, before).await {
            Ok(0) => {}
            Ok(pruned) => tracing::info!(pruned, "old contact events pruned"),
            Err(error) => tracing::warn!(%error, "pruning contact events failed; retrying later"),
        }
    }
}

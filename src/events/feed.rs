//! One company's feed on this instance: its position in the outbox and the broadcast channel
//! its subscribers listen on, changed together, so that a subscriber that tunes in learns
//! exactly from which cursor on the channel carries everything. When woken, the feed numbers
//! the committed events (the sequencer, on PostgreSQL) and reads the numbered ones.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use sea_orm::DatabaseConnection;
use tokio::sync::{Notify, broadcast, watch};

use super::{EventHub, LoadedEvent, SharedEvent};
use crate::domain::event::EventCursor;
use crate::service::events::{self, Sequenced};
use crate::service::{ServiceError, ServiceResult};

/// Events a slow subscriber may fall behind by before it resyncs from the outbox.
pub(super) const CHANNEL_CAPACITY: usize = 1_024;
/// Events read per statement.
const BATCH: u64 = 500;
/// A feed reads this often even when told of nothing (a lost notification is caught up).
const POLL_EVERY: Duration = Duration::from_secs(1);
/// The first wait before looking again when another sequencer was at work; doubled each time
/// up to [`POLL_EVERY`].
const BUSY_FIRST_WAIT: Duration = Duration::from_millis(2);
/// The least time between two reads: the commits of a busy moment are read, and handed to
/// every subscriber, together (a burst costs each socket one write, not one per event), at the
/// price of at most this much lag; a quiet feed reads at once.
const READ_GAP: Duration = Duration::from_millis(10);
/// How long a subscriber waits for a new feed to learn its position.
const TUNE_IN_TIMEOUT: Duration = Duration::from_secs(5);

/// The position and the channel: what has been handed to the channel ends at `position`.
struct Live {
    position: EventCursor,
    sender: broadcast::Sender<Arc<SharedEvent>>,
}

/// One company's feed.
pub(super) struct CompanyFeed {
    company_id: i64,
    live: Mutex<Live>,
    /// True once the position is known.
    ready: watch::Sender<bool>,
    wake: Notify,
    followers: AtomicUsize,
}

impl CompanyFeed {
    /// A feed of `company_id`, reading in the background until nobody follows it.
    pub(super) fn start(db: DatabaseConnection, company_id: i64, hub: Weak<EventHub>) -> Arc<Self> {
        let feed = Arc::new(Self {
            company_id,
            live: Mutex::new(Live {
                position: EventCursor::default(),
                sender: broadcast::channel(CHANNEL_CAPACITY).0,
            }),
            ready: watch::channel(false).0,
            wake: Notify::new(),
            followers: AtomicUsize::new(0),
        });
        tokio::spawn(run(db, feed.clone(), hub));
        feed
    }

    fn live(&self) -> std::sync::MutexGuard<'_, Live> {
        self.live
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reads soon.
    pub(super) fn wake(&self) {
        self.wake.notify_one();
    }

    /// How many follow it.
    pub(super) fn followers(&self) -> usize {
        self.followers.load(Ordering::SeqCst)
    }
}

/// A follower's hold on a feed: the feed runs while one lives.
pub(super) struct Following {
    feed: Arc<CompanyFeed>,
}

impl Following {
    /// Counted under the hub's lock, so that a feed is never retired under a new follower.
    pub(super) fn new(feed: Arc<CompanyFeed>) -> Self {
        feed.followers.fetch_add(1, Ordering::SeqCst);
        Self { feed }
    }

    /// The company followed.
    pub(super) fn company_id(&self) -> i64 {
        self.feed.company_id
    }

    /// Listens to the channel, and the cursor from which on it carries every event: those up
    /// to it are in the outbox, settled.
    pub(super) async fn tune_in(
        &self,
    ) -> ServiceResult<(broadcast::Receiver<Arc<SharedEvent>>, EventCursor)> {
        let mut ready = self.feed.ready.subscribe();
        match tokio::time::timeout(TUNE_IN_TIMEOUT, ready.wait_for(|ready| *ready)).await {
            Ok(Ok(_)) => {}
            _ => return Err(ServiceError::Unavailable),
        }
        let live = self.feed.live();
        Ok((live.sender.subscribe(), live.position))
    }
}

impl Drop for Following {
    fn drop(&mut self) {
        if self.feed.followers.fetch_sub(1, Ordering::SeqCst) == 1 {
            // The last one: the feed may retire now rather than at its next poll.
            self.feed.wake();
        }
    }
}

/// Learns the position, then reads and hands out events until nobody follows the feed.
async fn run(db: DatabaseConnection, feed: Arc<CompanyFeed>, hub: Weak<EventHub>) {
    let company_id = feed.company_id;
    let retired = |feed: &Arc<CompanyFeed>| {
        feed.followers() == 0 && hub.upgrade().is_none_or(|hub| hub.retire(company_id, feed))
    };
    loop {
        // What committed before the first follower came is numbered first, and not sent.
        let head = async {
            while events::sequence(&db, company_id).await? == Sequenced::More {}
            events::head_of(&db, company_id).await
        };
        match head.await {
            Ok(head) => {
                feed.live().position = head;
                feed.ready.send_replace(true);
                break;
            }
            Err(error) => {
                tracing::warn!(%error, company_id, "event feed cannot read its position; retrying");
                tokio::time::sleep(POLL_EVERY).await;
                if retired(&feed) {
                    return;
                }
            }
        }
    }
    let mut backoff: Option<Duration> = None;
    let mut last_read = tokio::time::Instant::now();
    loop {
        tokio::select! {
            () = feed.wake.notified() => {}
            () = tokio::time::sleep(backoff.unwrap_or(POLL_EVERY)) => {}
        }
        if retired(&feed) {
            return;
        }
        tokio::time::sleep_until(last_read + READ_GAP).await;
        last_read = tokio::time::Instant::now();
        // Number what committed (on PostgreSQL), then read; another sequencer at work means
        // a second look shortly.
        let previous = backoff.take();
        loop {
            let position = feed.live().position;
            match events::advance(&db, company_id, position, BATCH).await {
                Ok((sequenced, read)) => {
                    let full = read.full;
                    publish(&feed, read.events);
                    match sequenced {
                        Sequenced::More => continue,
                        Sequenced::Done if full => continue,
                        Sequenced::Done => {}
                        Sequenced::Busy => backoff = Some(next_wait(previous)),
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, company_id, "event feed cannot read; retrying");
                }
            }
            break;
        }
    }
}

/// The wait before looking again while another sequencer works: short at first, then longer.
fn next_wait(previous: Option<Duration>) -> Duration {
    previous.map_or(BUSY_FIRST_WAIT, |wait| (wait * 2).min(POLL_EVERY))
}

/// Hands the events to the channel and moves the position past them, together.
fn publish(feed: &CompanyFeed, events: Vec<LoadedEvent>) {
    if events.is_empty() {
        return;
    }
    let mut live = feed.live();
    for event in events {
        live.position = event.event.cursor;
        // No receiver now: nobody misses it (a new subscriber starts after `position`).
        let _ = live.sender.send(Arc::new(SharedEvent::new(event)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_busy_sequencer_is_looked_at_again_after_a_few_milliseconds_then_less_often() {
        let mut wait = None;
        let mut waits = Vec::new();
        for _ in 0..11 {
            let next = next_wait(wait);
            waits.push(next.as_millis());
            wait = Some(next);
        }
        assert_eq!(waits[..4], [2, 4, 8, 16]);
        assert_eq!(waits[9], 1_000);
    }
}

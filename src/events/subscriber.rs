//! What one subscriber of a company's events receives. It tunes in to the feed first and
//! learns the cursor from which on the feed's channel carries everything; what it missed
//! before that (after the cursor it resumes from) it reads from the outbox, in order, and then
//! takes the channel. A subscriber that falls behind the channel tunes in again and reads
//! from the outbox what it missed: every event once, in cursor order, in bounded memory.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use futures_util::stream::{self, Stream};
use sea_orm::DatabaseConnection;
use tokio::sync::broadcast::{self, error::RecvError};

use super::feed::Following;
use super::{EventHub, LoadedEvent, SharedEvent};
use crate::domain::event::EventCursor;
use crate::service::company::{InCompany, Reads};
use crate::service::{ServiceResult, events};

/// Events read from the outbox per statement while catching up.
const CATCH_UP_BATCH: u64 = 200;
/// The wait before a failed catch-up read is tried again.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Which events a subscriber wants.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subscription {
    /// Only those of this workflow's contacts.
    pub workflow_id: Option<i64>,
}

impl Subscription {
    fn wants(&self, event: &LoadedEvent) -> bool {
        self.workflow_id
            .is_none_or(|workflow| workflow == event.event.workflow_id)
    }
}

struct Subscriber {
    db: DatabaseConnection,
    following: Following,
    receiver: broadcast::Receiver<Arc<SharedEvent>>,
    wanted: Subscription,
    /// The last event passed (delivered or not wanted).
    last: EventCursor,
    /// Read from the outbox up to here before taking the channel again.
    catch_up_until: Option<EventCursor>,
    ready: VecDeque<Arc<SharedEvent>>,
    hub: Arc<EventHub>,
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.hub
            .subscribers
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Subscriber {
    /// The next event this subscriber wants; none when the feed ends. The rare steps (a
    /// catch-up read, tuning in again) are boxed: this future lives inside every idle
    /// subscription, so it is kept to the size of a wait on the channel.
    async fn next(&mut self) -> Option<Arc<SharedEvent>> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                self.hub.count_delivered(1);
                return Some(event);
            }
            if let Some(until) = self.catch_up_until {
                Box::pin(self.catch_up(until)).await;
                continue;
            }
            match self.receiver.recv().await {
                Ok(event) => self.take(event),
                Err(RecvError::Lagged(_)) => match Box::pin(self.following.tune_in()).await {
                    Ok((receiver, position)) => {
                        self.receiver = receiver;
                        self.catch_up_until = Some(position);
                    }
                    Err(_) => tokio::time::sleep(RETRY_AFTER).await,
                },
                Err(RecvError::Closed) => return None,
            }
        }
    }

    /// Passes an event: kept when wanted and not passed already.
    fn take(&mut self, event: Arc<SharedEvent>) {
        let cursor = event.event.cursor;
        if cursor <= self.last {
            return;
        }
        self.last = cursor;
        if self.wanted.wants(&event) {
            self.ready.push_back(event);
        }
    }

    /// Reads the next events up to `until` from the outbox.
    async fn catch_up(&mut self, until: EventCursor) {
        if self.last >= until {
            self.catch_up_until = None;
            return;
        }
        let company_id = self.following.company_id();
        let range = (self.last, Some(until));
        match events::read(&self.db, company_id, range, CATCH_UP_BATCH).await {
            Ok(read) => {
                if !read.full {
                    self.catch_up_until = None;
                }
                for event in read.events {
                    self.take(Arc::new(SharedEvent::new(event)));
                }
            }
            Err(error) => {
                tracing::warn!(%error, company_id, "an event subscriber cannot catch up; retrying");
                tokio::time::sleep(RETRY_AFTER).await;
            }
        }
    }
}

impl EventHub {
    /// The events of the reads' company that `wanted` asks for, in cursor order: with
    /// `after`, first every one since that cursor (refused when the cursor is not one of the
    /// company's kept events), then each as it commits.
    pub async fn subscribe(
        self: &Arc<Self>,
        reads: &Reads,
        wanted: Subscription,
        after: Option<&str>,
    ) -> ServiceResult<impl Stream<Item = Arc<SharedEvent>> + Send + use<>> {
        let following = self.follow(reads.company_id());
        let resume = match after {
            Some(text) => Some(events::resume_from(reads, text).await?),
            None => None,
        };
        let (receiver, position) = following.tune_in().await?;
        self.subscribers
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let subscriber = Subscriber {
            db: reads.pool().clone(),
            following,
            receiver,
            wanted,
            last: resume.unwrap_or(position),
            catch_up_until: resume.map(|_| position),
            ready: VecDeque::new(),
            hub: self.clone(),
        };
        Ok(stream::unfold(subscriber, |mut subscriber| async move {
            let event = subscriber.next().await?;
            Some((event, subscriber))
        }))
    }
}

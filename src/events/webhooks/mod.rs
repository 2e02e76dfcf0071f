//! Webhook delivery. A background task per instance takes up each active webhook's new events
//! as PENDING deliveries (in the order of the feed, a window ahead of the delivery being made)
//! and delivers each webhook's deliveries one at a time, in order: an instance delivers to a
//! webhook only while it holds the webhook's lease in the database, so at most one delivery is
//! in flight per webhook across all instances; a lease left by an instance that died runs out
//! and another takes over (the delivery it was making is made again: at least once). A
//! delivery is a POST of its CloudEvents body, signed, answered within 10 s (the default) or
//! retried with backoff for a day. Saves never wait for any of it: a slow or dead receiver
//! holds up only its own webhook.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use chrono::Utc;
use tokio::sync::{Notify, Semaphore};

use crate::domain::webhook::{check_target, signature};
use crate::entity::{webhook, webhook_delivery};
use crate::service::company::Reads;
use crate::service::webhooks::{self, Attempt};
use crate::service::{ServiceResult, Store, clock, companies, events};

mod client;

/// Every company is looked at this often (webhooks saved on another instance, deliveries
/// left by an instance that stopped); between, only the companies woken by their events or
/// by a retry falling due, that have webhooks.
const LOOK_AT_EVERY_COMPANY_EVERY: Duration = Duration::from_secs(5);
/// The least time between two passes.
const PASS_GAP: Duration = Duration::from_millis(20);
/// How much longer than two attempts may take a lease lasts; it is renewed once less than an
/// attempt and this margin remain, so an attempt always ends within the lease.
const LEASE_MARGIN: Duration = Duration::from_secs(5);
/// Deliveries in flight on one instance at most.
const IN_FLIGHT_MAX: usize = 32;
/// A webhook's next deliveries read at once (then made one at a time, in order, and recorded
/// together).
const DELIVERIES_READ_AT_ONCE: u64 = 32;
/// The longest an attempt waits to be recorded with the ones after it.
const RECORD_WITHIN: chrono::Duration = chrono::Duration::milliseconds(500);

/// How deliveries are made (from the settings).
#[derive(Debug, Clone, Copy)]
pub struct DeliveryOptions {
    /// Whether private, loopback and link-local targets are allowed.
    pub allow_private: bool,
    /// How long a receiver has to answer.
    pub timeout: Duration,
    /// The wait before a failed delivery's first retry.
    pub first_retry: Duration,
}

/// The running dispatcher.
pub struct WebhookDispatcher {
    store: Store,
    client: reqwest::Client,
    options: DeliveryOptions,
    /// This instance's name in the leases it takes.
    owner: String,
    wake: Notify,
    /// Companies with events to take up or deliveries due, since the last pass.
    woken: Mutex<HashSet<i64>>,
    /// Companies with an active webhook, as of the last look at every company.
    hooked: Mutex<HashSet<i64>>,
    in_flight: Mutex<HashSet<i64>>,
    slots: Arc<Semaphore>,
    /// The instance's event feeds: a company one follows has its events numbered by it.
    feeds: std::sync::OnceLock<std::sync::Weak<super::EventHub>>,
}

impl WebhookDispatcher {
    /// Starts delivering in the background.
    pub fn start(store: Store, options: DeliveryOptions) -> Arc<Self> {
        let client = client::guarded(&options);
        let mut bytes = [0u8; 8];
        OsRng.fill_bytes(&mut bytes);
        let dispatcher = Arc::new(Self {
            store,
            client,
            options,
            owner: bytes.iter().map(|b| format!("{b:02x}")).collect(),
            wake: Notify::new(),
            woken: Mutex::default(),
            hooked: Mutex::default(),
            in_flight: Mutex::default(),
            slots: Arc::new(Semaphore::new(IN_FLIGHT_MAX)),
            feeds: std::sync::OnceLock::new(),
        });
        tokio::spawn(run(Arc::downgrade(&dispatcher)));
        dispatcher
    }

    /// New events of these companies committed: a pass soon for those with webhooks.
    pub fn wake(&self, companies: &[i64]) {
        let hooked = lock(&self.hooked);
        let wanted: Vec<i64> = companies
            .iter()
            .copied()
            .filter(|company| hooked.contains(company))
            .collect();
        drop(hooked);
        if !wanted.is_empty() {
            lock(&self.woken).extend(wanted);
            self.wake.notify_one();
        }
    }

    /// The company's webhooks changed here: look at it now.
    pub fn webhooks_changed(&self, company_id: i64) {
        lock(&self.hooked).insert(company_id);
        lock(&self.woken).insert(company_id);
        self.wake.notify_one();
    }

    /// Leaves the numbering of the companies `hub` has a feed of to their feeds.
    pub(super) fn numbered_by(&self, hub: std::sync::Weak<super::EventHub>) {
        let _ = self.feeds.set(hub);
    }

    /// Whether a feed on this instance numbers the company's events (woken by the same
    /// commits as this dispatcher): a pass that numbered them too would only take the
    /// sequencer from the feed, whose subscribers would wait.
    fn numbered_by_a_feed(&self, company_id: i64) -> bool {
        self.feeds
            .get()
            .and_then(std::sync::Weak::upgrade)
            .is_some_and(|hub| hub.feeds_company(company_id))
    }

    fn in_flight(&self) -> std::sync::MutexGuard<'_, HashSet<i64>> {
        lock(&self.in_flight)
    }

    /// One pass over `companies` (none: every company): take up new events, start the
    /// deliveries that are due.
    async fn pass(self: &Arc<Self>, companies: Option<Vec<i64>>) -> ServiceResult<()> {
        let db = &self.store.db;
        let every = companies.is_none();
        let companies = match companies {
            Some(companies) => companies,
            None => companies::all_ids(db).await?,
        };
        let mut hooked = HashSet::new();
        for company_id in companies {
            let reads = Reads::per_statement(db.clone(), company_id);
            let hooks = webhooks::active(&reads).await?;
            if hooks.is_empty() {
                continue;
            }
            hooked.insert(company_id);
            if !self.numbered_by_a_feed(company_id) {
                while events::sequence(db, company_id).await? == events::Sequenced::More {}
            }
            for hook in &hooks {
                webhooks::take_up(&self.store, hook).await?;
            }
            let now = clock::now();
            for hook in &hooks {
                let delivering = self.in_flight().contains(&hook.id);
                if !delivering && webhooks::due(&reads, hook.id, now).await? {
                    self.start_delivering(company_id, hook.id);
                }
            }
        }
        if every {
            *lock(&self.hooked) = hooked;
        }
        Ok(())
    }

    /// Looks at the company again when its next retry falls due.
    fn wake_at(self: &Arc<Self>, company_id: i64, at: chrono::DateTime<Utc>) {
        let wait = (at - clock::now()).to_std().unwrap_or(Duration::ZERO);
        let dispatcher = Arc::downgrade(self);
        tokio::spawn(async move {
            tokio::time::sleep(wait).await;
            if let Some(dispatcher) = dispatcher.upgrade() {
                dispatcher.webhooks_changed(company_id);
            }
        });
    }

    /// Delivers to one webhook in the background, unless this instance already does.
    fn start_delivering(self: &Arc<Self>, company_id: i64, webhook_id: i64) {
        let Ok(slot) = Arc::clone(&self.slots).try_acquire_owned() else {
            return;
        };
        if !self.in_flight().insert(webhook_id) {
            return;
        }
        let dispatcher = Arc::clone(self);
        tokio::spawn(crate::db::in_background(async move {
            let _slot = slot;
            match dispatcher.deliver_all(company_id, webhook_id).await {
                Ok(Some(next)) => dispatcher.wake_at(company_id, next),
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(%error, webhook_id, "webhook delivery interrupted; retrying later");
                }
            }
            dispatcher.in_flight().remove(&webhook_id);
        }));
    }

    /// Makes the webhook's due deliveries, in order, while it holds the lease; when the next
    /// one must wait for its retry, when that is. What became of the attempts is recorded a
    /// batch at a time (one write for up to [`DELIVERIES_READ_AT_ONCE`] deliveries; at once
    /// after a failure; before the next attempt once the oldest unrecorded one is
    /// [`RECORD_WITHIN`] old; always before the next read and before the lease is renewed or
    /// given back): a crash between an attempt and its record makes the delivery again, which
    /// at least once allows.
    async fn deliver_all(
        &self,
        company_id: i64,
        webhook_id: i64,
    ) -> ServiceResult<Option<chrono::DateTime<Utc>>> {
        let reads = Reads::per_statement(self.store.db.clone(), company_id);
        let span = |d: Duration| chrono::Duration::from_std(d).unwrap_or_default();
        let lease = span(self.options.timeout * 2 + LEASE_MARGIN);
        let renew_within = span(self.options.timeout + LEASE_MARGIN);
        let mut held_until: Option<chrono::DateTime<Utc>> = None;
        let first_retry = chrono::Duration::from_std(self.options.first_retry)
            .unwrap_or_else(|_| chrono::Duration::seconds(10));
        let mut queue = std::collections::VecDeque::new();
        let mut made: Vec<(webhook_delivery::Model, Attempt)> = Vec::new();
        let mut hook = None;
        loop {
            let now = clock::now();
            if held_until.is_none_or(|until| until - now < renew_within) {
                self.record(company_id, &mut made, first_retry).await?;
                let until = now + lease;
                let leased = webhooks::lease(
                    &self.store,
                    company_id,
                    webhook_id,
                    &self.owner,
                    (now, until),
                )
                .await?;
                if !leased {
                    return Ok(None);
                }
                held_until = Some(until);
            }
            if queue.is_empty() {
                self.record(company_id, &mut made, first_retry).await?;
                // The webhook is read again with each batch: a changed URL, secret or
                // activity applies from the next batch on.
                let mut next =
                    webhooks::next_deliveries(&reads, webhook_id, DELIVERIES_READ_AT_ONCE).await?;
                if let Some((read, deliveries)) = &next
                    && deliveries.is_empty()
                    && read.active
                    && webhooks::take_up(&self.store, read).await? > 0
                {
                    next = webhooks::next_deliveries(&reads, webhook_id, DELIVERIES_READ_AT_ONCE)
                        .await?;
                }
                match next {
                    Some((read, deliveries)) if !deliveries.is_empty() && read.active => {
                        hook = Some(read);
                        queue.extend(deliveries);
                    }
                    _ => {
                        webhooks::release(&self.store, company_id, webhook_id, &self.owner).await?;
                        return Ok(None);
                    }
                }
            }
            let (Some(hook), Some(delivery)) = (&hook, queue.pop_front()) else {
                continue;
            };
            if made
                .first()
                .is_some_and(|(_, oldest)| clock::now() - oldest.at >= RECORD_WITHIN)
            {
                self.record(company_id, &mut made, first_retry).await?;
            }
            if let Some(later) = delivery.next_attempt_at.filter(|at| *at > now) {
                self.record(company_id, &mut made, first_retry).await?;
                webhooks::release(&self.store, company_id, webhook_id, &self.owner).await?;
                return Ok(Some(later));
            }
            let attempt = self.attempt(hook, &delivery).await;
            made.push((delivery, attempt));
            if !attempt.delivered() {
                // It waits for its retry, and every later one behind it.
                self.record(company_id, &mut made, first_retry).await?;
                queue.clear();
            }
        }
    }

    /// Records the attempts made and not recorded yet.
    async fn record(
        &self,
        company_id: i64,
        made: &mut Vec<(webhook_delivery::Model, Attempt)>,
        first_retry: chrono::Duration,
    ) -> ServiceResult<()> {
        webhooks::record(&self.store, company_id, made, first_retry).await?;
        made.clear();
        Ok(())
    }

    /// POSTs one delivery.
    async fn attempt(&self, hook: &webhook::Model, delivery: &webhook_delivery::Model) -> Attempt {
        let at = clock::now();
        if check_target(&hook.url, self.options.allow_private).is_err() {
            return Attempt { status: None, at };
        }
        let signed = signature(&hook.secret, at.timestamp(), &delivery.body);
        let sent = self
            .client
            .post(&hook.url)
            .header(
                "content-type",
                "application/cloudevents+json; charset=utf-8",
            )
            .header("contactflow-signature", signed)
            .body(delivery.body.clone())
            .send()
            .await;
        let status = match sent {
            Ok(response) => Some(response.status().as_u16()),
            Err(error) => {
                tracing::info!(%error, webhook_id = hook.id, "webhook receiver did not answer");
                None
            }
        };
        Attempt { status, at }
    }
}

/// Passes until the dispatcher is dropped: over every company now and then, over the woken
/// ones between.
async fn run(dispatcher: std::sync::Weak<WebhookDispatcher>) {
    let mut every_company_at = tokio::time::Instant::now();
    loop {
        let Some(this) = dispatcher.upgrade() else {
            return;
        };
        let now = tokio::time::Instant::now();
        let companies = if now >= every_company_at {
            every_company_at = now + LOOK_AT_EVERY_COMPANY_EVERY;
            lock(&this.woken).clear();
            None
        } else {
            Some(lock(&this.woken).drain().collect())
        };
        if let Err(error) = crate::db::in_background(this.pass(companies)).await {
            tracing::warn!(%error, "webhook pass failed; retrying");
        }
        tokio::time::sleep(PASS_GAP).await;
        if lock(&this.woken).is_empty() {
            let _ = tokio::time::timeout_at(every_company_at, this.wake.notified()).await;
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
